package mysql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

func strPtr(s string) *string { return &s }

func mustTable(t *testing.T, s *schema.Schema, name string) *schema.Table {
	t.Helper()
	tb := s.Table("", name)
	if tb == nil {
		var names []string
		for _, x := range s.Tables {
			names = append(names, x.Name)
		}
		t.Fatalf("table %s not inspected; have %q", name, names)
	}
	return tb
}

func TestInspectColumns(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db, `CREATE TABLE t (
		id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
		z int(5) zerofill,
		a varchar(20) DEFAULT 'x''y',
		b timestamp NOT NULL DEFAULT current_timestamp ON UPDATE current_timestamp,
		n int DEFAULT NULL,
		d decimal(5,2) NOT NULL DEFAULT 1.50,
		e enum('a','b') DEFAULT 'a',
		st set('x','y') NOT NULL,
		c char(3) CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'it''s latin',
		bin varchar(10) COLLATE utf8mb4_bin,
		g int AS (n + 1) VIRTUAL,
		s int AS (n * 2) STORED,
		ts timestamp NULL
	) COMMENT='a table'`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	got := mustTable(t, s, "t")
	want := &schema.Table{
		Name:    "t",
		Comment: "a table",
		Columns: []*schema.Column{
			{Name: "id", Type: "int(10) unsigned", AutoIncrement: true},
			{Name: "z", Type: "int(5) unsigned zerofill", Nullable: true},
			{Name: "a", Type: "varchar(20)", Nullable: true, Default: strPtr("'x''y'")},
			{Name: "b", Type: "timestamp", Default: strPtr("current_timestamp()"), OnUpdate: "current_timestamp()"},
			{Name: "n", Type: "int(11)", Nullable: true},
			{Name: "d", Type: "decimal(5,2)", Default: strPtr("1.50")},
			{Name: "e", Type: "enum('a','b')", Nullable: true, Default: strPtr("'a'")},
			{Name: "st", Type: "set('x','y')"},
			{Name: "c", Type: "char(3)", Nullable: true, Charset: "latin1", Collation: "latin1_bin", Comment: "it's latin"},
			{Name: "bin", Type: "varchar(10)", Nullable: true, Collation: "utf8mb4_bin"},
			{Name: "g", Type: "int(11)", Nullable: true, Generated: "`n` + 1"},
			{Name: "s", Type: "int(11)", Nullable: true, Generated: "`n` * 2", Stored: true},
			{Name: "ts", Type: "timestamp", Nullable: true},
		},
		PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	roundTrip(t, db)
}

func TestInspectTableOptions(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE m (id int NOT NULL, v varchar(10), KEY iv (v)) ENGINE=MyISAM`,
		`CREATE TABLE l (id int) DEFAULT CHARSET=latin1 ROW_FORMAT=COMPACT`,
		`CREATE TABLE h (id int, KEY ih (id)) ENGINE=MEMORY`,
		`CREATE TABLE plain (id int)`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	if o := mustTable(t, s, "m").Options; o.Engine != "MyISAM" || o.Charset != "" {
		t.Errorf("m options: %+v", o)
	}
	if o := mustTable(t, s, "l").Options; o.Charset != "latin1" || o.Collation != "latin1_swedish_ci" || o.RowFormat != "COMPACT" || o.Engine != "" {
		t.Errorf("l options: %+v", o)
	}
	h := mustTable(t, s, "h")
	if h.Options.Engine != "MEMORY" || len(h.Indexes) != 1 || h.Indexes[0].Method != "" {
		t.Errorf("h: MEMORY table with its default HASH index, got %+v %+v", h.Options, h.Indexes)
	}
	if o := mustTable(t, s, "plain").Options; !cmp.Equal(o, schema.TableOptions{}) {
		t.Errorf("plain options: want none, got %+v", o)
	}
	roundTrip(t, db)
}

func TestInspectKeysAndIndexes(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db, `CREATE TABLE t (
		a int NOT NULL, b int NOT NULL, c varchar(100), d text, e int,
		PRIMARY KEY (a, b),
		UNIQUE KEY u_ce (c, e),
		UNIQUE KEY u_pref (c(10)),
		KEY i_multi (e, a),
		KEY i_desc (e DESC, c(5)),
		KEY i_hash (e) USING HASH,
		KEY i_comment (b) COMMENT 'why',
		FULLTEXT KEY ft (c, d)
	)`,
		`CREATE TABLE pkp (c varchar(50) NOT NULL, d text, PRIMARY KEY (c(10) DESC), UNIQUE KEY u_long (d))`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	got := mustTable(t, s, "t")
	if diff := cmp.Diff(&schema.Key{Name: "PRIMARY", Columns: []string{"a", "b"}}, got.PrimaryKey); diff != "" {
		t.Errorf("primary key (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*schema.Key{{Name: "u_ce", Columns: []string{"c", "e"}}}, got.Uniques); diff != "" {
		t.Errorf("uniques (-want +got):\n%s", diff)
	}
	wantIdx := []*schema.Index{
		{Name: "ft", Method: "FULLTEXT", Parts: []*schema.IndexPart{{Column: "c"}, {Column: "d"}}},
		{Name: "i_comment", Comment: "why", Parts: []*schema.IndexPart{{Column: "b"}}},
		{Name: "i_desc", Parts: []*schema.IndexPart{{Column: "e", Desc: true}, {Column: "c", Length: 5}}},
		// InnoDB builds a B-tree whatever USING says.
		{Name: "i_hash", Parts: []*schema.IndexPart{{Column: "e"}}},
		{Name: "i_multi", Parts: []*schema.IndexPart{{Column: "e"}, {Column: "a"}}},
		{Name: "u_pref", Unique: true, Parts: []*schema.IndexPart{{Column: "c", Length: 10}}},
	}
	if diff := cmp.Diff(wantIdx, got.Indexes); diff != "" {
		t.Errorf("indexes (-want +got):\n%s", diff)
	}
	pkp := mustTable(t, s, "pkp")
	if diff := cmp.Diff(&schema.Key{Name: "PRIMARY", Columns: []string{"c"}, Definition: "(c(10) DESC)"}, pkp.PrimaryKey); diff != "" {
		t.Errorf("prefix primary key (-want +got):\n%s", diff)
	}
	// MariaDB enforces a UNIQUE key on a blob with a hidden hash.
	if diff := cmp.Diff([]*schema.Index{{Name: "u_long", Unique: true, Method: "HASH", Parts: []*schema.IndexPart{{Column: "d"}}}}, pkp.Indexes); diff != "" {
		t.Errorf("long unique (-want +got):\n%s", diff)
	}
	roundTrip(t, db)
}

func TestInspectSpatialIndex(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db, `CREATE TABLE geo (id int PRIMARY KEY, p point NOT NULL, SPATIAL KEY sp (p))`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	g := mustTable(t, s, "geo")
	if len(g.Indexes) != 1 || g.Indexes[0].Method != "SPATIAL" {
		t.Errorf("spatial index: got %+v", g.Indexes)
	}
	roundTrip(t, db)
}

func TestInspectForeignKeys(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE parent (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b))`,
		`CREATE TABLE child (id int PRIMARY KEY, pa int, pb int, self int,
			CONSTRAINT fk_parent FOREIGN KEY (pa, pb) REFERENCES parent (a, b) ON DELETE CASCADE ON UPDATE SET NULL,
			CONSTRAINT fk_self FOREIGN KEY (self) REFERENCES child (id) ON DELETE NO ACTION)`,
		// A cycle: only ALTER TABLE after both tables can create it.
		`CREATE TABLE x (id int PRIMARY KEY, y_id int)`,
		`CREATE TABLE y (id int PRIMARY KEY, x_id int, CONSTRAINT y_x FOREIGN KEY (x_id) REFERENCES x (id))`,
		`ALTER TABLE x ADD CONSTRAINT x_y FOREIGN KEY (y_id) REFERENCES y (id) ON DELETE RESTRICT`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	child := mustTable(t, s, "child")
	want := []*schema.ForeignKey{
		{Name: "fk_parent", Columns: []string{"pa", "pb"}, RefTable: "parent", RefColumns: []string{"a", "b"}, OnDelete: "CASCADE", OnUpdate: "SET NULL"},
		{Name: "fk_self", Columns: []string{"self"}, RefTable: "child", RefColumns: []string{"id"}},
	}
	if diff := cmp.Diff(want, child.ForeignKeys); diff != "" {
		t.Errorf("foreign keys (-want +got):\n%s", diff)
	}
	// The indexes MariaDB made for the foreign keys are part of the table,
	// so that reloading the text does not make differently named ones.
	var names []string
	for _, x := range child.Indexes {
		names = append(names, x.Name)
	}
	if diff := cmp.Diff([]string{"fk_parent", "fk_self"}, names); diff != "" {
		t.Errorf("implicit foreign key indexes (-want +got):\n%s", diff)
	}
	text := roundTrip(t, db)
	if !strings.Contains(text, "ALTER TABLE x ADD CONSTRAINT x_y FOREIGN KEY (y_id) REFERENCES y (id);") {
		t.Errorf("cycle foreign key not printed as ALTER TABLE:\n%s", text)
	}
}

func TestInspectChecks(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db, `CREATE TABLE t (
		id int PRIMARY KEY,
		n int CHECK (n <> 5),
		j json,
		CONSTRAINT n_small CHECK (n < 10),
		CHECK (id > 0 OR n IS NULL)
	)`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	got := mustTable(t, s, "t")
	want := []*schema.Check{
		{Name: "CONSTRAINT_1", Expr: "`id` > 0 or `n` is null"},
		{Name: "j", Expr: "json_valid(`j`)", Column: "j"},
		{Name: "n", Expr: "`n` <> 5", Column: "n"},
		{Name: "n_small", Expr: "`n` < 10"},
	}
	if diff := cmp.Diff(want, got.Checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	// A renamed column keeps its column-level check, named after the old
	// name: Column follows the column, not the name.
	inspectExec(t, db, "ALTER TABLE t RENAME COLUMN n TO m")
	s2, _ := inspectDB(t, db, dialect.InspectOptions{})
	for _, c := range mustTable(t, s2, "t").Checks {
		if c.Name == "n" && c.Column != "m" {
			t.Errorf("check n after RENAME COLUMN n TO m: Column = %q, want m", c.Column)
		}
	}
	inspectExec(t, db, "ALTER TABLE t RENAME COLUMN m TO n")
	if c := got.Column("j"); c == nil || c.Type != "longtext" || c.Collation != "utf8mb4_bin" {
		t.Errorf("json column: want longtext utf8mb4_bin, got %+v", c)
	}
	roundTrip(t, db)
}

func TestInspectViews(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE t (id int PRIMARY KEY, a varchar(10))`,
		// b_top reads a_mid reads z_base: name order is not creation order.
		`CREATE VIEW z_base AS SELECT id, a FROM t WHERE id > 1 WITH CHECK OPTION`,
		`CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW a_mid AS SELECT id FROM z_base WITH LOCAL CHECK OPTION`,
		`CREATE DEFINER=CURRENT_USER VIEW b_top AS SELECT count(*) AS n FROM a_mid`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	want := []*schema.View{
		{Name: "a_mid", Definition: "select `z_base`.`id` AS `id` from `z_base`", CheckOption: "LOCAL", Options: "ALGORITHM=MERGE SQL SECURITY INVOKER"},
		{Name: "b_top", Definition: "select count(0) AS `n` from `a_mid`"},
		{Name: "z_base", Definition: "select `t`.`id` AS `id`,`t`.`a` AS `a` from `t` where `t`.`id` > 1", CheckOption: "CASCADED"},
	}
	if diff := cmp.Diff(want, s.Views); diff != "" {
		t.Errorf("views (-want +got):\n%s", diff)
	}
	text := roundTrip(t, db)
	if strings.Index(text, "VIEW z_base") > strings.Index(text, "VIEW a_mid") || strings.Index(text, "VIEW a_mid") > strings.Index(text, "VIEW b_top") {
		t.Errorf("views not in dependency order:\n%s", text)
	}
	if strings.Contains(text, "DEFINER") || strings.Contains(text, db.Name) {
		t.Errorf("definer or database name printed:\n%s", text)
	}
}

func TestInspectTriggersAndRoutines(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE t (id int PRIMARY KEY, n int)`,
		`CREATE TABLE audit (id int)`,
		`CREATE TRIGGER t_second BEFORE INSERT ON t FOR EACH ROW SET NEW.n = NEW.n + 1`,
		`CREATE TRIGGER t_first BEFORE INSERT ON t FOR EACH ROW PRECEDES t_second SET NEW.n = NEW.n * 2`,
		`CREATE TRIGGER t_after AFTER DELETE ON t FOR EACH ROW BEGIN
			INSERT INTO audit VALUES (OLD.id);
			INSERT INTO audit VALUES (-OLD.id);
		END`,
		`CREATE PROCEDURE p(IN a decimal(10,2) unsigned, OUT b varchar(10), INOUT c int)
			COMMENT 'does ''things'''
			MODIFIES SQL DATA SQL SECURITY INVOKER
		BEGIN
			SET b = 'x;y';
			INSERT INTO audit VALUES (c);
		END`,
		`CREATE FUNCTION f(x int) RETURNS decimal(5,2) DETERMINISTIC NO SQL RETURN x / 2`,
		`CREATE FUNCTION g(s varchar(5) CHARSET latin1) RETURNS varchar(10) CHARSET latin1 RETURN concat(s, s)`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	var trig []string
	for _, tr := range s.Triggers {
		trig = append(trig, tr.Name)
	}
	if diff := cmp.Diff([]string{"t_after", "t_first", "t_second"}, trig); diff != "" {
		t.Errorf("triggers in firing order (-want +got):\n%s", diff)
	}
	if got := s.Triggers[1].Definition; got != "CREATE TRIGGER t_first BEFORE INSERT ON t FOR EACH ROW SET NEW.n = NEW.n * 2" {
		t.Errorf("trigger definition: %s", got)
	}
	want := []*schema.Routine{
		{Kind: schema.Function, Name: "f", Signature: "x int(11)", Definition: "CREATE FUNCTION f(x int(11)) RETURNS decimal(5,2)\n    DETERMINISTIC\n    NO SQL\nRETURN x / 2"},
		{Kind: schema.Function, Name: "g", Signature: "s varchar(5) CHARSET latin1", Definition: "CREATE FUNCTION g(s varchar(5) CHARSET latin1) RETURNS varchar(10) CHARSET latin1\nRETURN concat(s, s)"},
		{Kind: schema.Procedure, Name: "p", Signature: "IN a decimal(10,2) unsigned, OUT b varchar(10), INOUT c int(11)", Comment: "does 'things'",
			Definition: "CREATE PROCEDURE p(IN a decimal(10,2) unsigned, OUT b varchar(10), INOUT c int(11))\n    COMMENT 'does ''things'''\n    MODIFIES SQL DATA\n    SQL SECURITY INVOKER\nBEGIN\n\t\t\tSET b = 'x;y';\n\t\t\tINSERT INTO audit VALUES (c);\n\t\tEND"},
	}
	if diff := cmp.Diff(want, s.Routines); diff != "" {
		t.Errorf("routines (-want +got):\n%s", diff)
	}
	text := roundTrip(t, db)
	if strings.Index(text, "t_first") > strings.Index(text, "t_second") {
		t.Errorf("trigger order lost:\n%s", text)
	}
}

func TestInspectExcludesVersionTables(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE retort_revisions (revision varchar(64) PRIMARY KEY)`,
		`CREATE TABLE retort_log (id int)`,
		`CREATE TABLE my_versions (id int)`,
		`CREATE TABLE secret (id int)`,
		`CREATE TABLE kept (id int)`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	if got := tableNames(s); !cmp.Equal(got, []string{"kept", "my_versions", "secret"}) {
		t.Errorf("default version tables: got %q", got)
	}
	s, _ = inspectDB(t, db, dialect.InspectOptions{
		VersionTables: dialect.VersionTables{Revisions: "my_versions", Log: "retort_log"},
		Exclude:       []string{"secret"},
	})
	if got := tableNames(s); !cmp.Equal(got, []string{"kept", "retort_revisions"}) {
		t.Errorf("custom version tables and exclude: got %q", got)
	}
}

func tableNames(s *schema.Schema) []string {
	var n []string
	for _, t := range s.Tables {
		n = append(n, t.Name)
	}
	return n
}

func TestInspectWarnings(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE t (id int, hidden int INVISIBLE)`,
		`CREATE SEQUENCE seq`,
		`CREATE TABLE parted (id int) PARTITION BY HASH (id) PARTITIONS 2`,
		`CREATE TABLE subparted (id int, y int) PARTITION BY RANGE (y) SUBPARTITION BY HASH (id) SUBPARTITIONS 2
			(PARTITION p0 VALUES LESS THAN (10), PARTITION p1 VALUES LESS THAN MAXVALUE)`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	want := []string{
		"column t.hidden: INVISIBLE not represented",
		"skipped sequence seq: not supported",
		"table subparted: subpartitioning not represented",
	}
	if diff := cmp.Diff(want, s.Notes()); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestInspectNoDatabase(t *testing.T) {
	db := newInspectDB(t)
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Leave the current database: DATABASE() is NULL afterwards.
	inspectExecConn(t, conn, "CREATE DATABASE "+backquote(db.Name+"_tmp"), "USE "+backquote(db.Name+"_tmp"), "DROP DATABASE "+backquote(db.Name+"_tmp"))
	_, err = New().Inspect(ctx, conn, dialect.InspectOptions{})
	if !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("want ErrNoDatabase, got %v", err)
	}
}
