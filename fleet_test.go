package retort_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
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
func sqliteFleet(t *testing.T, n int, bad ...int) []retort.FleetTarget {
	dir := t.TempDir()
	var ts []retort.FleetTarget
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
		ts = append(ts, retort.FleetTarget{Name: fmt.Sprintf("t%d", i), Open: func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
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

func fleetSummary(rs []retort.FleetResult) (ok, failed, notRun, skipped int) {
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
		opts                           retort.FleetOptions
		ok, failed, notRun, maxRunning int
	}{
		{"stop at first failure", retort.FleetOptions{Parallel: 1}, 3, 1, 4, 1},
		{"continue on error", retort.FleetOptions{Parallel: 2, ContinueOnError: true}, 6, 2, 0, 2},
		{"max failures 2", retort.FleetOptions{Parallel: 1, MaxFailures: 2}, 4, 2, 2, 1},
		{"canary stops", retort.FleetOptions{Parallel: 3, Canary: 4, ContinueOnError: true}, 3, 1, 4, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := sqliteFleet(t, 8, 3, 5)
			var mu sync.Mutex
			maxRunning := 0
			c.opts.Progress = func(p retort.FleetProgress) {
				mu.Lock()
				maxRunning = max(maxRunning, p.Running)
				mu.Unlock()
			}
			rs, err := retort.RunFleet(ctx, ts, fleetFS(), c.opts)
			var fe *retort.FleetError
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
	rs, err := retort.RunFleet(ctx, ts[:2], fleetFS(), retort.FleetOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rs[0].Start, rs[0].End) != "[] [b2]" {
		t.Errorf("first run: %v -> %v", rs[0].Start, rs[0].End)
	}
	rs, err = retort.RunFleet(ctx, ts, fleetFS(), retort.FleetOptions{Parallel: 2})
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
	target := retort.FleetTarget{Name: "t", Open: func(context.Context) (dialect.Dialect, *sql.DB, error) {
		opened = true
		return nil, nil, errors.New("opened")
	}}
	_, err := retort.RunFleet(context.Background(), []retort.FleetTarget{target}, fstest.MapFS{}, retort.FleetOptions{})
	if !errors.Is(err, retort.ErrNoRevisions) || opened {
		t.Fatalf("RunFleet with no revisions: %v (target opened: %v); want ErrNoRevisions before any target opens", err, opened)
	}
}
