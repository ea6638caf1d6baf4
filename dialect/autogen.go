package dialect

import (
	"context"
	"database/sql"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// Renderer (part of Dialect) turns schema changes into SQL statements for one dialect. It is
// what autogenerate writes into a revision: Render(from, to, changes) is
// the upgrade and Render(to, from, change.Invert(changes)) the downgrade.
type Renderer interface {
	// Render returns the statements, without terminators, that take a
	// database whose schema is from to the schema to by applying changes,
	// which diff produced from the two. Changes the dialect cannot express
	// directly are rendered another way where one exists (SQLite rebuilds a
	// table, keeping its rows) and are otherwise an error naming the change.
	Render(from, to *schema.Schema, changes []change.Change) ([]string, error)
}

// Scratcher (part of Dialect) creates throw-away databases for autogenerate: the desired
// schema and the replayed head are loaded into them and inspected.
type Scratcher interface {
	// CreateScratch creates an empty database next to the one u names (on
	// the same server; SQLite: in memory) and returns it opened, with the
	// function that drops it. The drop function must work after ctx is
	// cancelled. A server that refuses CREATE DATABASE is an error that
	// says so and names dev_database as the way out.
	CreateScratch(ctx context.Context, u *URL) (db *sql.DB, drop func(context.Context) error, err error)
}
