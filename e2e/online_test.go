package e2e

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/script"
)

// onlineChange is the revision of the online test: an index, a foreign
// key, a NOT NULL column with a default, and a unique constraint, on a
// table with rows, as migrate generates them.
var onlineChange = []string{
	"CREATE INDEX items_org ON items (org_id)",
	"ALTER TABLE items ADD CONSTRAINT items_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id)",
	"ALTER TABLE items ADD COLUMN status text DEFAULT 'new' NOT NULL",
	"ALTER TABLE items ADD CONSTRAINT items_email_key UNIQUE (email)",
}

// TestOnlineUpgradeStalls measures, on PostgreSQL, how long a writer
// stalls while the revision above is upgraded on a table of
// RETORT_ONLINE_ROWS rows (default 1,000,000) with a reader holding a
// lock for 2 s every 3 s: once as generated, once in migrate --online's
// form. The online form must not fail a write and must not stall the
// writer longer than the lock timeout plus 1 s. It takes minutes: set
// RETORT_ONLINE_BENCH=1 to run it. Figures are in BENCHMARKS.md.
func TestOnlineUpgradeStalls(t *testing.T) {
	if os.Getenv("RETORT_ONLINE_BENCH") == "" {
		t.Skip("set RETORT_ONLINE_BENCH=1 (and RETORT_TEST_POSTGRES) to run the online upgrade benchmark")
	}
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("RETORT_ONLINE_ROWS")); err == nil && n > 0 {
		rows = n
	}
	const lockTimeout = 5 * time.Second
	online, err := lint.OnlineRewrite("postgres", onlineChange, lockTimeout, false)
	if err != nil {
		t.Fatal(err)
	}
	plain := runOnlineCase(t, rows, onlineChange, false)
	fast := runOnlineCase(t, rows, online.Statements, online.NoTransaction)
	t.Logf("rows %d | generated: upgrade %s, writer's longest stall %s, failed writes %d | --online: upgrade %s, longest stall %s, failed writes %d",
		rows, plain.upgrade, plain.maxStall, plain.failed, fast.upgrade, fast.maxStall, fast.failed)
	if fast.failed > 0 {
		t.Errorf("--online: %d writes failed", fast.failed)
	}
	if fast.maxStall > lockTimeout+time.Second {
		t.Errorf("--online: the writer stalled %s, more than the lock timeout %s + 1s", fast.maxStall, lockTimeout)
	}
}

type onlineResult struct {
	upgrade, maxStall time.Duration
	failed            int64
}

// runOnlineCase fills a fresh database, starts the writer and the reader,
// upgrades the revision made of stmts, and stops them.
func runOnlineCase(t *testing.T, rows int, stmts []string, noTx bool) onlineResult {
	t.Helper()
	live := newLiveDB(t, "postgres")
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE orgs (id bigint PRIMARY KEY)",
		"INSERT INTO orgs SELECT g FROM generate_series(1, 1000) g",
		"CREATE TABLE items (id bigint PRIMARY KEY, org_id bigint, email text, note text)",
		"INSERT INTO items SELECT g, g % 1000 + 1, 'e' || g, '' FROM generate_series(1, " + strconv.Itoa(rows) + ") g",
		"ANALYZE items",
	} {
		if _, err := live.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rev := &script.Revision{ID: "b00000000001", Message: "online", NoTransaction: noTx, Path: "online.sql",
		Up: script.Section{SQL: script.JoinStatements(stmts), Line: 1, Present: true}, Down: script.Section{Present: true, Irreversible: true}}
	m, err := retort.New(live.dialect, live.db, nil, retort.WithRevisions(rev))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var res onlineResult
	var maxStall atomic.Int64
	wg.Add(2)
	go func() { defer wg.Done(); onlineWriter(ctx, live, rows, stop, &maxStall, &res.failed) }()
	go func() { defer wg.Done(); onlineReader(ctx, live, stop) }()
	time.Sleep(time.Second)
	start := time.Now()
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		t.Errorf("upgrade: %v", err)
	}
	res.upgrade = time.Since(start).Round(10 * time.Millisecond)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	res.maxStall = time.Duration(maxStall.Load()).Round(10 * time.Millisecond)
	return res
}

// onlineWriter inserts a row and updates another, one statement at a
// time, recording the longest a statement took and the ones that failed.
func onlineWriter(ctx context.Context, live *liveDB, rows int, stop chan struct{}, maxStall *atomic.Int64, failed *int64) {
	next := rows + 1
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		q, args := "INSERT INTO items (id, org_id, email, note) VALUES ($1, 1, $2, '')", []any{next, "w" + strconv.Itoa(next)}
		if i%2 == 1 {
			q, args = "UPDATE items SET note = 'x' WHERE id = $1", []any{1 + i%rows}
		} else {
			next++
		}
		t0 := time.Now()
		if _, err := live.db.ExecContext(ctx, q, args...); err != nil {
			atomic.AddInt64(failed, 1)
		}
		if d := int64(time.Since(t0)); d > maxStall.Load() {
			maxStall.Store(d)
		}
	}
}

// onlineReader holds ACCESS SHARE on items for 2 s every 3 s, as a long
// report query would: DDL waiting behind it must give up at its lock
// timeout rather than queue every writer behind itself for longer.
func onlineReader(ctx context.Context, live *liveDB, stop chan struct{}) {
	for {
		tx, err := live.db.BeginTx(ctx, nil)
		if err != nil {
			return
		}
		_, _ = tx.ExecContext(ctx, "SELECT count(*) FROM items WHERE id < 10")
		select {
		case <-stop:
			_ = tx.Rollback()
			return
		case <-time.After(2 * time.Second):
		}
		_ = tx.Rollback()
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
		}
	}
}
