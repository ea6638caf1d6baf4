package sqlite

import "github.com/retortdb/retort/dialect/internal/sqlx"

// version reads ServerVersion: the SQLite library's major.minor version
// ("3.46"), since minor releases add syntax and change what sqlite_schema
// holds.
var version = sqlx.Version{
	Query: "SELECT sqlite_version()",
	Name:  func(v string) (string, error) { return sqlx.MajorMinor(v), nil },
}
