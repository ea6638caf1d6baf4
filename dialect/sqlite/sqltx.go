package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/retortdb/retort/dialect"
)

var _ dialect.SQLTxBeginner = (*Dialect)(nil)

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
	fk, busy, err := readSettings(ctx, conn)
	if err != nil {
		return nil, err
	}
	t := &sqlTx{settings: &tx{conn: conn, fk: fk, busy: busy}}
	if t.settings.fk {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return nil, fmt.Errorf("turn foreign keys off before the transaction: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.settings.restore()
		return nil, fmt.Errorf("set busy timeout: %w", err)
	}
	lock := "DELETE FROM " + d.QuoteIdent(table) + " WHERE 0"
	start := time.Now()
	waited := false
	for {
		stx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.settings.restore()
			return nil, fmt.Errorf("begin transaction: %w", err)
		}
		_, err = stx.ExecContext(ctx, lock)
		if err == nil {
			t.tx = stx
			break
		}
		_ = stx.Rollback()
		if !isBusy(err) {
			t.settings.restore()
			return nil, fmt.Errorf("take the write lock: %w", err)
		}
		remaining := timeout - time.Since(start)
		if remaining <= 0 {
			t.settings.restore()
			return nil, &dialect.LockTimeoutError{Waited: timeout}
		}
		if err := ctx.Err(); err != nil {
			t.settings.restore()
			return nil, fmt.Errorf("wait for the SQLite write lock: %w", err)
		}
		if !waited {
			waited = true
			if onWait != nil {
				onWait()
			}
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = "+millis(min(remaining, pollStep))); err != nil {
			t.settings.restore()
			return nil, fmt.Errorf("set busy timeout: %w", err)
		}
	}
	if _, err := t.tx.ExecContext(ctx, "PRAGMA busy_timeout = "+millis(timeout)); err != nil {
		_ = t.Rollback()
		return nil, fmt.Errorf("set busy timeout: %w", err)
	}
	return t, nil
}

// sqlTx is a *sql.Tx holding the write lock, with the connection settings
// to restore when it ends.
type sqlTx struct {
	tx       *sql.Tx
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

func (t *sqlTx) SQL() *sql.Tx { return t.tx }

func (t *sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *sqlTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// Commit runs PRAGMA foreign_key_check first when foreign keys were on,
// rolling back on a violation, commits and restores the settings.
func (t *sqlTx) Commit() error {
	if t.settings.fk {
		if err := foreignKeyCheck(context.Background(), t.tx); err != nil {
			return errors.Join(err, t.Rollback())
		}
	}
	if err := t.tx.Commit(); err != nil {
		return errors.Join(fmt.Errorf("commit: %w", err), t.restore())
	}
	return t.restore()
}

// Rollback rolls back and restores the settings.
func (t *sqlTx) Rollback() error {
	err := t.tx.Rollback()
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		err = fmt.Errorf("rollback: %w", err)
	}
	return errors.Join(err, t.restore())
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
