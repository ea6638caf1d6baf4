package sqlx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// Base is what every dialect does the same way over data of its own:
// quoting identifiers, the version tables' DDL and reading the server's
// version. A dialect embeds one, which its New fills in from the
// dialect's data, so that the dialect states only that data. Its zero
// value is not ready.
type Base struct {
	// Quote is the character identifiers are quoted in: '"' or '`'.
	Quote byte
	// Columns types the version tables' columns.
	Columns VersionColumns
	// Version is how ServerVersion is read.
	Version Version
}

// Version is how a dialect reads its server's version: Query selects it
// as text, and Name turns that text into the name ServerVersion returns.
type Version struct {
	Query string
	Name  func(text string) (string, error)
}

// QuoteIdent quotes name in the dialect's quote character, doubling any
// inside.
func (b Base) QuoteIdent(name string) string {
	q := string(b.Quote)
	return q + strings.ReplaceAll(name, q, q+q) + q
}

// VersionTableDDL returns the CREATE TABLE IF NOT EXISTS statements of
// retort's version tables t (see VersionColumns).
func (b Base) VersionTableDDL(t dialect.VersionTables) []string {
	return VersionTableDDL(b.QuoteIdent, t, b.Columns)
}

// ServerVersion reads the server's version with b.Version.
func (b Base) ServerVersion(ctx context.Context, db *sql.DB) (string, error) {
	v, err := QueryString(ctx, db, b.Version.Query, "the server version")
	if err != nil {
		return "", err
	}
	return b.Version.Name(v)
}

// Server is what the server dialects (PostgreSQL, MySQL) do the same way
// besides Base: an ordinary transaction, the session's user and the
// catalog's figures of a table's size. Its zero value is not ready.
type Server struct {
	Base
	// UserQuery selects the session's user, for SessionUser.
	UserQuery string
	// Size is how TableSize reads a table's size.
	Size CatalogSize
}

// CatalogSize is how a dialect reads a table's size from its catalog:
// Query takes the table's name as its one argument and selects the
// estimated row count and the size in bytes, from the catalog Catalog
// names (in an error).
type CatalogSize struct {
	Query, Catalog string
}

// Begin starts an ordinary transaction on conn. timeout and onWait are
// unused: the migration lock is the dialect's Lock. (On MySQL, DDL inside
// it commits implicitly: it serves the version-row updates.)
func (s Server) Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration, onWait func()) (dialect.Tx, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	return tx, nil
}

// SessionUser returns the session's user, as s.UserQuery selects it.
func (s Server) SessionUser(ctx context.Context, conn *sql.Conn) (string, error) {
	return QueryString(ctx, conn, s.UserQuery, "the session user")
}

// TableSize reads the estimated rows and bytes of table with s.Size,
// without reading the table; ok is false when there is no such table.
func (s Server) TableSize(ctx context.Context, db *sql.DB, table string) (size dialect.TableSize, ok bool, err error) {
	err = db.QueryRowContext(ctx, s.Size.Query, table).Scan(&size.Rows, &size.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return size, false, nil
	}
	if err != nil {
		return size, false, fmt.Errorf("read the size of table %s from %s: %w", table, s.Size.Catalog, err)
	}
	return size, true, nil
}
