package mysql

import (
	"context"
	"database/sql"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// TableSize reads a table's estimated rows and data_length + index_length
// from information_schema.tables, without reading the table.
func (d *Dialect) TableSize(ctx context.Context, db *sql.DB, table string) (dialect.TableSize, bool, error) {
	return sqlx.TableSize(ctx, db,
		`SELECT COALESCE(table_rows, 0), COALESCE(data_length, 0) + COALESCE(index_length, 0) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`,
		table, "information_schema.tables")
}
