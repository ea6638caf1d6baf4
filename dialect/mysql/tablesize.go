package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// TableSize reads a table's estimated rows and data_length + index_length
// from information_schema.tables, without reading the table.
func (d *Dialect) TableSize(ctx context.Context, db *sql.DB, table string) (dialect.TableSize, bool, error) {
	var s dialect.TableSize
	err := db.QueryRowContext(ctx,
		`SELECT COALESCE(table_rows, 0), COALESCE(data_length, 0) + COALESCE(index_length, 0) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`, table).
		Scan(&s.Rows, &s.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read the size of table %s from information_schema.tables: %w", table, err)
	}
	return s, true, nil
}
