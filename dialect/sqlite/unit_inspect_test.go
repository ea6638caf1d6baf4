package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// setup creates a fresh database, runs ddl on it with the driver, and
// returns the inspected schema and its formatted text. It also checks the
// round trip: the text, applied to another fresh database, inspects and
// formats to the same text.
func setup(t *testing.T, ddl string) (*schema.Schema, string) {
	t.Helper()
	x := testdb.New(t, "sqlite")
	if _, err := x.DB.ExecContext(context.Background(), ddl); err != nil {
		t.Fatalf("setup: %v", err)
	}
	s, text := inspectFormat(t, x)
	y := testdb.New(t, "sqlite")
	if text != "" {
		if _, err := y.DB.ExecContext(context.Background(), text); err != nil {
			t.Fatalf("apply formatted schema: %v\n%s", err, text)
		}
	}
	_, text2 := inspectFormat(t, y)
	if text != text2 {
		t.Fatalf("formatted schema changed after a round trip:\n%s", firstDiff(text, text2))
	}
	return s, text
}

func table(t *testing.T, s *schema.Schema, name string) *schema.Table {
	t.Helper()
	tb := s.Table("", name)
	if tb == nil {
		t.Fatalf("no table %q in %v", name, tableNames(s))
	}
	return tb
}

func tableNames(s *schema.Schema) []string {
	var n []string
	for _, t := range s.Tables {
		n = append(n, t.Name)
	}
	return n
}

func ptr(s string) *string { return &s }

func diffModel(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func TestInspectColumns(t *testing.T) {
	s, _ := setup(t, `
CREATE TABLE c (
  id integer primary key autoincrement,
  name  nvarchar ( 10 , 2 )  not null default ( datetime('now') ) collate nocase,
  n INT DEFAULT -1,
  s TEXT DEFAULT 'it''s',
  k DEFAULT CURRENT_TIMESTAMP,
  blob_col blob,
  untyped,
  big unsigned   big int,
  g1 INT GENERATED ALWAYS AS (n * 2) STORED,
  g2 AS ( n+1 )
);`)
	got := table(t, s, "c").Columns
	want := []*schema.Column{
		{Name: "id", Type: "INTEGER", AutoIncrement: true}, // the rowid: never NULL
		{Name: "name", Type: "NVARCHAR(10,2)", Default: ptr("datetime('now')"), Collation: "NOCASE"},
		{Name: "n", Type: "INT", Nullable: true, Default: ptr("-1")},
		{Name: "s", Type: "TEXT", Nullable: true, Default: ptr("'it''s'")},
		{Name: "k", Nullable: true, Default: ptr("CURRENT_TIMESTAMP")},
		{Name: "blob_col", Type: "BLOB", Nullable: true},
		{Name: "untyped", Nullable: true},
		{Name: "big", Type: "UNSIGNED BIG INT", Nullable: true},
		{Name: "g1", Type: "INT", Nullable: true, Generated: "n * 2", Stored: true},
		{Name: "g2", Nullable: true, Generated: "n+1"},
	}
	diffModel(t, "columns", want, got)
}

func TestInspectPrimaryKeyAndOptions(t *testing.T) {
	s, text := setup(t, `
CREATE TABLE rowid_alias (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE composite (a TEXT, b INT, v TEXT, CONSTRAINT pk_composite PRIMARY KEY (b, a));
CREATE TABLE wr (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID;
CREATE TABLE st (id INTEGER PRIMARY KEY, v TEXT) STRICT;
CREATE TABLE both (k TEXT PRIMARY KEY, v ANY) STRICT, WITHOUT ROWID;
CREATE TABLE nopk (v TEXT);`)
	diffModel(t, "rowid_alias pk", &schema.Key{Columns: []string{"id"}}, table(t, s, "rowid_alias").PrimaryKey)
	diffModel(t, "composite pk", &schema.Key{Name: "pk_composite", Columns: []string{"b", "a"}}, table(t, s, "composite").PrimaryKey)
	if table(t, s, "nopk").PrimaryKey != nil {
		t.Errorf("nopk has a primary key: %+v", table(t, s, "nopk").PrimaryKey)
	}
	diffModel(t, "wr options", schema.TableOptions{WithoutRowID: true}, table(t, s, "wr").Options)
	diffModel(t, "st options", schema.TableOptions{Strict: true}, table(t, s, "st").Options)
	diffModel(t, "both options", schema.TableOptions{WithoutRowID: true, Strict: true}, table(t, s, "both").Options)
	for _, frag := range []string{") WITHOUT ROWID, STRICT;", "CONSTRAINT pk_composite PRIMARY KEY (b, a)"} {
		if !strings.Contains(text, frag) {
			t.Errorf("formatted text lacks %q:\n%s", frag, text)
		}
	}
}

func TestInspectUniques(t *testing.T) {
	s, _ := setup(t, `
CREATE TABLE u (
  a TEXT UNIQUE,
  b TEXT CONSTRAINT uq_b UNIQUE,
  c INT, d INT,
  CONSTRAINT uq_cd UNIQUE (c, d),
  UNIQUE (d, c)
);`)
	want := []*schema.Key{
		{Columns: []string{"a"}},
		{Columns: []string{"d", "c"}},
		{Name: "uq_b", Columns: []string{"b"}},
		{Name: "uq_cd", Columns: []string{"c", "d"}},
	}
	u := table(t, s, "u")
	diffModel(t, "uniques", want, u.Uniques)
	if len(u.Indexes) != 0 {
		t.Errorf("unique constraints reported as indexes: %+v", u.Indexes)
	}
}

func TestInspectIndexes(t *testing.T) {
	s, _ := setup(t, `
CREATE TABLE i (a INT, b TEXT COLLATE NOCASE, c TEXT, d INT);
CREATE INDEX i_a ON i(a);
CREATE UNIQUE INDEX i_multi ON i (a DESC, c);
CREATE INDEX i_expr ON i (lower(c), a + d);
CREATE INDEX i_partial ON i (d) WHERE d IS NOT NULL AND a > 0;
CREATE INDEX i_coll ON i (c COLLATE NOCASE, b, b COLLATE BINARY);`)
	got := table(t, s, "i").Indexes
	want := []*schema.Index{
		{Name: "i_a", Parts: []*schema.IndexPart{{Column: "a"}}, Definition: "CREATE INDEX i_a ON i (a)"},
		{Name: "i_coll", Parts: []*schema.IndexPart{{Column: "c", Collation: "NOCASE"}, {Column: "b"}, {Column: "b", Collation: "BINARY"}},
			Definition: "CREATE INDEX i_coll ON i (c COLLATE NOCASE, b, b COLLATE BINARY)"},
		{Name: "i_expr", Parts: []*schema.IndexPart{{Expr: "lower(c)"}, {Expr: "a + d"}}, Definition: "CREATE INDEX i_expr ON i (lower(c), a + d)"},
		{Name: "i_multi", Unique: true, Parts: []*schema.IndexPart{{Column: "a", Desc: true}, {Column: "c"}}, Definition: "CREATE UNIQUE INDEX i_multi ON i (a DESC, c)"},
		{Name: "i_partial", Parts: []*schema.IndexPart{{Column: "d"}}, Where: "d IS NOT NULL AND a > 0", Definition: "CREATE INDEX i_partial ON i (d) WHERE d IS NOT NULL AND a > 0"},
	}
	diffModel(t, "indexes", want, got)
}

func TestInspectForeignKeys(t *testing.T) {
	s, text := setup(t, `
CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT, UNIQUE (id, code));
CREATE TABLE child (
  id INTEGER PRIMARY KEY,
  p1 INT REFERENCES parent,
  p2 INT CONSTRAINT fk_p2 REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL,
  p3 INT, c3 TEXT,
  p4 INT,
  CONSTRAINT fk_comp FOREIGN KEY (p3, c3) REFERENCES parent (id, code) ON DELETE SET DEFAULT DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (p4) REFERENCES later (id) ON DELETE RESTRICT MATCH FULL NOT DEFERRABLE,
  FOREIGN KEY (p4) REFERENCES parent (id) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE TABLE later (id INTEGER PRIMARY KEY);`)
	want := []*schema.ForeignKey{
		{Columns: []string{"p1"}, RefTable: "parent", RefColumns: []string{"id"}},
		{Columns: []string{"p4"}, RefTable: "later", RefColumns: []string{"id"}, OnDelete: "RESTRICT", Match: "FULL"},
		{Columns: []string{"p4"}, RefTable: "parent", RefColumns: []string{"id"}, Deferrable: true},
		{Name: "fk_comp", Columns: []string{"p3", "c3"}, RefTable: "parent", RefColumns: []string{"id", "code"}, OnDelete: "SET DEFAULT", Deferrable: true, InitiallyDeferred: true},
		{Name: "fk_p2", Columns: []string{"p2"}, RefTable: "parent", RefColumns: []string{"id"}, OnDelete: "CASCADE", OnUpdate: "SET NULL"},
	}
	diffModel(t, "foreign keys", want, table(t, s, "child").ForeignKeys)
	// The forward reference to "later" must load: the round trip in setup
	// proved it; the text must keep the table order by name.
	if strings.Index(text, "CREATE TABLE child") > strings.Index(text, "CREATE TABLE later") {
		t.Errorf("tables not in name order:\n%s", text)
	}
}

func TestInspectChecks(t *testing.T) {
	s, _ := setup(t, `
CREATE TABLE ck (
  a INT CHECK (a > 0) CONSTRAINT ck_a_max CHECK(a<100),
  b TEXT,
  CONSTRAINT ck_b CHECK (b IN ('x','y')  OR  /* comment */ b IS NULL),
  CHECK (length(b) > a)
);`)
	want := []*schema.Check{
		{Expr: "a > 0"},
		{Expr: "length(b) > a"},
		{Name: "ck_a_max", Expr: "a<100"},
		{Name: "ck_b", Expr: "b IN ('x', 'y') OR b IS NULL"},
	}
	diffModel(t, "checks", want, table(t, s, "ck").Checks)
}

func TestInspectViews(t *testing.T) {
	s, text := setup(t, `
CREATE TABLE t (a INT, b INT);
CREATE VIEW a_top AS SELECT x FROM z_base WHERE x > 1;
CREATE VIEW z_base (x, y) AS
  SELECT a, b   
  FROM t;`)
	want := []*schema.View{
		{Name: "a_top", Definition: "SELECT x FROM z_base WHERE x > 1", DependsOn: []string{"VIEW z_base"}},
		{Name: "z_base", Definition: "SELECT a, b\n  FROM t", Columns: []string{"x", "y"}},
	}
	diffModel(t, "views", want, s.Views)
	if strings.Index(text, "CREATE VIEW z_base") > strings.Index(text, "CREATE VIEW a_top") {
		t.Errorf("view a_top printed before the view it depends on:\n%s", text)
	}
}

func TestInspectTriggers(t *testing.T) {
	s, text := setup(t, `
CREATE TABLE t (a INT, updated TEXT);
CREATE VIEW v AS SELECT a FROM t;
CREATE TRIGGER t_au AFTER UPDATE ON t
BEGIN
  UPDATE t SET updated = datetime('now') WHERE rowid = new.rowid;   
END;
CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END;`)
	want := []*schema.Trigger{
		{Table: "t", Name: "t_au", Definition: "CREATE TRIGGER t_au AFTER UPDATE ON t\nBEGIN\n  UPDATE t SET updated = datetime('now') WHERE rowid = new.rowid;\nEND"},
		{Table: "v", Name: "v_ins", Definition: "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO t (a) VALUES (new.a); END"},
	}
	diffModel(t, "triggers", want, s.Triggers)
	if strings.Index(text, "CREATE TRIGGER") < strings.Index(text, "CREATE VIEW") {
		t.Errorf("triggers not printed last:\n%s", text)
	}
}

func TestInspectExcludes(t *testing.T) {
	x := testdb.New(t, "sqlite")
	ctx := context.Background()
	if _, err := x.DB.ExecContext(ctx, `
CREATE TABLE keep (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE retort_revisions (revision TEXT PRIMARY KEY);
CREATE TABLE retort_log (id INTEGER PRIMARY KEY);
CREATE TABLE my_versions (v TEXT);
CREATE TABLE skipped (v TEXT);
CREATE INDEX skipped_v ON skipped (v);
CREATE TRIGGER skipped_t AFTER INSERT ON skipped BEGIN SELECT 1; END;
INSERT INTO keep DEFAULT VALUES;`); err != nil {
		t.Fatal(err)
	}
	conn, err := x.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := New().Inspect(ctx, conn, dialect.InspectOptions{
		VersionTables: dialect.VersionTables{Revisions: "my_versions"},
		Exclude:       []string{"SKIPPED"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// retort_log is the default Log name; retort_revisions is not a version
	// table under these options and is kept.
	diffModel(t, "tables", []string{"keep", "retort_revisions"}, tableNames(s))
	if len(s.Triggers) != 0 {
		t.Errorf("trigger of an excluded table kept: %+v", s.Triggers)
	}
	if len(s.Notes()) != 0 {
		t.Errorf("unexpected warnings: %v", s.Notes())
	}
}

func TestInspectWarnings(t *testing.T) {
	x := testdb.New(t, "sqlite")
	ctx := context.Background()
	if _, err := x.DB.ExecContext(ctx, `
CREATE VIRTUAL TABLE docs USING fts5(title, body);
CREATE TABLE c (a INT NOT NULL ON CONFLICT IGNORE, b INT, d INT CONSTRAINT nn NOT NULL, e TEXT,
  UNIQUE (b) ON CONFLICT REPLACE, UNIQUE (e COLLATE NOCASE));`); err != nil {
		t.Fatal(err)
	}
	s, _ := inspectFormat(t, x)
	want := []string{
		"skipped shadow table docs_config of a virtual table: not supported",
		"skipped shadow table docs_content of a virtual table: not supported",
		"skipped shadow table docs_data of a virtual table: not supported",
		"skipped shadow table docs_docsize of a virtual table: not supported",
		"skipped shadow table docs_idx of a virtual table: not supported",
		"skipped virtual table docs: not supported",
		"table c: COLLATE on column e of UNIQUE is not kept",
		"table c: ON CONFLICT IGNORE clause of NOT NULL of column a is not kept",
		"table c: ON CONFLICT REPLACE clause of UNIQUE is not kept",
		"table c: constraint name nn on NOT NULL of column d is not kept",
	}
	diffModel(t, "warnings", want, s.Notes())
	diffModel(t, "tables", []string{"c"}, tableNames(s))
}

// TestInspectQuoting checks that hostile names are quoted where SQLite needs it
// and that a schema made of them round-trips.
func TestInspectQuoting(t *testing.T) {
	for name, want := range map[string]string{
		"plain":      "plain",
		"MixedCase":  "MixedCase",
		"_x1":        "_x1",
		"select":     `"select"`,
		"Order":      `"Order"`,
		"rowid":      `"rowid"`,
		"has space":  `"has space"`,
		`has"quote`:  `"has""quote"`,
		"1leading":   `"1leading"`,
		"ünïcode":    `"ünïcode"`,
		"dollar$":    `"dollar$"`,
		"":           `""`,
		"[brackets]": `"[brackets]"`,
	} {
		if got := quoteIdentIfNeeded(name); got != want {
			t.Errorf("quoteIdentIfNeeded(%q) = %s, want %s", name, got, want)
		}
	}
	s, text := setup(t, `
CREATE TABLE "select" (
  "from" INTEGER PRIMARY KEY,
  "has space" TEXT DEFAULT 'a b' CHECK ("has space" <> ''),
  [brack"et] INT,
  "quo""te" TEXT COLLATE "NOCASE",
  ünïcode INT,
  "1x" INT,
  MixedCase INT,
  CONSTRAINT "weird name" UNIQUE ("has space", "quo""te")
);
CREATE TABLE "Other Table" ("id" INTEGER PRIMARY KEY, "ref" INT REFERENCES "select" ("from"));
CREATE INDEX "idx ""q""" ON "select" ("1x" DESC, ünïcode);
CREATE INDEX expr_idx ON "select" (lower("quo""te")) WHERE "1x" > 0;
CREATE VIEW "the view" ("a b") AS SELECT "from" FROM "select";
CREATE TRIGGER "trig ger" AFTER INSERT ON "select" BEGIN SELECT 1; END;`)
	tb := table(t, s, "select")
	var cols []string
	for _, c := range tb.Columns {
		cols = append(cols, c.Name)
	}
	diffModel(t, "columns", []string{"from", "has space", `brack"et`, `quo"te`, "ünïcode", "1x", "MixedCase"}, cols)
	diffModel(t, "unique", []*schema.Key{{Name: "weird name", Columns: []string{"has space", `quo"te`}}}, tb.Uniques)
	for _, frag := range []string{
		`CREATE TABLE "select" (`,
		`"from" INTEGER NOT NULL,`,
		`"brack""et" INT,`,
		`"quo""te" TEXT COLLATE NOCASE,`,
		`MixedCase INT,`,
		`CONSTRAINT "weird name" UNIQUE ("has space", "quo""te")`,
		`CREATE TABLE "Other Table" (`,
		`FOREIGN KEY (ref) REFERENCES "select" ("from")`,
		`CREATE INDEX "idx ""q""" ON "select" ("1x" DESC, "ünïcode")`,
		`CREATE INDEX expr_idx ON "select" (lower("quo""te")) WHERE "1x" > 0`,
		`CREATE VIEW "the view" ("a b") AS`,
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("formatted text lacks %s:\n%s", frag, text)
		}
	}
}

// TestQueryCount proves the number of catalog queries does not grow with
// the number of tables.
func TestQueryCount(t *testing.T) {
	count := func(n int) int {
		x := testdb.New(t, "sqlite")
		ctx := context.Background()
		var b strings.Builder
		for i := range n {
			b.WriteString(genTable(i))
		}
		if _, err := x.DB.ExecContext(ctx, b.String()); err != nil {
			t.Fatal(err)
		}
		conn, err := x.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		in := &inspector{conn: conn}
		s, err := in.inspect(ctx, dialect.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Tables) != n {
			t.Fatalf("inspected %d tables, want %d", len(s.Tables), n)
		}
		return in.queries
	}
	one, fifty := count(1), count(50)
	if one != fifty || one != inspectQueries {
		t.Errorf("catalog queries: %d for 1 table, %d for 50 tables; want %d for both", one, fifty, inspectQueries)
	}
}

func TestInspectErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database file\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = New().Inspect(ctx, conn, dialect.InspectOptions{})
	if err == nil {
		t.Fatal("inspecting a file that is not a database succeeded")
	}
	if !strings.Contains(err.Error(), "sqlite: inspect schema objects") {
		t.Errorf("error does not say what failed: %v", err)
	}
}

// TestRoundTripTricky loads a schema full of awkward text with the sqlite3
// client and requires the formatted text to survive a round trip through
// the same client.
func TestRoundTripTricky(t *testing.T) {
	sqlite3 := needSQLite3(t)
	const ddl = `
CREATE TABLE "Ünï ""table""" (
  "key" INTEGER PRIMARY KEY,
  "check" TEXT DEFAULT '-- not a comment' CHECK ("check" NOT LIKE '%)%' AND length("check") < (10 * (2 + 1))),
  [x y] TEXT DEFAULT ('a' || 'b'),
  z BLOB DEFAULT x'00ff',
  w REAL DEFAULT +1.5 NOT NULL,
  v GENERATED ALWAYS AS ("key" * 2) STORED,
  CONSTRAINT "fk self" FOREIGN KEY ("check") REFERENCES "Ünï ""table""" ("x y")
);
CREATE INDEX "ix where" ON "Ünï ""table""" ("check" COLLATE RTRIM DESC, [x y]) WHERE "check" <> ')' AND z IS NOT NULL;
CREATE VIEW "v 2" AS SELECT * FROM "v 1";
CREATE VIEW "v 1" AS
  -- leading comment
  SELECT "key", "check" FROM "Ünï ""table"""   
  WHERE w > 0;
CREATE TRIGGER "t 1" BEFORE DELETE ON "Ünï ""table""" WHEN old."key" > 10
BEGIN
  SELECT RAISE(ABORT, 'no; really');
END;
`
	x := testdb.New(t, "sqlite")
	runSQLite3(t, sqlite3, x.Name, ddl)
	s, text1 := inspectFormat(t, x)
	y := testdb.New(t, "sqlite")
	runSQLite3(t, sqlite3, y.Name, text1)
	_, text2 := inspectFormat(t, y)
	if text1 != text2 {
		t.Fatalf("formatted schema changed after a round trip:\n%s", firstDiff(text1, text2))
	}
	tb := table(t, s, `Ünï "table"`)
	diffModel(t, "defaults", []*string{nil, ptr("'-- not a comment'"), ptr("'a' || 'b'"), ptr("x'00ff'"), ptr("+1.5"), nil},
		[]*string{tb.Columns[0].Default, tb.Columns[1].Default, tb.Columns[2].Default, tb.Columns[3].Default, tb.Columns[4].Default, tb.Columns[5].Default})
	diffModel(t, "checks", []*schema.Check{{Expr: `"check" NOT LIKE '%)%' AND length("check") < (10 * (2 + 1))`}}, tb.Checks)
	diffModel(t, "index", &schema.Index{
		Name:       "ix where",
		Parts:      []*schema.IndexPart{{Column: "check", Desc: true, Collation: "RTRIM"}, {Column: "x y"}},
		Where:      `"check" <> ')' AND z IS NOT NULL`,
		Definition: `CREATE INDEX "ix where" ON "Ünï ""table""" ("check" COLLATE RTRIM DESC, "x y") WHERE "check" <> ')' AND z IS NOT NULL`,
	}, tb.Indexes[0])
	if strings.Index(text1, `CREATE VIEW "v 1"`) > strings.Index(text1, `CREATE VIEW "v 2"`) {
		t.Errorf("view order ignores the dependency:\n%s", text1)
	}
	if !strings.Contains(text1, "CREATE VIEW \"v 1\" AS\n-- leading comment\n  SELECT \"key\", \"check\" FROM \"Ünï \"\"table\"\"\"\n  WHERE w > 0;") {
		t.Errorf("view text not kept:\n%s", text1)
	}
}

func TestInspectCancelled(t *testing.T) {
	x := testdb.New(t, "sqlite")
	conn, err := x.DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = New().Inspect(ctx, conn, dialect.InspectOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Inspect with a cancelled context: got %v, want context.Canceled", err)
	}
}
