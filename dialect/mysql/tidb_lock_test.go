package mysql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// The error TiDB v8.4 returned to GET_LOCK waiters under contention (six
// `retort upgrade` at once), as go-sql-driver/mysql reports it.
var tidbContention = &gomysql.MySQLError{Number: 1105, SQLState: [5]byte{'H', 'Y', '0', '0', '0'}, Message: "pessimistic lock retry limit reached"}

func TestTiDBLockRetryError(t *testing.T) {
	if !tidbLockRetry(tidbContention) || !tidbLockRetry(fmt.Errorf("take lock: %w", tidbContention)) {
		t.Error("TiDB's contention error is not recognised")
	}
	other := &gomysql.MySQLError{Number: 1105, Message: "some other unknown error"}
	if tidbLockRetry(other) || tidbLockRetry(errors.New("pessimistic lock retry limit reached")) {
		t.Error("another error 1105, or a non-server error, taken for TiDB's contention")
	}
}

func TestLockBackoff(t *testing.T) {
	for n, want := range []time.Duration{50, 100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		if got := lockBackoff(n, 0.5); got != want {
			t.Errorf("lockBackoff(%d, 0.5) = %s, want %s", n, got, want)
		}
		if lo, hi := lockBackoff(n, 0), lockBackoff(n, 0.999); lo != want/2 || hi <= want || hi >= want*3/2 {
			t.Errorf("lockBackoff(%d) jitter spans %s..%s, want [%s, %s)", n, lo, hi, want/2, want*3/2)
		}
	}
}

// fakeClock is a lockClock whose time moves only when waitLock pauses; it
// records the pauses.
type fakeClock struct {
	elapsed time.Duration
	pauses  []time.Duration
	jitters []float64 // drawn in turn, then 0.5
}

func (f *fakeClock) clock(start time.Time) lockClock {
	return lockClock{
		now: func() time.Time { return start.Add(f.elapsed) },
		sleep: func(ctx context.Context, d time.Duration) error {
			f.pauses = append(f.pauses, d)
			f.elapsed += d
			return ctx.Err()
		},
		jitter: func() float64 {
			if len(f.jitters) == 0 {
				return 0.5
			}
			j := f.jitters[0]
			f.jitters = f.jitters[1:]
			return j
		},
	}
}

// A waiter that meets TiDB's error retries, with lockBackoff's pauses, and
// gets the lock once the holder is gone.
func TestWaitLockRetriesTiDB(t *testing.T) {
	start := time.Now()
	f := &fakeClock{jitters: []float64{0, 0.999}}
	var waits []time.Duration
	got, err := waitLock(context.Background(), f.clock(start), start, 5*time.Second, func(ctx context.Context, wait time.Duration) (bool, error) {
		waits = append(waits, wait)
		if len(waits) < 3 {
			return false, fmt.Errorf("wait for lock: %w", tidbContention)
		}
		return true, nil
	})
	if !got || err != nil || len(waits) != 3 {
		t.Fatalf("got %v, %v after %d tries; want the lock on the third", got, err, len(waits))
	}
	// Jitter 0 halves the first pause, jitter 0.999 makes the second
	// almost one and a half times its 100ms.
	if want := []time.Duration{lockBackoff(0, 0), lockBackoff(1, 0.999)}; !slices.Equal(f.pauses, want) {
		t.Errorf("pauses %v, want %v", f.pauses, want)
	}
	// Each try waits in GET_LOCK for what is left of the timeout.
	for k, w := range waits {
		var before time.Duration
		for _, p := range f.pauses[:k] {
			before += p
		}
		if w != 5*time.Second-before {
			t.Errorf("try %d waited %s, want the rest of the timeout %s", k+1, w, 5*time.Second-before)
		}
	}
}

// A waiter that keeps meeting TiDB's error gives up when the timeout has
// passed, without an error (Lock then returns a LockTimeoutError), and
// never pauses past the timeout.
func TestWaitLockTiDBTimeout(t *testing.T) {
	start := time.Now()
	f := &fakeClock{}
	timeout := 2500 * time.Millisecond
	tries := 0
	got, err := waitLock(context.Background(), f.clock(start), start, timeout, func(ctx context.Context, wait time.Duration) (bool, error) {
		tries++
		return false, tidbContention
	})
	if got || err != nil {
		t.Fatalf("got %v, %v; want no lock and no error", got, err)
	}
	if f.elapsed != timeout {
		t.Errorf("paused %s in all, want exactly the timeout %s (pauses %v)", f.elapsed, timeout, f.pauses)
	}
	// 50, 100, 200, 400, 800ms (1550ms), then 950ms, the rest: the
	// backoff (1s) is cut at the timeout; a last try at the deadline.
	want := []time.Duration{50, 100, 200, 400, 800, 950}
	for k := range want {
		want[k] *= time.Millisecond
	}
	if !slices.Equal(f.pauses, want) || tries != len(want)+1 {
		t.Errorf("pauses %v after %d tries, want %v and %d tries", f.pauses, tries, want, len(want)+1)
	}
}

// Any other error stops the wait at once, and so does the end of the
// context during a pause.
func TestWaitLockOtherErrors(t *testing.T) {
	start := time.Now()
	boom := &gomysql.MySQLError{Number: 2013, Message: "Lost connection to MySQL server during query"}
	tries := 0
	_, err := waitLock(context.Background(), (&fakeClock{}).clock(start), start, 5*time.Second, func(ctx context.Context, wait time.Duration) (bool, error) {
		tries++
		return false, boom
	})
	if !errors.Is(err, boom) || tries != 1 {
		t.Errorf("other error: %v after %d tries; want it at once", err, tries)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tries = 0
	_, err = waitLock(ctx, (&fakeClock{}).clock(start), start, 5*time.Second, func(ctx context.Context, wait time.Duration) (bool, error) {
		tries++
		return false, tidbContention
	})
	if !errors.Is(err, context.Canceled) || tries != 1 {
		t.Errorf("cancelled: %v after %d tries; want context.Canceled after one", err, tries)
	}
}
