package engine_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/testdb"
)

// squashRange is a1 (users), then the range b2..f6 to squash: a column,
// a table, a data statement, another table, a column; g7 after it.
func squashRange() fstest.MapFS {
	return fstest.MapFS{
		"a1.sql": revFile("a1", "", "CREATE TABLE users (id integer NOT NULL PRIMARY KEY, name varchar(50));", "DROP TABLE users;"),
		"b2.sql": revFile("b2", "a1", "ALTER TABLE users ADD COLUMN email varchar(100);", "ALTER TABLE users DROP COLUMN email;"),
		"c3.sql": revFile("c3", "b2", "CREATE TABLE posts (id integer NOT NULL PRIMARY KEY, user_id integer);", "DROP TABLE posts;"),
		"d4.sql": revFile("d4", "c3", "INSERT INTO users (id, name) VALUES (1, 'admin');", "DELETE FROM users WHERE id = 1;"),
		"e5.sql": revFile("e5", "d4", "CREATE TABLE tags (id integer NOT NULL PRIMARY KEY, label varchar(20));", "DROP TABLE tags;"),
		"f6.sql": revFile("f6", "e5", "ALTER TABLE posts ADD COLUMN title varchar(80);", "ALTER TABLE posts DROP COLUMN title;"),
		"g7.sql": revFile("g7", "f6", "CREATE TABLE notes (id integer NOT NULL PRIMARY KEY);", "DROP TABLE notes;"),
	}
}

// scratchOf is what Squash needs to make scratch databases next to tdb.
func scratchOf(t *testing.T, tdb *testdb.DB) engine.SquashOptions {
	if tdb.Dialect == "sqlite" {
		return engine.SquashOptions{}
	}
	_, u, err := dialects.ForURL(tdb.URL)
	if err != nil {
		t.Fatal(err)
	}
	return engine.SquashOptions{Generate: engine.GenerateOptions{Scratch: u}}
}

func ranIDs(res *engine.Result) []string {
	var out []string
	for _, s := range res.Steps {
		out = append(out, s.Revision)
	}
	return out
}

// TestSquash squashes b2:f6 and applies the result to a database before
// the range, one in its middle and one at its end: the first runs the
// squashed revision (with d4's INSERT, kept as written), the second the
// rest of the originals, the third is recorded at the squashed revision;
// all three end with the same schema and rows, and go back down.
func TestSquash(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			dbs := [3]*testdb.DB{testdb.New(t, name), testdb.New(t, name), testdb.New(t, name)}
			fsys := squashRange()
			// Before the squash: the middle database reaches c3, the end one f6.
			for i, target := range []string{"", "c3", "f6"} {
				if target != "" {
					upgradeTo(t, name, dbs[i], fsys, target)
				}
			}
			fsys["s1.sql"] = &fstest.MapFile{Data: script.Format(squashB2F6(t, name, fsys, dbs[0]))}
			wantRan := [][]string{{"a1", "s1", "g7"}, {"d4", "e5", "f6", "g7"}, {"g7"}}
			var schemas [3]string
			for i, db := range dbs {
				schemas[i] = upgradeSquashed(t, name, fsys, db, wantRan[i])
			}
			if schemas[0] != schemas[1] || schemas[0] != schemas[2] {
				t.Errorf("schemas differ:\nstart:\n%s\nmiddle:\n%s\nend:\n%s", schemas[0], schemas[1], schemas[2])
			}
			m, err := engine.New(mustDialect(name), dbs[2].DB, fsys)
			if err != nil {
				t.Fatal(err)
			}
			res, err := m.Downgrade(ctx, "a1")
			if err != nil || !slices.Equal(ranIDs(res), []string{"g7", "s1"}) {
				t.Fatalf("downgrade to a1: %v, %v; want g7 s1", res, err)
			}
			if n := count(t, dbs[2].DB, "SELECT COUNT(*) FROM users"); n != 0 {
				t.Errorf("%d users after the downgrade; the kept DELETE should have run", n)
			}
		})
	}
}

func upgradeTo(t *testing.T, name string, db *testdb.DB, fsys fstest.MapFS, target string) {
	t.Helper()
	m, err := engine.New(mustDialect(name), db.DB, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Upgrade(ctxT(t), target); err != nil {
		t.Fatal(err)
	}
}

// squashB2F6 squashes b2:f6 of fsys into s1 and checks what it kept.
func squashB2F6(t *testing.T, name string, fsys fstest.MapFS, scratchNext *testdb.DB) *script.Revision {
	t.Helper()
	m, err := engine.New(mustDialect(name), nil, fsys)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := m.Squash(ctxT(t), "b2", "f6", scratchOf(t, scratchNext))
	if err != nil {
		t.Fatal(err)
	}
	if len(sq.Kept) != 1 || sq.Kept[0].Revision.ID != "d4" || !strings.Contains(sq.Kept[0].Reason, "INSERT, a data statement") {
		t.Errorf("Kept = %+v; want d4 for its INSERT", sq.Kept)
	}
	ins, tags := strings.Index(sq.Up, "INSERT INTO users"), strings.Index(sq.Up, "tags")
	if ins < 0 || tags < ins || strings.Index(sq.Up, "posts") > ins {
		t.Errorf("upgrade does not keep the INSERT between posts and tags:\n%s", sq.Up)
	}
	rev := sq.Revision("s1", "squash b2 to f6", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if !slices.Equal(rev.Replaces, []string{"b2", "c3", "d4", "e5", "f6"}) || !slices.Equal(rev.Revises, []string{"a1"}) {
		t.Errorf("header: replaces %v revises %v", rev.Replaces, rev.Revises)
	}
	return rev
}

// upgradeSquashed upgrades db with fsys, squash included, twice (the
// second run records a database that went through the originals at s1),
// checks what ran, the version rows and the kept INSERT's row, and
// returns the schema.
func upgradeSquashed(t *testing.T, name string, fsys fstest.MapFS, db *testdb.DB, wantRan []string) string {
	t.Helper()
	ctx := ctxT(t)
	m, err := engine.New(mustDialect(name), db.DB, fsys)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Upgrade(ctx, "head")
	if err != nil {
		t.Fatal(err)
	}
	if got := ranIDs(res); !slices.Equal(got, wantRan) {
		t.Errorf("ran %v; want %v", got, wantRan)
	}
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, a := range st.Applied {
		rows = append(rows, a.Revision)
	}
	if !slices.Equal(rows, []string{"a1", "s1", "g7"}) || !slices.Equal(st.Current, []string{"g7"}) || len(st.Missing)+len(st.Pending) > 0 {
		t.Errorf("rows %v, current %v, missing %v, pending %d; want a1 s1 g7", rows, st.Current, st.Missing, len(st.Pending))
	}
	if n := count(t, db.DB, "SELECT COUNT(*) FROM users WHERE name = 'admin'"); n != 1 {
		t.Errorf("%d admin rows; want 1", n)
	}
	return inspectSQL(t, name, db.URL)
}

// inspectSQL is the schema of the database at url as inspect prints it.
func inspectSQL(t *testing.T, name, url string) string {
	t.Helper()
	d, _, db, err := dialects.Open(ctxT(t), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := d.Inspect(ctxT(t), conn, dialect.InspectOptions{VersionTables: dialect.DefaultVersionTables()})
	if err != nil {
		t.Fatal(err)
	}
	return d.Format(s)
}

// TestSquashDeleteOriginals: a database in the middle of the range stops
// the deletion of the originals; at the start or the end it does not.
func TestSquashDeleteOriginals(t *testing.T) {
	ctx := ctxT(t)
	tdb := testdb.New(t, "sqlite")
	fsys := squashRange()
	fsys["s1.sql"] = file("-- squashed\n--\n-- Revision: s1\n-- Revises: a1\n-- Replaces: b2, c3, d4, e5, f6\n\n-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 2;\n")
	m, err := engine.New(mustDialect("sqlite"), tdb.DB, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.CheckDeleteOriginals(ctx, "s1"); err != nil {
		t.Errorf("at base: %v", err)
	}
	if _, err := m.Upgrade(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if err := m.Stamp(ctx, []string{"a1"}, engine.StampOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckDeleteOriginals(ctx, "s1"); err != nil {
		t.Errorf("at the start: %v", err)
	}
	if _, err := tdb.DB.Exec("INSERT INTO retort_revisions (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES ('b2', '', '2026-01-01 00:00:00', 0, 'applied', 0)"); err != nil {
		t.Fatal(err)
	}
	err = m.CheckDeleteOriginals(ctx, "s1")
	var ie *engine.InsideRangeError
	if !errors.As(err, &ie) || !errors.Is(err, engine.ErrInsideRange) || !strings.Contains(err.Error(), "applied b2, 1 of the 5 revisions that s1 squashes") {
		t.Errorf("in the middle: %v", err)
	}
	if err := m.CheckDeleteOriginals(ctx, "a1"); err == nil || !strings.Contains(err.Error(), "not a squashed revision") {
		t.Errorf("a1: %v", err)
	}
}

// TestSquashRefusals: a Go revision, and revisions kept as written that
// cannot be reverted or run outside a transaction, are refused by name;
// a range with a merge is refused naming the merge.
func TestSquashRefusals(t *testing.T) {
	ctx := ctxT(t)
	base := func() fstest.MapFS {
		return fstest.MapFS{
			"a1.sql": revFile("a1", "", "CREATE TABLE t (id integer PRIMARY KEY);", "DROP TABLE t;"),
			"b2.sql": revFile("b2", "a1", "ALTER TABLE t ADD COLUMN n integer;", "ALTER TABLE t DROP COLUMN n;"),
		}
	}
	for _, c := range []struct {
		name, file, want string
	}{
		{"go", "-- go\n--\n-- Revision: c3\n-- Revises: b2\n-- Go: true\n\n-- +upgrade\n\n-- +downgrade\n", "cannot squash revision c3 (c3.sql): it is written in Go"},
		{"irreversible data", "-- fill\n--\n-- Revision: c3\n-- Revises: b2\n\n-- +upgrade\nUPDATE t SET n = 1;\n-- +downgrade irreversible\n", "cannot squash revision c3 (c3.sql): its SQL is kept as written in the squashed revision, and it has no downgrade to keep"},
		{"no transaction", "-- fill\n--\n-- Revision: c3\n-- Revises: b2\n-- Transaction: none\n\n-- +upgrade\nUPDATE t SET n = 1;\n-- +downgrade none\n", "it runs without a transaction (Transaction: none)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := base()
			fsys["c3.sql"] = file(c.file)
			m, err := engine.New(mustDialect("sqlite"), nil, fsys)
			if err != nil {
				t.Fatal(err)
			}
			_, err = m.Squash(ctx, "b2", "c3", engine.SquashOptions{})
			if !errors.Is(err, engine.ErrSquashRefused) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v; want %q", err, c.want)
			}
		})
	}
	fsys := base()
	fsys["c3.sql"] = revFile("c3", "a1", "CREATE TABLE u (id integer PRIMARY KEY);", "DROP TABLE u;")
	fsys["d4.sql"] = revFile("d4", "b2, c3", "SELECT 1;", "SELECT 1;")
	fsys["e5.sql"] = revFile("e5", "d4", "CREATE TABLE v (id integer PRIMARY KEY);", "DROP TABLE v;")
	m, err := engine.New(mustDialect("sqlite"), nil, fsys)
	if err != nil {
		t.Fatal(err)
	}
	var ne *engine.NonLinearError
	if _, err := m.Squash(ctx, "b2", "e5", engine.SquashOptions{}); !errors.As(err, &ne) || ne.At != "d4" || !strings.Contains(err.Error(), "it merges b2 and c3") {
		t.Errorf("range with a merge: %v", err)
	}
}

// TestSquashKeepsRowsAsWritten: a RENAME is kept as written, and so is a
// run whose schema change looks like a rename (a column dropped and one
// of its type added), so that a database before the range keeps its rows.
func TestSquashKeepsRowsAsWritten(t *testing.T) {
	ctx := ctxT(t)
	fsys := fstest.MapFS{
		"a1.sql": revFile("a1", "", "CREATE TABLE t (id integer PRIMARY KEY, a varchar(10));", "DROP TABLE t;"),
		"b2.sql": revFile("b2", "a1", "ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t RENAME COLUMN b TO a;"),
		"c3.sql": revFile("c3", "b2", "ALTER TABLE t ADD COLUMN c varchar(10);", "ALTER TABLE t DROP COLUMN c;"),
		"d4.sql": revFile("d4", "c3", "ALTER TABLE t DROP COLUMN b;", "ALTER TABLE t ADD COLUMN b varchar(10);"),
		"e5.sql": revFile("e5", "d4", "CREATE TABLE u (id integer PRIMARY KEY);", "DROP TABLE u;"),
	}
	m, err := engine.New(mustDialect("sqlite"), nil, fsys)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := m.Squash(ctx, "b2", "e5", engine.SquashOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, k := range sq.Kept {
		kept = append(kept, k.Revision.ID+": "+k.Reason)
	}
	want := []string{"b2: upgrade line 7: ALTER ... RENAME, which keeps rows under a new name or converts them"}
	if !slices.Equal(kept, want) {
		t.Errorf("kept:\n%s\nwant:\n%s", strings.Join(kept, "\n"), strings.Join(want, "\n"))
	}
	// c3 adds c, d4 drops b: generated together they would look like a
	// rename of b to c, which they are not; apart, they are generated.
	for _, piece := range []string{"-- c3 (revision c3): generated from the schema before and after\nALTER TABLE", "-- d4..e5 (2 revisions): generated from the schema before and after\n"} {
		if !strings.Contains(sq.Up, piece) {
			t.Errorf("no %q in the upgrade:\n%s", piece, sq.Up)
		}
	}
}

// TestSquashFromBase squashes a range that starts at a base: the state
// before it is an empty database, whatever comes after the range.
func TestSquashFromBase(t *testing.T) {
	fsys := squashRange()
	m, err := engine.New(mustDialect("sqlite"), nil, fsys)
	if err != nil {
		t.Fatal(err)
	}
	sq, err := m.Squash(ctxT(t), "a1", "c3", engine.SquashOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sq.Before.Tables) != 0 || len(sq.After.Tables) != 2 || len(sq.Revises) != 0 {
		t.Errorf("before %d tables, after %d, revises %v; want 0, 2 (users, posts), none", len(sq.Before.Tables), len(sq.After.Tables), sq.Revises)
	}
	for _, stmt := range []string{"CREATE TABLE", "DROP TABLE"} {
		if strings.Count(sq.Up+sq.Down, stmt) != 2 {
			t.Errorf("want two %s in:\n%s\n%s", stmt, sq.Up, sq.Down)
		}
	}
}
