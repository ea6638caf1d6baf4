package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// LockRetry is how upgrade and downgrade retry a statement that gave up
// waiting for a lock after the lock_timeout its revision set (where the
// dialect can tell, see dialect.LockTimeoutDetector): a statement of a
// "Transaction: none" revision is run again by itself; in a revision run
// in one transaction, the whole transaction is run again from its start.
// Retry n waits First * 2^(n-1), plus up to a quarter more at random so
// that several migrators and the application do not retry in step.
type LockRetry struct {
	// Retries is how many times a statement is retried (default 3); a
	// negative number turns retrying off.
	Retries int
	// First is the wait before the first retry (default 1s).
	First time.Duration
}

// The default LockRetry: 3 retries, about 1s, 2s and 4s apart: long
// enough for a short transaction holding the table to end, short enough
// that a stuck one fails the upgrade within seconds rather than queueing
// everything behind it.
const (
	defaultLockRetries    = 3
	defaultLockRetryFirst = time.Second
)

// policy is p with the defaults filled in.
func (p LockRetry) policy() LockRetry {
	if p.Retries == 0 {
		p.Retries = defaultLockRetries
	}
	if p.First <= 0 {
		p.First = defaultLockRetryFirst
	}
	return p
}

// delay is the wait before retry n (1-based); jitter(k) returns a number
// in [0, k).
func (p LockRetry) delay(n int, jitter func(int64) int64) time.Duration {
	d := p.First << (n - 1)
	return d + time.Duration(jitter(int64(d)/4+1))
}

// LockRetriedError is a statement's lock timeout after its last retry.
type LockRetriedError struct {
	// Retries is how many times it was retried; Waits the waits between
	// the tries.
	Retries int
	Waits   []time.Duration
	// Err is the last try's error.
	Err error
}

// Error says the lock timeout and how often it was retried.
func (e *LockRetriedError) Error() string {
	waits := make([]string, len(e.Waits))
	for i, w := range e.Waits {
		waits[i] = w.Round(100 * time.Millisecond).String()
	}
	return fmt.Sprintf("%v (retried %d times, after waiting %s: another session held a lock the statement needs all that time; find that session and end it, or rerun when it is done)",
		e.Err, e.Retries, strings.Join(waits, ", "))
}

// Unwrap returns the last try's error.
func (e *LockRetriedError) Unwrap() error { return e.Err }

// lockTimedOut reports whether err is a statement's lock timeout that
// the dialect can tell.
func (s *session) lockTimedOut(err error) bool {
	d, ok := s.d.(dialect.LockTimeoutDetector)
	return ok && err != nil && d.LockTimedOut(err)
}

// retrier counts the retries of one statement or transaction.
type retrier struct {
	s     *session
	p     LockRetry
	waits []time.Duration
}

func (s *session) retrier() *retrier { return &retrier{s: s, p: s.opts.LockRetry.policy()} }

// again reports whether statement i of st, which failed with err, runs
// again (retryable), after waiting for it (wait).
func (r *retrier) again(ctx context.Context, st *step, i int, err *error) bool {
	return r.retryable(st, err) && r.wait(ctx, st, i)
}

// retryable reports whether a statement of st that failed with err may
// run again: err is a lock timeout and retries are left. When the
// retries are used up, *err becomes a LockRetriedError.
func (r *retrier) retryable(st *step, err *error) bool {
	if st.isGo() || !r.s.lockTimedOut(*err) {
		return false
	}
	if len(r.waits) >= r.p.Retries {
		if len(r.waits) > 0 {
			*err = &LockRetriedError{Retries: len(r.waits), Waits: r.waits, Err: *err}
		}
		return false
	}
	return true
}

// wait reports the next retry of statement i of st as an EventRetry and
// waits for its turn; false when ctx ends meanwhile.
func (r *retrier) wait(ctx context.Context, st *step, i int) bool {
	n := len(r.waits) + 1
	d := r.p.delay(n, rand.Int64N)
	what := "it"
	if st.inTx(r.s.d) {
		what = "the revision's transaction, rolled back, from its start"
	}
	r.s.emit(Event{Kind: EventRetry, Revision: st.id(), Direction: st.Direction, Statement: i + 1, Count: st.count(), Duration: d,
		Message: fmt.Sprintf("statement %d of %d of revision %s (%s:%d) gave up waiting for a lock (lock timeout); retrying %s in %s (retry %d of %d)",
			i+1, st.count(), st.id(), st.rev.Path, st.line(i), what, d.Round(100*time.Millisecond), n, r.p.Retries)})
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	r.waits = append(r.waits, d)
	return true
}

// runTxRetrying runs a step in one transaction (runTx), and runs the
// whole transaction again while a statement of it gives up waiting for
// a lock: the rollback left the database at the revision before it.
func (s *session) runTxRetrying(ctx context.Context, st *step, state *State) (StepResult, error) {
	r := s.retrier()
	for {
		sr, err := s.runTx(ctx, st, state)
		var se *StatementError
		if err == nil || !errors.As(err, &se) {
			return sr, err
		}
		cause := se.Err
		if !r.again(ctx, st, se.Index-1, &cause) {
			if ctx.Err() != nil && s.lockTimedOut(cause) {
				return sr, s.txInterrupted(ctx, st, fmt.Sprintf("while waiting to retry statement %d of %d after a lock timeout", se.Index, se.Count))
			}
			se.Err = cause
			return sr, err
		}
	}
}

// execRetrying runs statement i of a step run statement by statement
// (outside a transaction), recording its start first where the dialect
// tracks that (markStarted): when it is the statement an earlier run
// stopped at, an invalid index its concurrent build left behind is
// dropped first; a try that gives up waiting for a lock took no effect
// and is run again (retry). It reports whether the statement ran.
func (r *stepRun) execRetrying(ctx context.Context, i int) (ran bool, err error) {
	if r.dec.resumed && i == r.dec.start {
		if err := r.dropInvalidIndex(ctx, i); err != nil {
			return false, r.statementFailed(ctx, i, err)
		}
	}
	rt := r.retrier()
	for {
		if err := r.markStarted(ctx, i); err != nil {
			return false, err
		}
		err := r.execStatement(ctx, r.st, i, r.conn, nil)
		if err == nil {
			return true, nil
		}
		if !r.retry(ctx, rt, i, &err) {
			return false, r.statementFailed(ctx, i, err)
		}
	}
}

// retry reports whether statement i, which failed with *err, runs again:
// it gave up waiting for a lock and retries are left (rt.retryable). Such
// a statement did not run, so its "started" record is set back before
// the wait: what a crash during the wait leaves resumes at the statement
// by itself, with nothing to resolve. After the wait, an invalid index
// its concurrent build may have left is dropped.
func (r *stepRun) retry(ctx context.Context, rt *retrier, i int, err *error) bool {
	if !rt.retryable(r.st, err) {
		return false
	}
	if r.at.started(i) && r.record(ctx, progress{done: i}) != nil {
		return false // statementFailed sets it back, or says how
	}
	if !rt.wait(ctx, r.st, i) {
		return false
	}
	if derr := r.dropInvalidIndex(ctx, i); derr != nil {
		*err = derr
		return false
	}
	return true
}

// dropInvalidIndex drops the invalid index that an interrupted or failed
// CREATE INDEX CONCURRENTLY of statement i left behind, and says so, so
// that the statement builds it again. It is called only where that build
// was this step's own (the statement an earlier run stopped at, or a try
// of this run): an invalid index is also what another session's build in
// progress looks like.
func (r *stepRun) dropInvalidIndex(ctx context.Context, i int) error {
	d, ok := r.d.(dialect.InvalidIndexDropper)
	if !ok || r.st.isGo() {
		return nil
	}
	name, err := d.DropInvalidIndex(ctx, r.conn, r.st.stmts[i].Text)
	if err != nil {
		return err
	}
	if name != "" {
		r.emit(Event{Kind: EventInvalidIndex, Revision: r.st.id(), Direction: r.st.Direction, Statement: i + 1, Count: r.n,
			Message: fmt.Sprintf("index %s was left INVALID by an interrupted or failed CREATE INDEX CONCURRENTLY: dropped it (DROP INDEX CONCURRENTLY); statement %d of %d of revision %s (%s:%d) builds it again",
				name, i+1, r.n, r.st.id(), r.st.rev.Path, r.st.line(i))})
	}
	return nil
}
