package postgres

import (
	"context"
	"database/sql"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// TableSize reads a table's estimated rows (pg_class.reltuples, -1 when
// never analysed) and pg_relation_size, without reading the table.
func (d *Dialect) TableSize(ctx context.Context, db *sql.DB, table string) (dialect.TableSize, bool, error) {
	return sqlx.TableSize(ctx, db,
		`SELECT c.reltuples::bigint, pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = to_regclass(quote_ident($1))`,
		table, "pg_class")
}
