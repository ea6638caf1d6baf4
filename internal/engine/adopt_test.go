package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/testdb"
)

// gooseRevisions are three revisions as "retort import goose" writes them
// (ids are goose's versions).
func gooseRevisions() fstest.MapFS {
	return fstest.MapFS{
		"1_users.sql": revFile("1", "", "CREATE TABLE users (id integer PRIMARY KEY, name varchar(50) NOT NULL);", "DROP TABLE users;"),
		"2_email.sql": revFile("2", "1", "ALTER TABLE users ADD COLUMN email varchar(100);", "ALTER TABLE users DROP COLUMN email;"),
		"3_tags.sql":  revFile("3", "2", "CREATE TABLE tags (id integer PRIMARY KEY, name varchar(50));", "DROP TABLE tags;"),
	}
}

// adoptFixture is a database that goose migrated to version 3: the
// revisions' schema, no retort table, and goose_db_version as goose
// writes it (version 0 is goose's initial row).
type adoptFixture struct {
	tdb  *testdb.DB
	opts engine.AdoptOptions
}

func newAdoptFixture(t *testing.T, name string) *adoptFixture {
	t.Helper()
	ctx := ctxT(t)
	f := newFixtureDB(t, name)
	if _, err := f.migrator(t).Upgrade(ctx, "head"); err != nil {
		t.Fatal(err)
	}
	f.exec(t, "DROP TABLE retort_revisions", "DROP TABLE retort_log",
		"CREATE TABLE goose_db_version (id integer PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL)",
		"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (1, 0, TRUE), (2, 1, TRUE), (3, 2, TRUE), (4, 3, TRUE)")
	return f
}

// newFixtureDB is an empty database, and adoption options whose scratch
// databases are made next to it.
func newFixtureDB(t *testing.T, name string) *adoptFixture {
	t.Helper()
	f := &adoptFixture{tdb: testdb.New(t, name)}
	if name != "sqlite" {
		_, u, err := dialects.ForURL(f.tdb.URL)
		if err != nil {
			t.Fatal(err)
		}
		f.opts.Generate.Scratch = u
	}
	return f
}

func (f *adoptFixture) migrator(t *testing.T, opts ...engine.Option) *engine.Migrator {
	t.Helper()
	m, err := engine.New(mustDialect(f.tdb.Dialect), f.tdb.DB, gooseRevisions(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f *adoptFixture) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := f.tdb.DB.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// current is the database's current revisions, as retort records them.
func current(t *testing.T, m *engine.Migrator) []string {
	t.Helper()
	cur, err := m.Current(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// noTable fails unless the query on table fails: the table is not there.
func noTable(t *testing.T, db *sql.DB, table string) {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err == nil {
		t.Fatalf("table %s exists (%d rows); want none", table, n)
	}
}

// Adopt records what goose_db_version says, in retort's tables, logged;
// adopting again writes nothing; goose's table is left as it was.
func TestAdopt(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			f := newAdoptFixture(t, name)
			m := f.migrator(t)
			res, err := m.Adopt(ctxT(t), "goose", f.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Applied, []string{"1", "2", "3"}) || !slices.Equal(res.Recorded, []string{"1", "2", "3"}) || !res.Compared || len(res.Drift) != 0 || res.Dropped {
				t.Fatalf("first adoption: %+v; want 1 2 3 read and recorded, compared without drift, nothing dropped", res)
			}
			if cur := current(t, m); !slices.Equal(cur, []string{"3"}) {
				t.Fatalf("current %v; want 3", cur)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_log WHERE direction = 'stamp' AND error LIKE 'adopted from goose''s %goose_db_version (no SQL run)'"); n != 3 {
				t.Fatalf("%d adoption rows in retort_log; want 3", n)
			}
			res, err = m.Adopt(ctxT(t), "goose", f.opts)
			if err != nil || len(res.Recorded) != 0 {
				t.Fatalf("adopting again: %+v, %v; want nothing recorded", res, err)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_log"); n != 3 {
				t.Fatalf("%d rows in retort_log after adopting again; want the 3 of the first adoption", n)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM goose_db_version"); n != 4 {
				t.Fatalf("goose_db_version has %d rows; want its 4, untouched", n)
			}
			if _, err := m.Downgrade(ctxT(t), "base"); err != nil {
				t.Fatalf("retort takes over: downgrade to base: %v", err)
			}
		})
	}
}

// Drift is found before anything is written: a refused adoption leaves
// no retort table behind; --accept-drift records it with the drift.
func TestAdoptDriftWritesNothing(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			f := newAdoptFixture(t, name)
			f.exec(t, "ALTER TABLE users ADD COLUMN extra integer")
			m := f.migrator(t)
			_, err := m.Adopt(ctxT(t), "goose", f.opts)
			var de *engine.AdoptDriftError
			if !errors.Is(err, engine.ErrAdoptDrift) || !errors.As(err, &de) || len(de.Differences) != 1 || !strings.Contains(de.Differences[0], "extra") {
				t.Fatalf("got %v; want an *AdoptDriftError naming column extra alone", err)
			}
			if !strings.Contains(err.Error(), "nothing was recorded") {
				t.Fatalf("error %q does not say that nothing was recorded", err)
			}
			noTable(t, f.tdb.DB, "retort_revisions")
			noTable(t, f.tdb.DB, "retort_log")
			opts := f.opts
			opts.AcceptDrift = true
			res, err := m.Adopt(ctxT(t), "goose", opts)
			if err != nil || len(res.Drift) != 1 || len(res.Recorded) != 3 {
				t.Fatalf("with AcceptDrift: %+v, %v; want 3 recorded with 1 difference", res, err)
			}
		})
	}
}

// The tool's table is left out of the drift check by its qualified name:
// a table of the same name in another schema is drift.
func TestAdoptQualifiedTable(t *testing.T) {
	f := newAdoptFixture(t, "postgres")
	f.exec(t, "CREATE SCHEMA other", "CREATE TABLE other.goose_db_version (id integer PRIMARY KEY)")
	m := f.migrator(t)
	_, err := m.Adopt(ctxT(t), "goose", f.opts)
	var de *engine.AdoptDriftError
	if !errors.As(err, &de) {
		t.Fatalf("got %v; want an *AdoptDriftError", err)
	}
	got := de.Differences
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "other.goose_db_version") }) || slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "public.goose_db_version") }) {
		t.Fatalf("drift %q; want other.goose_db_version in it and public.goose_db_version (goose's own) not", got)
	}
	f.exec(t, "DROP SCHEMA other CASCADE")
	res, err := m.Adopt(ctxT(t), "goose", f.opts)
	if err != nil || res.Qualified != "public.goose_db_version" {
		t.Fatalf("got %+v, %v; want goose's table found as public.goose_db_version", res, err)
	}
}

// Atlas on PostgreSQL keeps its table in a schema of its own: both are
// left out of the drift check, and DropOld drops both.
func TestAdoptAtlasOwnSchema(t *testing.T) {
	f := newAdoptFixture(t, "postgres")
	f.exec(t, "DROP TABLE goose_db_version", "CREATE SCHEMA atlas_schema_revisions",
		"CREATE TABLE atlas_schema_revisions.atlas_schema_revisions (version varchar(255) PRIMARY KEY, description varchar(255) NOT NULL, type bigint NOT NULL DEFAULT 2, applied bigint NOT NULL DEFAULT 0, total bigint NOT NULL DEFAULT 0, executed_at timestamptz NOT NULL DEFAULT now(), execution_time bigint NOT NULL DEFAULT 0, error text, error_stmt text, hash varchar(255) NOT NULL DEFAULT '', partial_hashes jsonb, operator_version varchar(255) NOT NULL DEFAULT '')",
		"INSERT INTO atlas_schema_revisions.atlas_schema_revisions (version, description, applied, total) VALUES ('1', 'users', 1, 1), ('2', 'email', 1, 1), ('3', 'tags', 1, 1)")
	opts := f.opts
	opts.DropOld = true
	res, err := f.migrator(t).Adopt(ctxT(t), "atlas", opts)
	if err != nil || len(res.Recorded) != 3 || len(res.Drift) != 0 || !res.Dropped {
		t.Fatalf("got %+v, %v; want 3 recorded, no drift, dropped", res, err)
	}
	if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM pg_namespace WHERE nspname = 'atlas_schema_revisions'"); n != 0 {
		t.Fatal("Atlas's schema is still there; want it dropped with its table")
	}
}

// Adopt waits for retort's migration lock, and adopters racing each other
// record the revisions once.
func TestAdoptTakesTheLock(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			f := newAdoptFixture(t, name)
			ctx := ctxT(t)
			release := holdLock(t, ctx, f.tdb)
			_, err := f.migrator(t, engine.WithLockTimeout(300*time.Millisecond)).Adopt(ctx, "goose", f.opts)
			if !errors.Is(err, engine.ErrLockTimeout) {
				t.Fatalf("adopt while another holds the lock: %v; want ErrLockTimeout", err)
			}
			release()
			var wg sync.WaitGroup
			errs := make([]error, 3)
			recorded := make([]int, 3)
			for i := range errs {
				wg.Go(func() {
					res, err := f.migrator(t).Adopt(ctx, "goose", f.opts)
					errs[i] = err
					if res != nil {
						recorded[i] = len(res.Recorded)
					}
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			slices.Sort(recorded)
			if !slices.Equal(recorded, []int{0, 0, 3}) {
				t.Fatalf("revisions recorded by each of 3 concurrent adoptions: %v; want one of them to record 3", recorded)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_log"); n != 3 {
				t.Fatalf("%d log rows; want 3", n)
			}
		})
	}
}

// holdLock takes retort's migration lock on a connection of its own, as
// another migrator would, until release is called.
func holdLock(t *testing.T, ctx context.Context, tdb *testdb.DB) (release func()) {
	t.Helper()
	d := mustDialect(tdb.Dialect)
	conn, err := tdb.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tdb.Dialect == "sqlite" {
		tx, err := d.Begin(ctx, conn, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback(); conn.Close() }
	}
	unlock, err := d.Lock(ctx, conn, "retort_revisions", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	return func() { unlock(ctx); conn.Close() }
}

// DropOld drops the tool's table with the adoption, and logs it.
func TestAdoptDropOld(t *testing.T) {
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			f := newAdoptFixture(t, name)
			m := f.migrator(t)
			opts := f.opts
			opts.DropOld = true
			res, err := m.Adopt(ctxT(t), "goose", opts)
			if err != nil || !res.Dropped || len(res.Recorded) != 3 {
				t.Fatalf("got %+v, %v; want 3 recorded and goose's table dropped", res, err)
			}
			noTable(t, f.tdb.DB, "goose_db_version")
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_log WHERE revision = '3' AND error LIKE 'dropped goose''s %goose_db_version (adopted; --drop-old)'"); n != 1 {
				t.Fatalf("%d log rows for the drop; want 1, against the head", n)
			}
		})
	}
}

// Where DDL is transactional, the drop is in the adoption's transaction:
// a failure after it (here, logging the drop) leaves goose's table and
// retort's as they were.
func TestAdoptDropOldUndoneWithTheAdoption(t *testing.T) {
	failLog := map[string][]string{
		"sqlite": {"CREATE TRIGGER refuse_drop_log BEFORE INSERT ON retort_log WHEN NEW.error LIKE 'dropped%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"},
		"postgres": {
			"CREATE FUNCTION refuse_drop_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.error LIKE 'dropped%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
			"CREATE TRIGGER refuse_drop_log BEFORE INSERT ON retort_log FOR EACH ROW EXECUTE FUNCTION refuse_drop_log()",
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			f := newAdoptFixture(t, name)
			m := f.migrator(t)
			// retort's tables, empty, with a trigger that fails the drop's
			// log row.
			if err := m.Stamp(ctxT(t), []string{"base"}, engine.StampOptions{}); err != nil {
				t.Fatal(err)
			}
			f.exec(t, failLog[name]...)
			opts := f.opts
			opts.DropOld, opts.AcceptDrift = true, true // the test's function is drift on PostgreSQL
			_, err := m.Adopt(ctxT(t), "goose", opts)
			var de *engine.DropError
			if !errors.As(err, &de) || de.Committed || !strings.Contains(err.Error(), "refused by the test") || !strings.Contains(err.Error(), "nothing was recorded or dropped") {
				t.Fatalf("got %v; want an uncommitted *DropError saying nothing was recorded or dropped", err)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM goose_db_version"); n != 4 {
				t.Fatalf("goose_db_version has %d rows; want its 4", n)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_revisions"); n != 0 {
				t.Fatalf("retort_revisions has %d rows; want none", n)
			}
			if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM retort_log"); n != 0 {
				t.Fatalf("retort_log has %d rows; want none", n)
			}
		})
	}
}

// On MySQL/MariaDB the drop runs after the adoption commits (DDL commits
// by itself): a drop that fails leaves the adoption recorded and the
// table in place, and says so.
func TestAdoptDropOldAfterCommitOnMySQL(t *testing.T) {
	f := newAdoptFixture(t, "mysql")
	f.exec(t, "CREATE TABLE holds_goose (v integer PRIMARY KEY, FOREIGN KEY (v) REFERENCES goose_db_version (id))")
	m := f.migrator(t)
	opts := f.opts
	opts.DropOld, opts.AcceptDrift = true, true // holds_goose is drift
	res, err := m.Adopt(ctxT(t), "goose", opts)
	var de *engine.DropError
	if !errors.As(err, &de) || !de.Committed || !strings.Contains(err.Error(), "drop goose_db_version by hand") {
		t.Fatalf("got %v; want a committed *DropError that says to drop the table by hand", err)
	}
	if res == nil || len(res.Recorded) != 3 || res.Dropped {
		t.Fatalf("adoption %+v; want 3 recorded, not dropped", res)
	}
	if cur := current(t, m); !slices.Equal(cur, []string{"3"}) {
		t.Fatalf("current %v; want 3: the record committed before the drop", cur)
	}
	if n := count(t, f.tdb.DB, "SELECT COUNT(*) FROM goose_db_version"); n != 4 {
		t.Fatalf("goose_db_version has %d rows; want its 4", n)
	}
}

// flywayRev is a revision as "retort import flyway" writes it.
func flywayRev(id, revises, src, up, down string) *fstest.MapFile {
	return file(fmt.Sprintf("-- %s\n--\n-- Revision: %s\n-- Revises: %s\n-- Imported-From: flyway %s\n\n-- +upgrade\n%s\n-- +downgrade\n%s\n", src, id, revises, src, up, down))
}

// A Flyway BASELINE row at version V stands for every revision imported
// from Flyway up to and including V; the drift check proves it.
func TestAdoptFlywayBaseline(t *testing.T) {
	revs := fstest.MapFS{
		"1_create_users.sql":  flywayRev("1", "", "V1__create_users.sql", "CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;"),
		"1_9_create_tags.sql": flywayRev("1_9", "1", "V1.9__create_tags.sql", "CREATE TABLE tags (id integer PRIMARY KEY);", "DROP TABLE tags;"),
		"1_10_add_email.sql":  flywayRev("1_10", "1_9", "V1.10__add_email.sql", "ALTER TABLE users ADD COLUMN email varchar(100);", "ALTER TABLE users DROP COLUMN email;"),
	}
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			f := newFixtureDB(t, name)
			m, err := engine.New(mustDialect(name), f.tdb.DB, revs)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Upgrade(ctxT(t), "head"); err != nil {
				t.Fatal(err)
			}
			f.exec(t, "DROP TABLE retort_revisions", "DROP TABLE retort_log",
				"CREATE TABLE flyway_schema_history (installed_rank integer PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL, execution_time integer NOT NULL, success boolean NOT NULL)",
				"INSERT INTO flyway_schema_history VALUES (1, '1.9', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'app', 0, TRUE), (2, '1.10', 'add email', 'SQL', 'V1.10__add_email.sql', 7, 'app', 5, FALSE)")
			_, err = m.Adopt(ctxT(t), "flyway", f.opts)
			var ae *engine.AdoptError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), "failed migration V1.10__add_email.sql (1.10)") {
				t.Fatalf("a failed row: %v; want an *AdoptError naming the script and version", err)
			}
			f.exec(t, "UPDATE flyway_schema_history SET success = TRUE")
			res, err := m.Adopt(ctxT(t), "flyway", f.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Baseline, []string{"1", "1_9"}) || !slices.Equal(res.Recorded, []string{"1", "1_9", "1_10"}) {
				t.Fatalf("baseline %v, recorded %v; want 1 1_9 from the baseline, and 1 1_9 1_10 recorded", res.Baseline, res.Recorded)
			}
			if cur := current(t, m); !slices.Equal(cur, []string{"1_10"}) {
				t.Fatalf("current %v; want 1_10", cur)
			}
		})
	}
}
