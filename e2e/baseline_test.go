package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// baselineFiles writes the baseline's revisions, chained, as files of a
// new directory, and returns the directory and the last revision's id.
func baselineFiles(t *testing.T, b *engine.Baseline) (string, string) {
	t.Helper()
	dir := t.TempDir()
	parent := ""
	for i, p := range b.Parts {
		r := &script.Revision{ID: fmt.Sprintf("b%011d", i+1), Message: fmt.Sprintf("baseline %d", i+1),
			Up:   script.Section{SQL: p.Up, Present: true},
			Down: script.Section{SQL: script.JoinStatements(p.Down), Present: true}}
		if parent != "" {
			r.Revises = []string{parent}
		}
		if _, err := script.Write(dir, r); err != nil {
			t.Fatalf("write baseline part %d: %v", i+1, err)
		}
		parent = r.ID
	}
	return dir, parent
}

// checkBaseline baselines ref (which holds want), stamps ref at the
// baseline, and requires the baseline's revisions to rebuild want exactly
// on a fresh, empty database, and their downgrade to empty it again.
func checkBaseline(ctx context.Context, t *testing.T, ref *liveDB) *engine.Baseline {
	t.Helper()
	want, err := ref.inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.New(ref.dialect, ref.db, nil, engine.WithAllowEmpty())
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.Baseline(ctx, engine.BaselineOptions{Generate: engine.GenerateOptions{Scratch: ref.scratchURL()}})
	if err != nil {
		t.Fatalf("baseline: %v", err)
	}
	if len(b.Parts) == 1 && b.Parts[0].Up != ref.dialect.Format(want) {
		t.Errorf("the baseline's upgrade is not the live schema as inspect prints it:\n%s", firstDiff(b.Parts[0].Up, ref.dialect.Format(want)))
	}
	dir, head := baselineFiles(t, b)
	stamped, err := engine.New(ref.dialect, ref.db, os.DirFS(dir))
	if err != nil {
		t.Fatalf("load the baseline: %v", err)
	}
	if err := stamped.Stamp(ctx, []string{head}, engine.StampOptions{}); err != nil {
		t.Fatalf("stamp: %v", err)
	}
	if cur, err := stamped.Current(ctx); err != nil || len(cur) != 1 || cur[0] != head {
		t.Errorf("after stamp the database is at %v (%v), want %s", cur, err, head)
	}

	live := newLiveDB(t, ref.dialect.Name())
	lm, err := engine.New(live.dialect, live.db, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := lm.Upgrade(ctx, "head"); err != nil {
		t.Fatalf("upgrade an empty database with the baseline: %v", err)
	}
	t.Logf("%d baseline revision(s) upgraded an empty database in %v", len(b.Parts), time.Since(start).Round(time.Millisecond))
	got, err := live.inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := live.dialect.Format(got), live.dialect.Format(want); g != w {
		t.Errorf("the baseline does not rebuild the schema exactly:\n%s", firstDiff(g, w))
	}
	if _, err := lm.Downgrade(ctx, "base"); err != nil {
		t.Fatalf("downgrade base: %v", err)
	}
	if empty, err := live.inspect(ctx); err != nil || !isEmpty(empty) {
		t.Errorf("after downgrade base the database is not empty (%v):\n%s", err, live.dialect.Format(empty))
	}
	return b
}

// TestBaselineCorpus baselines each corpus schema, loaded into a fresh
// database, and requires the baseline to rebuild it exactly on an empty
// database (issue 15).
func TestBaselineCorpus(t *testing.T) {
	for _, f := range corpusFiles {
		t.Run(f.dialect+"/"+strings.ReplaceAll(f.path, "/", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if f.bug != "" && !*runFailing {
				t.Skipf("open bug, reproduced by testdata/failing/%s: run with -autogen.failing", f.bug)
			}
			if f.dialect != "sqlite" {
				testdb.ServerURL(t, f.dialect)
			}
			ref := newLiveDB(t, f.dialect)
			if err := ref.load(ctx, source.File{Path: f.path, SQL: f.desiredSQL(t)}); err != nil {
				t.Fatalf("load the corpus file: %v", err)
			}
			checkBaseline(ctx, t, ref)
		})
	}
}

// bigBaselineTables is the size of the schema of the large baseline test.
const bigBaselineTables = 2000

// TestOutOfLocksExplained: one revision that creates more tables than
// PostgreSQL's lock table holds fails with "out of shared memory", and
// the error says what it means and the ways out.
//
// The lock table is shared by every database of the server, so while this
// test fills it any other session that needs a new lock fails too (it once
// broke a concurrent test package in CI). It runs only with
// RETORT_TEST_EXHAUST_LOCKS=1; .ci/run runs it alone, after the suite.
func TestOutOfLocksExplained(t *testing.T) {
	if os.Getenv("RETORT_TEST_EXHAUST_LOCKS") != "1" {
		t.Skip("RETORT_TEST_EXHAUST_LOCKS=1 is not set: this test fills the PostgreSQL server's shared lock table")
	}
	testdb.ServerURL(t, "postgres")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	one := newLiveDB(t, "postgres")
	// Each table below takes at least 5 locks (itself, its primary key,
	// two indexes, its TOAST table): twice the slots the table has is
	// enough to fill it whatever the server's settings.
	var slots int
	q := "SELECT current_setting('max_locks_per_transaction')::int * (current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int)"
	if err := one.db.QueryRowContext(ctx, q).Scan(&slots); err != nil {
		t.Fatal(err)
	}
	tables := max(bigBaselineTables, 2*slots/5)
	rev := revisionOf("a00000000001", "", "all at once", bigSchema(0, tables, false), "")
	m, err := engine.New(one.dialect, one.db, nil, engine.WithRevisions(rev))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = m.Upgrade(ctx, "head")
	var se *runner.StatementError
	if !errors.As(err, &se) {
		t.Fatalf("upgrade of one revision with %d tables (lock table: %d slots): got %v, want a statement error (out of shared memory)", tables, slots, err)
	}
	t.Logf("one revision failed at statement %d after %v: %v", se.Index, time.Since(start).Round(time.Millisecond), err)
	for _, want := range []string{"out of shared memory", "Split the revision", "Transaction: none"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestBaseline2000Postgres: the baseline of a 2,000-table database (more
// than one transaction may lock on a default server, see
// TestOutOfLocksExplained) splits itself into revisions that replay on an
// empty database.
func TestBaseline2000Postgres(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 tables: a few minutes")
	}
	testdb.ServerURL(t, "postgres")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	ddl := bigSchema(0, bigBaselineTables, false)
	ref := newLiveDB(t, "postgres")
	start := time.Now()
	if err := ref.load(ctx, source.File{Path: "big.sql", SQL: ddl}); err != nil {
		t.Fatalf("load %d tables: %v", bigBaselineTables, err)
	}
	t.Logf("loaded %d tables in %v", bigBaselineTables, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	b := checkBaseline(ctx, t, ref)
	t.Logf("baseline (with its proof on a scratch database), replay and downgrade took %v", time.Since(start).Round(time.Millisecond))
	if len(b.Parts) < 2 {
		t.Errorf("the baseline of %d tables is %d revision(s), want it split", bigBaselineTables, len(b.Parts))
	}
}

// TestBaselineSplit: a schema of more than engine.BaselineSplitTables
// tables becomes a chain of revisions of at most that many statements,
// which rebuilds it exactly on an empty database, on each dialect.
func TestBaselineSplit(t *testing.T) {
	const tables = engine.BaselineSplitTables + 100
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			if name != "sqlite" {
				testdb.ServerURL(t, name)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			var ddl strings.Builder
			for i := range tables {
				fmt.Fprintf(&ddl, "CREATE TABLE s%04d (id INTEGER NOT NULL PRIMARY KEY, parent_id INTEGER REFERENCES s%04d (id), name VARCHAR(20));\n", i, max(i-1, 0))
				fmt.Fprintf(&ddl, "CREATE INDEX s%04d_name ON s%04d (name);\n", i, i)
			}
			ref := newLiveDB(t, name)
			if err := ref.load(ctx, source.File{Path: "split.sql", SQL: ddl.String()}); err != nil {
				t.Fatalf("load %d tables: %v", tables, err)
			}
			start := time.Now()
			b := checkBaseline(ctx, t, ref)
			t.Logf("%d tables: %d revisions; baseline, replay and downgrade took %v", tables, len(b.Parts), time.Since(start).Round(time.Millisecond))
			if len(b.Parts) < 2 {
				t.Fatalf("the baseline of %d tables is %d revision, want it split", tables, len(b.Parts))
			}
			for i, p := range b.Parts {
				stmts, err := sqlsplit.Split(p.Up, ref.dialect.Splitter())
				if err != nil || len(stmts) > engine.BaselineSplitTables {
					t.Errorf("part %d: %d statements (%v), want at most %d", i+1, len(stmts), err, engine.BaselineSplitTables)
				}
			}
		})
	}
}
