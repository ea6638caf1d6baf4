package engine

import (
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
)

// headMigrator is a Migrator for dialect d whose migrations are one
// revision, a1, with the given upgrade and downgrade, and the URL that
// scratch databases are made next to (nil for SQLite, whose scratch
// databases live in memory; a server's skips the test without its
// environment variable). opts are New's.
func headMigrator(t *testing.T, d, up, down string, opts ...Option) (*Migrator, *dialect.URL) {
	t.Helper()
	var scratch *dialect.URL
	if d != "sqlite" {
		var err error
		if _, scratch, err = dialects.ForURL(testdb.ServerURL(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	dl, err := dialects.ByName(d)
	if err != nil {
		t.Fatal(err)
	}
	head := "-- t\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\n" + up + "\n-- +downgrade\n" + down + "\n"
	m, err := New(dl, nil, fstest.MapFS{"a1_t.sql": {Data: []byte(head)}}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m, scratch
}
