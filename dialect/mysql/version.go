package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// ServerVersion returns the flavour and major.minor version of the server
// ("mariadb-10.11", "mysql-8.0"): both flavours change what they accept
// and print between minor releases.
func (d *Dialect) ServerVersion(ctx context.Context, db *sql.DB) (string, error) {
	var v string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v); err != nil {
		return "", fmt.Errorf("read the server version: %w", err)
	}
	flavour := "mysql"
	if strings.Contains(strings.ToLower(v), "mariadb") {
		flavour = "mariadb"
	}
	return flavour + "-" + majorMinor(v), nil
}

// majorMinor is "10.11" of "10.11.6-MariaDB-0+deb12u1".
func majorMinor(v string) string {
	v, _, _ = strings.Cut(v, "-")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
