package diff

import (
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// TestCompareNameRules checks that diff takes names that differ only in
// case for one name exactly where the schema's NameRules say the server
// does (issue 19).
func TestCompareNameRules(t *testing.T) {
	fold := schema.NameRules{FoldTables: true, FoldColumns: true}
	columnsOnly := schema.NameRules{FoldColumns: true, FoldRoutines: true}
	view := func(name string) *schema.View { return &schema.View{Name: name, Definition: "SELECT 1"} }
	for _, c := range []struct {
		name     string
		rules    schema.NameRules
		from, to *schema.Schema
		want     []string
	}{
		{
			name:  "exact: a view spelled otherwise is another view",
			rules: schema.NameRules{},
			from:  &schema.Schema{Views: []*schema.View{view("V")}},
			to:    &schema.Schema{Views: []*schema.View{view("v")}},
			want:  []string{"removed view 'V'", "added view 'v'"},
		},
		{
			name:  "MySQL with lower_case_table_names=0: views are exact too",
			rules: columnsOnly,
			from:  &schema.Schema{Views: []*schema.View{view("V")}},
			to:    &schema.Schema{Views: []*schema.View{view("v")}},
			want:  []string{"removed view 'V'", "added view 'v'"},
		},
		{
			name:  "folding: a view spelled otherwise is the same view",
			rules: fold,
			from:  &schema.Schema{Views: []*schema.View{view("V")}},
			to:    &schema.Schema{Views: []*schema.View{view("v")}},
		},
		{
			name:  "folding: a table spelled otherwise is the same table",
			rules: fold,
			from:  &schema.Schema{Tables: []*schema.Table{pk(table("USERS", col("id", "integer")), "id")}},
			to:    &schema.Schema{Tables: []*schema.Table{pk(table("users", col("id", "integer"), col("name", "text")), "id")}},
			want:  []string{"added column 'users.name'"},
		},
		{
			name:  "folding: a column spelled otherwise is renamed in place",
			rules: columnsOnly,
			from:  &schema.Schema{Tables: []*schema.Table{pk(table("t", col("id", "int"), col("Name", "text")), "id")}},
			to:    &schema.Schema{Tables: []*schema.Table{pk(table("t", col("id", "int"), col("name", "text")), "id")}},
			want:  []string{"renamed column 't.Name' to 'name'"},
		},
		{
			name:  "exact: a column spelled otherwise is another column",
			rules: schema.NameRules{},
			from:  &schema.Schema{Tables: []*schema.Table{pk(table("t", col("id", "int"), col("Name", "text")), "id")}},
			to:    &schema.Schema{Tables: []*schema.Table{pk(table("t", col("id", "int"), col("name", "text")), "id")}},
			want:  []string{"removed column 't.Name'", "added column 't.name'"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.from.Names, c.to.Names = c.rules, c.rules
			changes, err := Compare(c.from, c.to, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := describe(changes)
			if len(got) != len(c.want) {
				t.Fatalf("changes %q, want %q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("changes %q, want %q", got, c.want)
				}
			}
		})
	}
}

// TestRenameQuotedParts checks that a rename names a column whose name
// holds a dot with SQL-quoted parts, and that QuoteRef writes it so.
func TestRenameQuotedParts(t *testing.T) {
	from := &schema.Schema{Tables: []*schema.Table{pk(table("users", col("id", "int"), col("special.column", "int")), "id")}}
	to := &schema.Schema{Tables: []*schema.Table{pk(table("users", col("id", "int"), col("special_column", "int")), "id")}}
	key := QuoteRef(change.Ref{Name: "users"}) + "." + QuoteRefPart("special.column")
	if key != `users."special.column"` {
		t.Fatalf("QuoteRef: %s", key)
	}
	changes, err := Compare(from, to, Options{Renames: map[string]string{key: "special_column"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(changes); len(got) != 1 || got[0] != "renamed column 'users.special.column' to 'special_column'" {
		t.Errorf("changes %q", got)
	}
	if _, err := Compare(from, to, Options{Renames: map[string]string{"users.special.column": "special_column"}}); err == nil {
		t.Error("an unquoted dotted name was taken as a column")
	}
}
