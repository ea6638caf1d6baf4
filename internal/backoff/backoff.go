// Package backoff is the pause between tries wherever retort waits for
// another session to let go of something (a lock a statement needs,
// TiDB's advisory lock): doubling, optionally capped, with jitter so that
// waiters that failed together do not try again together.
package backoff

import (
	"context"
	"time"
)

// Delay is the pause before retry n (0-based): first doubled n times, at
// most limit when limit > 0, plus up to a quarter of it drawn from j in
// [0, 1).
func Delay(first, limit time.Duration, n int, j float64) time.Duration {
	d := first << min(n, 30)
	if limit > 0 {
		d = min(d, limit)
	}
	return d + time.Duration(float64(d)/4*j)
}

// Sleep pauses for d, or until ctx ends (its error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
