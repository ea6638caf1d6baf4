package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// Lock takes the named lock GET_LOCK on conn for key in the current
// database: "retort:<database>.<key>", or a hash of it when that is longer
// than MySQL's 64 characters. It first tries without waiting; when another
// session holds the lock it calls onWait once and waits in GET_LOCK for
// the rest of timeout, then returns a *dialect.LockTimeoutError. TiDB's
// contention error is retried within the timeout (tidb_lock.go).
func (d *Dialect) Lock(ctx context.Context, conn *sql.Conn, key string, timeout time.Duration, onWait func()) (func(context.Context) error, error) {
	var db sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
		return nil, fmt.Errorf("read the current database for the migration lock: %w", err)
	}
	name := lockName(db.String, key)
	start := time.Now()
	// try runs GET_LOCK waiting at most wait.
	try := func(ctx context.Context, wait time.Duration) (bool, error) {
		var got sql.NullInt64
		secs := fmt.Sprintf("%.3f", wait.Seconds())
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, "+secs+")", name).Scan(&got); err != nil {
			return false, err
		}
		if !got.Valid {
			return false, fmt.Errorf("GET_LOCK returned NULL")
		}
		return got.Int64 == 1, nil
	}
	got, err := try(ctx, 0)
	if err != nil && !tidbLockRetry(err) {
		return nil, fmt.Errorf("take lock %q: %w", name, err)
	}
	if !got {
		if onWait != nil {
			onWait()
		}
		got, err = waitLock(ctx, realClock, start, timeout, try)
		if err != nil {
			return nil, fmt.Errorf("wait for lock %q: %w", name, err)
		}
		if !got {
			return nil, &dialect.LockTimeoutError{Waited: timeout}
		}
	}
	return func(ctx context.Context) error {
		var rel sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK(?)", name).Scan(&rel); err != nil {
			return fmt.Errorf("release lock %q: %w", name, err)
		}
		if rel.Int64 != 1 {
			return fmt.Errorf("release lock %q: it was not held by this session", name)
		}
		return nil
	}, nil
}

func lockName(db, key string) string {
	n := "retort:" + db + "." + key
	if len(n) <= 64 {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(n))
	return fmt.Sprintf("retort:%016x", h.Sum64())
}

// encodeQuery encodes query parameters in key order, like url.Values.
func encodeQuery(q map[string][]string) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}
