// Package scratchtest holds the scratch-database tests that the server
// dialects (PostgreSQL, MySQL) run alike.
package scratchtest

import (
	"context"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// Catalog is how a test finds and removes a database on one server.
type Catalog struct {
	// Count counts the databases of the name given as its one argument.
	Count string
	// Drop is the statement that drops the database name.
	Drop func(name string) string
}

// CancelledCreate runs testdb.ScratchCancel for d on the test server of
// dialect name (testdb.ServerURL): a CreateScratch cancelled while the
// server runs its CREATE DATABASE leaves no database behind.
func CancelledCreate(t *testing.T, d dialect.Dialect, name string, c Catalog) {
	base := testdb.ServerURL(t, name)
	bu, err := dialect.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := d.Open(context.Background(), bu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	testdb.ScratchCancel{
		Base: base, Admin: admin, Count: c.Count, Drop: c.Drop,
		Create: func(ctx context.Context, url string) (func(), error) {
			u, err := dialect.ParseURL(url)
			if err != nil {
				t.Fatal(err)
			}
			db, drop, err := d.CreateScratch(ctx, u)
			if err != nil {
				return nil, err
			}
			return func() { db.Close(); drop(context.Background()) }, nil
		},
	}.Run(t)
}
