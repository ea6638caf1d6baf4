package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// URLTarget is the fleet target of the database u, of dialect d: named by
// u without its password, opened with d.Open when its turn comes, its
// drift's scratch databases made on its own server (in memory for
// SQLite).
func URLTarget(d dialect.Dialect, u *dialect.URL) FleetTarget {
	t := FleetTarget{Name: u.Redacted(), Open: func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
		db, err := d.Open(ctx, u)
		return d, db, err
	}}
	if u.OnServer() {
		t.Scratch = u
	}
	return t
}

// ErrNoTenantSchemas: TenantSchemaTargets found no schema matching its
// pattern.
var ErrNoTenantSchemas = errors.New("no tenant schema matches")

// TenantSchemaTargets lists the schemas of the database u names (of
// dialect d, which must be a dialect.TenantSchemaer: PostgreSQL) whose
// names match the SQL LIKE pattern, system schemas left out, sorted: one
// target each, named by the schema, opened with search_path set to that
// schema alone, so that the revisions' unqualified objects and the
// version tables are the schema's. No match is ErrNoTenantSchemas.
func TenantSchemaTargets(ctx context.Context, d dialect.Dialect, u *dialect.URL, pattern string) ([]FleetTarget, error) {
	ts, ok := d.(dialect.TenantSchemaer)
	if !ok {
		return nil, fmt.Errorf("tenant schemas are PostgreSQL's; on %s, list one database per tenant as the fleet's targets", d.Name())
	}
	db, err := d.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	names, err := ts.TenantSchemas(ctx, db, pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w %q in %s (the pattern is SQL LIKE: %% for any text, _ for one character)", ErrNoTenantSchemas, pattern, u.Redacted())
	}
	out := make([]FleetTarget, 0, len(names))
	for _, name := range names {
		su, err := ts.SchemaURL(u, name)
		if err != nil {
			return nil, err
		}
		t := URLTarget(d, su)
		t.Name, t.Schema = name, name
		out = append(out, t)
	}
	return out, nil
}

// FleetQuery runs query on db (a control database that lists the
// tenants) and returns the first column of every row: the URLs of a
// fleet's targets. A NULL is an empty string, which the caller refuses
// as a URL.
func FleetQuery(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list the fleet: %w", err)
	}
	defer rows.Close()
	var out []string
	for n := 1; rows.Next(); n++ {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("list the fleet: row %d: %w (the query must return one column of URLs)", n, err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list the fleet: %w", err)
	}
	return out, nil
}
