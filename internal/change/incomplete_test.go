package change

import (
	"fmt"
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

// TestLabel checks that an incomplete change is named by its type, not
// by a Describe that would dereference the missing field.
func TestLabel(t *testing.T) {
	t.Parallel()
	c := &AddColumn{Table: Ref{Name: "items"}}
	err := fmt.Errorf("render: %w", Missing("column"))
	if got := Label(c, err); got != "*change.AddColumn" {
		t.Errorf("Label(incomplete) = %q", got)
	}
	if got := err.Error(); got != "render: no column" {
		t.Errorf("error = %q", got)
	}
	c.Column = &schema.Column{Name: "note"}
	if got := Label(c, nil); !strings.Contains(got, "note") {
		t.Errorf("Label(complete) = %q", got)
	}
	if got := Label(nil, nil); got != "nil change" {
		t.Errorf("Label(nil) = %q", got)
	}
}
