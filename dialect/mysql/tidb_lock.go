package mysql

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/retortdb/retort/internal/backoff"
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

// The pauses between tries: 50 ms doubled each time up to 1 s, with
// jitter (backoff.Delay).
const (
	tidbLockFirst = 50 * time.Millisecond
	tidbLockMax   = time.Second
)

// lockClock is how waitLock tells the time, pauses and draws its jitter
// (in [0, 1)); realClock is the one Lock uses.
type lockClock struct {
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func() float64
}

var realClock = lockClock{now: time.Now, sleep: backoff.Sleep, jitter: rand.Float64}

// waitLock calls try (one GET_LOCK waiting at most the time it is given)
// until it answers, retrying TiDB's contention error until timeout has
// passed since start: each try waits for the rest of the timeout, and
// each pause between tries is backoff.Delay's, never past the timeout. It
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
		if err := clock.sleep(ctx, min(backoff.Delay(tidbLockFirst, tidbLockMax, n, clock.jitter()), remaining)); err != nil {
			return false, err
		}
	}
}
