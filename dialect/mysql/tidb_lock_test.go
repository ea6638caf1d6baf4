package mysql

import (
	"context"
	"errors"
	"fmt"
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

// A waiter that meets TiDB's error retries and gets the lock once the
// holder is gone; one that keeps meeting it times out without an error; any
// other error stops at once.
func TestWaitLockRetriesTiDB(t *testing.T) {
	ctx := context.Background()
	calls := 0
	got, err := waitLock(ctx, time.Now(), 5*time.Second, func(ctx context.Context, wait time.Duration) (bool, error) {
		calls++
		if calls < 3 {
			return false, tidbContention
		}
		return true, nil
	})
	if !got || err != nil || calls != 3 {
		t.Errorf("retry: got %v, %v after %d calls; want the lock on the third", got, err, calls)
	}

	start := time.Now()
	got, err = waitLock(ctx, start, 300*time.Millisecond, func(ctx context.Context, wait time.Duration) (bool, error) {
		return false, tidbContention
	})
	if got || err != nil {
		t.Errorf("contention until the timeout: got %v, %v; want no lock and no error (a LockTimeoutError for the caller)", got, err)
	}
	if el := time.Since(start); el < 300*time.Millisecond || el > 2*time.Second {
		t.Errorf("gave up after %s, want about the 300ms timeout", el)
	}

	boom := &gomysql.MySQLError{Number: 2013, Message: "Lost connection to MySQL server during query"}
	calls = 0
	_, err = waitLock(ctx, time.Now(), 5*time.Second, func(ctx context.Context, wait time.Duration) (bool, error) {
		calls++
		return false, boom
	})
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("other error: %v after %d calls; want it at once", err, calls)
	}
}
