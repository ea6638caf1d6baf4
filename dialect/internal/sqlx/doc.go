// Package sqlx holds what the dialects do the same way, so that it is
// written once: Base and Server, which each dialect embeds filled in with
// its own data (quoting, the version tables' column types, the catalog
// queries), the version tables' DDL, the connection errors of the server
// dialects, and small SQL printing helpers. It is internal to dialect/:
// the dialects' public surface stays the dialect.Dialect methods.
package sqlx
