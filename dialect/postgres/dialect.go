// Package postgres is retort's PostgreSQL dialect, on pgx through
// database/sql.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// Dialect is the PostgreSQL dialect, made by New. It holds no state but
// PostgreSQL's data: one value serves any number of databases and
// goroutines. QuoteIdent, VersionTableDDL, ServerVersion, Begin,
// SessionUser and TableSize are written once for the server dialects
// (dialect/internal/sqlx), from the data New gives them.
type Dialect struct {
	server
}

// server is sqlx.Server under a name of this package, so that the field
// that embeds it is unexported.
type server = sqlx.Server

var (
	_ dialect.Dialect       = (*Dialect)(nil)
	_ dialect.ErrorHinter   = (*Dialect)(nil)
	_ dialect.SessionUserer = (*Dialect)(nil)
	_ dialect.TableSizer    = (*Dialect)(nil)
)

// New returns the dialect.
func New() *Dialect {
	return &Dialect{server{
		Base:      sqlx.Base{Quote: '"', Columns: versionColumns, Version: version},
		UserQuery: "SELECT current_user",
		Size:      tableSize,
	}}
}

// Name returns "postgres".
func (d *Dialect) Name() string { return "postgres" }

// Splitter returns sqlsplit.Postgres.
func (d *Dialect) Splitter() sqlsplit.Dialect { return sqlsplit.Postgres }

// Placeholder returns "$n".
func (d *Dialect) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

// QuoteLiteral quotes s as a string literal. Single quotes are doubled.
// A string with a backslash is written as an escape string (E'...') with
// the backslashes doubled, so the literal means the same whatever
// standard_conforming_strings is set to.
func (d *Dialect) QuoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// MaxIdentLen returns 63, PostgreSQL's NAMEDATALEN - 1.
func (d *Dialect) MaxIdentLen() int { return 63 }

// NowUTC returns the current time as a UTC timestamp without time zone.
func (d *Dialect) NowUTC() string { return "(now() AT TIME ZONE 'UTC')" }

// Open connects with pgx to the URL as given. The connection it makes to
// find out that the server accepts the URL is the first one the handle
// hands out: it is not pinged again before its first use (see
// pingIfIdle), so that a short command such as "retort current" makes
// the connection and its queries and nothing else.
func (d *Dialect) Open(ctx context.Context, u *dialect.URL) (*sql.DB, error) {
	if u.Dialect != "postgres" {
		return nil, fmt.Errorf("open %s: not a postgres:// URL", u.Redacted())
	}
	// pgx parses the URL only when it connects, and reports a bad
	// parameter as a failed connection: parse it first, so that a fault
	// in the URL is reported as one.
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, pgURLError(u, err)
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(noteConnected), stdlib.OptionShouldPing(pingIfIdle))
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, pgOpenError(u, err)
	}
	c.Close()
	return db, nil
}

var _ dialect.OneTripQuerier = (*Dialect)(nil)

// OneTripArgs selects pgx's simple protocol for a query without
// arguments: one round trip, where pgx's default prepares the statement
// in a round trip of its own first. Only for a handle on pgx's driver
// (another driver would take the mode for an argument).
func (d *Dialect) OneTripArgs(db *sql.DB) []any {
	if db == nil || db.Driver() != stdlib.GetDefaultDriver() {
		return nil
	}
	return []any{pgx.QueryExecModeSimpleProtocol}
}

// connectedAt is the key under which noteConnected keeps the time a
// connection was made, in its pgconn.PgConn.CustomData.
const connectedAt = "retort.connected_at"

func noteConnected(_ context.Context, c *pgx.Conn) error {
	c.PgConn().CustomData()[connectedAt] = time.Now()
	return nil
}

// pingIfIdle is pgx's own rule for pinging a connection before
// database/sql reuses it, a ping when it was idle for more than a
// second, except that a connection never reused before counts its idle
// time from when it was made rather than from the zero time (which
// pinged every new connection on its first reuse, one more round trip
// for every short command).
func pingIfIdle(_ context.Context, p stdlib.ShouldPingParams) bool {
	idle := p.IdleDuration
	if at, ok := p.Conn.PgConn().CustomData()[connectedAt].(time.Time); ok {
		idle = min(idle, time.Since(at))
	}
	return idle > time.Second
}

// pgURLError reports a URL that pgx cannot use: the URL once, what is
// wrong with it, and where to look. The driver's error is not wrapped: its
// ConnString holds the password.
func pgURLError(u *dialect.URL, err error) error {
	reason := dialect.ScrubPassword(err, u.Password()).Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		// "cannot parse `URL`: why": the URL is in the message already.
		if _, why, ok := strings.Cut(reason, "`: "); ok {
			reason = why
		}
	}
	// Go's number-parsing errors in the user's words.
	reason = regexp.MustCompile(`strconv\.\w+: parsing ("[^"]*"): invalid syntax`).ReplaceAllString(reason, "$1 is not a number")
	reason = regexp.MustCompile(`strconv\.\w+: parsing ("[^"]*"): value out of range`).ReplaceAllString(reason, "$1 is out of range")
	hint := "fix that parameter in the URL, or the PG* environment variable that sets it"
	if strings.Contains(reason, "sslmode") {
		hint = "sslmode takes disable, allow, prefer, require, verify-ca or verify-full; PGSSLMODE sets it when the URL does not"
	}
	return fmt.Errorf("%w %q: %s (%s)", dialect.ErrBadURL, u.Redacted(), reason, hint)
}

func pgOpenError(u *dialect.URL, err error) error {
	hint := sqlx.ConnectHint
	if c := sqlState(err); c == "42704" || c == "22023" {
		// A run-time parameter in the URL the server does not know
		// (unrecognized configuration parameter) or a value it rejects.
		hint = "check the URL's parameters: the server rejected one of them"
	}
	return sqlx.ConnectError(u, err, hint)
}

// versionColumns are the types of the version tables' columns.
var versionColumns = sqlx.VersionColumns{
	Timestamp: "timestamp",
	Integer:   "integer",
	Text:      "text",
	LogID:     "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
}

// IsMissingTable reports SQLSTATE 42P01 (undefined_table).
func (d *Dialect) IsMissingTable(err error) bool {
	return sqlState(err) == "42P01"
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Hint explains three failures: a statement that cannot run inside a
// transaction block (SQLSTATE 25001) needs "-- Transaction: none" in the
// revision header; a revision that touches more tables than the lock table
// holds (SQLSTATE 53200, see lockHint) must be split or run without a
// transaction; and a failed CREATE INDEX CONCURRENTLY leaves an INVALID
// index behind, which is named so that it can be dropped before retrying.
func (d *Dialect) Hint(ctx context.Context, conn *sql.Conn, stmt string, err error) string {
	if sqlState(err) == "25001" {
		return "this statement cannot run inside a transaction: add `-- Transaction: none` to the revision header (and keep such statements in a revision of their own)"
	}
	if h := lockHint(err); h != "" {
		return h
	}
	if !strings.Contains(strings.ToUpper(stmt), "CONCURRENTLY") || conn == nil {
		return ""
	}
	rows, qerr := conn.QueryContext(ctx, `SELECT n.nspname, c.relname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT i.indisvalid AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2`)
	if qerr != nil {
		return ""
	}
	defer rows.Close()
	var all, named []string
	lower := strings.ToLower(stmt)
	for rows.Next() {
		var nsp, name string
		if rows.Scan(&nsp, &name) != nil {
			return ""
		}
		q := d.QuoteIdent(nsp) + "." + d.QuoteIdent(name)
		all = append(all, q)
		if strings.Contains(lower, strings.ToLower(name)) {
			named = append(named, q)
		}
	}
	if rows.Err() != nil || len(all) == 0 {
		return ""
	}
	if len(named) > 0 {
		all = named
	}
	return fmt.Sprintf("the failed statement left the INVALID index %s: drop it before retrying (DROP INDEX CONCURRENTLY %s)",
		strings.Join(all, ", "), all[0])
}

// lockKey maps a lock key to the 64-bit advisory lock id: FNV-1a of
// "retort:" + key, so projects with different version tables in one
// database do not block each other.
func lockKey(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte("retort:" + key))
	return int64(h.Sum64())
}
