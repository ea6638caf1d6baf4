package engine_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/testdb"
)

// fleetFS: two revisions; the second fails on a database that has a table
// "poison" (the failing target in the middle).
func fleetFS() fstest.MapFS {
	return fstest.MapFS{
		"a1_t.sql": revFile("a1", "", "CREATE TABLE t (id integer PRIMARY KEY);", "DROP TABLE t;"),
		"b2_u.sql": revFile("b2", "a1", "INSERT INTO t (id) SELECT 1 FROM poison;\nCREATE TABLE u (id integer);", "DROP TABLE u;"),
	}
}

// sqliteFleet makes n SQLite files; those in bad have no table poison, so
// b2 fails on them.
func sqliteFleet(t *testing.T, n int, bad ...int) []engine.FleetTarget {
	dir := t.TempDir()
	var ts []engine.FleetTarget
	for i := range n {
		url := "sqlite:" + filepath.Join(dir, fmt.Sprintf("t%d.db", i))
		_, _, db, err := dialects.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if !containsInt(bad, i) {
			if _, err := db.Exec("CREATE TABLE poison (x integer)"); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		ts = append(ts, engine.FleetTarget{Name: fmt.Sprintf("t%d", i), Open: func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
			d, _, db, err := dialects.Open(ctx, url)
			return d, db, err
		}})
	}
	return ts
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func fleetSummary(rs []engine.FleetResult) (ok, failed, notRun, skipped int) {
	for _, r := range rs {
		switch {
		case !r.Ran:
			notRun++
		case r.Err != nil:
			failed++
		case !r.Changed:
			skipped++
		default:
			ok++
		}
	}
	return
}

func TestFleetPolicies(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name                           string
		opts                           engine.FleetOptions
		ok, failed, notRun, maxRunning int
	}{
		{"stop at first failure", engine.FleetOptions{Parallel: 1}, 3, 1, 4, 1},
		{"continue on error", engine.FleetOptions{Parallel: 2, ContinueOnError: true}, 6, 2, 0, 2},
		{"max failures 2", engine.FleetOptions{Parallel: 1, MaxFailures: 2}, 4, 2, 2, 1},
		{"canary stops", engine.FleetOptions{Parallel: 3, Canary: 4, ContinueOnError: true}, 3, 1, 4, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := sqliteFleet(t, 8, 3, 5)
			var mu sync.Mutex
			maxRunning := 0
			c.opts.Progress = func(p engine.FleetProgress) {
				mu.Lock()
				maxRunning = max(maxRunning, p.Running)
				mu.Unlock()
			}
			rs, err := engine.RunFleet(ctx, ts, fleetFS(), c.opts)
			var fe *engine.FleetError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FleetError", err)
			}
			ok, failed, notRun, _ := fleetSummary(rs)
			if ok != c.ok || failed != c.failed || notRun != c.notRun {
				t.Errorf("ok/failed/notRun = %d/%d/%d, want %d/%d/%d", ok, failed, notRun, c.ok, c.failed, c.notRun)
			}
			if maxRunning > c.maxRunning {
				t.Errorf("up to %d targets ran at once, Parallel is %d", maxRunning, c.maxRunning)
			}
			if rs[3].Err == nil || fmt.Sprint(rs[3].End) != "[a1]" {
				t.Errorf("failing target: end %v, err %v: want at a1 with an error", rs[3].End, rs[3].Err)
			}
		})
	}
}

func TestFleetResumeSkipsDone(t *testing.T) {
	ctx := context.Background()
	ts := sqliteFleet(t, 5)
	rs, err := engine.RunFleet(ctx, ts[:2], fleetFS(), engine.FleetOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rs[0].Start, rs[0].End) != "[] [b2]" {
		t.Errorf("first run: %v -> %v", rs[0].Start, rs[0].End)
	}
	rs, err = engine.RunFleet(ctx, ts, fleetFS(), engine.FleetOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	ok, _, _, skipped := fleetSummary(rs)
	if ok != 3 || skipped != 2 {
		t.Errorf("rerun: %d upgraded, %d skipped; want 3 and 2", ok, skipped)
	}
}

// TestFleetNoRevisions checks that a fleet run with a source that holds no
// revision is ErrNoRevisions before any target is opened, not every target
// reported as already at head.
func TestFleetNoRevisions(t *testing.T) {
	opened := false
	target := engine.FleetTarget{Name: "t", Open: func(context.Context) (dialect.Dialect, *sql.DB, error) {
		opened = true
		return nil, nil, errors.New("opened")
	}}
	_, err := engine.RunFleet(context.Background(), []engine.FleetTarget{target}, fstest.MapFS{}, engine.FleetOptions{})
	if !errors.Is(err, engine.ErrNoRevisions) || opened {
		t.Fatalf("RunFleet with no revisions: %v (target opened: %v); want ErrNoRevisions before any target opens", err, opened)
	}
}

// TestFleetDriftTenantSchemas runs FleetDrift over PostgreSQL tenant
// schemas: each tenant is compared in its own schema with its applied
// revisions replayed in a schema of its name, with the head cache on (each
// tenant's replay is its own entry: a shared one would make every other
// tenant differ by its schema's name) and with a dev database, which the
// tenants take turns on.
func TestFleetDriftTenantSchemas(t *testing.T) {
	db, targets, fsys := tenantFleet(t)
	cache := t.TempDir()
	dev := testdb.New(t, "postgres")
	_, devURL, err := dialects.ForURL(dev.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []engine.GenerateOptions{{CacheDir: cache}, {CacheDir: cache}, {DevDatabase: devURL}} {
		driftWants(t, targets, fsys, opts, "")
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 3 {
		t.Errorf("the head cache holds %d entries, want 3 (one per tenant)", len(entries))
	}
	if _, err := db.DB.Exec(`ALTER TABLE "Tenant B".t ADD COLUMN extra integer`); err != nil {
		t.Fatal(err)
	}
	driftWants(t, targets, fsys, engine.GenerateOptions{CacheDir: cache}, "[added column 'Tenant B.t.extra']")
	var left int
	if err := dev.DB.QueryRow(`SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%enant%'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("the dev database holds %d tenant schemas after the drift (%v), want 0", left, err)
	}
}

// tenantFleet makes a PostgreSQL database with three tenant schemas (one
// at b2, one whose name needs quoting at b2, one at a1) and a table in
// public that is no tenant's.
func tenantFleet(t *testing.T) (*testdb.DB, []engine.FleetTarget, fstest.MapFS) {
	ctx := context.Background()
	db := testdb.New(t, "postgres")
	for _, s := range []string{`CREATE SCHEMA tenant_a`, `CREATE SCHEMA "Tenant B"`, `CREATE SCHEMA tenant_c`, `CREATE TABLE public.stray (id integer)`} {
		if _, err := db.DB.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	d, u, err := dialects.ForURL(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := engine.TenantSchemaTargets(ctx, d, u, "%enant%")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"a1_t.sql": revFile("a1", "", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nCREATE VIEW tv AS SELECT id FROM t;", "DROP VIEW tv;\nDROP TABLE t;"),
		"b2_u.sql": revFile("b2", "a1", "CREATE TABLE u (id integer REFERENCES t (id));\nCREATE INDEX u_id ON u (id);", "DROP TABLE u;"),
	}
	if _, err := engine.RunFleet(ctx, targets, fsys, engine.FleetOptions{Parallel: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := engine.RunFleet(ctx, targets[2:], fsys, engine.FleetOptions{Action: engine.FleetDowngrade("a1")}); err != nil {
		t.Fatal(err)
	}
	return db, targets, fsys
}

// driftWants runs FleetDrift with opts and checks that only "Tenant B"
// differs, by bWants ("" for no difference at all).
func driftWants(t *testing.T, targets []engine.FleetTarget, fsys fstest.MapFS, opts engine.GenerateOptions, bWants string) {
	t.Helper()
	res, err := engine.RunFleet(context.Background(), targets, fsys, engine.FleetOptions{Parallel: 3, Action: engine.FleetDrift(opts)})
	var fe *engine.FleetError
	if err != nil && (!errors.As(err, &fe) || fe.Failed+fe.NotRun > 0) {
		t.Fatalf("drift: %v", err)
	}
	for _, r := range res {
		want := "[]"
		if r.Name == "Tenant B" && bWants != "" {
			want = bWants
		}
		if fmt.Sprint(r.Differences) != want {
			t.Errorf("cache %q, dev %v: %s: differences %v, want %s", opts.CacheDir, opts.DevDatabase != nil, r.Name, r.Differences, want)
		}
	}
}

// TestDriftSchemaRefused checks that GenerateOptions.Schema is refused
// where it cannot mean anything: on SQLite, and to Generate.
func TestDriftSchemaRefused(t *testing.T) {
	ctx := context.Background()
	ts := sqliteFleet(t, 1)
	_, db, err := ts[0].Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := engine.New(sqlite.New(), db, fleetFS())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Drift(ctx, engine.GenerateOptions{Schema: "tenant_a"}); !errors.Is(err, engine.ErrInvalidOption) {
		t.Errorf("Drift with a schema on SQLite: %v, want ErrInvalidOption", err)
	}
	if _, err := m.Generate(ctx, engine.GenerateOptions{Schema: "tenant_a"}); !errors.Is(err, engine.ErrInvalidOption) {
		t.Errorf("Generate with a schema: %v, want ErrInvalidOption", err)
	}
}
