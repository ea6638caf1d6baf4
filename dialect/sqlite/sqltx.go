package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/retortdb/retort/dialect"
)

// BeginSQLTx starts the write transaction of one revision on conn as a
// *sql.Tx, for Go revisions. database/sql begins SQLite transactions with
// a deferred BEGIN (unless the DSN sets _txlock, which retort cannot rely
// on for a *sql.DB the application opened), so the transaction's first
// statement is a write to table that changes nothing (DELETE ... WHERE 0):
// it takes the write lock before anything is read, which is what BEGIN
// IMMEDIATE does. As with Begin, the first attempt does not wait; when
// another connection holds the write lock BeginSQLTx calls onWait once and
// retries until timeout has passed in all, then returns a
// *dialect.LockTimeoutError. Foreign keys and the busy timeout are handled
// as Begin handles them: off during the transaction (with PRAGMA
// foreign_key_check before COMMIT) and restored when it ends.
func (d *Dialect) BeginSQLTx(ctx context.Context, conn *sql.Conn, table string, timeout time.Duration, onWait func()) (dialect.SQLTx, error) {
	settings, err := suspendSettings(ctx, conn)
	if err != nil {
		return nil, err
	}
	t := &sqlTx{settings: settings}
	lock := "DELETE FROM " + d.QuoteIdent(table) + " WHERE 0"
	err = takeWriteLock(ctx, conn, timeout, onWait, func() error {
		stx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		if _, err := stx.ExecContext(ctx, lock); err != nil {
			_ = stx.Rollback()
			return fmt.Errorf("take the write lock: %w", err)
		}
		t.Tx = stx
		return nil
	})
	if err != nil {
		t.settings.restore()
		return nil, err
	}
	if _, err := t.Tx.ExecContext(ctx, "PRAGMA busy_timeout = "+millis(timeout)); err != nil {
		_ = t.Rollback()
		return nil, fmt.Errorf("set busy timeout: %w", err)
	}
	return t, nil
}

// sqlTx is a *sql.Tx holding the write lock, with the connection settings
// to restore when it ends. The *sql.Tx's methods serve as they are, but
// Commit and Rollback.
type sqlTx struct {
	*sql.Tx
	settings *tx  // only its conn, fk and busy, for restore
	restored bool // the settings were restored
}

// restore restores the connection's settings once. database/sql may have
// ended the transaction already (its context was cancelled): the settings
// are restored all the same.
func (t *sqlTx) restore() error {
	if t.restored {
		return nil
	}
	t.restored = true
	return t.settings.restore()
}

func (t *sqlTx) SQL() *sql.Tx { return t.Tx }

// Commit runs PRAGMA foreign_key_check first when foreign keys were on,
// rolling back on a violation, commits and restores the settings.
func (t *sqlTx) Commit() error {
	if t.settings.fk {
		if err := foreignKeyCheck(context.Background(), t.Tx); err != nil {
			return errors.Join(err, t.Rollback())
		}
	}
	if err := t.Tx.Commit(); err != nil {
		return errors.Join(fmt.Errorf("commit: %w", err), t.restore())
	}
	return t.restore()
}

// Rollback rolls back and restores the settings.
func (t *sqlTx) Rollback() error {
	err := t.Tx.Rollback()
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		err = fmt.Errorf("rollback: %w", err)
	}
	return errors.Join(err, t.restore())
}
