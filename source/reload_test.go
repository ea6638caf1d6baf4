package source

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// reloadTexts is what r runs after its drops, in order.
func reloadTexts(r *Reload) []string {
	var out []string
	for _, s := range r.steps {
		out = append(out, s.st.Text)
	}
	return out
}

// TestPlanReload: a changed group of tables is dropped and made again,
// with every statement of its group (its indexes, the views that name
// its tables, the comments on them); the other groups are left alone.
func TestPlanReload(t *testing.T) {
	old := `SET NAMES utf8mb4;
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a (id));
CREATE INDEX b_a ON b (a);
CREATE TABLE "S"."C" (x int);
CREATE INDEX c_x ON "S"."C" (x);
CREATE TABLE gone (id int);
CREATE VIEW v AS SELECT id FROM a;
COMMENT ON COLUMN "S"."C".x IS 'the x';
INSERT INTO a VALUES (1);`
	ab := []string{"SET NAMES utf8mb4", "CREATE TABLE a (id int PRIMARY KEY)",
		"CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES a (id))", "CREATE INDEX b_a ON b (a)", "CREATE VIEW v AS SELECT id FROM a"}
	tests := []struct {
		name, new       string
		dropViews, drop []string
		run             []string
		of              int // statements of new, when not 9
	}{
		{
			name: "unchanged",
			new:  old,
			run:  []string{"SET NAMES utf8mb4"},
		},
		{
			// Rows are not part of a schema: the load skips them.
			name: "only a data statement changed",
			new:  strings.Replace(old, "VALUES (1)", "VALUES (2)", 1),
			run:  []string{"SET NAMES utf8mb4"},
		},
		{
			// b references a, v names a: one group.
			name:      "a referenced table changed",
			new:       strings.Replace(old, "a (id int PRIMARY KEY)", "a (id int PRIMARY KEY, n int)", 1),
			dropViews: []string{"v"},
			drop:      []string{"b", "a"},
			run:       append([]string{ab[0], "CREATE TABLE a (id int PRIMARY KEY, n int)"}, ab[2:]...),
		},
		{
			name:      "a view changed",
			new:       strings.Replace(old, "SELECT id FROM a", "SELECT id, 1 AS one FROM a", 1),
			dropViews: []string{"v"},
			drop:      []string{"b", "a"},
			run:       append(slices.Clone(ab[:4]), "CREATE VIEW v AS SELECT id, 1 AS one FROM a"),
		},
		{
			name: "an index changed",
			new:  strings.Replace(old, "c_x ON \"S\".\"C\" (x)", "c_x ON \"S\".\"C\" (x DESC)", 1),
			drop: []string{`"S"."C"`},
			run:  []string{"SET NAMES utf8mb4", `CREATE TABLE "S"."C" (x int)`, `CREATE INDEX c_x ON "S"."C" (x DESC)`, `COMMENT ON COLUMN "S"."C".x IS 'the x'`},
		},
		{
			name: "a comment changed",
			new:  strings.Replace(old, "'the x'", "'an x'", 1),
			drop: []string{`"S"."C"`},
			run:  []string{"SET NAMES utf8mb4", `CREATE TABLE "S"."C" (x int)`, `CREATE INDEX c_x ON "S"."C" (x)`, `COMMENT ON COLUMN "S"."C".x IS 'an x'`},
		},
		{
			// On the emptied database a whole load starts from, a
			// dump's DROP ... IF EXISTS preamble drops nothing.
			name: "a preamble of drops added",
			new:  strings.Replace(old, "SET NAMES utf8mb4;\n", "SET NAMES utf8mb4;\nDROP TABLE IF EXISTS b, a;\nDROP VIEW IF EXISTS v;\n", 1),
			run:  []string{"SET NAMES utf8mb4"},
			of:   11,
		},
		{
			name: "a table removed and one added",
			new:  strings.Replace(old, "CREATE TABLE gone (id int);", "CREATE TABLE IF NOT EXISTS fresh (id int);", 1),
			drop: []string{"gone"},
			run:  []string{"SET NAMES utf8mb4", "CREATE TABLE IF NOT EXISTS fresh (id int)"},
		},
		{
			// Order matters within a group: an index made before its
			// table fails, so it is a change.
			name:      "statements of a group reordered",
			new:       strings.Replace(strings.Replace(old, "CREATE INDEX b_a ON b (a);\n", "", 1), "CREATE TABLE a (id int PRIMARY KEY);\n", "CREATE TABLE a (id int PRIMARY KEY);\nCREATE INDEX b_a ON b (a);\n", 1),
			dropViews: []string{"v"},
			drop:      []string{"b", "a"},
			run:       []string{ab[0], ab[1], ab[3], ab[2], ab[4]},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			was, err := Describe([]File{{Path: "s.sql", SQL: old}}, sqlsplit.Postgres)
			if err != nil {
				t.Fatal(err)
			}
			r, err := PlanReload(was, []File{{Path: "s.sql", SQL: tc.new}}, sqlsplit.Postgres)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Drop, tc.drop) || !slices.Equal(r.DropViews, tc.dropViews) {
				t.Errorf("DropViews, Drop = %q, %q; want %q, %q", r.DropViews, r.Drop, tc.dropViews, tc.drop)
			}
			if got := reloadTexts(r); !slices.Equal(got, tc.run) {
				t.Errorf("runs %q, want %q", got, tc.run)
			}
			of := cmp.Or(tc.of, 9)
			if r.Ran != len(tc.run) || r.Tables != len(tc.run)-1 || r.Of != of {
				t.Errorf("Ran, Tables, Of = %d, %d, %d; want %d, %d, %d", r.Ran, r.Tables, r.Of, len(tc.run), len(tc.run)-1, of)
			}
		})
	}
}

// TestPlanReloadRefuses: statements whose effects no name tells, and
// session statements that differ or that table statements come before,
// make the files load whole.
func TestPlanReloadRefuses(t *testing.T) {
	base := "SET NAMES utf8mb4;\nCREATE TABLE a (id int);\n"
	tests := []struct{ name, old, new, want string }{
		{"a trigger", base, base + "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.id = 1;\n", `s.sql:3: "CREATE TRIGGER t BEFORE ..." is not`},
		{"a view in MySQL's long form", base, base + "CREATE ALGORITHM=MERGE VIEW v AS SELECT id FROM a;\n", `"CREATE ALGORITHM=MERGE VIEW v ..." is not`},
		{"a comment on a schema", base, base + "COMMENT ON SCHEMA s IS 'x';\n", `"COMMENT ON SCHEMA s ..." is not`},
		{"a rename", base, base + "ALTER TABLE a RENAME TO b;\n", `"ALTER TABLE a RENAME ..." is not`},
		{"a DROP without IF EXISTS", base, "DROP TABLE a;\n" + base, `"DROP TABLE a" is not`},
		{"a DROP after a table", base, base + "DROP TABLE IF EXISTS b;\n", `"DROP TABLE IF EXISTS ..." is not`},
		// The refusal quotes the statement's first words, never a
		// password among them.
		{"a password after a table", base, base + "SET PASSWORD = 'hunter2';\n", `"SET PASSWORD = '****'" is not`},
		{"a changed SET", base, strings.Replace(base, "utf8mb4", "latin1", 1), "the SET or USE statements changed"},
		{"a SET after a table", base, base + "SET x = 1;\n", `"SET x = 1" is not`},
		{"a split error", base, base + "CREATE TABLE 'b;\n", "not reloadable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			was, err := Describe([]File{{Path: "s.sql", SQL: tc.old}}, sqlsplit.MySQL)
			if err != nil {
				t.Fatal(err)
			}
			_, err = PlanReload(was, []File{{Path: "s.sql", SQL: tc.new}}, sqlsplit.MySQL)
			if !errors.Is(err, ErrNotReloadable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrNotReloadable with %q", err, tc.want)
			}
			if _, err := Describe([]File{{Path: "s.sql", SQL: tc.new}}, sqlsplit.MySQL); !errors.Is(err, ErrNotReloadable) && tc.name != "a changed SET" {
				t.Errorf("Describe of the new files = %v, want ErrNotReloadable", err)
			}
		})
	}
}

// TestCreatedName: the name a CREATE TABLE makes, as written.
func TestCreatedName(t *testing.T) {
	for sql, want := range map[string]string{
		"CREATE TABLE a (id int)":                     "a",
		"CREATE TABLE IF NOT EXISTS `s`.`t` (id int)": "`s`.`t`",
		"CREATE TABLE `We``ird` (id int)":             "`We``ird`",
		"CREATE INDEX i ON a (id)":                    "",
		"CREATE TEMPORARY TABLE a (id int)":           "",
	} {
		toks, err := sqlsplit.Tokens(sql, sqlsplit.MySQL)
		if err != nil {
			t.Fatal(err)
		}
		if got := createdName(toks); got != want {
			t.Errorf("createdName(%q) = %q, want %q", sql, got, want)
		}
	}
}

// TestPlanReloadDamagedRecord: a description that no Describe made is
// refused, above all a created table that is not a name, which the
// reload's DROP TABLE would run as SQL.
func TestPlanReloadDamagedRecord(t *testing.T) {
	files := []File{{Path: "s.sql", SQL: "CREATE TABLE a (id int);\n"}}
	good, err := Describe(files, sqlsplit.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if good.Statements[0].Creates != "a" || good.Statements[0].Sum == "" {
		t.Fatalf("Describe = %+v", good.Statements)
	}
	for name, bad := range map[string]*Loaded{
		"none":       nil,
		"no names":   {Statements: []LoadedStatement{{Sum: "x"}}},
		"injection":  {Statements: []LoadedStatement{{Names: []string{"a"}, Creates: "a; DROP DATABASE live", Sum: "x"}}},
		"not a name": {Statements: []LoadedStatement{{Names: []string{"a"}, Creates: "'a'", Sum: "x"}}},
	} {
		if _, err := PlanReload(bad, files, sqlsplit.Postgres); !errors.Is(err, ErrNotReloadable) {
			t.Errorf("%s: PlanReload = %v, want ErrNotReloadable", name, err)
		}
	}
	for _, ok := range []string{"a", `"S"."T"`, "s.t"} {
		l := &Loaded{Statements: []LoadedStatement{{Names: []string{"t"}, Creates: ok, Sum: "x"}}}
		if err := l.check(sqlsplit.Postgres); err != nil {
			t.Errorf("check of %s: %v", ok, err)
		}
	}
}

// FuzzPlanReload: no text makes Describe or PlanReload panic; a load
// compared with itself reloads nothing; and every name a reload would
// drop is a name the record check accepts (it becomes SQL).
func FuzzPlanReload(f *testing.F) {
	f.Add("CREATE TABLE a (id int);\nCREATE INDEX i ON a (id);\n", "CREATE TABLE a (id int, n int);\nCREATE INDEX i ON a (id);\n", true)
	f.Add("SET x = 1;\nCREATE TABLE \"S\".\"T\" (id int);\nCREATE VIEW v AS SELECT id FROM \"S\".\"T\";\n", "SET x = 1;\nCREATE TABLE \"S\".\"T\" (id int);\n", true)
	f.Add("CREATE TABLE `a` (id int, b int REFERENCES `b` (id));\nCOMMENT ON COLUMN a.id IS 'x';\n", "CREATE TABLE IF NOT EXISTS b (id int);\n", false)
	f.Add("CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n", "CREATE OR REPLACE VIEW v AS SELECT 2;\n", false)
	f.Fuzz(func(t *testing.T, old, new string, pg bool) {
		sp := sqlsplit.MySQL
		if pg {
			sp = sqlsplit.Postgres
		}
		was, err := Describe([]File{{Path: "old.sql", SQL: old}}, sp)
		if err != nil {
			if !errors.Is(err, ErrNotReloadable) {
				t.Fatalf("Describe: %v, not ErrNotReloadable", err)
			}
			return
		}
		same, err := PlanReload(was, []File{{Path: "old.sql", SQL: old}}, sp)
		if err != nil {
			t.Fatalf("PlanReload of a load against itself: %v", err)
		}
		if same.Tables != 0 || len(same.Drop)+len(same.DropViews) != 0 {
			t.Fatalf("a load against itself reloads %d statements and drops %q %q", same.Tables, same.DropViews, same.Drop)
		}
		r, err := PlanReload(was, []File{{Path: "new.sql", SQL: new}}, sp)
		if err != nil {
			return
		}
		for _, n := range slices.Concat(r.Drop, r.DropViews) {
			l := &Loaded{Statements: []LoadedStatement{{Names: []string{"x"}, Creates: n, Sum: "x"}}}
			if err := l.check(sp); err != nil {
				t.Fatalf("the reload drops %q, which the record check refuses: %v", n, err)
			}
		}
	})
}
