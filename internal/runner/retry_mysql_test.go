package runner_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// mysqlLockRevisions are a table t and a revision that sets a 1s
// lock_wait_timeout, then alters t twice (DDL, which commits by itself:
// each statement's start is recorded before it runs).
func mysqlLockRevisions() []*script.Revision {
	return []*script.Revision{
		rev("m1", "", "CREATE TABLE t (id integer PRIMARY KEY);\n", "DROP TABLE t;\n"),
		rev("m2", "m1", "SET SESSION lock_wait_timeout = 1;\nALTER TABLE t ADD COLUMN c integer;\nALTER TABLE t ADD COLUMN d integer;\n",
			"ALTER TABLE t DROP COLUMN d;\nALTER TABLE t DROP COLUMN c;\n"),
	}
}

// rawProgress reads m2's row as stored, from another connection (State
// would wait for the migration lock the run holds): what a crash at this
// moment would leave. statements_done is negative while a statement is
// recorded as started.
func rawProgress(t *testing.T, db *sql.DB) (string, int) {
	t.Helper()
	var state string
	var done int
	if err := db.QueryRow("SELECT state, statements_done FROM retort_revisions WHERE revision = 'm2'").Scan(&state, &done); err != nil {
		t.Errorf("read m2's row: %v", err)
	}
	return state, done
}

// columnsCD counts t's columns c and d.
func columnsCD(t *testing.T, tg *target) int {
	return count(t, tg.db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 't' AND column_name IN ('c', 'd')")
}

// TestMySQLLockTimeoutRetried: on MariaDB/MySQL, a DDL statement that
// gives up waiting for a metadata lock another connection holds for 1.5s
// (lock_wait_timeout 1s, error 1205) did not run: it is retried, and the
// upgrade succeeds. While each retry waits, the row says statement 1 ran
// and nothing is in flight (so a crash then resumes at the statement by
// itself, with nothing to resolve); afterwards it says applied, 3 done.
func TestMySQLLockTimeoutRetried(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := mysqlLockRevisions()
		var log eventLog
		var mu sync.Mutex
		var during []string
		onEvent := func(e runner.Event) {
			log.add(e)
			if e.Kind == runner.EventRetry {
				state, done := rawProgress(t, tg.db)
				mu.Lock()
				during = append(during, state+" "+strconv.Itoa(done))
				mu.Unlock()
			}
		}
		rn := runner.New(tg.db, tg.d, runner.Options{OnEvent: onEvent})
		if e := upgradeThroughLock(ctx, t, tg, rn, chain, &log); e.Revision != "m2" || e.Statement != 2 || !strings.Contains(e.Message, "gave up waiting for a lock") {
			t.Errorf("retry event = %+v", e)
		}
		for _, d := range during {
			if d != runner.StatePartial+" 1" {
				t.Errorf("row while waiting to retry: %s, want %s 1 (statement 1 done, none in flight)", d, runner.StatePartial)
			}
		}
		if n := columnsCD(t, tg); n != 2 {
			t.Errorf("columns c, d: %d, want 2", n)
		}
		if row := rowNow(t, rn, "m2"); row.State != runner.StateApplied || row.StatementsDone != 3 || row.InFlight != 0 {
			t.Errorf("row after the upgrade: %+v, want applied, 3 done", row)
		}
	}, "mysql")
}

// TestMySQLLockTimeoutGivesUp: with the metadata lock held throughout,
// the retries are bounded and the error says how many there were and
// that the file is fine; the row says exactly what ran (statement 1,
// nothing in flight), so that once the lock is gone the next upgrade
// resumes at statement 2 without resolve and finishes.
func TestMySQLLockTimeoutGivesUp(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := mysqlLockRevisions()
		var log eventLog
		rn := runner.New(tg.db, tg.d, runner.Options{OnEvent: log.add, LockRetry: runner.LockRetry{Retries: 2, First: 50 * time.Millisecond}})
		if _, err := rn.Run(ctx, upgradeAll(chain[:1])); err != nil {
			t.Fatal(err)
		}
		released := holdTableLock(t, tg, 6*time.Second)
		_, err := rn.Run(ctx, upgradeAll(chain))
		var lr *runner.LockRetriedError
		var se *runner.StatementError
		if !errors.As(err, &lr) || !errors.As(err, &se) {
			t.Fatalf("err = %v, want a StatementError holding a LockRetriedError", err)
		}
		if lr.Retries != 2 || se.Index != 2 || !strings.Contains(err.Error(), "retried 2 times") || !strings.Contains(err.Error(), "the file is fine") {
			t.Errorf("err = %v (retries %d, statement %d)", err, lr.Retries, se.Index)
		}
		if strings.Contains(err.Error(), "--statement-") {
			t.Errorf("a statement that did not run asks for resolve:\n%v", err)
		}
		if n := len(log.of(runner.EventRetry)); n != 2 {
			t.Errorf("%d retry events, want 2", n)
		}
		if n := columnsCD(t, tg); n != 0 {
			t.Errorf("columns c, d: %d after giving up, want 0", n)
		}
		resumesAtStatement2(t, tg, rn, chain, released)
	}, "mysql")
}

// TestMySQLLockTimeoutInterrupted: an interrupt while waiting to retry
// (as a crash there would) leaves the row at statement 1 done with
// nothing in flight, and says so; the next upgrade resumes at statement
// 2 by itself.
func TestMySQLLockTimeoutInterrupted(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		chain := mysqlLockRevisions()
		rn := runner.New(tg.db, tg.d, runner.Options{LockRetry: runner.LockRetry{First: 5 * time.Second}})
		if _, err := rn.Run(ctxT(t), upgradeAll(chain[:1])); err != nil {
			t.Fatal(err)
		}
		released := holdTableLock(t, tg, 3*time.Second)
		ctx, cancel := context.WithTimeout(ctxT(t), 2*time.Second)
		defer cancel()
		_, err := rn.Run(ctx, upgradeAll(chain))
		var ie *runner.InterruptedError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "while waiting to retry statement 2 of 3 after a lock timeout") || strings.Contains(err.Error(), "resolve") {
			t.Fatalf("err = %v, want an InterruptedError while waiting to retry, without resolve", err)
		}
		resumesAtStatement2(t, tg, rn, chain, released)
	}, "mysql")
}

// resumesAtStatement2 checks that m2's row says exactly what ran
// (statement 1, nothing in flight), and that once the lock is released
// the next upgrade resumes m2 at statement 2 by itself and finishes it.
func resumesAtStatement2(t *testing.T, tg *target, rn *runner.Runner, chain []*script.Revision, released <-chan struct{}) {
	t.Helper()
	if row := rowNow(t, rn, "m2"); row.State != runner.StatePartial || row.StatementsDone != 1 || row.InFlight != 0 {
		t.Fatalf("m2's row: %+v, want partial, 1 done, none in flight", row)
	}
	<-released
	res, err := rn.Run(ctxT(t), upgradeAll(chain))
	if err != nil || len(res.Steps) != 1 || res.Steps[0].ResumedAt != 2 {
		t.Fatalf("upgrade once the lock is gone: %+v, %v; want m2 resumed at statement 2", res, err)
	}
	if n := columnsCD(t, tg); n != 2 {
		t.Errorf("columns c, d: %d, want 2", n)
	}
}
