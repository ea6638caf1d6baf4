package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// CreateScratch opens a new, private in-memory database: SQLite needs no
// server, so u only has to be an sqlite: URL (or nil), and nothing of it
// is used. Open pins an in-memory database to one connection, so every
// statement and inspection sees the same database. The drop function
// closes it, which frees it; it ignores its context.
func (d *Dialect) CreateScratch(ctx context.Context, u *dialect.URL) (*sql.DB, func(context.Context) error, error) {
	if u != nil && u.Dialect != "sqlite" {
		return nil, nil, fmt.Errorf("sqlite: create scratch database for %s: %w", u.Redacted(), errNotSQLite)
	}
	mem, err := dialect.ParseURL("sqlite::memory:")
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: create scratch database: %w", err)
	}
	db, err := d.Open(ctx, mem)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: create scratch database: %w", err)
	}
	drop := func(context.Context) error {
		if err := db.Close(); err != nil {
			return fmt.Errorf("sqlite: drop scratch database: %w", err)
		}
		return nil
	}
	return db, drop, nil
}
