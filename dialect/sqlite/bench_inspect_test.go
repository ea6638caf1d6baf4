package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// genTable returns the DDL of generated table i: 10 columns, 2 indexes and
// a foreign key to the previous table (the first refers to itself).
func genTable(i int) string {
	ref := i - 1
	if ref < 0 {
		ref = 0
	}
	return fmt.Sprintf(`CREATE TABLE t%04d (
  id INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES t%04d (id) ON DELETE CASCADE,
  name VARCHAR(80) NOT NULL,
  code TEXT COLLATE NOCASE UNIQUE,
  amount NUMERIC(10,2) DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  flag BOOLEAN NOT NULL DEFAULT 0,
  note TEXT,
  qty INT CHECK (qty >= 0),
  total REAL GENERATED ALWAYS AS (amount * qty) VIRTUAL
);
CREATE INDEX t%04d_name ON t%04d (name, created_at DESC);
CREATE INDEX t%04d_parent ON t%04d (parent_id) WHERE parent_id IS NOT NULL;
`, i, ref, i, i, i, i)
}

// BenchmarkInspect2000 inspects a generated schema of 2,000 tables (10
// columns, 2 indexes and 1 foreign key each), created once in a fresh
// database. It reports ms/op, the bytes allocated per inspection (alloc-MB)
// and the peak heap in use sampled during the runs (peak-heap-MB).
func BenchmarkInspect2000(b *testing.B) {
	x := testdb.New(b, "sqlite")
	ctx := context.Background()
	var ddl strings.Builder
	ddl.WriteString("BEGIN;\n")
	for i := range 2000 {
		ddl.WriteString(genTable(i))
	}
	ddl.WriteString("COMMIT;\n")
	if _, err := x.DB.ExecContext(ctx, ddl.String()); err != nil {
		b.Fatal(err)
	}
	conn, err := x.DB.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	d := New()

	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		s, err := d.Inspect(ctx, conn, dialect.InspectOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Tables) != 2000 {
			b.Fatalf("inspected %d tables, want 2000", len(s.Tables))
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	close(stop)
	<-done
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
