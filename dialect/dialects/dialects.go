// Package dialects maps names and database URLs to retort's dialects.
package dialects

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
)

// ByName returns the dialect called name: "sqlite" (also "sqlite3"),
// "postgres" (also "postgresql", "pg") or "mysql" (also "mariadb").
func ByName(name string) (dialect.Dialect, error) {
	switch strings.ToLower(name) {
	case "sqlite", "sqlite3":
		return sqlite.New(), nil
	case "postgres", "postgresql", "pg":
		return postgres.New(), nil
	case "mysql", "mariadb":
		return mysql.New(), nil
	}
	return nil, fmt.Errorf("unknown dialect %q (expected sqlite, postgres or mysql)", name)
}

// ForURL parses a database URL and returns its dialect. Errors never
// contain the password.
func ForURL(raw string) (dialect.Dialect, *dialect.URL, error) {
	u, err := dialect.ParseURL(raw)
	if err != nil {
		return nil, nil, err
	}
	d, err := ByName(u.Dialect)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", u.Redacted(), err)
	}
	return d, u, nil
}

// Open parses raw, opens the database with its dialect and checks the
// connection. Errors never contain the password.
func Open(ctx context.Context, raw string) (dialect.Dialect, *dialect.URL, *sql.DB, error) {
	d, u, err := ForURL(raw)
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := d.Open(ctx, u)
	if err != nil {
		return nil, nil, nil, err
	}
	return d, u, db, nil
}
