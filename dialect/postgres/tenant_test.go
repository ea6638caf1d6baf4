package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// Tenants' schemas in one database: TenantSchemas lists those matching the
// pattern, SchemaURL opens a session in one, and the migration lock is the
// schema's (two tenants do not wait for each other; one tenant still
// excludes a second migrator of itself).
func TestTenantSchemasAndLock(t *testing.T) {
	d, db := open(t)
	ctx := context.Background()
	for _, s := range []string{`CREATE SCHEMA t_a`, `CREATE SCHEMA "t_B c"`, `CREATE SCHEMA other`} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.TenantSchemas(ctx, db, "t\\_%")
	if err != nil || !slices.Equal(got, []string{"t_B c", "t_a"}) {
		t.Fatalf("TenantSchemas = %q, %v; want [t_B c t_a]", got, err)
	}
	var base string
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&base); err != nil {
		t.Fatal(err)
	}
	server, err := dialect.ParseURL(testdb.ServerURL(t, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	u := server.WithDatabase(base)
	lockIn := func(schema string, timeout time.Duration) (func(context.Context) error, error) {
		su, err := d.SchemaURL(u, schema)
		if err != nil {
			t.Fatal(err)
		}
		h, err := d.Open(ctx, su)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		conn, err := h.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		var cur string
		if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&cur); err != nil || cur != schema {
			t.Fatalf("current_schema() = %q, %v; want %q", cur, err, schema)
		}
		return d.Lock(ctx, conn, "retort_revisions", timeout, nil)
	}
	if _, err := lockIn("t_a", time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := lockIn("t_B c", 0); err != nil {
		t.Fatalf("another tenant's lock: %v; want no wait", err)
	}
	var lt *dialect.LockTimeoutError
	if _, err := lockIn("t_a", 200*time.Millisecond); !errors.As(err, &lt) {
		t.Fatalf("second lock in t_a: %v; want a LockTimeoutError", err)
	}
}
