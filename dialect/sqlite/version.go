package sqlite

import (
	"context"
	"database/sql"

	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// ServerVersion returns the SQLite library's major.minor version ("3.46"):
// minor releases add syntax and change what sqlite_schema holds.
func (d *Dialect) ServerVersion(ctx context.Context, db *sql.DB) (string, error) {
	v, err := sqlx.QueryString(ctx, db, "SELECT sqlite_version()", "the SQLite version")
	if err != nil {
		return "", err
	}
	return sqlx.MajorMinor(v), nil
}
