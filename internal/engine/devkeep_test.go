package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/corpustest"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// keptSchema is a desired schema the kept dev database can reload in
// parts: groups joined by foreign keys, indexes, a quoted name.
const keptSchema = `CREATE TABLE base_t (id INTEGER NOT NULL PRIMARY KEY);
CREATE TABLE parent (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL);
CREATE TABLE child (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
CREATE INDEX child_parent ON child (parent_id);
CREATE TABLE %Other% (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(20));
CREATE INDEX other_note ON %Other% (note);
`

// TestKeptDevDatabase: with KeepDevDatabase, Generate leaves the desired
// schema in dev_database and the next run reloads only the group of
// tables whose statements changed, with the same result as a whole load;
// a dev database changed by hand, a desired schema it cannot reload in
// parts and a failed verification all end in a whole load.
func TestKeptDevDatabase(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			dev, devURL := devDatabase(t, d)
			m, serverURL := headMigrator(t, d, "CREATE TABLE base_t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE base_t;")
			other := m.dialect.QuoteIdent("Other")
			schema1 := strings.ReplaceAll(keptSchema, "%Other%", other)
			k := keptRun{t: t, ctx: ctx, m: m, cache: t.TempDir(), dev: devURL, server: serverURL}

			k.generate(schema1, "no record of what it holds")
			if n := k.count("child"); n != 0 {
				t.Fatalf("dev database after the first run: child has %d rows, want an empty table kept", n)
			}
			for _, tb := range []string{"retort_revisions", "retort_log"} {
				if k.count(tb) >= 0 {
					t.Errorf("dev database after the run: %s is still there", tb)
				}
			}
			k.generate(schema1, "holds the desired schema already: nothing reloaded")

			// child changes: its group (parent, child and its index) is
			// dropped and made again; Other is left alone.
			schema2 := strings.Replace(schema1, "parent_id INTEGER NOT NULL REFERENCES", "extra INTEGER, parent_id INTEGER NOT NULL REFERENCES", 1)
			k.generate(schema2, "reloaded 3 of 6 statements, after dropping 2 table(s)")

			// A table made by hand: loaded whole, and it is gone.
			if _, err := dev.DB.ExecContext(ctx, "CREATE TABLE leftover (id INTEGER)"); err != nil {
				t.Fatal(err)
			}
			k.generate(schema2, "it changed since the last run")
			if k.count("leftover") >= 0 {
				t.Error("leftover is still in the dev database after a whole load")
			}

			// A view joins the group of the tables it names (the new
			// statement changes that group), and a change of parent
			// drops the view too and makes it again.
			schema3 := schema2 + "CREATE VIEW parent_names AS SELECT id, name FROM parent;\n"
			k.generate(schema3, "reloaded 4 of 7 statements, after dropping 2 table(s)")
			schema4 := strings.Replace(schema3, "name VARCHAR(40) NOT NULL", "name VARCHAR(60) NOT NULL", 1)
			k.generate(schema4, "reloaded 4 of 7 statements, after dropping 2 table(s) and 1 view(s)")

			// A table made from a query: no name says what it holds, so
			// a whole load, and no record of it: the next run loads whole
			// too.
			schema5 := schema2 + "CREATE TABLE copied AS SELECT id FROM parent;\n"
			k.generate(schema5, `"CREATE TABLE copied AS ..." is not a CREATE TABLE`)
			k.generate(schema5, "no record of what it holds")

			// A verification that fails leaves the database emptied and no
			// record.
			k.opts = func(o *GenerateOptions) {
				o.beforeVerify = func(g *Generated) { g.Down = []string{"DROP TABLE nosuch"} }
			}
			if _, err := m.Generate(ctx, k.options(schema2)); err == nil {
				t.Fatal("Generate with a broken downgrade succeeded")
			}
			if k.count("parent") >= 0 {
				t.Error("the dev database still holds parent after a failed verification")
			}
			if k.records() != 0 {
				t.Error("a record is left after a failed verification")
			}
			k.opts = nil
			k.generate(schema2, "no record of what it holds")
		})
	}
}

// TestKeptDevDatabaseCorpus: Northwind as published for PostgreSQL (a
// dump's SET statements, a DROP TABLE IF EXISTS preamble, tables, keys
// added by ALTER TABLE) reloads in parts, with the same result as a whole
// load on a fresh scratch database.
func TestKeptDevDatabaseCorpus(t *testing.T) {
	const path = "../../../shared/corpus/northwind/northwind.schema-only.sql"
	data, err := os.ReadFile(path)
	if err != nil {
		corpustest.Missing(t, path, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, devURL := devDatabase(t, "postgres")
	m, serverURL := headMigrator(t, "postgres", "CREATE TABLE base_t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE base_t;")
	k := keptRun{t: t, ctx: ctx, m: m, cache: t.TempDir(), dev: devURL, server: serverURL}
	northwind := string(data) + "\nCREATE TABLE base_t (id INTEGER NOT NULL PRIMARY KEY);\n"
	k.generate(northwind, "no record of what it holds")
	k.generate(northwind, "nothing reloaded")
	// us_states is joined to no other table: its CREATE TABLE and its
	// primary key run again, after the eight SET statements.
	changed := strings.Replace(northwind, "state_region character varying(50)\n", "state_region character varying(50),\n    state_population integer\n", 1)
	if changed == northwind {
		t.Fatal("the corpus file changed: us_states has no state_region column to add after")
	}
	k.generate(changed, "reloaded 10 of ")
}

// TestDevDatabaseLock: a run that finds dev_database used by another
// waits for it, says so, and gives up after the lock timeout with an error
// that names the database; once the other run ends, it runs.
func TestDevDatabaseLock(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			dev, devURL := devDatabase(t, d)
			m, _ := headMigrator(t, d, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY);", "DROP TABLE t;", WithLockTimeout(300*time.Millisecond))
			other, err := dev.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			unlock, err := m.dialect.Lock(ctx, other, devLockKey, time.Second, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, keep := range []bool{false, true} {
				var said []string
				opts := GenerateOptions{
					Desired:     []source.File{{Path: "schema.sql", SQL: "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER);\n"}},
					DevDatabase: devURL, KeepDevDatabase: keep, CacheDir: t.TempDir(),
					Notify: func(n source.Notice) { said = append(said, n.String()) },
				}
				_, err := m.Generate(ctx, opts)
				if err == nil || !errors.Is(err, dialect.ErrLockTimeout) || !strings.Contains(err.Error(), "is in use by another retort run") || !strings.Contains(err.Error(), dev.Name) {
					t.Errorf("keep %t: Generate with dev_database locked = %v; want a lock timeout that names it", keep, err)
				}
				if !slices.ContainsFunc(said, func(s string) bool { return strings.Contains(s, "another retort run is using it: waiting") }) {
					t.Errorf("keep %t: the wait was not said: %q", keep, said)
				}
			}
			if err := unlock(ctx); err != nil {
				t.Fatal(err)
			}
			g, err := m.Generate(ctx, GenerateOptions{Desired: []source.File{{Path: "schema.sql", SQL: "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER);\n"}}, DevDatabase: devURL})
			if err != nil || len(g.Up) != 1 {
				t.Fatalf("Generate once the lock is free: %v, %v", g, err)
			}
		})
	}
}

// devDatabase is a fresh database on d's server to use as dev_database,
// and its URL.
func devDatabase(t *testing.T, d string) (*testdb.DB, *dialect.URL) {
	t.Helper()
	dev := testdb.New(t, d)
	_, u, err := dialects.ForURL(dev.URL)
	if err != nil {
		t.Fatal(err)
	}
	return dev, u
}

// keptRun is one dev database that TestKeptDevDatabase generates with.
type keptRun struct {
	t           *testing.T
	ctx         context.Context
	m           *Migrator
	cache       string
	dev, server *dialect.URL
	opts        func(*GenerateOptions)
}

func (k *keptRun) options(desired string) GenerateOptions {
	o := GenerateOptions{
		Desired:         []source.File{{Path: "schema.sql", SQL: desired}},
		DevDatabase:     k.dev,
		KeepDevDatabase: true,
		CacheDir:        k.cache,
	}
	if k.opts != nil {
		k.opts(&o)
	}
	return o
}

// generate runs Generate on the kept dev database, checks that -v says
// want of the dev database, and that the revision is the one a whole
// load on a fresh scratch database gives.
func (k *keptRun) generate(desired, want string) {
	k.t.Helper()
	var said []string
	o := k.options(desired)
	o.Notify = func(n source.Notice) {
		if n.Path == "dev_database" {
			said = append(said, n.Msg)
		}
	}
	g, err := k.m.Generate(k.ctx, o)
	if err != nil {
		k.t.Fatalf("Generate: %v", err)
	}
	if !slices.ContainsFunc(said, func(s string) bool { return strings.Contains(s, want) }) {
		k.t.Errorf("dev_database said %q, want %q", said, want)
	}
	whole, err := k.m.Generate(k.ctx, GenerateOptions{Desired: o.Desired, Scratch: k.server})
	if err != nil {
		k.t.Fatalf("Generate on a fresh scratch database: %v", err)
	}
	if !slices.Equal(g.Up, whole.Up) || !slices.Equal(g.Down, whole.Down) {
		k.t.Errorf("kept dev database gave\n%q\n%q\na fresh one\n%q\n%q", g.Up, g.Down, whole.Up, whole.Down)
	}
	if rest, err := diff.Compare(g.Desired, whole.Desired, diff.Options{}); err != nil || len(rest) > 0 {
		k.t.Errorf("kept dev database's desired schema differs from a whole load's: %v %v", rest, err)
	}
	_, err = source.Describe(o.Desired, k.m.dialect.Splitter())
	if want := map[bool]int{true: 1, false: 0}[err == nil]; k.records() != want {
		k.t.Errorf("%d records after a run that succeeded, want %d (the load could be described: %v)", k.records(), want, err == nil)
	}
}

// count is the number of rows of table in the dev database, -1 when it
// has no such table.
func (k *keptRun) count(table string) int {
	db, err := k.m.dialect.Open(k.ctx, k.dev)
	if err != nil {
		k.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(k.ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		return -1
	}
	return n
}

// records is the number of record files in the cache.
func (k *keptRun) records() int {
	files, _ := filepath.Glob(filepath.Join(k.cache, "dev", "*.json"))
	if _, err := os.Stat(k.cache); err != nil {
		k.t.Fatal(err)
	}
	return len(files)
}
