package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// ServerVersion returns the server's major version ("15"): from 10 on,
// server_version_num is major*10000 + minor.
func (d *Dialect) ServerVersion(ctx context.Context, db *sql.DB) (string, error) {
	s, err := sqlx.QueryString(ctx, db, "SHOW server_version_num", "the server version")
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("read the server version: server_version_num %q: %w", s, err)
	}
	if n < 100000 {
		return fmt.Sprintf("%d.%d", n/10000, n/100%100), nil
	}
	return strconv.Itoa(n / 10000), nil
}
