package diff

import (
	"reflect"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

func withNamespaces(s *schema.Schema, ns ...*schema.Namespace) *schema.Schema {
	s.Dialect = "postgres"
	s.Namespaces = append(s.Namespaces, ns...)
	return s
}

// TestCompareNamespaceComments: a schema's comment changes in place, with
// the old comment taken from the from side as inspected; public missing on
// one side (PostgreSQL's inspector leaves it out when its comment is a new
// database's) is public with its default comment, and is never created or
// dropped.
func TestCompareNamespaceComments(t *testing.T) {
	cases := []struct {
		name     string
		from, to *schema.Schema
		want     []change.Change
		describe []string
	}{
		{
			name:     "public comment set over the default",
			from:     withNamespaces(sch()),
			to:       withNamespaces(sch(), &schema.Namespace{Name: "public", Comment: "Standard public schema"}),
			want:     []change.Change{&change.SetNamespaceComment{Namespace: "public", FromDefault: true, To: "Standard public schema"}},
			describe: []string{"changed comment on schema 'public'"},
		},
		{
			name:     "public comment back to the default",
			from:     withNamespaces(sch(), &schema.Namespace{Name: "public", Comment: "mine"}),
			to:       withNamespaces(sch()),
			want:     []change.Change{&change.SetNamespaceComment{Namespace: "public", From: "mine", ToDefault: true}},
			describe: []string{"changed comment on schema 'public'"},
		},
		{
			name:     "public comment removed",
			from:     withNamespaces(sch()),
			to:       withNamespaces(sch(), &schema.Namespace{Name: "public"}),
			want:     []change.Change{&change.SetNamespaceComment{Namespace: "public", FromDefault: true}},
			describe: []string{"removed comment on schema 'public'"},
		},
		{
			name:     "public comment set where it had none",
			from:     withNamespaces(sch(), &schema.Namespace{Name: "public"}),
			to:       withNamespaces(sch(), &schema.Namespace{Name: "public", Comment: "x"}),
			want:     []change.Change{&change.SetNamespaceComment{Namespace: "public", To: "x"}},
			describe: []string{"set comment on schema 'public'"},
		},
		{
			name: "comment of a schema of its own changed, another schema added",
			from: withNamespaces(sch(), &schema.Namespace{Name: "sales", Comment: "old"}),
			to:   withNamespaces(sch(), &schema.Namespace{Name: "hr", Comment: "people"}, &schema.Namespace{Name: "sales", Comment: "new"}),
			want: []change.Change{
				&change.AddNamespace{Namespace: &schema.Namespace{Name: "hr", Comment: "people"}},
				&change.SetNamespaceComment{Namespace: "sales", From: "old", To: "new"},
			},
			describe: []string{"added schema 'hr'", "changed comment on schema 'sales'"},
		},
		{
			name: "same comments",
			from: withNamespaces(sch(), &schema.Namespace{Name: "public", Comment: "x"}, &schema.Namespace{Name: "sales", Comment: "y"}),
			to:   withNamespaces(sch(), &schema.Namespace{Name: "public", Comment: "x"}, &schema.Namespace{Name: "sales", Comment: "y"}),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(tc.from, tc.to, Options{})
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("changes:\n  got  %#v\n  want %#v", got, tc.want)
			}
			for i, c := range got {
				if d := c.Describe(); d != tc.describe[i] {
					t.Errorf("change %d describes itself as %q, want %q", i+1, d, tc.describe[i])
				}
			}
			// The downgrade is what Compare finds the other way round.
			back, err := Compare(tc.to, tc.from, Options{})
			if err != nil {
				t.Fatalf("Compare back: %v", err)
			}
			inv := change.Invert(got)
			if len(back) != len(inv) || (len(back) > 0 && !reflect.DeepEqual(back, inv)) {
				t.Fatalf("inverse of the changes differs from Compare(to, from):\n  inverse %#v\n  compare %#v", inv, back)
			}
		})
	}
}
