package mysql

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/change"
	"github.com/retortdb/retort/schema"
)

// TestRenderRuleIsAnError checks that a PostgreSQL rewrite rule change,
// which no MySQL schema produces, is an error naming the rule and saying
// why rather than SQL.
func TestRenderRuleIsAnError(t *testing.T) {
	r := &schema.Rule{Table: "payment", Name: "route", Definition: "CREATE RULE route AS ON INSERT TO payment DO INSTEAD NOTHING"}
	for _, c := range []change.Change{
		&change.AddRule{Rule: r},
		&change.DropRule{Rule: r},
		&change.ReplaceRule{From: r, To: r},
	} {
		stmts, err := New().Render(nil, nil, []change.Change{c})
		if err == nil {
			t.Fatalf("%s: rendered %q, want an error", c.Describe(), stmts)
		}
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "'route'") || !strings.Contains(err.Error(), "PostgreSQL-only") {
			t.Errorf("%s: error %q should wrap errors.ErrUnsupported, name the rule and say rules are PostgreSQL-only", c.Describe(), err)
		}
	}
}
