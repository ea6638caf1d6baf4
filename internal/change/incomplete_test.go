package change

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

// TestComplete checks that a change without its object is an
// *IncompleteError naming the object, and that Label then names the
// change by its type instead of a Describe that would dereference it.
func TestComplete(t *testing.T) {
	t.Parallel()
	var inc *IncompleteError
	for _, tc := range []struct {
		c    Change
		want string
	}{
		{&AddColumn{Table: Ref{Name: "items"}}, "no column"},
		{&DropForeignKey{Table: Ref{Name: "items"}}, "no foreign key"},
		{&AlterColumn{From: &schema.Column{Name: "a"}}, "no column"},
		{&ReplaceRoutine{To: &schema.Routine{Name: "f"}}, "no routine"},
	} {
		err := Complete(tc.c)
		if !errors.As(err, &inc) || err.Error() != tc.want {
			t.Errorf("Complete(%T) = %v, want %q", tc.c, err, tc.want)
		}
		if got := Label(tc.c); !strings.HasPrefix(got, "*change.") {
			t.Errorf("Label(incomplete %T) = %q", tc.c, got)
		}
	}
	for _, c := range []Change{
		&AddColumn{Table: Ref{Name: "items"}, Column: &schema.Column{Name: "note"}},
		&SetPrimaryKey{Table: Ref{Name: "items"}, To: &schema.Key{Columns: []string{"id"}}},
		&AlterPartitioning{Table: Ref{Name: "items"}},
	} {
		if err := Complete(c); err != nil {
			t.Errorf("Complete(%s) = %v", c.Describe(), err)
		}
	}
	if got := Label(&AddColumn{Table: Ref{Name: "items"}, Column: &schema.Column{Name: "note"}}); !strings.Contains(got, "note") {
		t.Errorf("Label(complete) = %q", got)
	}
	if got := Label(nil); got != "nil change" {
		t.Errorf("Label(nil) = %q", got)
	}
}
