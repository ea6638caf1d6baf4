package diff

import (
	"slices"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// TestPolicyAroundRetype checks that a policy on a table whose column
// changes type, unchanged itself, is dropped before the change and
// created again after it (PostgreSQL refuses to retype a column a policy
// uses), and that an unchanged table leaves its policy, exclusion
// constraint and row security alone.
func TestPolicyAroundRetype(t *testing.T) {
	mk := func(typ string) *schema.Schema {
		return &schema.Schema{
			Tables: []*schema.Table{{Schema: "public", Name: "doc", Columns: []*schema.Column{{Name: "owner", Type: typ}},
				Exclusions:  []*schema.Exclusion{{Name: "ex", Definition: "EXCLUDE USING gist (owner WITH =)"}},
				RowSecurity: true}},
			Policies: []*schema.Policy{{Schema: "public", Table: "doc", Name: "mine", Command: "ALL", Roles: []string{"PUBLIC"}, Using: "(owner = CURRENT_USER)"}},
		}
	}
	changes, err := Compare(mk("text"), mk("name"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range changes {
		switch c.(type) {
		case *change.DropPolicy:
			kinds = append(kinds, "drop policy")
		case *change.AlterColumn:
			kinds = append(kinds, "alter column")
		case *change.AddPolicy:
			kinds = append(kinds, "add policy")
		default:
			kinds = append(kinds, c.Describe())
		}
	}
	if want := []string{"drop policy", "alter column", "add policy"}; !slices.Equal(kinds, want) {
		t.Errorf("changes %q, want %q", kinds, want)
	}
	if changes, err := Compare(mk("text"), mk("text"), Options{}); err != nil || len(changes) != 0 {
		t.Errorf("same schema: changes %v, err %v", changes, err)
	}
}
