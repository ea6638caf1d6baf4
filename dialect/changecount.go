package dialect

import "context"

// ChangeCounter is implemented by dialects whose Begin is the lock
// (Capabilities.BeginLocks) and whose connection can tell cheaply whether another
// connection has committed anything since. ChangeCount, run inside a
// transaction that holds the lock, returns a number that is the same in
// two of the connection's transactions exactly when no other connection
// committed between them (SQLite's PRAGMA data_version). The runner then
// re-reads the version table only when the number moved.
type ChangeCounter interface {
	ChangeCount(ctx context.Context, tx Tx) (int64, error)
}
