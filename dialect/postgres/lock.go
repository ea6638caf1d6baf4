package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/retortdb/retort/dialect"
)

// lockPoll is how often Lock retries while another session holds the lock.
const lockPoll = 100 * time.Millisecond

// Lock takes the session-level advisory lock for key on conn with
// pg_try_advisory_lock. When another session holds it, Lock calls onWait
// once and retries every 100 ms until timeout has passed, then returns a
// *dialect.LockTimeoutError. The advisory lock id is a stable 64-bit hash
// of key; advisory locks are scoped to the current database. In a schema
// other than public (a tenant's, by search_path) the key is qualified with
// the schema, as MySQL's is with the database: each schema has its own
// version tables, so tenants in one database do not wait for each other.
func (d *Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, timeout time.Duration, onWait func()) (func(context.Context) error, error) {
	var schema sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("read the current schema for the migration lock: %w", err)
	}
	if schema.Valid && schema.String != "public" {
		key = schema.String + "." + key
	}
	id := lockKey(key)
	start := time.Now()
	waited := false
	for {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", id).Scan(&ok); err != nil {
			return nil, fmt.Errorf("take advisory lock %d for %q: %w", id, key, err)
		}
		if ok {
			break
		}
		if time.Since(start) >= timeout {
			return nil, &dialect.LockTimeoutError{Waited: timeout}
		}
		if !waited {
			waited = true
			if onWait != nil {
				onWait()
			}
		}
		t := time.NewTimer(min(lockPoll, max(timeout-time.Since(start), 0)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for advisory lock %d for %q: %w", id, key, ctx.Err())
		case <-t.C:
		}
	}
	return func(ctx context.Context) error {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock($1)", id).Scan(&ok); err != nil {
			return fmt.Errorf("release advisory lock %d for %q: %w", id, key, err)
		}
		if !ok {
			return fmt.Errorf("release advisory lock %d for %q: it was not held", id, key)
		}
		return nil
	}, nil
}
