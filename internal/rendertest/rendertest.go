// Package rendertest holds checks that every dialect's renderer must pass,
// for the dialects' own tests.
package rendertest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// PostgresOnly checks that rd refuses each change that only a PostgreSQL
// schema produces (rewrite rules, comments on schemas) with an error that
// wraps want, names the rule or schema and says the feature is
// PostgreSQL-only, instead of rendering SQL for it. The changes in before
// are rendered ahead of each one (a table a rule would be on, say); when
// there are some, the error must also name the refused change's position.
func PostgresOnly(t *testing.T, rd dialect.Renderer, want error, before []change.Change) {
	t.Helper()
	rule := &schema.Rule{Table: "payment", Name: "route", Definition: "CREATE RULE route AS ON INSERT TO payment DO INSTEAD NOTHING"}
	for _, c := range []struct {
		change change.Change
		name   string // as the error must quote it
	}{
		{&change.AddRule{Rule: rule}, "route"},
		{&change.DropRule{Rule: rule}, "route"},
		{&change.ReplaceRule{From: rule, To: rule}, "route"},
		{&change.SetNamespaceComment{Namespace: "sales", To: "orders"}, "sales"},
		{&change.SetNamespaceComment{Namespace: "public", FromDefault: true, To: "x"}, "public"},
	} {
		changes := append(append([]change.Change(nil), before...), c.change)
		stmts, err := rd.Render(nil, nil, changes)
		if err == nil {
			t.Errorf("%s: rendered %q, want an error", c.change.Describe(), stmts)
			continue
		}
		msg := err.Error()
		if !errors.Is(err, want) || !strings.Contains(msg, "'"+c.name+"'") || !strings.Contains(msg, "PostgreSQL-only") {
			t.Errorf("%s: error %q should wrap %v, name %q and say the feature is PostgreSQL-only", c.change.Describe(), msg, want, c.name)
		}
		if pos := fmt.Sprintf("change %d", len(changes)); len(before) > 0 && !strings.Contains(msg, pos) {
			t.Errorf("%s: error %q should name %s", c.change.Describe(), msg, pos)
		}
	}
}
