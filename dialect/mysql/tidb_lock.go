package mysql

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// TiDB implements GET_LOCK as a pessimistic write into
// mysql.advisory_locks: with two or more sessions waiting, a wait fails
// with "Error 1105 (HY000): pessimistic lock retry limit reached" instead of
// waiting its time out (observed on TiDB v8.4 with six migrators). That
// error means "someone else holds it, try again", so Lock retries it
// within its timeout, with an exponential backoff and jitter so that the
// waiters do not collide again in step.

// tidbLockRetry reports whether err is TiDB's GET_LOCK contention error.
func tidbLockRetry(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && me.Number == 1105 &&
		strings.Contains(me.Message, "pessimistic lock retry limit reached")
}

// lockBackoff is the pause before retry attempt n (0-based): 50 ms doubled
// each time up to 1 s, scaled by a jitter in [0.5, 1.5).
func lockBackoff(n int, jitter float64) time.Duration {
	d := 50 * time.Millisecond << min(n, 5)
	d = min(d, time.Second)
	return time.Duration(float64(d) * (0.5 + jitter))
}

// lockClock is how waitLock tells the time, pauses and draws its jitter
// (in [0, 1)); realClock is the one Lock uses.
type lockClock struct {
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func() float64
}

var realClock = lockClock{now: time.Now, sleep: sleepCtx, jitter: rand.Float64}

// sleepCtx pauses for d, or until ctx ends (its error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitLock calls try (one GET_LOCK waiting at most the time it is given)
// until it answers, retrying TiDB's contention error until timeout has
// passed since start: each try waits for the rest of the timeout, and
// each pause between tries is lockBackoff's, never past the timeout. It
// reports whether the lock was taken.
func waitLock(ctx context.Context, clock lockClock, start time.Time, timeout time.Duration, try func(ctx context.Context, wait time.Duration) (bool, error)) (bool, error) {
	for n := 0; ; n++ {
		remaining := timeout - clock.now().Sub(start)
		got, err := try(ctx, max(remaining, 0))
		if err == nil || !tidbLockRetry(err) {
			return got, err
		}
		if remaining <= 0 {
			return false, nil
		}
		if err := clock.sleep(ctx, min(lockBackoff(n, clock.jitter()), remaining)); err != nil {
			return false, err
		}
	}
}
