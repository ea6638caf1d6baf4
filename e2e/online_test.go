package e2e

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
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
	online, err := lint.OnlineRewrite(sqlsplit.Postgres, onlineChange, lint.OnlineOptions{LockTimeout: lockTimeout, StatementTimeout: engine.DefaultOnlineStatementTimeout})
	if err != nil {
		t.Fatal(err)
	}
	plain := runOnlineCase(t, "postgres", rows, onlineChange, false)
	fast := runOnlineCase(t, "postgres", rows, online.Statements, online.NoTransaction)
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

// onlineSetup fills the test tables, per dialect.
var onlineSetup = map[string][]string{
	"postgres": {
		"CREATE TABLE orgs (id bigint PRIMARY KEY)",
		"INSERT INTO orgs SELECT g FROM generate_series(1, 1000) g",
		"CREATE TABLE items (id bigint PRIMARY KEY, org_id bigint, email text, note text)",
		"INSERT INTO items SELECT g, g % 1000 + 1, 'e' || g, '' FROM generate_series(1, ROWS) g",
		"ANALYZE items",
	},
	"mysql": { // MariaDB's sequence engine (seq_1_to_N)
		"CREATE TABLE orgs (id bigint PRIMARY KEY)",
		"INSERT INTO orgs SELECT seq FROM seq_1_to_1000",
		"CREATE TABLE items (id bigint PRIMARY KEY, org_id bigint, email varchar(40), note varchar(40))",
		"INSERT INTO items SELECT seq, seq % 1000 + 1, CONCAT('e', seq), '' FROM seq_1_to_ROWS",
		"ANALYZE TABLE items",
	},
}

// runOnlineCase fills a fresh database, starts the writer and the reader,
// upgrades the revision made of stmts, and stops them.
func runOnlineCase(t *testing.T, dialect string, rows int, stmts []string, noTx bool) onlineResult {
	t.Helper()
	live := newLiveDB(t, dialect)
	ctx := context.Background()
	for _, q := range onlineSetup[dialect] {
		q = strings.ReplaceAll(q, "ROWS", strconv.Itoa(rows))
		if _, err := live.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rev := &script.Revision{ID: "b00000000001", Message: "online", NoTransaction: noTx, Path: "online.sql",
		Up: script.Section{SQL: script.JoinStatements(stmts), Line: 1, Present: true}, Down: script.Section{Present: true, Irreversible: true}}
	m, err := engine.New(live.dialect, live.db, nil, engine.WithRevisions(rev))
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
		p := live.dialect.Placeholder
		q, args := "INSERT INTO items (id, org_id, email, note) VALUES ("+p(1)+", 1, "+p(2)+", '')", []any{next, "w" + strconv.Itoa(next)}
		if i%2 == 1 {
			q, args = "UPDATE items SET note = 'x' WHERE id = "+p(1), []any{1 + i%rows}
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

// TestOnlineUpgradeStallsMariaDB is the same measure on MariaDB: the
// index, the NOT NULL column with a default and the unique constraint, as
// generated and with --online's ALGORITHM/LOCK clauses; the foreign key,
// which MariaDB adds only by copying the table, is what --online refuses.
func TestOnlineUpgradeStallsMariaDB(t *testing.T) {
	if os.Getenv("RETORT_ONLINE_BENCH") == "" {
		t.Skip("set RETORT_ONLINE_BENCH=1 (and RETORT_TEST_MYSQL) to run the online upgrade benchmark")
	}
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("RETORT_ONLINE_ROWS")); err == nil && n > 0 {
		rows = n
	}
	const lockTimeout = 5 * time.Second
	change := []string{onlineChange[0], onlineChange[2], onlineChange[3]}
	target, _ := lint.ParseTarget("mariadb-10.11")
	l, err := lint.New(lint.Options{Dialect: sqlsplit.MySQL, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	setup := &script.Revision{ID: "s", Up: script.Section{SQL: script.JoinStatements(onlineSetup["mysql"][:3]), Line: 1, Present: true}}
	if _, err := l.Revision(setup, false); err != nil {
		t.Fatal(err)
	}
	var refused *lint.OnlineRefusedError
	opts := lint.OnlineOptions{LockTimeout: lockTimeout}
	if _, err := l.Online([]string{onlineChange[1]}, opts); !errors.As(err, &refused) {
		t.Errorf("--online did not refuse the foreign key: %v", err)
	}
	online, err := l.Online(change, opts)
	if err != nil {
		t.Fatal(err)
	}
	plain := runOnlineCase(t, "mysql", rows, change, false)
	fast := runOnlineCase(t, "mysql", rows, online.Statements, false)
	t.Logf("rows %d | generated: upgrade %s, writer's longest stall %s, failed writes %d | --online: upgrade %s, longest stall %s, failed writes %d",
		rows, plain.upgrade, plain.maxStall, plain.failed, fast.upgrade, fast.maxStall, fast.failed)
	if fast.failed > 0 {
		t.Errorf("--online: %d writes failed", fast.failed)
	}
	if fast.maxStall > lockTimeout+time.Second {
		t.Errorf("--online: the writer stalled %s, more than the lock timeout %s + 1s", fast.maxStall, lockTimeout)
	}
}
