package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// revFile writes a revision file.
func revFile(id, revises, up, down string) *fstest.MapFile {
	return file(fmt.Sprintf("-- revision %s\n--\n-- Revision: %s\n-- Revises: %s\n\n-- +upgrade\n%s\n-- +downgrade\n%s\n", id, id, revises, up, down))
}

// placeholder writes a Go revision's placeholder file.
func placeholder(id, revises string) *fstest.MapFile {
	return file(fmt.Sprintf("-- backfill display names\n--\n-- Revision: %s\n-- Revises: %s\n-- Go: true\n\n-- +upgrade\n\n-- +downgrade\n", id, revises))
}

// migrations: users, a Go backfill (placeholder b2), a column after it.
func migrations() fstest.MapFS {
	return fstest.MapFS{
		"a1_users.sql":    revFile("a1", "", "CREATE TABLE users (id integer PRIMARY KEY, name varchar(50) NOT NULL, display varchar(50));\nINSERT INTO users (id, name) VALUES (1, 'ada');\nINSERT INTO users (id, name) VALUES (2, 'grace');", "DROP TABLE users;"),
		"b2_backfill.sql": placeholder("b2", "a1"),
		"c3_email.sql":    revFile("c3", "b2", "ALTER TABLE users ADD COLUMN email varchar(100);", "ALTER TABLE users DROP COLUMN email;"),
	}
}

func backfill() engine.GoRevision {
	return engine.GoRevision{
		ID: "b2", Revises: []string{"a1"}, Message: "backfill display names",
		Up: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET display = UPPER(name)")
			return err
		},
		Down: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET display = NULL")
			return err
		},
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestLibraryUpgradeDowngrade drives a Migrator on every dialect with an
// application's own *sql.DB: files and a Go revision in one graph.
func TestLibraryUpgradeDowngrade(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			tdb := testdb.New(t, name)
			ctx := ctxT(t)
			var events []engine.Event
			m, err := engine.New(mustDialect(name), tdb.DB, migrations(), engine.WithGoRevisions(backfill()),
				engine.WithProgress(func(e engine.Event) { events = append(events, e) }))
			if err != nil {
				t.Fatal(err)
			}
			cur, err := m.Current(ctx)
			if err != nil || len(cur) != 0 {
				t.Fatalf("Current on an empty database: %v, %v; want none", cur, err)
			}
			res, err := m.Upgrade(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			var ran []string
			for _, s := range res.Steps {
				ran = append(ran, s.Revision)
			}
			if !slices.Equal(ran, []string{"a1", "b2", "c3"}) {
				t.Fatalf("upgrade ran %v; want a1 b2 c3", ran)
			}
			if n := count(t, tdb.DB, "SELECT COUNT(*) FROM users WHERE display = UPPER(name)"); n != 2 {
				t.Fatalf("%d users backfilled; want 2", n)
			}
			if cur, _ := m.Current(ctx); !slices.Equal(cur, []string{"c3"}) {
				t.Fatalf("Current %v; want c3", cur)
			}
			st, err := m.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Pending) != 0 || len(st.Changed) != 0 || len(st.Applied) != 3 {
				t.Fatalf("Status: %d pending, changed %v, %d applied; want 0, none, 3", len(st.Pending), st.Changed, len(st.Applied))
			}
			started := 0
			for _, e := range events {
				if e.Kind.String() == "start" {
					started++
				}
			}
			if started != 3 {
				t.Fatalf("%d start events; want 3", started)
			}
			if _, err := m.Downgrade(ctx, "a1"); err != nil {
				t.Fatal(err)
			}
			if n := count(t, tdb.DB, "SELECT COUNT(*) FROM users WHERE display IS NOT NULL"); n != 0 {
				t.Fatalf("%d users still backfilled after the downgrade", n)
			}
			if cur, _ := m.Current(ctx); !slices.Equal(cur, []string{"a1"}) {
				t.Fatalf("Current %v after downgrade; want a1", cur)
			}
		})
	}
}

// TestPlaceholderWithoutApplication is the standalone binary's view: the
// placeholder lists the Go revision, keeps the graph whole, and a plan
// through it is refused with nothing run.
func TestPlaceholderWithoutApplication(t *testing.T) {
	tdb := testdb.New(t, "sqlite")
	ctx := ctxT(t)
	m, err := engine.New(sqlite.New(), tdb.DB, migrations())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range m.History() {
		ids = append(ids, r.ID)
		if r.ID == "b2" && (!r.Go || r.GoFuncs != nil) {
			t.Fatalf("b2 Go %v, functions %v; want a Go revision without functions", r.Go, r.GoFuncs != nil)
		}
	}
	if !slices.Equal(ids, []string{"c3", "b2", "a1"}) {
		t.Fatalf("History %v; want c3 b2 a1", ids)
	}
	if _, err := m.Upgrade(ctx, "a1"); err != nil {
		t.Fatalf("upgrade up to the Go revision: %v", err)
	}
	_, err = m.Upgrade(ctx, "head")
	var ue *engine.GoUnavailableError
	if !errors.Is(err, engine.ErrGoRevisionUnavailable) || !errors.As(err, &ue) || ue.Revision != "b2" {
		t.Fatalf("upgrade through the Go revision: %v; want ErrGoRevisionUnavailable naming b2", err)
	}
	if cur, _ := m.Current(ctx); !slices.Equal(cur, []string{"a1"}) {
		t.Fatalf("Current %v after the refusal; want a1", cur)
	}
	// The application upgrades; the standalone view then sees it applied.
	app, err := engine.New(sqlite.New(), tdb.DB, migrations(), engine.WithGoRevisions(backfill()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Current, []string{"c3"}) || len(st.Changed) != 0 || len(st.Missing) != 0 {
		t.Fatalf("standalone Status current %v changed %v missing %v; want c3 and nothing else", st.Current, st.Changed, st.Missing)
	}
	// Downgrading through it is refused too.
	if _, err := m.Downgrade(ctx, "base"); !errors.Is(err, engine.ErrGoRevisionUnavailable) {
		t.Fatalf("downgrade through the Go revision: %v; want ErrGoRevisionUnavailable", err)
	}
}

func TestGoRevisionValidation(t *testing.T) {
	noop := func(context.Context, *sql.Tx) error { return nil }
	noopConn := func(context.Context, *sql.Conn) error { return nil }
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		g    engine.GoRevision
		want string
	}{
		{"no function", nil, engine.GoRevision{ID: "g1"}, "set exactly one of Up and UpNoTx"},
		{"both forms", nil, engine.GoRevision{ID: "g1", Up: noop, UpNoTx: noopConn}, "set exactly one of Up and UpNoTx"},
		{"bad id", nil, engine.GoRevision{ID: "head", Up: noop}, "reserved"},
		{"file with its id", fstest.MapFS{"g1.sql": revFile("g1", "", "SELECT 1;", "SELECT 1;")}, engine.GoRevision{ID: "g1", Up: noop}, "is a SQL revision file"},
		{"placeholder disagrees", fstest.MapFS{"a1.sql": revFile("a1", "", "SELECT 1;", "SELECT 1;"), "g1.sql": placeholder("g1", "a1")}, engine.GoRevision{ID: "g1", Up: noop}, "placeholder g1.sql says [a1]"},
		{"missing parent", nil, engine.GoRevision{ID: "g1", Revises: []string{"zz"}, Up: noop}, "zz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fsys fs.FS
			if tc.fs != nil {
				fsys = tc.fs
			}
			_, err := engine.New(sqlite.New(), nil, fsys, engine.WithGoRevisions(tc.g))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v; want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestTypedErrors checks that errors.Is finds the sentinels and errors.As
// the typed errors.
func TestTypedErrors(t *testing.T) {
	tdb := testdb.New(t, "sqlite")
	ctx := ctxT(t)
	fs := fstest.MapFS{
		"a1.sql": revFile("a1", "", "CREATE TABLE t (id integer);", "DROP TABLE t;"),
		"b1.sql": revFile("b1", "a1", "CREATE TABLE u (id integer);", "DROP TABLE u;"),
		"b2.sql": revFile("b2", "a1", "CREATE TABLE v (id integer);\nINSERT INTO nowhere VALUES (1);", "DROP TABLE v;"),
	}
	m, err := engine.New(sqlite.New(), tdb.DB, fs)
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Upgrade(ctx, "head")
	var mh *engine.MultipleHeadsError
	if !errors.Is(err, engine.ErrMultipleHeads) || !errors.As(err, &mh) || len(mh.Heads) != 2 {
		t.Fatalf("Upgrade head with two heads: %v; want ErrMultipleHeads and a MultipleHeadsError", err)
	}
	if _, err := m.Upgrade(ctx, "nope"); !errors.Is(err, engine.ErrUnknownRevision) {
		t.Fatalf("Upgrade to an unknown revision: %v; want ErrUnknownRevision", err)
	}
	_, err = m.Upgrade(ctx, "b2")
	var se *engine.StatementError
	if !errors.As(err, &se) || se.Revision != "b2" || se.Index != 2 || se.Line != 8 || !strings.Contains(se.SQL, "nowhere") {
		t.Fatalf("failing statement: %v (%+v); want a StatementError for b2 statement 2 on line 8", err, se)
	}
	if cur, _ := m.Current(ctx); !slices.Equal(cur, []string{"a1"}) {
		t.Fatalf("Current %v; want a1 (b2 rolled back)", cur)
	}
	_, err = engine.New(sqlite.New(), nil, fstest.MapFS{"x.sql": file("no header")})
	var pe *engine.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("malformed file: %v; want a ParseError", err)
	}
	var irr *engine.IrreversibleError
	m2, err := engine.New(sqlite.New(), tdb.DB, fstest.MapFS{"a1.sql": file("-- a1\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id integer);\n-- +downgrade irreversible\n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m2.Downgrade(ctx, "base"); !errors.Is(err, engine.ErrIrreversible) || !errors.As(err, &irr) {
		t.Fatalf("downgrade through an irreversible revision: %v; want ErrIrreversible", err)
	}
}

// TestConcurrentUse calls one Migrator from several goroutines (run with
// -race): every Upgrade succeeds, each revision runs once.
func TestConcurrentUse(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			tdb := testdb.New(t, name)
			db := tdb.DB
			if name == "sqlite" {
				// Concurrent SQLite use needs a busy timeout, as always.
				var err error
				if db, err = sql.Open("sqlite", tdb.Name+"?_pragma=busy_timeout(10000)"); err != nil {
					t.Fatal(err)
				}
				defer db.Close()
			}
			ctx := ctxT(t)
			var mu sync.Mutex
			runs := 0
			g := backfill()
			up := g.Up
			g.Up = func(ctx context.Context, tx *sql.Tx) error {
				mu.Lock()
				runs++
				mu.Unlock()
				return up(ctx, tx)
			}
			m, err := engine.New(mustDialect(name), db, migrations(), engine.WithGoRevisions(g))
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for i := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i%2 == 0 {
						if _, err := m.Upgrade(ctx, "head"); err != nil {
							errs <- err
						}
						return
					}
					if _, err := m.Current(ctx); err != nil {
						errs <- err
					}
					if _, err := m.Status(ctx); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if cur, _ := m.Current(ctx); !slices.Equal(cur, []string{"c3"}) || runs != 1 {
				t.Fatalf("Current %v after %d runs of the Go revision; want c3 after 1", cur, runs)
			}
		})
	}
}

// TestCheckWithDesiredSource compares an application's desired schema
// with the migrations' head.
func TestCheckWithDesiredSource(t *testing.T) {
	ctx := ctxT(t)
	desired := "CREATE TABLE users (id integer PRIMARY KEY, name varchar(50) NOT NULL, display varchar(50), email varchar(100));\n"
	src := engine.DesiredFunc(func(d dialect.Dialect) ([]source.File, error) {
		if d.Name() != "sqlite" {
			return nil, fmt.Errorf("dialect %s", d.Name())
		}
		return []source.File{{Path: "models", SQL: desired}}, nil
	})
	m, err := engine.New(sqlite.New(), nil, migrations(), engine.WithGoRevisions(backfill()), engine.WithDesiredSource(src))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := m.Check(ctx)
	if err != nil || len(changes) != 0 {
		t.Fatalf("Check: %v, %v; want no differences", changes, err)
	}
	desired = strings.Replace(desired, "email varchar(100)", "email varchar(100), age integer", 1)
	changes, err = m.Check(ctx)
	if err != nil || len(changes) != 1 || !strings.Contains(changes[0].Describe(), "age") {
		t.Fatalf("Check after adding a column: %v, %v; want the one added column", changes, err)
	}
	gen, err := m.Generate(ctx, engine.GenerateOptions{})
	if err != nil || len(gen.Up) != 1 || !strings.Contains(gen.Up[0], "age") {
		t.Fatalf("Generate: %+v, %v; want one statement adding age", gen, err)
	}
	bare, err := engine.New(sqlite.New(), nil, nil, engine.WithAllowEmpty())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Check(ctx); err == nil {
		t.Fatal("Check without a DesiredSource: no error")
	}
}

// TestLoggerAndLockTimeout: WithLogger logs the steps; WithLockTimeout
// bounds the wait for another migrator, reported as ErrLockTimeout.
func TestLoggerAndLockTimeout(t *testing.T) {
	tdb := testdb.New(t, "sqlite")
	ctx := ctxT(t)
	var logs strings.Builder
	m, err := engine.New(sqlite.New(), tdb.DB, migrations(), engine.WithGoRevisions(backfill()),
		engine.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), engine.WithLockTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Upgrade(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "revision=a1") || !strings.Contains(logs.String(), "event=done") {
		t.Fatalf("log %q; want the steps of a1", logs.String())
	}
	other, err := sql.Open("sqlite", tdb.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = m.Upgrade(ctx, "head")
	var lt *engine.LockTimeoutError
	if !errors.Is(err, engine.ErrLockTimeout) || !errors.As(err, &lt) {
		t.Fatalf("Upgrade while another holds the lock: %v; want ErrLockTimeout", err)
	}
	if !strings.Contains(logs.String(), "event=lock-wait") {
		t.Fatalf("log %q; want the lock wait", logs.String())
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
}

// TestGoPlaceholderRoundTrip writes a placeholder and reads it back.
func TestGoPlaceholderRoundTrip(t *testing.T) {
	g := backfill()
	ph := &script.Revision{
		ID: g.ID, Revises: g.Revises, Message: g.Message, Go: true, Path: "b2_backfill.sql",
		Up: script.Section{Present: true}, Down: script.Section{Present: true},
	}
	r, err := script.Parse(ph.Path, script.Format(ph))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Go || r.ID != "b2" || !slices.Equal(r.Revises, []string{"a1"}) || strings.TrimSpace(r.Up.SQL) != "" {
		t.Fatalf("placeholder read back: %+v", r)
	}
	fs := migrations()
	fs["b2_backfill_display_names.sql"] = &fstest.MapFile{Data: script.Format(ph)}
	delete(fs, "b2_backfill.sql")
	if _, err := engine.New(sqlite.New(), nil, fs, engine.WithGoRevisions(g)); err != nil {
		t.Fatal(err)
	}
}

// TestOnlyKeepFile checks the state of a project retort init just made,
// embedded with "all:": versions holds only .keep. That is ErrNoRevisions
// (an application that embedded the wrong directory must not start up
// believing it is at head), and with WithAllowEmpty there is nothing to
// apply, and no error.
func TestOnlyKeepFile(t *testing.T) {
	tdb := testdb.New(t, "sqlite")
	ctx := ctxT(t)
	keep := fstest.MapFS{".keep": file("")}
	if _, err := engine.New(sqlite.New(), tdb.DB, keep); !errors.Is(err, engine.ErrNoRevisions) {
		t.Fatalf("New with only .keep: %v; want ErrNoRevisions", err)
	}
	m, err := engine.New(sqlite.New(), tdb.DB, keep, engine.WithAllowEmpty())
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Upgrade(ctx, "heads")
	if err != nil || len(res.Steps) != 0 {
		t.Fatalf("Upgrade with no revisions: %+v, %v; want nothing done", res, err)
	}
	if h := m.Graph().Heads(); len(h) != 0 {
		t.Errorf("heads %v, want none", h)
	}
}

// mustDialect returns the named dialect ("sqlite", "postgres", "mysql").
func mustDialect(name string) dialect.Dialect {
	d, err := dialects.ByName(name)
	if err != nil {
		panic(err)
	}
	return d
}
