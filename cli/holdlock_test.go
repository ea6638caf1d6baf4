package cli

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/retortdb/retort/internal/testdb"
)

// heldLocks are the table locks a scenario holds on other connections.
type heldLocks struct {
	mu      sync.Mutex
	release []func()
}

// cmdHoldLock holds a lock on TABLE from another connection of the
// scenario's database, as an application's open transaction would, until
// DURATION has passed, unlock runs, or the scenario ends; it returns once
// the lock is held: holdlock TABLE DURATION. PostgreSQL: LOCK TABLE ...
// IN ACCESS EXCLUSIVE MODE. MySQL/MariaDB: a transaction that has read
// the table, which holds its shared metadata lock (every DDL on it
// waits).
func cmdHoldLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: holdlock TABLE DURATION")
	}
	d, err := time.ParseDuration(args[1])
	ts.Check(err)
	db := ts.Value("db").(*testdb.DB)
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	ts.Check(err)
	tx, err := conn.BeginTx(ctx, nil)
	ts.Check(err)
	lock := "SELECT * FROM " + args[0]
	if db.Dialect == "postgres" {
		lock = "LOCK TABLE " + args[0] + " IN ACCESS EXCLUSIVE MODE"
	}
	rows, err := tx.QueryContext(ctx, lock)
	ts.Check(err)
	rows.Close()
	release := releaseOnce(tx, conn)
	t := time.AfterFunc(d, release)
	h := ts.Value("holds").(*heldLocks)
	h.mu.Lock()
	h.release = append(h.release, func() { t.Stop(); release() })
	h.mu.Unlock()
}

// cmdUnlock releases every lock holdlock holds: unlock
func cmdUnlock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: unlock")
	}
	ts.Value("holds").(*heldLocks).releaseAll()
}

func (h *heldLocks) releaseAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.release {
		r()
	}
	h.release = nil
}

// releaseOnce ends tx and closes conn, once.
func releaseOnce(tx *sql.Tx, conn *sql.Conn) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			tx.Rollback()
			conn.Close()
		})
	}
}
