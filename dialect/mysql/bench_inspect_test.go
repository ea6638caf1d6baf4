package mysql

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
)

// BenchmarkInspect2000 inspects a generated schema of 2,000 tables (10
// columns, 2 secondary indexes and 1 foreign key each), created once in a
// fresh test database. It reports ms/op, the peak live heap during
// inspection (peak-MB) and the bytes allocated per inspection (alloc-MB).
func BenchmarkInspect2000(b *testing.B) {
	db := newInspectDB(b)
	createGenerated(b, db, 2000)
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()

	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		s := make([]metrics.Sample, 1)
		copy(s, sample)
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				metrics.Read(s)
				mu.Lock()
				peak = max(peak, s[0].Value.Uint64())
				mu.Unlock()
			}
		}
	}()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	n := 0
	for b.Loop() {
		s, _, err := inspect(ctx, conn, dialect.InspectOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Tables) != 2000 {
			b.Fatalf("inspected %d tables, want 2000", len(s.Tables))
		}
		n++
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	close(done)
	wg.Wait()
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(n), "ms/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/(1<<20), "alloc-MB/op")
}
