package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
)

// TestBeginSQLTxHoldsTheWriteLock checks that BeginSQLTx's transaction,
// a deferred BEGIN by database/sql, holds the write lock from the start as
// BEGIN IMMEDIATE does: another connection's BEGIN IMMEDIATE and
// BeginSQLTx wait, report the wait, time out, and get the lock once it is
// released.
func TestBeginSQLTxHoldsTheWriteLock(t *testing.T) {
	d := sqlite.New()
	path := filepath.Join(t.TempDir(), "lock.db")
	a, b := open(t, "sqlite:"+path), open(t, "sqlite:"+path)
	if _, err := a.Exec("CREATE TABLE revs (id text)"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ca, _ := a.Conn(ctx)
	defer ca.Close()
	cb, _ := b.Conn(ctx)
	defer cb.Close()
	txa, err := d.BeginSQLTx(ctx, ca, "revs", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cb.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.ExecContext(ctx, "BEGIN IMMEDIATE"); err == nil || !strings.Contains(err.Error(), "locked") {
		if err == nil {
			_, _ = cb.ExecContext(ctx, "ROLLBACK")
		}
		_ = txa.Rollback()
		t.Fatalf("BEGIN IMMEDIATE beside BeginSQLTx: %v; want SQLITE_BUSY (database is locked)", err)
	}
	waits := 0
	_, err = d.BeginSQLTx(ctx, cb, "revs", 200*time.Millisecond, func() { waits++ })
	var lt *dialect.LockTimeoutError
	if !errors.As(err, &lt) || waits != 1 {
		t.Fatalf("BeginSQLTx while locked: %v, %d waits; want LockTimeoutError and one onWait", err, waits)
	}
	// A Begin (BEGIN IMMEDIATE) waits for it too.
	if _, err := d.Begin(ctx, cb, 100*time.Millisecond, nil); !errors.As(err, &lt) {
		t.Fatalf("Begin beside BeginSQLTx: %v; want LockTimeoutError", err)
	}
	done := make(chan error, 1)
	go func() {
		tx, err := d.BeginSQLTx(ctx, cb, "revs", 10*time.Second, nil)
		if err == nil {
			_, err = tx.SQL().ExecContext(ctx, "INSERT INTO revs VALUES ('b')")
		}
		if err == nil {
			err = tx.Commit()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := txa.SQL().ExecContext(ctx, "INSERT INTO revs VALUES ('a')"); err != nil {
		t.Fatal(err)
	}
	if err := txa.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("BeginSQLTx after release: %v", err)
	}
	var n int
	if err := a.QueryRow("SELECT count(*) FROM revs").Scan(&n); err != nil || n != 2 {
		t.Fatalf("rows %d, %v; want both transactions' rows", n, err)
	}
	var busy int
	if err := ca.QueryRowContext(ctx, "SELECT * FROM pragma_busy_timeout").Scan(&busy); err != nil || busy != int(sqlite.DefaultBusyTimeout.Milliseconds()) {
		t.Errorf("busy_timeout after the transaction %d, %v: want the connection's own restored", busy, err)
	}
}

// TestBeginSQLTxForeignKeys follows the foreign-key procedure of Begin:
// off during the transaction, checked before COMMIT, restored after.
func TestBeginSQLTxForeignKeys(t *testing.T) {
	d := sqlite.New()
	db := open(t, "sqlite:"+filepath.Join(t.TempDir(), "fk.db")+"?_pragma=foreign_keys(1)")
	ctx := context.Background()
	for _, s := range []string{
		"CREATE TABLE revs (id text)",
		"CREATE TABLE parent (id integer PRIMARY KEY)",
		"CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id))",
		"INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (10, 1)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	tx, err := d.BeginSQLTx(ctx, conn, "revs", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM parent"); err != nil {
		t.Fatalf("delete with foreign keys off: %v", err)
	}
	err = tx.Commit()
	var fe *sqlite.ForeignKeyError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "child row 10 has no parent in parent") {
		t.Fatalf("commit with a violation: %v", err)
	}
	var n, fk int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM parent").Scan(&n); err != nil || n != 1 {
		t.Errorf("parent rows %d, %v: want 1 (rolled back)", n, err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys after the transaction %d: want it back on", fk)
	}
}
