package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ServerVersion returns the SQLite library's major.minor version ("3.46"):
// minor releases add syntax and change what sqlite_schema holds.
func (d *Dialect) ServerVersion(ctx context.Context, db *sql.DB) (string, error) {
	var v string
	if err := db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&v); err != nil {
		return "", fmt.Errorf("read the SQLite version: %w", err)
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v, nil
	}
	return parts[0] + "." + parts[1], nil
}
