package sqlite

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/change"
)

// TestRenderSchemaCommentIsAnError checks that a comment on a PostgreSQL
// schema, which no schema inspected from this dialect produces, is an
// error naming the schema and saying why rather than SQL.
func TestRenderSchemaCommentIsAnError(t *testing.T) {
	for _, c := range []change.Change{
		&change.SetNamespaceComment{Namespace: "sales", To: "orders"},
		&change.SetNamespaceComment{Namespace: "public", FromDefault: true, To: "x"},
	} {
		stmts, err := New().Render(nil, nil, []change.Change{c})
		if err == nil {
			t.Fatalf("%s: rendered %q, want an error", c.Describe(), stmts)
		}
		if !errors.Is(err, ErrUnsupportedChange) || !strings.Contains(err.Error(), "'"+c.(*change.SetNamespaceComment).Namespace+"'") || !strings.Contains(err.Error(), "PostgreSQL-only") {
			t.Errorf("%s: error %q should wrap ErrUnsupportedChange, name the schema and say schema comments are PostgreSQL-only", c.Describe(), err)
		}
	}
}
