package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// version reads ServerVersion: the flavour and major.minor version of the
// server ("mariadb-10.11", "mysql-8.0", "tidb-8.4"), since each flavour
// changes what it accepts and prints between minor releases.
var version = sqlx.Version{
	Query: "SELECT VERSION()",
	Name:  func(v string) (string, error) { return serverVersion(v), nil },
}

// serverVersion names the server of VERSION() v. TiDB reports the MySQL
// version it speaks first ("8.0.11-TiDB-v8.4.0"): its own version is the
// one after "TiDB", so that a TiDB is never taken for the MySQL 8.0 it
// imitates.
func serverVersion(v string) string {
	if _, own, ok := strings.Cut(v, "TiDB"); ok {
		own = strings.TrimPrefix(strings.TrimPrefix(own, "-"), "v")
		return "tidb-" + sqlx.MajorMinor(own)
	}
	flavour := "mysql"
	if strings.Contains(strings.ToLower(v), "mariadb") {
		flavour = "mariadb"
	}
	return flavour + "-" + sqlx.MajorMinor(v)
}

// ForServer returns the dialect for the server db is connected to: one
// that renders what TiDB accepts when VERSION() names TiDB, else d.
func (d *Dialect) ForServer(ctx context.Context, db *sql.DB) (dialect.Dialect, error) {
	v, err := sqlx.QueryString(ctx, db, version.Query, "the server version")
	if err != nil {
		return nil, err
	}
	if isTiDB(v) == d.tidb {
		return d, nil
	}
	fit := *d
	fit.tidb = isTiDB(v)
	return &fit, nil
}
