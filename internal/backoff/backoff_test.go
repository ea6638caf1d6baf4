package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		first, limit time.Duration
		n            int
		j            float64
		want         time.Duration
	}{
		{50 * ms, time.Second, 0, 0, 50 * ms},
		{50 * ms, time.Second, 3, 0, 400 * ms},
		{50 * ms, time.Second, 5, 0, time.Second},
		{50 * ms, time.Second, 40, 0, time.Second},
		{time.Second, 0, 2, 0, 4 * time.Second},
		{time.Second, 0, 2, 0.5, 4500 * ms},
		{400 * ms, 0, 0, 0.999, 400*ms + 99900*time.Microsecond},
	} {
		if got := Delay(c.first, c.limit, c.n, c.j); got != c.want {
			t.Errorf("Delay(%s, %s, %d, %v) = %s, want %s", c.first, c.limit, c.n, c.j, got, c.want)
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep = %v", err)
	}
}
