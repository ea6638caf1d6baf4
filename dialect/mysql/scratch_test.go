package mysql

import (
	"testing"

	"github.com/retortdb/retort/dialect/internal/scratchtest"
)

// TestCreateScratchCancelledLeavesNothing: a CreateScratch cancelled while
// the server runs its CREATE DATABASE leaves no database behind (issue 12
// item 19).
func TestCreateScratchCancelledLeavesNothing(t *testing.T) {
	d := New()
	scratchtest.CancelledCreate(t, d, "mysql", scratchtest.Catalog{
		Count: "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
		Drop:  func(n string) string { return "DROP DATABASE IF EXISTS " + d.QuoteIdent(n) },
	})
}
