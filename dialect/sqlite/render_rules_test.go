package sqlite

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/change"
	"github.com/retortdb/retort/schema"
)

// TestRenderRuleIsAnError checks that a PostgreSQL rewrite rule change,
// which no SQLite schema produces, is an error naming the rule and saying
// why rather than SQL, even on a table the same list rebuilds.
func TestRenderRuleIsAnError(t *testing.T) {
	r := &schema.Rule{Table: "payment", Name: "route", Definition: "CREATE RULE route AS ON INSERT TO payment DO INSTEAD NOTHING"}
	tbl := &schema.Table{Name: "payment", Columns: []*schema.Column{{Name: "id", Type: "INTEGER", Nullable: true}}}
	for _, c := range []change.Change{
		&change.AddRule{Rule: r},
		&change.DropRule{Rule: r},
		&change.ReplaceRule{From: r, To: r},
	} {
		stmts, err := New().Render(nil, nil, []change.Change{&change.AddTable{Table: tbl}, c})
		if err == nil {
			t.Fatalf("%s: rendered %q, want an error", c.Describe(), stmts)
		}
		if !errors.Is(err, ErrUnsupportedChange) || !strings.Contains(err.Error(), "change 2") || !strings.Contains(err.Error(), "'route'") || !strings.Contains(err.Error(), "PostgreSQL-only") {
			t.Errorf("%s: error %q should wrap ErrUnsupportedChange, name change 2 and the rule, and say rules are PostgreSQL-only", c.Describe(), err)
		}
	}
}
