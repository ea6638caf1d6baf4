package runner_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// goRev builds a Go revision with the functions given.
func goRev(id, parent string, f *script.GoFuncs) *script.Revision {
	r := &script.Revision{ID: id, Message: "go " + id, Path: "(go)", Go: true, GoFuncs: f,
		Up: script.Section{Present: true}, Down: script.Section{Present: f != nil && (f.Down != nil || f.DownConn != nil)}}
	if parent != "" {
		r.Revises = []string{parent}
	}
	return r
}

const peopleUp = "CREATE TABLE people (id integer PRIMARY KEY, name varchar(50), display varchar(50));\nINSERT INTO people (id, name) VALUES (1, 'ada');\nINSERT INTO people (id, name) VALUES (2, 'grace');\n"

func rowOf(t *testing.T, db *sql.DB, id string) (state, checksum string, ok bool) {
	t.Helper()
	err := db.QueryRow("SELECT state, checksum FROM retort_revisions WHERE revision = '"+id+"'").Scan(&state, &checksum)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return state, checksum, true
}

// TestGoRevisionInTransaction runs a Go backfill in the revision's
// transaction on every dialect: a failing function leaves neither its
// changes nor a version row; a good one commits both, with an empty
// checksum; Down reverts it.
func TestGoRevisionInTransaction(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		fail := true
		backfill := &script.GoFuncs{
			Up: func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, "UPDATE people SET display = UPPER(name)"); err != nil {
					return err
				}
				// The version table is readable in the same transaction.
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM retort_revisions").Scan(&n); err != nil {
					return err
				}
				if fail {
					return errors.New("backfill refused")
				}
				return nil
			},
			Down: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE people SET display = NULL")
				return err
			},
		}
		chain := []*script.Revision{rev("r001", "", peopleUp, "DROP TABLE people;\n"), goRev("g002", "r001", backfill)}
		r := runner.New(tg.db, tg.d, runner.Options{})
		_, err := r.Run(ctx, upgradeAll(chain))
		var ge *runner.GoFuncError
		if !errors.As(err, &ge) || ge.Revision != "g002" || ge.Direction != revision.Up || !strings.Contains(err.Error(), "backfill refused") {
			t.Fatalf("Run: %v; want a GoFuncError of g002 saying backfill refused", err)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people WHERE display IS NOT NULL"); n != 0 {
			t.Fatalf("%d rows backfilled after the failure; want 0 (rolled back)", n)
		}
		if _, _, ok := rowOf(t, tg.db, "g002"); ok {
			t.Fatal("g002 has a version row after its failure")
		}
		if st, _, ok := rowOf(t, tg.db, "r001"); !ok || st != runner.StateApplied {
			t.Fatalf("r001 row %q %v; want applied", st, ok)
		}
		fail = false
		res, err := r.Run(ctx, upgradeAll(chain))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Steps) != 1 || res.Steps[0].Revision != "g002" {
			t.Fatalf("steps %+v; want g002 only", res.Steps)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people WHERE display = UPPER(name)"); n != 2 {
			t.Fatalf("%d rows backfilled; want 2", n)
		}
		st, sum, ok := rowOf(t, tg.db, "g002")
		if !ok || st != runner.StateApplied || sum != "" {
			t.Fatalf("g002 row state %q checksum %q; want applied with an empty checksum", st, sum)
		}
		if _, err := r.Run(ctx, func(s *runner.State) (*revision.Plan, error) {
			return &revision.Plan{Steps: []revision.Step{{Revision: chain[1], Direction: revision.Down}}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people WHERE display IS NOT NULL"); n != 0 {
			t.Fatalf("%d rows still backfilled after the downgrade", n)
		}
		if _, _, ok := rowOf(t, tg.db, "g002"); ok {
			t.Fatal("g002 still has a row after its downgrade")
		}
		var lastOK []bool
		for _, l := range readLog(t, tg.db) {
			if l.Revision == "g002" {
				lastOK = append(lastOK, l.OK)
			}
		}
		if len(lastOK) != 3 || lastOK[0] || !lastOK[1] || !lastOK[2] {
			t.Fatalf("log of g002: %v; want failed, upgraded, downgraded", lastOK)
		}
	})
}

// TestGoRevisionPanics turns a panic into a rolled-back GoFuncError.
func TestGoRevisionPanics(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := []*script.Revision{rev("r001", "", peopleUp, "DROP TABLE people;\n"), goRev("g002", "r001", &script.GoFuncs{
			Up: func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, "DELETE FROM people"); err != nil {
					return err
				}
				panic("nil map")
			},
		})}
		_, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(chain))
		var ge *runner.GoFuncError
		if !errors.As(err, &ge) || !strings.Contains(err.Error(), "panic: nil map") {
			t.Fatalf("Run: %v; want a GoFuncError for the panic", err)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people"); n != 2 {
			t.Fatalf("%d people left; want 2 (the delete rolled back)", n)
		}
	}, "sqlite", "postgres")
}

// TestGoRevisionNoTransaction runs the connection form: recorded partial
// while it runs, rerun from the start after a failure.
func TestGoRevisionNoTransaction(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		calls := 0
		var sawPartial string
		chain := []*script.Revision{rev("r001", "", peopleUp, "DROP TABLE people;\n"), goRev("g002", "r001", &script.GoFuncs{
			UpConn: func(ctx context.Context, conn *sql.Conn) error {
				calls++
				if err := conn.QueryRowContext(ctx, "SELECT state FROM retort_revisions WHERE revision = 'g002'").Scan(&sawPartial); err != nil {
					return err
				}
				// Commits of its own, in batches.
				for _, id := range []int{1, 2} {
					if _, err := conn.ExecContext(ctx, "UPDATE people SET display = UPPER(name) WHERE id = "+strconv.Itoa(id)); err != nil {
						return err
					}
					if calls == 1 {
						return errors.New("stopped after the first batch")
					}
				}
				return nil
			},
		})}
		r := runner.New(tg.db, tg.d, runner.Options{})
		_, err := r.Run(ctx, upgradeAll(chain))
		var ge *runner.GoFuncError
		if !errors.As(err, &ge) {
			t.Fatalf("Run: %v; want a GoFuncError", err)
		}
		if sawPartial != runner.StatePartial {
			t.Fatalf("the function saw its row as %q; want partial", sawPartial)
		}
		if st, _, ok := rowOf(t, tg.db, "g002"); !ok || st != runner.StatePartial {
			t.Fatalf("g002 row %q %v after the failure; want partial", st, ok)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people WHERE display IS NOT NULL"); n != 1 {
			t.Fatalf("%d rows backfilled; want 1 (the first batch committed)", n)
		}
		if _, err := r.Run(ctx, upgradeAll(chain)); err != nil {
			t.Fatal(err)
		}
		if st, _, ok := rowOf(t, tg.db, "g002"); !ok || st != runner.StateApplied || calls != 2 {
			t.Fatalf("g002 row %q %v after %d calls; want applied after 2", st, ok, calls)
		}
		if n := count(t, tg.db, "SELECT COUNT(*) FROM people WHERE display IS NOT NULL"); n != 2 {
			t.Fatalf("%d rows backfilled; want 2", n)
		}
	})
}

// TestGoRevisionWithoutFunctions refuses a plan through a placeholder
// (the standalone binary): nothing of the plan runs, and no offline script
// includes a Go revision.
func TestGoRevisionWithoutFunctions(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		placeholder := goRev("g002", "r001", nil)
		placeholder.Path = "migrations/versions/g002_backfill.sql"
		chain := []*script.Revision{rev("r001", "", peopleUp, "DROP TABLE people;\n"), placeholder}
		_, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(chain))
		var ue *runner.GoUnavailableError
		if !errors.As(err, &ue) || ue.Revision != "g002" || !strings.Contains(err.Error(), `run the application's own "db upgrade"`) {
			t.Fatalf("Run: %v; want a GoUnavailableError", err)
		}
		if tableExists(t, tg.db, "people") {
			t.Fatal("r001 ran although the plan was refused")
		}
		withFuncs := goRev("g002", "r001", &script.GoFuncs{Up: func(context.Context, *sql.Tx) error { return nil }})
		var buf bytes.Buffer
		err = runner.WriteSQL(&buf, tg.d, dialect.VersionTables{}, &revision.Plan{Steps: []revision.Step{{Revision: withFuncs, Direction: revision.Up}}})
		var oe *runner.GoOfflineError
		if !errors.As(err, &oe) {
			t.Fatalf("WriteSQL through a Go revision: %v; want a GoOfflineError", err)
		}
	})
}

// TestGoRevisionConcurrent runs the same Go revision from several runners
// at once: the lock and the re-check inside the transaction let exactly
// one of them run it.
func TestGoRevisionConcurrent(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		setup := []*script.Revision{rev("r001", "", "CREATE TABLE counter (n integer);\nINSERT INTO counter (n) VALUES (0);\n", "DROP TABLE counter;\n")}
		if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(setup)); err != nil {
			t.Fatal(err)
		}
		chain := append(setup, goRev("g002", "r001", &script.GoFuncs{
			Up: func(ctx context.Context, tx *sql.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT n FROM counter").Scan(&n); err != nil {
					return err
				}
				time.Sleep(20 * time.Millisecond) // widen the window a race would need
				_, err := tx.ExecContext(ctx, "UPDATE counter SET n = "+strconv.Itoa(n+1))
				return err
			},
		}))
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = runner.New(tg.db, tg.d, runner.Options{LockTimeout: time.Minute}).Run(ctx, upgradeAll(chain))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, tg.db, "SELECT n FROM counter"); n != 1 {
			t.Fatalf("counter %d; want 1: the Go revision ran more than once", n)
		}
	})
}
