package dialect

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Tx is the transaction in which one revision runs. *sql.Tx implements it;
// SQLite returns its own implementation, because its BEGIN IMMEDIATE (which
// is also the migration lock) cannot be expressed through database/sql.
//
// Commit and Rollback take no context: once started, ending a transaction
// must not be cut short by a cancelled context.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	Commit() error
	Rollback() error
}

// The interfaces below are optional: a dialect implements those that apply
// to it, and callers find them with a type assertion.

// ErrorHinter explains a failed statement: what the user can do about it.
// Hint returns "" when it has nothing to add. conn is the connection the
// statement failed on, outside any transaction; Hint may query it.
type ErrorHinter interface {
	Hint(ctx context.Context, conn *sql.Conn, stmt string, err error) string
}

// SessionUserer reports the database user of a connection, for the audit
// log.
type SessionUserer interface {
	SessionUser(ctx context.Context, conn *sql.Conn) (string, error)
}

// SQLTxBeginner is implemented by dialects whose Begin does not return a
// *sql.Tx (SQLite). BeginSQLTx starts the same transaction as Begin, with
// the same lock, waiting and connection settings, as a *sql.Tx that Go
// code (a Go revision) can use. table names a table that exists: the
// transaction takes the write lock at once by a statement on it that
// changes nothing.
type SQLTxBeginner interface {
	BeginSQLTx(ctx context.Context, conn *sql.Conn, table string, timeout time.Duration, onWait func()) (SQLTx, error)
}

// SQLTx is a Tx that is a *sql.Tx underneath. Commit and Rollback must be
// called on the SQLTx, not on the *sql.Tx, so that the dialect's work at
// the end of the transaction is done.
type SQLTx interface {
	Tx
	// SQL returns the underlying transaction.
	SQL() *sql.Tx
}

// OfflineWrapper is implemented by dialects whose offline scripts need
// more than the statements: what the runner does on its connection that
// a script cannot take for granted (SQLite).
type OfflineWrapper interface {
	OfflineWrap() OfflineWrap
}

// OfflineWrap is what an offline script puts around its statements.
type OfflineWrap struct {
	// Preamble is the script's first lines, written as they are: not SQL
	// statements but directives of the shell the script is meant for
	// (the sqlite3 shell's .bail on).
	Preamble []string
	// Before and After go around each revision's transaction; Check just
	// before its COMMIT. Check must undo the transaction by itself when it
	// fails: a shell that goes on after an error would otherwise commit
	// it.
	Before, Check, After []string
}

// ScrubPassword returns err with every occurrence of password in its text
// replaced by "****", and every URL in it redacted. The result keeps err in
// its chain for errors.Is and errors.As, but its Error text is the scrubbed
// one. It returns err unchanged when err is nil.
func ScrubPassword(err error, password string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "****")
	}
	msg = Redact(msg)
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

// Is lets errors.Is see the original error's chain.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// As lets errors.As see the original error's chain, for typed driver
// errors (their own text may hold the password: print the outer error).
func (e *scrubbedError) As(target any) bool { return errors.As(e.err, target) }

// ImplicitCommitter is implemented by dialects whose DDL commits on its own
// (MySQL). Where a statement does not, the runner runs it in one
// transaction with its progress record, so that a crash can never leave a
// data change done but unrecorded (and run twice on resume).
type ImplicitCommitter interface {
	// CommitsImplicitly reports whether stmt commits by itself (DDL, and
	// anything the dialect cannot tell apart from it).
	CommitsImplicitly(stmt string) bool
}

// QueryKiller is implemented by dialects whose server goes on running a
// statement after the client gave up on it (MySQL: a cancelled query's
// connection is dropped, but the server finishes the statement). The
// runner reads the session id once per session and, when its context is
// cancelled during a statement, stops the statement from another
// connection and waits for it to end.
type QueryKiller interface {
	// SessionID returns the server's id of conn's session.
	SessionID(ctx context.Context, conn *sql.Conn) (int64, error)
	// KillQuery stops the statement that session id is running, from
	// another connection of db. The session itself stays open.
	KillQuery(ctx context.Context, db *sql.DB, id int64) error
}

// StatementRejecter tells apart a statement the server refused (an error
// it reported, after which the statement has no effect) from one whose
// outcome is unknown (a lost connection, an interrupted statement), for
// statements that commit by themselves.
type StatementRejecter interface {
	// Rejected reports whether err is the server's report that the
	// statement failed without effect.
	Rejected(err error) bool
}

// OneTripQuerier is implemented by dialects whose driver sends a query
// without arguments in more than one round trip unless told otherwise
// (pgx prepares every query before it runs it). OneTripArgs are the
// arguments to pass to QueryContext on db with such a query to have it
// sent in one round trip: none when db's driver is not the one the
// dialect knows.
type OneTripQuerier interface {
	OneTripArgs(db *sql.DB) []any
}

// TenantSchemaer is implemented by a dialect whose databases hold schemas
// that can each be a tenant's own namespace, with its own version tables
// (PostgreSQL). A fleet run over --tenant-schemas uses it.
type TenantSchemaer interface {
	// TenantSchemas lists the schemas of the database db is connected to
	// whose names match the SQL LIKE pattern, sorted.
	TenantSchemas(ctx context.Context, db *sql.DB, pattern string) ([]string, error)
	// SchemaURL returns u with the session's search path set to schema
	// alone, so that unqualified names (the revisions' objects and the
	// version tables) are that schema's.
	SchemaURL(u *URL, schema string) (*URL, error)
}

// ServerLimiter recognises an error that is the server's documented limit
// (a change it cannot make, whatever the SQL), so that a failed generated
// revision is reported as that limit with the way around, not as a fault
// of retort's.
type ServerLimiter interface {
	// ServerLimit explains err when it is such a limit, "" otherwise.
	ServerLimit(err error) string
}

// TableLocator is implemented by dialects where an unqualified table name
// resolves through a search path (PostgreSQL). LocateTable returns the
// schema of the table that name, unqualified, resolves to on conn, and ""
// when it resolves to none. A dialect with one namespace per connection
// (MySQL, SQLite) does not implement it: there an unqualified name is a
// table of the connection's database, which Inspect names with an empty
// schema.
type TableLocator interface {
	LocateTable(ctx context.Context, conn *sql.Conn, name string) (string, error)
}

// ServerFitter is implemented by a dialect whose rendering and checks
// depend on which server of its family a database runs on (the MySQL
// dialect on TiDB). Callers that render statements for a database, or ask
// what its server drops, use the dialect ForServer returns for it.
type ServerFitter interface {
	// ForServer returns the dialect for the server db is connected to:
	// the receiver itself, or a variant of it for that server.
	ForServer(ctx context.Context, db *sql.DB) (Dialect, error)
}

// SilentDropper is implemented by a dialect whose server, in some of its
// settings, accepts parts of a schema's SQL without an error and keeps
// nothing of them. Neither an inspected schema nor a comparison of two
// can show what was never kept, so commands that load or compare schemas
// warn with it.
type SilentDropper interface {
	// SilentDrops reads the settings of the server db is connected to and
	// returns, when it drops something of stmts, why and what to do
	// (reason), and the indexes of the statements that hold what it
	// drops; "" and nil when it keeps them all.
	SilentDrops(ctx context.Context, db *sql.DB, stmts []string) (reason string, dropped []int, err error)
}

// ForeignKeyRefuser recognises the error a server gives when it cannot
// create a foreign key without saying which part is wrong (MariaDB's
// errno 150 "Foreign key constraint is incorrectly formed"), so that
// callers can look for the cause themselves, such as a referenced table
// that the script never creates.
type ForeignKeyRefuser interface {
	IsForeignKeyRefusal(err error) bool
}
