// Package sqlite is retort's SQLite dialect, on the pure-Go driver
// modernc.org/sqlite.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// Dialect is the SQLite dialect, made by New. It holds no state but
// SQLite's data: one value serves any number of databases and goroutines.
// QuoteIdent, VersionTableDDL and ServerVersion are written once for the
// dialects (dialect/internal/sqlx), from the data New gives them.
type Dialect struct {
	base
}

// base is sqlx.Base under a name of this package, so that the field that
// embeds it is unexported.
type base = sqlx.Base

// New returns the dialect. The revisions table is WITHOUT ROWID and the
// log's id is the rowid (not AUTOINCREMENT; the log is append-only), so
// that recording a revision touches as few pages as possible.
func New() *Dialect {
	return &Dialect{base{Quote: '"', Columns: sqlx.VersionColumns{
		Timestamp:        "timestamp",
		Integer:          "integer",
		Text:             "TEXT",
		LogID:            "integer PRIMARY KEY",
		RevisionsOptions: " WITHOUT ROWID",
	}, Version: version}}
}

// Name returns "sqlite".
func (d *Dialect) Name() string { return "sqlite" }

// Splitter returns sqlsplit.SQLite.
func (d *Dialect) Splitter() sqlsplit.Dialect { return sqlsplit.SQLite }

// Placeholder returns "?".
func (d *Dialect) Placeholder(n int) string { return "?" }

// QuoteLiteral quotes s in single quotes, doubling any inside.
func (d *Dialect) QuoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// MaxIdentLen returns 0: SQLite has no identifier length limit.
func (d *Dialect) MaxIdentLen() int { return 0 }

// NowUTC returns CURRENT_TIMESTAMP, which is UTC in SQLite.
func (d *Dialect) NowUTC() string { return "CURRENT_TIMESTAMP" }

// Lock is a no-op on SQLite: Begin's BEGIN IMMEDIATE is the lock. The
// returned unlock does nothing.
func (d *Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, timeout time.Duration, onWait func()) (func(context.Context) error, error) {
	return func(context.Context) error { return nil }, nil
}

// IsMissingTable reports whether err is SQLite's "no such table".
func (d *Dialect) IsMissingTable(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return strings.Contains(se.Error(), "no such table")
}

// sqliteBusy is SQLITE_BUSY; extended codes keep it in their low byte.
const sqliteBusy = 5

func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteBusy
}

func openError(u *dialect.URL, err error) error {
	return fmt.Errorf("open %s: %w (check that the directory exists and is writable, and that the file is an SQLite database)", u.Redacted(), err)
}
