// Package dialect defines what retort needs of a database: opening it,
// quoting, locking, the version tables, statement splitting and
// inspection. Each supported database implements Dialect in its own
// sub-package; all dialect-specific behaviour lives there.
package dialect

import (
	"context"
	"database/sql"
	"time"

	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// Dialect is one database family.
type Dialect interface {
	// Name is the canonical name: "sqlite", "postgres" or "mysql".
	Name() string
	// Open connects to the database the URL names and checks the
	// connection. Errors never contain the password.
	Open(ctx context.Context, u *URL) (*sql.DB, error)
	// Splitter is the lexical flavour used to split this dialect's scripts.
	Splitter() sqlsplit.Dialect
	// Capabilities are the facts about the engine that change how retort
	// drives it.
	Capabilities() Capabilities
	// Begin starts the transaction in which one revision runs on conn. On
	// SQLite it is BEGIN IMMEDIATE, which is also the migration lock; it
	// waits at most timeout, calls onWait once when it has to wait, and
	// returns a *LockTimeoutError when the time runs out. PostgreSQL and
	// MySQL return an ordinary *sql.Tx. The Tx must be ended (Commit or
	// Rollback) before conn is used outside it.
	Begin(ctx context.Context, conn *sql.Conn, timeout time.Duration, onWait func()) (Tx, error)
	// Lock takes the session-wide migration lock on conn (PostgreSQL
	// pg_advisory_lock, MySQL GET_LOCK; a no-op on SQLite, where Begin
	// locks). It waits at most timeout, calling onWait once when it has to
	// wait, and returns ErrLockTimeout when the time runs out.
	Lock(ctx context.Context, conn *sql.Conn, key string, timeout time.Duration, onWait func()) (unlock func(context.Context) error, err error)
	// Placeholder returns the bind parameter marker for the n-th (1-based)
	// argument: "$1" or "?".
	Placeholder(n int) string
	// QuoteIdent quotes an identifier, always.
	QuoteIdent(name string) string
	// QuoteLiteral quotes a string literal.
	QuoteLiteral(s string) string
	// MaxIdentLen is the longest identifier in bytes (0: no limit).
	MaxIdentLen() int
	// VersionTableDDL returns the statements that create the version
	// tables when they do not exist yet.
	VersionTableDDL(t VersionTables) []string
	// Inspect reads the schema of the database conn is connected to.
	// retort's own version tables are left out.
	Inspect(ctx context.Context, conn *sql.Conn, opts InspectOptions) (*schema.Schema, error)
	// Format prints a schema as canonical, runnable SQL for this dialect:
	// deterministic, objects in dependency order.
	Format(s *schema.Schema) string
	// IsMissingTable recognises the error a query gets when it reads a
	// table that does not exist, so that read-only commands can treat
	// absent version tables as "nothing applied" without creating them.
	IsMissingTable(err error) bool
	// NowUTC is the SQL expression for the current UTC time that fits a
	// version-table timestamp column, for offline scripts.
	NowUTC() string
	// ServerVersion names the version of the server db runs on, as far as
	// it can change what inspection returns: the major version
	// (PostgreSQL "15"), or major.minor where minor releases change
	// behaviour (MariaDB "mariadb-10.11", SQLite "3.46"). Autogenerate's
	// head-schema cache keys on it.
	ServerVersion(ctx context.Context, db *sql.DB) (string, error)
	Renderer
	Scratcher
}

// Capabilities are yes/no facts (and one count) about a database engine
// that change what retort does with it, as opposed to the optional
// interfaces, which are behaviour only some dialects have.
type Capabilities struct {
	// TransactionalDDL: DDL statements can be rolled back. When false,
	// the runner records progress after every statement.
	TransactionalDDL bool
	// BeginLocks: Begin is itself the migration lock (SQLite's BEGIN
	// IMMEDIATE). Callers then take the lock per transaction rather than
	// for a whole run, and must re-check inside each transaction that its
	// work is still to be done.
	BeginLocks bool
	// DataModifyingCTEs: WITH clauses may hold INSERT, UPDATE and DELETE
	// (PostgreSQL), so the runner writes a revision's version row and its
	// log row with one statement.
	DataModifyingCTEs bool
	// Privileges: Inspect reads the privileges granted on the schema's
	// objects when InspectOptions.Privileges is set, so that callers can
	// say they are ignored when it is not.
	Privileges bool
	// LoadConns is how many connections a desired-schema load may use at
	// once (source.LoadParallel); 1 or less loads on one connection.
	LoadConns int
	// Models is how the schema that Go structs describe (package models)
	// is written in this dialect.
	Models ModelTypes
}

// ModelTypes is a dialect's SQL for the logical column types of package
// models (docs/models.md has the table), and how it numbers keys.
type ModelTypes struct {
	Bool, Int8, Int16, Int32, Int64 string
	Uint8, Uint16, Uint32, Uint64   string
	Float32, Float64                string
	String, Bytes, Time, JSON, UUID string
	// SizedString is the string type with a size, as a format with one %d.
	SizedString string
	// AutoIncrement is the clause after a numbered key column's type.
	AutoIncrement string
	// RowidKey: only a single INTEGER PRIMARY KEY column can be numbered,
	// and foreign keys are written inside CREATE TABLE, since ALTER TABLE
	// cannot add them (SQLite).
	RowidKey bool
}

// VersionTables names retort's two tables.
type VersionTables struct {
	// Revisions holds one row per applied revision (default
	// "retort_revisions").
	Revisions string
	// Log is the append-only audit log (default "retort_log").
	Log string
}

// DefaultVersionTables returns the default table names.
func DefaultVersionTables() VersionTables {
	return VersionTables{Revisions: "retort_revisions", Log: "retort_log"}
}

// WithDefaults returns t with each empty name set to its default.
func (t VersionTables) WithDefaults() VersionTables {
	def := DefaultVersionTables()
	if t.Revisions == "" {
		t.Revisions = def.Revisions
	}
	if t.Log == "" {
		t.Log = def.Log
	}
	return t
}

// InspectOptions limits and configures inspection.
type InspectOptions struct {
	// Schemas limits inspection to these namespaces (PostgreSQL); empty
	// means every non-system namespace.
	Schemas []string
	// Exclude names tables to leave out besides the version tables.
	Exclude []string
	// VersionTables are left out of the result.
	VersionTables VersionTables
	// Privileges asks for the privileges granted on the schema's objects
	// (Schema.Grants), where the dialect supports them.
	Privileges bool
}
