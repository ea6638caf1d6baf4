package diff

import (
	"fmt"
	"testing"

	"github.com/retortdb/retort/schema"
)

// bigSchema builds n tables of eight columns, each with a primary key, an
// index and a foreign key to the previous table.
func bigSchema(n int) *schema.Schema {
	s := &schema.Schema{Dialect: "test"}
	for i := 0; i < n; i++ {
		t := &schema.Table{Name: fmt.Sprintf("t%05d", i)}
		for j := 0; j < 8; j++ {
			t.Columns = append(t.Columns, &schema.Column{Name: fmt.Sprintf("c%d", j), Type: "integer", Nullable: j > 0})
		}
		t.PrimaryKey = &schema.Key{Name: t.Name + "_pkey", Columns: []string{"c0"}}
		t.Indexes = []*schema.Index{{Name: t.Name + "_c1_idx", Parts: []*schema.IndexPart{{Column: "c1"}}, Definition: "CREATE INDEX " + t.Name + "_c1_idx ON " + t.Name + " (c1)"}}
		if i > 0 {
			t.ForeignKeys = []*schema.ForeignKey{{Name: t.Name + "_fk", Columns: []string{"c2"}, RefTable: fmt.Sprintf("t%05d", i-1), RefColumns: []string{"c0"}}}
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}

// BenchmarkCompare2000 compares two 2,000-table schemas that differ in one
// column's type.
func BenchmarkCompare2000(b *testing.B) {
	from, to := bigSchema(2000), bigSchema(2000)
	to.Tables[1234].Columns[5].Type = "bigint"
	changes, err := Compare(from, to, Options{})
	if err != nil || len(changes) != 1 {
		b.Fatalf("Compare: %d changes, %v", len(changes), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compare(from, to, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
