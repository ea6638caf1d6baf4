package mysql

import (
	"context"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// TestCreateScratchCancelledLeavesNothing: a CreateScratch cancelled while
// the server runs its CREATE DATABASE leaves no database behind (issue 12
// item 19; see testdb.ScratchCancel).
func TestCreateScratchCancelledLeavesNothing(t *testing.T) {
	base := testdb.ServerURL(t, "mysql")
	d := New()
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
		Base: base, Admin: admin,
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
		Count: `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`,
		Drop:  func(n string) string { return "DROP DATABASE IF EXISTS " + d.QuoteIdent(n) },
	}.Run(t)
}
