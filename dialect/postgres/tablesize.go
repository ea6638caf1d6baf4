package postgres

import "github.com/retortdb/retort/dialect/internal/sqlx"

// tableSize reads TableSize: a table's estimated rows
// (pg_class.reltuples, -1 when never analysed) and pg_relation_size,
// without reading the table.
var tableSize = sqlx.CatalogSize{
	Query:   `SELECT c.reltuples::bigint, pg_relation_size(c.oid) FROM pg_class c WHERE c.oid = to_regclass(quote_ident($1))`,
	Catalog: "pg_class",
}
