package dialect

import (
	"context"
	"database/sql"
)

// TableSizer is implemented by dialects that can read a table's size from
// the catalog's statistics, without reading the table, so that "upgrade
// --plan" can say how big a table a statement rewrites or scans is.
type TableSizer interface {
	// TableSize returns the size of table (an unqualified name, found
	// the way an unqualified name in a statement is: PostgreSQL's
	// search_path, MySQL's current database); ok is false when there is
	// no such table.
	TableSize(ctx context.Context, db *sql.DB, table string) (size TableSize, ok bool, err error)
}

// TableSize is a table's size as the catalog estimates it.
type TableSize struct {
	// Rows is the estimated row count (PostgreSQL pg_class.reltuples,
	// MySQL information_schema.tables.table_rows); -1 when the table was
	// never analysed.
	Rows int64
	// Bytes is the table's size on disk: PostgreSQL pg_relation_size,
	// MySQL data_length + index_length.
	Bytes int64
}
