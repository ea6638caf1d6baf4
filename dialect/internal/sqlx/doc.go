// Package sqlx holds what the dialects do the same way, so that it is
// written once: the version tables' DDL (from each dialect's column types),
// the catalog reads whose only difference is the query (server version,
// table size), the plain transaction and connection errors of the server
// dialects, and small SQL printing helpers. It is internal to dialect/:
// the dialects' public surface stays the dialect.Dialect methods.
package sqlx
