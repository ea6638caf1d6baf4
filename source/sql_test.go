package source_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// TestLoadNotices: pg_dump's \restrict lines and data statements are
// skipped with a notice naming file and line; other meta-commands are
// refused.
func TestLoadNotices(t *testing.T) {
	ctx := context.Background()
	d, _, db, err := dialects.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got []string
	notify := func(n source.Notice) { got = append(got, n.String()+map[bool]string{true: " (verbose)"}[n.Verbose]) }
	files := []source.File{{Path: "schema.sql", SQL: "\\restrict K1\n;CREATE TABLE t (id INTEGER);\n/* c */ insert into t VALUES (1);\nUPDATE t SET id = 2;\n\\unrestrict K1\n"}}
	if err := source.Load(ctx, conn, d, files, notify); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`schema.sql:1: skipped pg_dump's \restrict K1: it only guards the replay of a dump in psql (verbose)`,
		"schema.sql:3: skipped INSERT: data statements",
		"schema.sql:4: skipped UPDATE: data statements",
		`schema.sql:5: skipped pg_dump's \unrestrict K1`,
	}
	if len(got) != len(want) {
		t.Fatalf("notices %q; want %d", got, len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("notice %d = %q; want it to start with %q", i, got[i], want[i])
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows in t: %d, %v; want 0 (data statements skipped)", n, err)
	}
	err = source.Load(ctx, conn, d, []source.File{{Path: "s.sql", SQL: "CREATE TABLE u (id INTEGER);\n\\set x 1\n"}}, nil)
	if err == nil || !strings.Contains(err.Error(), `s.sql:2: psql meta-command "\\set x 1" is not SQL`) {
		t.Errorf("\\set: %v; want it refused at s.sql:2", err)
	}
	// SQLite's splitter does not end a meta-command at its line's end:
	// the statement that follows is part of it, so it is refused, not
	// skipped with the \restrict line.
	err = source.Load(ctx, conn, d, []source.File{{Path: "s.sql", SQL: "\\restrict K1\nCREATE TABLE v (id INTEGER);\n"}}, nil)
	if err == nil || !strings.Contains(err.Error(), `s.sql:1: psql meta-command "\\restrict K1" is not SQL`) {
		t.Errorf("\\restrict joined to a statement: %v; want it refused", err)
	}
}

// TestMissingParents names the child, the missing parent and the
// REFERENCES' line.
func TestMissingParents(t *testing.T) {
	s := &schema.Schema{Tables: []*schema.Table{
		{Name: "courses"},
		{Name: "enrolments", ForeignKeys: []*schema.ForeignKey{
			{Columns: []string{"course_id"}, RefTable: "courses"},
			{Columns: []string{"student_id"}, RefTable: "students"},
		}},
	}}
	files := []source.File{
		{Path: "a.sql", SQL: "CREATE TABLE courses (id int);\n"},
		{Path: "b.sql", SQL: "CREATE TABLE enrolments (\n  course_id int REFERENCES courses (id),\n  student_id int REFERENCES \"students\" (id)\n);\n"},
	}
	got := source.MissingParents(s, files, sqlsplit.Postgres)
	if len(got) != 1 || got[0].Path != "b.sql" || got[0].Line != 3 || !strings.Contains(got[0].Msg, "table enrolments has a foreign key (student_id) to table students") {
		t.Fatalf("MissingParents = %+v; want one notice at b.sql:3 about students", got)
	}
}

// TestApplyErrorNamesWhatLoads: an ApplyError says what was loading —
// the desired schema by default, or what the file was part of.
func TestApplyErrorNamesWhatLoads(t *testing.T) {
	e := &source.ApplyError{Path: "schema.sql", Line: 3, SQL: "CREATE TABLE", Err: errors.New("boom")}
	if !strings.HasPrefix(e.Error(), "schema.sql:3: the desired schema does not load: boom") {
		t.Errorf("default: %q", e.Error())
	}
	e.Of, e.Path = "the baseline", "baseline part 2"
	if !strings.HasPrefix(e.Error(), "baseline part 2:3: the baseline does not load: boom") {
		t.Errorf("baseline: %q", e.Error())
	}
}
