package mysql

import "github.com/retortdb/retort/dialect/internal/sqlx"

// tableSize reads TableSize: a table's estimated rows and data_length +
// index_length from information_schema.tables, without reading the table.
var tableSize = sqlx.CatalogSize{
	Query:   `SELECT COALESCE(table_rows, 0), COALESCE(data_length, 0) + COALESCE(index_length, 0) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`,
	Catalog: "information_schema.tables",
}
