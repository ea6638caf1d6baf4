package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// TableSize reads a table's estimated rows (pg_class.reltuples, -1 when
// never analysed) and pg_relation_size, without reading the table.
func (d *Dialect) TableSize(ctx context.Context, db *sql.DB, table string) (dialect.TableSize, bool, error) {
	var s dialect.TableSize
	err := db.QueryRowContext(ctx,
		`SELECT c.reltuples::bigint, pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = to_regclass(quote_ident($1))`, table).
		Scan(&s.Rows, &s.Bytes)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("read the size of table %s from pg_class: %w", table, err)
	}
	return s, true, nil
}
