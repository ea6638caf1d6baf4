package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// pollStep bounds each busy wait, so that a cancelled context is noticed.
const pollStep = 250 * time.Millisecond

// Begin starts a write transaction with BEGIN IMMEDIATE on conn: it is the
// migration lock. It first tries without waiting (busy timeout 0); when
// another connection holds the write lock it calls onWait once and retries,
// waiting through SQLite's busy timeout, until timeout has passed in all,
// and then returns a *dialect.LockTimeoutError.
//
// When foreign keys are enabled on conn, Begin follows SQLite's procedure
// for schema changes: it turns them off before BEGIN, Commit runs PRAGMA
// foreign_key_check and rolls back on any violation, and the setting is
// restored when the transaction ends. While the transaction is open the
// busy timeout is timeout, so that COMMIT waits for readers to finish;
// the connection's own busy timeout is restored when it ends.
//
// The statements that do not wait (the pragmas, and the first BEGIN
// IMMEDIATE, which runs with no busy timeout) run without ctx's
// cancellation: the driver would start a goroutine for each of them to
// watch ctx, and a migration of many revisions runs several per revision.
// ctx still ends the waiting.
func (d *Dialect) Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration, onWait func()) (dialect.Tx, error) {
	quick := context.WithoutCancel(ctx)
	t, err := suspendSettings(quick, conn)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		t.restore()
		return nil, fmt.Errorf("begin immediate transaction: %w", err)
	}
	attempt := quick // the first attempt does not wait
	err = takeWriteLock(ctx, conn, timeout, onWait, func() error {
		_, err := conn.ExecContext(attempt, "BEGIN IMMEDIATE")
		attempt = ctx
		if err != nil {
			return fmt.Errorf("begin immediate transaction: %w", err)
		}
		return nil
	})
	if err != nil {
		t.restore()
		return nil, err
	}
	if _, err := conn.ExecContext(quick, "PRAGMA busy_timeout = "+millis(timeout)); err != nil {
		_ = t.Rollback()
		return nil, fmt.Errorf("set busy timeout: %w", err)
	}
	return t, nil
}

// suspendSettings reads the settings of conn that a write transaction
// changes, turns foreign keys off when they are on and sets the busy
// timeout to 0, so that the first attempt at the write lock does not
// wait. The returned tx (not begun yet) restores them.
func suspendSettings(ctx context.Context, conn *sql.Conn) (*tx, error) {
	fk, busy, err := readSettings(ctx, conn)
	if err != nil {
		return nil, err
	}
	t := &tx{conn: conn, fk: fk, busy: busy}
	if fk {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return nil, fmt.Errorf("turn foreign keys off before the transaction: %w", err)
		}
	}
	if busy != 0 {
		if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
			t.restore()
			return nil, fmt.Errorf("set busy timeout: %w", err)
		}
	}
	return t, nil
}

// takeWriteLock calls take, one attempt at the write lock, until it does
// not fail with SQLITE_BUSY; any other error of take is returned as it is.
// Before the first retry it calls onWait once; each retry waits in SQLite
// for at most pollStep, until timeout has passed in all (a
// *dialect.LockTimeoutError) or ctx ends.
func takeWriteLock(ctx context.Context, conn *sql.Conn, timeout time.Duration, onWait func(), take func() error) error {
	start := time.Now()
	for err := take(); err != nil; err = take() {
		if !isBusy(err) {
			return err
		}
		remaining := timeout - time.Since(start)
		if remaining <= 0 {
			return &dialect.LockTimeoutError{Waited: timeout}
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("wait for the SQLite write lock: %w", err)
		}
		if onWait != nil {
			onWait()
			onWait = nil
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+millis(min(remaining, pollStep))); err != nil {
			return fmt.Errorf("set busy timeout: %w", err)
		}
	}
	return nil
}

// readSettings reads the connection's foreign_keys and busy_timeout
// pragmas, which Begin changes and its transaction's end restores. Two
// plain PRAGMA statements: unlike the pragma_ table functions, they need
// no read lock and no look at the schema.
func readSettings(ctx context.Context, conn *sql.Conn) (fk bool, busy int64, err error) {
	var on int64
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return false, 0, fmt.Errorf("read PRAGMA foreign_keys: %w", err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return false, 0, fmt.Errorf("read PRAGMA busy_timeout: %w", err)
	}
	return on == 1, busy, nil
}

func millis(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10)
}

// tx is a transaction begun with a raw BEGIN IMMEDIATE on one connection.
type tx struct {
	conn *sql.Conn
	fk   bool  // foreign keys were on before Begin
	busy int64 // the connection's busy timeout before Begin, in ms
	done bool
}

func (t *tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(ctx, query, args...)
}

func (t *tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(ctx, query, args...)
}

func (t *tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(ctx, query, args...)
}

// ForeignKeyError reports foreign key violations found before COMMIT; the
// transaction was rolled back.
type ForeignKeyError struct {
	// Violations describes each violation found, at most ten.
	Violations []string
}

// Error implements error.
func (e *ForeignKeyError) Error() string {
	return "foreign key check failed before commit, transaction rolled back: " + strings.Join(e.Violations, "; ")
}

func (t *tx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	ctx := context.Background()
	if t.fk {
		if err := foreignKeyCheck(ctx, t.conn); err != nil {
			return errors.Join(err, t.Rollback())
		}
	}
	if _, err := t.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return errors.Join(fmt.Errorf("commit: %w", err), t.Rollback())
	}
	t.done = true
	return t.restore()
}

// foreignKeyCheck reports violations as a *ForeignKeyError.
func foreignKeyCheck(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("PRAGMA foreign_key_check: %w", err)
	}
	defer rows.Close()
	var v []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return fmt.Errorf("PRAGMA foreign_key_check: %w", err)
		}
		if len(v) < 10 {
			if rowid.Valid {
				v = append(v, table+" row "+strconv.FormatInt(rowid.Int64, 10)+" has no parent in "+parent)
			} else {
				v = append(v, "a row of "+table+" has no parent in "+parent)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("PRAGMA foreign_key_check: %w", err)
	}
	if len(v) > 0 {
		return &ForeignKeyError{Violations: v}
	}
	return nil
}

func (t *tx) Rollback() error {
	if t.done {
		return sql.ErrTxDone
	}
	t.done = true
	_, err := t.conn.ExecContext(context.Background(), "ROLLBACK")
	if err != nil && strings.Contains(err.Error(), "no transaction is active") {
		err = nil // SQLite already rolled back on its own
	}
	if err != nil {
		err = fmt.Errorf("rollback: %w", err)
	}
	return errors.Join(err, t.restore())
}

// restore resets the connection's busy timeout and turns foreign keys back on when
// Begin turned them off.
func (t *tx) restore() error {
	ctx := context.Background()
	var errs []error
	if _, err := t.conn.ExecContext(ctx, "PRAGMA busy_timeout = "+strconv.FormatInt(t.busy, 10)); err != nil {
		errs = append(errs, fmt.Errorf("reset busy timeout: %w", err))
	}
	if t.fk {
		if _, err := t.conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
			errs = append(errs, fmt.Errorf("turn foreign keys back on: %w", err))
		}
	}
	return errors.Join(errs...)
}
