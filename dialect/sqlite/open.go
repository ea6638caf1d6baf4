package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
)

// Open opens the SQLite database file u names (":memory:" for a private
// in-memory database) with the modernc.org/sqlite driver and checks it.
// The URL's query parameters are passed to the driver (for example
// _pragma=foreign_keys(1)). The file's journal mode is left as it is.
//
// The connection's busy timeout is DefaultBusyTimeout unless the URL sets
// one (_busy_timeout, or _pragma=busy_timeout(ms)), so that reads such as
// the version-table query wait for a concurrent commit instead of failing
// with SQLITE_BUSY. Begin sets it to 0 for its first attempt at the write
// lock, to notice and report waiting, and restores it afterwards. An
// in-memory database lives in one connection, so the pool is limited to
// it.
func (d *Dialect) Open(ctx context.Context, u *dialect.URL) (*sql.DB, error) {
	if u.Dialect != "sqlite" {
		// Not openError: its hint is about files.
		return nil, fmt.Errorf("open %s: %w (the sqlite dialect opens sqlite: URLs, for example sqlite:app.db)", u.Redacted(), errNotSQLite)
	}
	q := url.Values{}
	busy := false
	for k, vs := range u.Query {
		switch k {
		case "_busy_timeout", "_timeout":
			busy = true
		case "_pragma":
			for _, v := range vs {
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "busy_timeout") {
					busy = true
				}
			}
		}
		q[k] = vs
	}
	if !busy {
		q.Add("_pragma", "busy_timeout("+strconv.FormatInt(DefaultBusyTimeout.Milliseconds(), 10)+")")
	}
	db, err := sql.Open("sqlite", u.Path+"?"+q.Encode())
	if err != nil {
		return nil, openError(u, err)
	}
	if memory(u.Path) {
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, openError(u, err)
	}
	return db, nil
}

// DefaultBusyTimeout is the busy timeout Open sets when the URL sets none.
const DefaultBusyTimeout = 5 * time.Second

func memory(path string) bool {
	return path == ":memory:" || strings.HasPrefix(path, "file::memory:") || strings.Contains(path, "mode=memory")
}

type constError string

func (e constError) Error() string { return string(e) }

const errNotSQLite = constError("not an sqlite: URL")
