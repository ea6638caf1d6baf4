package sqlite

import (
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/schema"
)

// TestRenderPostgresOnly checks that rewrite rules and schema comments,
// which no SQLite schema produces, are errors rather than SQL, even after
// a change on the table a rule would be on (which the same list may
// rebuild).
func TestRenderPostgresOnly(t *testing.T) {
	tbl := &schema.Table{Name: "payment", Columns: []*schema.Column{{Name: "id", Type: "INTEGER", Nullable: true}}}
	rendertest.PostgresOnly(t, New(), ErrUnsupportedChange, []change.Change{&change.AddTable{Table: tbl}})
}
