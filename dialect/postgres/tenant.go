package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
)

// TenantSchemas lists the schemas matching the LIKE pattern, system
// schemas (pg_*, information_schema) left out.
func (d *Dialect) TenantSchemas(ctx context.Context, db *sql.DB, pattern string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT nspname FROM pg_namespace
WHERE nspname LIKE $1 AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
ORDER BY nspname`, pattern)
	if err != nil {
		return nil, fmt.Errorf("list the schemas matching %q: %w", pattern, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("list the schemas matching %q: %w", pattern, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the schemas matching %q: %w", pattern, err)
	}
	return out, nil
}

// SchemaURL sets the search_path run-time parameter, which pgx sends when
// it connects: every session of the handle starts in schema. The name is
// quoted, so that a schema named with capitals or a comma is that schema.
func (d *Dialect) SchemaURL(u *dialect.URL, schema string) (*dialect.URL, error) {
	s := *u.Server
	q := s.Query()
	q.Set("search_path", d.QuoteIdent(schema))
	// pgx reads "+" in a query as a plus sign, not a space: encode spaces
	// as %20 (Encode writes a literal "+" as %2B, so no "+" is lost).
	s.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	nu, err := dialect.ParseURL(s.String())
	if err != nil {
		return nil, fmt.Errorf("set search_path to schema %q in %s: %w", schema, u.Redacted(), err)
	}
	return nu, nil
}

// LocateTable returns the schema of the table that name, unqualified,
// resolves to through the connection's search_path (to_regclass), "" when
// none does.
func (d *Dialect) LocateTable(ctx context.Context, conn *sql.Conn, name string) (string, error) {
	var nsp string
	err := conn.QueryRowContext(ctx, `SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`, d.QuoteIdent(name)).Scan(&nsp)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("find the schema of table %s on the search_path: %w", name, err)
	}
	return nsp, nil
}
