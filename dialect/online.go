package dialect

import (
	"context"
	"database/sql"
)

// LockTimeoutDetector is implemented by dialects whose statements can give
// up waiting for a lock after a timeout the revision set itself
// (PostgreSQL's lock_timeout, SQLSTATE 55P03 lock_not_available), so that
// the runner can run them again: such a statement took no effect.
type LockTimeoutDetector interface {
	// LockTimedOut reports whether err is a statement's lock timeout.
	LockTimedOut(err error) bool
}

// InvalidIndexDropper is implemented by dialects where an interrupted or
// failed concurrent index build leaves the index behind, invalid
// (PostgreSQL's CREATE INDEX CONCURRENTLY): building it again under the
// same name then fails, or, with IF NOT EXISTS, silently keeps the
// invalid index.
type InvalidIndexDropper interface {
	// DropInvalidIndex drops the index stmt builds concurrently when an
	// index of that name exists and is invalid, and returns its name; ""
	// when stmt builds no index concurrently or there is nothing to drop.
	// conn is outside any transaction.
	DropInvalidIndex(ctx context.Context, conn *sql.Conn, stmt string) (string, error)
}
