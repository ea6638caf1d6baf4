package runner_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// holdTableLock locks table t from a second connection and releases it
// after hold; the returned channel is closed once it is released.
// PostgreSQL: LOCK TABLE ... IN ACCESS EXCLUSIVE MODE. MySQL/MariaDB: a
// transaction that has read t, which holds t's shared metadata lock that
// every DDL on t waits for.
func holdTableLock(t *testing.T, tg *target, hold time.Duration) <-chan struct{} {
	t.Helper()
	ctx := ctxT(t)
	conn, err := tg.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lock := "LOCK TABLE t IN ACCESS EXCLUSIVE MODE"
	if tg.name == "mysql" {
		lock = "SELECT * FROM t"
	}
	rows, err := tx.QueryContext(ctx, lock)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(hold)
		tx.Rollback()
		conn.Close()
	}()
	t.Cleanup(func() { <-done })
	return done
}

// eventLog collects the runner's events.
type eventLog struct {
	mu     sync.Mutex
	events []runner.Event
}

func (l *eventLog) add(e runner.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) of(kind runner.EventKind) []runner.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []runner.Event
	for _, e := range l.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// lockRevisions are a table t and a revision that alters it with a
// 500ms lock_timeout, in one transaction or (none) statement by
// statement.
func lockRevisions(none bool) []*script.Revision {
	base := rev("a1", "", "CREATE TABLE t (id integer PRIMARY KEY);\n", "DROP TABLE t;\n")
	alter := rev("a2", "a1", "SET lock_timeout = '500ms';\nALTER TABLE t ADD COLUMN c integer;\n", "ALTER TABLE t DROP COLUMN c;\n")
	alter.NoTransaction = none
	return []*script.Revision{base, alter}
}

// TestPostgresLockTimeoutRetried: a statement that gives up waiting for a
// lock another connection holds for 1.5s (lock_timeout 500ms) is retried
// with backoff, each retry reported, and the upgrade succeeds; both for
// a revision in one transaction (retried from its start) and for a
// "Transaction: none" one (the statement retried by itself).
func TestPostgresLockTimeoutRetried(t *testing.T) {
	for _, none := range []bool{false, true} {
		name := "transaction"
		if none {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			tg := newTarget(t, "postgres")
			ctx := ctxT(t)
			chain := lockRevisions(none)
			var log eventLog
			rn := runner.New(tg.db, tg.d, runner.Options{OnEvent: log.add})
			e := upgradeThroughLock(ctx, t, tg, rn, chain, &log)
			if e.Revision != "a2" || e.Statement != 2 || e.Duration < time.Second || !strings.Contains(e.Message, "gave up waiting for a lock") {
				t.Errorf("retry event = %+v", e)
			}
			if n := count(t, tg.db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'"); n != 1 {
				t.Errorf("column c: %d, want 1", n)
			}
		})
	}
}

// upgradeThroughLock applies chain's first revision, then upgrades the
// rest while holdTableLock holds t for 1.5s, which must succeed after 1
// to 3 retries; it returns the first retry's event.
func upgradeThroughLock(ctx context.Context, t *testing.T, tg *target, rn *runner.Runner, chain []*script.Revision, log *eventLog) runner.Event {
	t.Helper()
	if _, err := rn.Run(ctx, upgradeAll(chain[:1])); err != nil {
		t.Fatal(err)
	}
	holdTableLock(t, tg, 1500*time.Millisecond)
	if _, err := rn.Run(ctx, upgradeAll(chain)); err != nil {
		t.Fatalf("upgrade with a lock held for 1.5s: %v", err)
	}
	retries := log.of(runner.EventRetry)
	if len(retries) == 0 || len(retries) > 3 {
		t.Fatalf("%d retry events, want 1 to 3: %+v", len(retries), log.events)
	}
	return retries[0]
}

// TestPostgresLockTimeoutGivesUp: with the lock held throughout, the
// retries are bounded and the error says how many there were; the
// revision is not applied.
func TestPostgresLockTimeoutGivesUp(t *testing.T) {
	tg := newTarget(t, "postgres")
	ctx := ctxT(t)
	chain := lockRevisions(false)
	var log eventLog
	rn := runner.New(tg.db, tg.d, runner.Options{OnEvent: log.add, LockRetry: runner.LockRetry{Retries: 2, First: 50 * time.Millisecond}})
	if _, err := rn.Run(ctx, upgradeAll(chain[:1])); err != nil {
		t.Fatal(err)
	}
	holdTableLock(t, tg, 5*time.Second)
	_, err := rn.Run(ctx, upgradeAll(chain))
	var lr *runner.LockRetriedError
	var se *runner.StatementError
	if !errors.As(err, &lr) || !errors.As(err, &se) {
		t.Fatalf("err = %v, want a StatementError holding a LockRetriedError", err)
	}
	if lr.Retries != 2 || !strings.Contains(err.Error(), "retried 2 times") || se.Index != 2 {
		t.Errorf("err = %v (retries %d, statement %d)", err, lr.Retries, se.Index)
	}
	if n := len(log.of(runner.EventRetry)); n != 2 {
		t.Errorf("%d retry events, want 2", n)
	}
	st, err := rn.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Row("a2"); ok {
		t.Errorf("a2 has a row after its transaction failed")
	}
}

// TestPostgresInvalidIndexRebuilt: a CREATE UNIQUE INDEX CONCURRENTLY
// that fails on duplicate rows leaves an INVALID index; once the rows are
// fixed, resuming drops it (saying so) and builds it again.
func TestPostgresInvalidIndexRebuilt(t *testing.T) {
	tg := newTarget(t, "postgres")
	ctx := ctxT(t)
	base := rev("b1", "", "CREATE TABLE t (id integer PRIMARY KEY, name text);\nINSERT INTO t VALUES (1, 'x'), (2, 'x');\n", "DROP TABLE t;\n")
	idx := rev("b2", "b1", "CREATE UNIQUE INDEX CONCURRENTLY t_name ON t (name);\n", "DROP INDEX CONCURRENTLY t_name;\n")
	idx.NoTransaction = true
	chain := []*script.Revision{base, idx}
	var log eventLog
	rn := runner.New(tg.db, tg.d, runner.Options{OnEvent: log.add})
	if _, err := rn.Run(ctx, upgradeAll(chain)); err == nil {
		t.Fatal("the unique index over duplicate rows was built")
	}
	if n := count(t, tg.db, "SELECT count(*) FROM pg_index WHERE indexrelid = 't_name'::regclass AND NOT indisvalid"); n != 1 {
		t.Fatalf("%d invalid indexes t_name, want 1", n)
	}
	if _, err := tg.db.Exec("DELETE FROM t WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := rn.Run(ctx, upgradeAll(chain)); err != nil {
		t.Fatalf("resume after fixing the rows: %v", err)
	}
	ev := log.of(runner.EventInvalidIndex)
	if len(ev) != 1 || ev[0].Statement != 1 || !strings.Contains(ev[0].Message, "index t_name was left INVALID") {
		t.Errorf("invalid-index events = %+v", ev)
	}
	if n := count(t, tg.db, "SELECT count(*) FROM pg_index WHERE indexrelid = 't_name'::regclass AND indisvalid"); n != 1 {
		t.Errorf("%d valid indexes t_name, want 1", n)
	}
}

// TestPostgresLockTimeoutInterrupted: an interrupt while waiting to retry
// stops the run there, as an interrupt, with the revision rolled back.
func TestPostgresLockTimeoutInterrupted(t *testing.T) {
	tg := newTarget(t, "postgres")
	chain := lockRevisions(false)
	rn := runner.New(tg.db, tg.d, runner.Options{LockRetry: runner.LockRetry{First: 5 * time.Second}})
	if _, err := rn.Run(ctxT(t), upgradeAll(chain[:1])); err != nil {
		t.Fatal(err)
	}
	holdTableLock(t, tg, 2*time.Second)
	ctx, cancel := context.WithTimeout(ctxT(t), 1500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := rn.Run(ctx, upgradeAll(chain))
	var ie *runner.InterruptedError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "while waiting to retry statement 2 of 2 after a lock timeout") {
		t.Fatalf("err = %v, want an InterruptedError while waiting to retry", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the interrupt took %s to stop the wait", d)
	}
}

// TestPostgresInvalidIndexNotOurs: a fresh revision (no earlier run of it
// stopped part-way) never drops an INVALID index of the name it builds:
// that is also what another session's build in progress looks like. The
// statement fails as the server says, and the index is left alone.
func TestPostgresInvalidIndexNotOurs(t *testing.T) {
	tg := newTarget(t, "postgres")
	ctx := ctxT(t)
	base := rev("c1", "", "CREATE TABLE t (id integer PRIMARY KEY, name text);\nINSERT INTO t VALUES (1, 'x'), (2, 'x');\n", "DROP TABLE t;\n")
	rn := runner.New(tg.db, tg.d, runner.Options{})
	if _, err := rn.Run(ctx, upgradeAll([]*script.Revision{base})); err != nil {
		t.Fatal(err)
	}
	// Someone else's failed build, outside retort.
	if _, err := tg.db.Exec("CREATE UNIQUE INDEX CONCURRENTLY t_name ON t (name)"); err == nil {
		t.Fatal("the unique index over duplicate rows was built")
	}
	idx := rev("c2", "c1", "CREATE INDEX CONCURRENTLY t_name ON t (name);\n", "DROP INDEX CONCURRENTLY t_name;\n")
	idx.NoTransaction = true
	var log eventLog
	rn = runner.New(tg.db, tg.d, runner.Options{OnEvent: log.add})
	if _, err := rn.Run(ctx, upgradeAll([]*script.Revision{base, idx})); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v, want the server's 'already exists'", err)
	}
	if ev := log.of(runner.EventInvalidIndex); len(ev) != 0 {
		t.Errorf("dropped an index it did not build: %+v", ev)
	}
	if n := count(t, tg.db, "SELECT count(*) FROM pg_index WHERE indexrelid = 't_name'::regclass AND NOT indisvalid"); n != 1 {
		t.Errorf("%d invalid indexes t_name, want the other session's 1 left alone", n)
	}
}
