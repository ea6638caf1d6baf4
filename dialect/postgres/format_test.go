package postgres

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/retortdb/retort/schema"
)

func init() {
	// The -update flag is shared with the package's other golden tests;
	// whichever file runs first defines it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func relUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func TestQuoteIdentIfNeeded(t *testing.T) {
	cases := map[string]string{
		"actor":        "actor",
		"_x1":          "_x1",
		"x$":           `"x$"`,
		"Actor":        `"Actor"`,
		"select":       `"select"`,
		"user":         `"user"`,
		"table":        `"table"`,
		"name":         "name", // unreserved keyword
		"year":         "year", // unreserved keyword
		"zip code":     `"zip code"`,
		`we"ird`:       `"we""ird"`,
		"1st":          `"1st"`,
		"$x":           `"$x"`,
		"naïve":        `"naïve"`,
		"bıgınt":       `"bıgınt"`,
		"":             `""`,
		"a-b":          `"a-b"`,
		"uuid-ossp":    `"uuid-ossp"`,
		"current_user": `"current_user"`,
	}
	for in, want := range cases {
		if got := quoteIdentIfNeeded(in); got != want {
			t.Errorf("quoteIdentIfNeeded(%q) = %s, want %s", in, got, want)
		}
	}
	if got := qualifiedName("public", "t"); got != "t" {
		t.Errorf("qualifiedName(public, t) = %s", got)
	}
	if got := qualifiedName("My Schema", "Order"); got != `"My Schema"."Order"` {
		t.Errorf("qualifiedName(My Schema, Order) = %s", got)
	}
}

func TestWrappedInParens(t *testing.T) {
	cases := map[string]bool{
		"(a > 0)":                 true,
		"((a > 0) AND (b > 0))":   true,
		"(a > 0) AND (b > 0)":     false,
		"(a <> ')(')":             true,
		`("x)" > 0) OR (b > 0)`:   false,
		"a > 0":                   false,
		"(a > 0":                  false,
		"((VALUE >= 1901))":       true,
		"(b = 'it''s (odd')":      true,
		"(lower(b) = 'x') OR (c)": false,
	}
	for in, want := range cases {
		if got := wrappedInParens(in); got != want {
			t.Errorf("wrappedInParens(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSeqOptions(t *testing.T) {
	cases := []struct {
		typ                         string
		start, inc, min, max, cache int64
		cycle                       bool
		want                        string
	}{
		{"bigint", 1, 1, 1, 9223372036854775807, 1, false, ""},
		{"integer", 1, 1, 1, 2147483647, 1, false, ""},
		{"integer", -1, -1, -2147483648, -1, 1, false, "INCREMENT BY -1"},
		{"integer", -1, -1, -2147483648, -1, 1, false, "INCREMENT BY -1"},
		{"integer", 5, -1, -2147483648, 10, 1, false, "INCREMENT BY -1 MAXVALUE 10 START WITH 5"},
		{"smallint", 10, 5, 1, 1000, 20, true, "INCREMENT BY 5 MAXVALUE 1000 START WITH 10 CACHE 20 CYCLE"},
		{"bigint", 5, 1, 5, 9223372036854775807, 1, false, "MINVALUE 5"},
	}
	for _, c := range cases {
		if got := seqOptions(c.typ, c.start, c.inc, c.min, c.max, c.cache, c.cycle); got != c.want {
			t.Errorf("seqOptions(%+v) = %q, want %q", c, got, c.want)
		}
	}
}

func strp(s string) *string { return &s }

// goldenSchema is a small hand-written schema that touches every part of
// Format this file owns.
func goldenSchema() *schema.Schema {
	return &schema.Schema{
		Dialect:    "postgres",
		Namespaces: []*schema.Namespace{{Name: "sales", Comment: "sales data"}, {Name: "My Schema"}},
		Extensions: []*schema.Extension{{Name: "uuid-ossp", Schema: "public"}},
		Types: []*schema.Type{
			{Kind: schema.DomainType, Schema: "public", Name: "posint", Base: "year", NotNull: true, Default: strp("2000")},
			{Kind: schema.DomainType, Schema: "public", Name: "year", Base: "integer",
				Checks: []*schema.Check{{Name: "year_check", Expr: "((VALUE >= 1901) AND (VALUE <= 2155))", Comment: "a year"}}},
			{Kind: schema.EnumType, Schema: "public", Name: "mood", Values: []string{"sad", "it's ok"}, Comment: "feelings"},
			{Kind: schema.CompositeType, Schema: "sales", Name: "pair", Attributes: []*schema.Column{{Name: "x", Type: "posint"}, {Name: "Y", Type: "text", Collation: `"C"`}}},
		},
		Sequences: []*schema.Sequence{
			{Schema: "public", Name: "order_id_seq", Type: "integer", Start: 1, Increment: 1, Min: 1, Max: 2147483647, Cache: 1, OwnedBy: "orders.id"},
			{Schema: "sales", Name: "free", Type: "bigint", Start: 100, Increment: 10, Min: 1, Max: 9223372036854775807, Cache: 1, Comment: "free"},
		},
		Tables: []*schema.Table{
			{Schema: "public", Name: "orders", Comment: "all orders", Columns: []*schema.Column{
				{Name: "id", Type: "integer", Default: strp("nextval('order_id_seq'::regclass)")},
				{Name: "select", Type: "text", Nullable: true, Comment: "reserved"},
				{Name: "mood", Type: "mood", Nullable: true},
				{Name: "total", Type: "numeric", Nullable: true, Generated: "(1 + 1)", Stored: true},
			},
				PrimaryKey: &schema.Key{Name: "orders_pkey", Columns: []string{"id"}, Definition: "PRIMARY KEY (id)"},
				Uniques:    []*schema.Key{{Name: "orders_select_key", Columns: []string{"select"}, Deferrable: true}},
				Checks:     []*schema.Check{{Name: "orders_id_check", Expr: "(id > 0)"}, {Name: "late", Expr: "(id < 100)", NotValid: true}},
				// Built from its parts: no Definition.
				Indexes: []*schema.Index{{Name: "orders_mood", Parts: []*schema.IndexPart{{Column: "mood", Desc: true}}, Comment: "by mood"}},
			},
			{Schema: "My Schema", Name: "Line", Columns: []*schema.Column{
				{Name: "order_id", Type: "integer"},
				{Name: "n", Type: "bigint", Identity: "ALWAYS", IdentityOptions: "START WITH 10"},
			},
				ForeignKeys: []*schema.ForeignKey{{Name: "line_order", Columns: []string{"order_id"}, RefSchema: "public", RefTable: "orders", RefColumns: []string{"id"}, OnDelete: "CASCADE"}},
				Indexes: []*schema.Index{{Name: "line_expr", Unique: true, Parts: []*schema.IndexPart{{Expr: "(n * 2)"}}, Where: "(n > 0)", Include: []string{"order_id"},
					Definition: `CREATE UNIQUE INDEX line_expr ON "My Schema"."Line" USING btree (((n * 2))) INCLUDE (order_id) WHERE (n > 0)`}},
			},
			{Schema: "public", Name: "events", Columns: []*schema.Column{{Name: "at", Type: "date"}}, Options: schema.TableOptions{PartitionBy: "RANGE (at)"}},
			{Schema: "public", Name: "events_2025", Columns: []*schema.Column{{Name: "at", Type: "date"}},
				Options: schema.TableOptions{PartitionOf: "events", PartitionBound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"}},
			{Schema: "public", Name: "child", Columns: []*schema.Column{{Name: "id", Type: "integer", Default: strp("7"), Inherited: true},
				{Name: "select", Type: "text", Nullable: true, Inherited: true}, {Name: "mood", Type: "mood", Nullable: true, Inherited: true},
				{Name: "total", Type: "numeric", Nullable: true, Generated: "(1 + 1)", Stored: true, Inherited: true},
				{Name: "extra", Type: "text", Nullable: true}},
				Options: schema.TableOptions{Inherits: []string{"orders"}, Unlogged: true}},
		},
		Warnings: []string{"skipped policy p on orders: not supported"},
	}
}

// TestFormatGolden checks Format on a hand-written schema against
// testdata/format.golden (refresh with -update).
func TestFormatGolden(t *testing.T) {
	got := New().Format(goldenSchema())
	if again := New().Format(goldenSchema()); again != got {
		t.Fatalf("Format is not deterministic:\n%s", diffText(got, again))
	}
	path := filepath.Join("testdata", "format.golden")
	if relUpdateGolden() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestFormatGolden -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("Format differs from %s (- golden, + got):\n%s", path, diffText(string(want), got))
	}
}

// TestFormatGoldenRuns applies the golden text to a fresh database and
// checks that its inspection formats to the same statements (the
// hand-written schema is canonical apart from its warning comment).
func TestFormatGoldenRuns(t *testing.T) {
	s := goldenSchema()
	s.Warnings = nil
	text := New().Format(s)
	db := newTestDB(t)
	relPSQLText(t, db, text)
	_, got := inspectFormat(t, db)
	if got != text {
		t.Errorf("the golden schema does not come back from the database (- formatted, + inspected):\n%s", diffText(text, got))
	}
}
