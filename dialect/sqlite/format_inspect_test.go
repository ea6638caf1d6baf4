package sqlite

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenSchema is a small hand-written schema that touches every part of
// Format.
func goldenSchema() *schema.Schema {
	return &schema.Schema{
		Dialect: "sqlite",
		Tables: []*schema.Table{
			{
				Name: "orders",
				Columns: []*schema.Column{
					{Name: "id", Type: "INTEGER", AutoIncrement: true},
					{Name: "customer_id", Type: "INTEGER"},
					{Name: "status", Type: "TEXT", Default: ptr("'new'"), Collation: "NOCASE"},
					{Name: "placed_at", Type: "TEXT", Default: ptr("datetime('now')")},
					{Name: "qty", Type: "INT", Nullable: true, Default: ptr("-1")},
					{Name: "price", Type: "NUMERIC(10,2)", Nullable: true},
					{Name: "total", Type: "NUMERIC", Nullable: true, Generated: "qty * price", Stored: true},
				},
				PrimaryKey: &schema.Key{Name: "pk_orders", Columns: []string{"id"}},
				Uniques:    []*schema.Key{{Name: "uq_orders", Columns: []string{"customer_id", "placed_at"}}},
				ForeignKeys: []*schema.ForeignKey{{
					Name: "fk_orders_customer", Columns: []string{"customer_id"}, RefTable: "customers", RefColumns: []string{"id"},
					OnDelete: "CASCADE", Deferrable: true, InitiallyDeferred: true,
				}},
				Checks: []*schema.Check{{Name: "ck_qty", Expr: "qty > 0"}, {Expr: "status IN ('new', 'paid')"}},
				Indexes: []*schema.Index{
					{Name: "orders_status", Parts: []*schema.IndexPart{{Column: "status"}, {Column: "placed_at", Desc: true}}, Where: "status <> 'paid'"},
					{Name: "orders_lower", Unique: true, Parts: []*schema.IndexPart{{Expr: "lower(status)"}}},
				},
			},
			{
				Name: "customers",
				Columns: []*schema.Column{
					{Name: "id", Type: "TEXT"},
					{Name: "select", Type: "TEXT", Nullable: true},
				},
				PrimaryKey: &schema.Key{Columns: []string{"id"}},
				Options:    schema.TableOptions{WithoutRowID: true, Strict: true},
			},
		},
		Views: []*schema.View{
			{Name: "paid", Definition: "SELECT * FROM open_orders WHERE status = 'paid'"},
			{Name: "open_orders", Columns: []string{"order id", "status"}, Definition: "SELECT id, status FROM orders"},
		},
		Triggers: []*schema.Trigger{{Table: "orders", Name: "orders_ai", Definition: "CREATE TRIGGER orders_ai AFTER INSERT ON orders\nBEGIN\n  SELECT 1;\nEND"}},
	}
}

// TestFormatGolden compares Format of a hand-written schema with
// testdata/format.golden (refresh with -update), then loads the golden text
// into SQLite and requires its inspection to format to the same text.
func TestFormatGolden(t *testing.T) {
	got := New().Format(goldenSchema())
	path := filepath.Join("testdata", "format.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Fatalf("Format differs from %s:\n%s", path, firstDiff(string(want), got))
	}
	x := testdb.New(t, "sqlite")
	if _, err := x.DB.ExecContext(context.Background(), got); err != nil {
		t.Fatalf("golden text does not load: %v", err)
	}
	_, back := inspectFormat(t, x)
	if back != got {
		t.Fatalf("inspection of the golden text formats differently:\n%s", firstDiff(got, back))
	}
}

func TestFormatEmpty(t *testing.T) {
	if got := New().Format(&schema.Schema{Dialect: "sqlite"}); got != "" {
		t.Errorf("Format of an empty schema = %q, want empty", got)
	}
}
