package mysql

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestQuoteIdentIfNeeded(t *testing.T) {
	cases := map[string]string{
		"film":         "film",
		"film_2":       "film_2",
		"_x":           "_x",
		"Film":         "`Film`",
		"select":       "`select`",
		"order":        "`order`",
		"key":          "`key`",
		"name":         "name", // a keyword, not reserved
		"2fast":        "`2fast`",
		"with space":   "`with space`",
		"back`tick":    "`back``tick`",
		"quote'\"":     "`quote'\"`",
		"grüße":        "`grüße`",
		"dollar$":      "`dollar$`",
		"":             "``",
		"semi;colon":   "`semi;colon`",
		"dash-ed":      "`dash-ed`",
		"current_date": "`current_date`",
	}
	for in, want := range cases {
		if got := quoteIdentIfNeeded(in); got != want {
			t.Errorf("quoteIdentIfNeeded(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFormatLiteral(t *testing.T) {
	cases := map[string]string{
		"plain":    "'plain'",
		"it's":     "'it''s'",
		`back\`:    `'back\\'`,
		"nul\x00x": `'nul\0x'`,
	}
	for in, want := range cases {
		if got := formatLiteral(in); got != want {
			t.Errorf("formatLiteral(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestHostileNamesRoundTrip creates objects whose names need quoting in
// every way and checks that the canonical text reloads to itself.
func TestHostileNamesRoundTrip(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		"CREATE TABLE `select` (`from` int PRIMARY KEY, `Mixed Case` varchar(10) COMMENT 'it''s a \\\\ comment', `back``tick` int, `grüße ñ` int, `2nd` int, `semi;colon` int,"+
			" UNIQUE KEY `key` (`Mixed Case`), KEY `index name` (`back``tick`, `2nd`), CONSTRAINT `check` CHECK (`from` > 0)) COMMENT='tab''le'",
		"CREATE TABLE `Order Lines` (`id` int PRIMARY KEY, `select_from` int, CONSTRAINT `fk-weird name` FOREIGN KEY (`select_from`) REFERENCES `select` (`from`) ON DELETE CASCADE)",
		"CREATE VIEW `view ``q`` é` AS SELECT `from`, `Mixed Case` FROM `select`",
		"CREATE TRIGGER `trigger` BEFORE INSERT ON `Order Lines` FOR EACH ROW SET NEW.`select_from` = NEW.`select_from`",
		"CREATE PROCEDURE `proc edure`(IN `in` int) SELECT `in`",
	)
	// A table named like the database: its name must survive the removal
	// of the database qualifier from view definitions.
	inspectExec(t, db,
		"CREATE TABLE "+backquote(db.Name)+" (id int)",
		"CREATE VIEW same_name AS SELECT id FROM "+backquote(db.Name)+"."+backquote(db.Name))
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	for _, v := range s.Views {
		if v.Name == "same_name" && v.Definition != "select "+backquote(db.Name)+".`id` AS `id` from "+backquote(db.Name) {
			t.Errorf("view on a table named like the database: %s", v.Definition)
		}
	}
	sel := mustTable(t, s, "select")
	if c := sel.Column("grüße ñ"); c == nil {
		t.Fatalf("non-ASCII column not inspected: %+v", sel.Columns)
	}
	if c := sel.Column("Mixed Case"); c == nil || c.Comment != `it's a \ comment` {
		t.Errorf("comment with quote and backslash: %+v", c)
	}
	text := roundTrip(t, db)
	for _, want := range []string{"SET NAMES utf8mb4;", "CREATE TABLE `select`", "`back``tick`", "CONSTRAINT `check` CHECK", "ALTER TABLE `Order Lines` ADD CONSTRAINT `fk-weird name`", "VIEW `view ``q`` é`"} {
		if !strings.Contains(text, want) {
			t.Errorf("canonical text lacks %q:\n%s", want, text)
		}
	}
}

// goldenSchema is a small hand-written schema for the golden test; it
// does not touch a database.
func goldenSchema() *schema.Schema {
	return &schema.Schema{
		Dialect: "mysql",
		Tables: []*schema.Table{
			{
				Name: "orders",
				Columns: []*schema.Column{
					{Name: "id", Type: "bigint(20) unsigned", AutoIncrement: true},
					{Name: "customer_id", Type: "int(11)"},
					{Name: "status", Type: "enum('new','paid')", Default: strPtr("'new'")},
					{Name: "note", Type: "varchar(200)", Nullable: true, Collation: "utf8mb4_bin", Comment: "free text"},
					{Name: "total", Type: "decimal(10,2)", Nullable: true, Generated: "`qty` * `price`", Stored: true},
					{Name: "updated", Type: "timestamp", Nullable: true, Default: strPtr("current_timestamp()"), OnUpdate: "current_timestamp()"},
				},
				PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id"}},
				Uniques:    []*schema.Key{{Name: "u_note", Columns: []string{"customer_id", "note"}}},
				Indexes: []*schema.Index{
					{Name: "i_status", Parts: []*schema.IndexPart{{Column: "status", Desc: true}, {Column: "note", Length: 20}}, Comment: "for lists"},
					{Name: "ft_note", Method: "FULLTEXT", Parts: []*schema.IndexPart{{Column: "note"}}},
				},
				ForeignKeys: []*schema.ForeignKey{{Name: "fk_customer", Columns: []string{"customer_id"}, RefTable: "Customer", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
				Checks:      []*schema.Check{{Name: "positive", Expr: "`total` >= 0"}},
				Comment:     "all orders",
				Options:     schema.TableOptions{Engine: "MyISAM", Charset: "latin1", Collation: "latin1_swedish_ci"},
			},
			{
				Name:       "Customer",
				Columns:    []*schema.Column{{Name: "id", Type: "int(11)"}},
				PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id"}},
			},
		},
		Views: []*schema.View{
			{Name: "v_b", Definition: "select `v_a`.`id` AS `id` from `v_a`", Options: "SQL SECURITY INVOKER"},
			{Name: "v_a", Definition: "select `orders`.`id` AS `id` from `orders`", CheckOption: "CASCADED"},
		},
		Routines: []*schema.Routine{
			{Kind: schema.Function, Name: "half", Signature: "x int(11)", Definition: "CREATE FUNCTION half(x int(11)) RETURNS int(11)\n    DETERMINISTIC\nRETURN x DIV 2"},
		},
		Triggers: []*schema.Trigger{
			{Table: "orders", Name: "orders_bi", Definition: "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW BEGIN\n  SET NEW.note = trim(NEW.note);\nEND"},
		},
	}
}

func TestFormatGolden(t *testing.T) {
	got := New().Format(goldenSchema())
	path := filepath.Join("testdata", "format.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestFormatGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("Format differs from %s (- golden, + got; -update to accept):\n%s", path, firstDiff(string(want), got))
	}
}

// TestFormatThroughSplitter runs the canonical text of Sakila statement
// by statement through retort's own splitter and the Go driver, as the
// runner would, and checks that it reloads to the same text.
func TestFormatThroughSplitter(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", "sakila-mysql", "sakila-mv-schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	src := newInspectDB(t)
	clientLoad(t, src, filterCorpus(string(raw), src.Name))
	d := New()
	s1, _ := inspectDB(t, src, dialect.InspectOptions{})
	text1 := d.Format(s1)
	stmts, err := sqlsplit.Split(text1, sqlsplit.MySQL)
	if err != nil {
		t.Fatalf("split canonical text: %v", err)
	}
	dst := newInspectDB(t)
	ctx := context.Background()
	conn, err := dst.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for n, st := range stmts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			t.Fatalf("statement %d (line %d): %v\n%s", n+1, st.Line, err, st.Text)
		}
	}
	s2, _ := inspectDB(t, dst, dialect.InspectOptions{})
	if text2 := d.Format(s2); text1 != text2 {
		t.Fatalf("splitter round trip differs:\n%s", firstDiff(text1, text2))
	}
}

// TestQueryCountFixed checks that inspection runs the same number of
// catalog queries whatever the number of tables.
func TestQueryCountFixed(t *testing.T) {
	small := newInspectDB(t)
	createGenerated(t, small, 1)
	big := newInspectDB(t)
	createGenerated(t, big, 50)
	s1, n1 := inspectDB(t, small, dialect.InspectOptions{})
	s50, n50 := inspectDB(t, big, dialect.InspectOptions{})
	if len(s1.Tables) != 1 || len(s50.Tables) != 50 {
		t.Fatalf("tables: got %d and %d, want 1 and 50", len(s1.Tables), len(s50.Tables))
	}
	if n1 != n50 {
		t.Errorf("catalog queries: %d for 1 table, %d for 50", n1, n50)
	}
	t.Logf("catalog queries per inspection: %d", n50)
}

// createGenerated makes n tables of 10 columns, 2 secondary indexes and 1
// foreign key each (table k references table k-1; the first references
// itself), sending them in batches over one multi-statement connection.
func createGenerated(t testing.TB, db *testdb.DB, n int) {
	t.Helper()
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		inspectExec(t, db, b.String())
		b.Reset()
	}
	for k := 0; k < n; k++ {
		ref := k - 1
		if ref < 0 {
			ref = 0
		}
		fmt.Fprintf(&b, `CREATE TABLE t%04d (
	id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
	parent_id int,
	name varchar(50) NOT NULL,
	email varchar(100),
	qty int NOT NULL DEFAULT 0,
	price decimal(10,2),
	created datetime NOT NULL,
	note text,
	active tinyint(1) NOT NULL DEFAULT 1,
	updated timestamp NOT NULL DEFAULT current_timestamp ON UPDATE current_timestamp,
	KEY i_parent (parent_id),
	KEY i_name_email (name, email),
	CONSTRAINT fk_t%04d FOREIGN KEY (parent_id) REFERENCES t%04d (id) ON DELETE CASCADE
);
`, k, k, ref)
		if (k+1)%100 == 0 {
			flush()
		}
	}
	flush()
}

// TestPrivilegeError inspects as a user who may read the tables but not
// the view definitions: inspection fails naming the view and the missing
// privilege, and the error carries no password.
func TestPrivilegeError(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE t (id int)`,
		`CREATE VIEW v AS SELECT id FROM t`)
	user := "rt_noview_" + db.Name[len(db.Name)-10:]
	const password = "pw-secret-1"
	inspectExec(t, db,
		fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password),
		fmt.Sprintf("GRANT SELECT ON %s.* TO '%s'@'%%'", backquote(db.Name), user))
	t.Cleanup(func() { inspectExec(t, db, fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })

	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	driver, dsn, err := testdb.DriverDSN("mysql", u.String())
	if err != nil {
		t.Fatal(err)
	}
	restricted, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer restricted.Close()
	ctx := context.Background()
	conn, err := restricted.Conn(ctx)
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	defer conn.Close()
	_, err = New().Inspect(ctx, conn, dialect.InspectOptions{})
	var pe *PrivilegeError
	if !errors.As(err, &pe) {
		t.Fatalf("want a PrivilegeError, got %v", err)
	}
	if pe.Kind != "view" || pe.Name != "v" || !strings.Contains(err.Error(), "SHOW VIEW") {
		t.Errorf("error does not name the view and privilege: %v", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("error shows the password: %v", err)
	}
	conn.Close()
	restricted.Close()

	// With SHOW VIEW the inspection succeeds, and says that triggers,
	// which the server hides from this user, are missing.
	inspectExec(t, db, fmt.Sprintf("GRANT SHOW VIEW ON %s.* TO '%s'@'%%'", backquote(db.Name), user))
	again, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	conn2, err := again.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	s, err := New().Inspect(ctx, conn2, dialect.InspectOptions{})
	if err != nil {
		t.Fatalf("inspect with SHOW VIEW: %v", err)
	}
	if len(s.Views) != 1 || len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "lacks the TRIGGER privilege") {
		t.Errorf("want the view and a warning about triggers, got views %d, warnings %q", len(s.Views), s.Warnings)
	}
}

func TestStripQualifier(t *testing.T) {
	cases := []struct{ in, want string }{
		{"select `db`.`t`.`c` AS `c` from `db`.`t`", "select `t`.`c` AS `c` from `t`"},
		{"select `db`.`db`.`x` AS `x` from `db`.`db`", "select `db`.`x` AS `x` from `db`"},
		{"select 'it''s `db`.' AS `s` from `other`.`t`", "select 'it''s `db`.' AS `s` from `other`.`t`"},
		{"select `xdb`.`t`.`c` from `xdb`.`t`", "select `xdb`.`t`.`c` from `xdb`.`t`"},
		{"select 'a\\'`db`.' from `db`.`t`", "select 'a\\'`db`.' from `t`"},
	}
	for _, c := range cases {
		if got := stripQualifier(c.in, "db"); got != c.want {
			t.Errorf("stripQualifier(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
