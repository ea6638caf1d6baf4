package diff

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// Helpers that build small schemas by hand.

func col(name, typ string) *schema.Column {
	return &schema.Column{Name: name, Type: typ, Nullable: true}
}

func notNull(c *schema.Column) *schema.Column { c.Nullable = false; return c }

func withDefault(c *schema.Column, d string) *schema.Column { c.Default = &d; return c }

func table(name string, cols ...*schema.Column) *schema.Table {
	return &schema.Table{Name: name, Columns: cols}
}

func pk(t *schema.Table, cols ...string) *schema.Table {
	t.PrimaryKey = &schema.Key{Columns: cols}
	for _, c := range cols {
		t.Column(c).Nullable = false
	}
	return t
}

func fk(t *schema.Table, name string, cols []string, ref string, refCols ...string) *schema.Table {
	t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{Name: name, Columns: cols, RefTable: ref, RefColumns: refCols})
	return t
}

func index(t *schema.Table, name string, cols ...string) *schema.Table {
	x := &schema.Index{Name: name}
	for _, c := range cols {
		x.Parts = append(x.Parts, &schema.IndexPart{Column: c})
	}
	t.Indexes = append(t.Indexes, x)
	return t
}

func sch(objs ...any) *schema.Schema {
	s := &schema.Schema{Dialect: "test"}
	for _, o := range objs {
		switch o := o.(type) {
		case *schema.Table:
			s.Tables = append(s.Tables, o)
		case *schema.View:
			s.Views = append(s.Views, o)
		case *schema.Type:
			s.Types = append(s.Types, o)
		case *schema.Sequence:
			s.Sequences = append(s.Sequences, o)
		case *schema.Routine:
			s.Routines = append(s.Routines, o)
		case *schema.Trigger:
			s.Triggers = append(s.Triggers, o)
		default:
			panic(fmt.Sprintf("sch: %T", o))
		}
	}
	return s
}

func items() *schema.Table {
	return pk(table("items", col("id", "integer"), col("name", "text")), "id")
}

func describe(changes []change.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Describe()
	}
	return out
}

// checkRoundTrip requires that changes take from to to in the simulator
// and that their inverse takes to back to from.
func checkRoundTrip(t *testing.T, from, to *schema.Schema, changes []change.Change) {
	t.Helper()
	up, err := simulate(from, changes)
	if err != nil {
		t.Fatalf("upgrade does not apply: %v\nchanges:\n%s", err, strings.Join(describe(changes), "\n"))
	}
	if rest, err := Compare(simText(up), simText(to), Options{}); err != nil || len(rest) > 0 {
		t.Fatalf("upgrade leaves differences (err %v):\n%s", err, strings.Join(describe(rest), "\n"))
	}
	down := change.Invert(changes)
	back, err := simulate(to, down)
	if err != nil {
		t.Fatalf("downgrade does not apply: %v\nchanges:\n%s", err, strings.Join(describe(down), "\n"))
	}
	if rest, err := Compare(simText(back), simText(from), Options{}); err != nil || len(rest) > 0 {
		t.Fatalf("downgrade leaves differences (err %v):\n%s", err, strings.Join(describe(rest), "\n"))
	}
}

// simText returns a copy of s without index definitions: the simulator
// renames columns in the structured fields of an index, not in the text a
// server would print, so after a rename only the structure compares.
func simText(s *schema.Schema) *schema.Schema {
	s = deepCopy(s)
	for _, t := range s.Tables {
		for _, x := range t.Indexes {
			x.Definition = ""
		}
	}
	return s
}

type compareCase struct {
	name     string
	from, to *schema.Schema
	opts     Options
	want     []string
}

func runCases(t *testing.T, cases []compareCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(tc.from, tc.to, tc.opts)
			if err != nil {
				t.Fatalf("Compare: %v", err)
			}
			if d := describe(got); !slices.Equal(d, tc.want) {
				t.Fatalf("changes:\n  got  %q\n  want %q", d, tc.want)
			}
			checkRoundTrip(t, tc.from, tc.to, got)
		})
	}
}

func TestCompareTablesAndColumns(t *testing.T) {
	runCases(t, []compareCase{
		{
			name: "no change",
			from: sch(items()), to: sch(items()),
			want: []string{},
		},
		{
			name: "add table",
			from: sch(), to: sch(items()),
			want: []string{"added table 'items'"},
		},
		{
			name: "drop table",
			from: sch(items()), to: sch(),
			want: []string{"removed table 'items'"},
		},
		{
			name: "add and drop columns",
			from: sch(items()),
			to:   sch(pk(table("items", col("id", "integer"), col("price", "numeric"), col("stock", "integer")), "id")),
			want: []string{
				"removed column 'items.name'",
				"added column 'items.price'",
				"added column 'items.stock'",
			},
		},
		{
			name: "column order is no difference",
			from: sch(items()),
			to:   sch(pk(table("items", col("name", "text"), col("id", "integer")), "id")),
			want: []string{},
		},
		{
			name: "alter column",
			from: sch(items()),
			to: func() *schema.Schema {
				t := items()
				t.Columns[1] = withDefault(notNull(col("name", "varchar(80)")), "'x'")
				return sch(t)
			}(),
			want: []string{"altered column 'items.name' (type text -> varchar(80), now NOT NULL, default)"},
		},
		{
			name: "column comment and identity",
			from: sch(items()),
			to: func() *schema.Schema {
				t := items()
				t.Columns[0].Identity = "ALWAYS"
				t.Columns[1].Comment = "the name"
				return sch(t)
			}(),
			want: []string{"altered column 'items.id' (identity)", "altered column 'items.name' (comment)"},
		},
		{
			name: "table comment",
			from: sch(items()),
			to: func() *schema.Schema {
				t := items()
				t.Comment = "things we sell"
				return sch(t)
			}(),
			want: []string{"changed comment on table 'items'"},
		},
		{
			name: "schema-qualified tables are distinct",
			from: sch(&schema.Table{Schema: "sales", Name: "items", Columns: []*schema.Column{col("id", "integer")}}),
			to:   sch(&schema.Table{Schema: "stock", Name: "items", Columns: []*schema.Column{col("id", "integer")}}),
			want: []string{"removed table 'sales.items'", "added table 'stock.items'"},
		},
	})
}

func TestCompareKeysAndIndexes(t *testing.T) {
	withUnique := func(name string, cols ...string) *schema.Schema {
		t := items()
		t.Uniques = []*schema.Key{{Name: name, Columns: cols}}
		return sch(t)
	}
	withCheck := func(name, expr string) *schema.Schema {
		t := items()
		t.Checks = []*schema.Check{{Name: name, Expr: expr}}
		return sch(t)
	}
	withIndex := func(def string, cols ...string) *schema.Schema {
		t := index(items(), "items_name_idx", cols...)
		t.Indexes[0].Definition = def
		return sch(t)
	}
	runCases(t, []compareCase{
		{
			name: "primary key added",
			from: sch(table("items", col("id", "integer"))),
			to:   sch(pk(table("items", col("id", "integer")), "id")),
			want: []string{"altered column 'items.id' (now NOT NULL)", "added primary key [id] on 'items'"},
		},
		{
			name: "primary key removed",
			from: sch(pk(table("items", col("id", "integer")), "id")),
			to:   sch(table("items", col("id", "integer"))),
			want: []string{"removed primary key on 'items'", "altered column 'items.id' (now nullable)"},
		},
		{
			name: "primary key changed",
			from: sch(pk(table("items", col("id", "integer"), col("code", "text")), "id")),
			to:   sch(pk(table("items", col("id", "integer"), col("code", "text")), "code")),
			want: []string{
				"removed primary key on 'items'",
				"altered column 'items.code' (now NOT NULL)",
				"altered column 'items.id' (now nullable)",
				"added primary key [code] on 'items'",
			},
		},
		{
			name: "named unique added and dropped",
			from: withUnique("items_name_key", "name"),
			to:   withUnique("items_name_id_key", "name", "id"),
			want: []string{
				"removed unique constraint 'items_name_key' on 'items' [name]",
				"added unique constraint 'items_name_id_key' on 'items' [name id]",
			},
		},
		{
			name: "named unique changed is drop and add",
			from: withUnique("u", "name"),
			to:   withUnique("u", "name", "id"),
			want: []string{
				"removed unique constraint 'u' on 'items' [name]",
				"added unique constraint 'u' on 'items' [name id]",
			},
		},
		{
			name: "unnamed uniques match by content",
			from: withUnique("", "name"),
			to:   withUnique("", "name"),
			want: []string{},
		},
		{
			name: "unnamed unique changed",
			from: withUnique("", "name"),
			to:   withUnique("", "id", "name"),
			want: []string{
				"removed unique constraint on 'items' [name]",
				"added unique constraint on 'items' [id name]",
			},
		},
		{
			name: "check changed",
			from: withCheck("c", "length(name) > 0"),
			to:   withCheck("c", "length(name) > 1"),
			want: []string{"removed check constraint 'c' on 'items'", "added check constraint 'c' on 'items'"},
		},
		{
			name: "unnamed check kept",
			from: withCheck("", "id > 0"),
			to:   withCheck("", "id > 0"),
			want: []string{},
		},
		{
			name: "index added",
			from: sch(items()),
			to:   withIndex("", "name"),
			want: []string{"added index 'items_name_idx' on 'items'"},
		},
		{
			name: "index definition wins over parts",
			from: withIndex("CREATE INDEX items_name_idx ON items (name)", "name"),
			to:   withIndex("CREATE INDEX items_name_idx ON items (name DESC)", "name"),
			want: []string{"removed index 'items_name_idx' on 'items'", "added index 'items_name_idx' on 'items'"},
		},
		{
			name: "index parts compared without definition",
			from: withIndex("", "name"),
			to:   withIndex("", "name", "id"),
			want: []string{"removed index 'items_name_idx' on 'items'", "added index 'items_name_idx' on 'items'"},
		},
	})
}

func orders() *schema.Table {
	return fk(pk(table("orders", col("id", "integer"), col("item_id", "integer")), "id"), "orders_item_fk", []string{"item_id"}, "items", "id")
}

func TestCompareForeignKeys(t *testing.T) {
	a := func() *schema.Table {
		return fk(pk(table("a", col("id", "integer"), col("b_id", "integer")), "id"), "a_b_fk", []string{"b_id"}, "b", "id")
	}
	b := func() *schema.Table {
		return fk(pk(table("b", col("id", "integer"), col("a_id", "integer")), "id"), "b_a_fk", []string{"a_id"}, "a", "id")
	}
	runCases(t, []compareCase{
		{
			name: "tables with a foreign key cycle",
			from: sch(), to: sch(a(), b()),
			want: []string{
				"added table 'a'", "added table 'b'",
				"added foreign key 'a_b_fk' on 'a' [b_id] -> 'b'",
				"added foreign key 'b_a_fk' on 'b' [a_id] -> 'a'",
			},
		},
		{
			name: "dropping a foreign key cycle",
			from: sch(a(), b()), to: sch(),
			want: []string{
				"removed foreign key 'a_b_fk' on 'a' [b_id] -> 'b'",
				"removed foreign key 'b_a_fk' on 'b' [a_id] -> 'a'",
				"removed table 'a'", "removed table 'b'",
			},
		},
		{
			name: "foreign key added to existing table",
			from: sch(items(), pk(table("orders", col("id", "integer"), col("item_id", "integer")), "id")),
			to:   sch(items(), orders()),
			want: []string{"added foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'"},
		},
		{
			name: "foreign key action changed",
			from: sch(items(), orders()),
			to: func() *schema.Schema {
				o := orders()
				o.ForeignKeys[0].OnDelete = "CASCADE"
				return sch(items(), o)
			}(),
			want: []string{
				"removed foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'",
				"added foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'",
			},
		},
		{
			name: "type change of a referenced column drops and re-adds the key",
			from: sch(items(), orders()),
			to: func() *schema.Schema {
				i, o := items(), orders()
				i.Columns[0].Type = "bigint"
				o.Columns[1].Type = "bigint"
				return sch(i, o)
			}(),
			want: []string{
				"removed foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'",
				"altered column 'items.id' (type integer -> bigint)",
				"altered column 'orders.item_id' (type integer -> bigint)",
				"added foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'",
			},
		},
		{
			name: "dropping a referenced table drops the key first",
			from: sch(items(), orders()),
			to:   sch(pk(table("orders", col("id", "integer"), col("item_id", "integer")), "id")),
			want: []string{
				"removed foreign key 'orders_item_fk' on 'orders' [item_id] -> 'items'",
				"removed table 'items'",
			},
		},
		{
			name: "unnamed foreign keys match by content",
			from: sch(items(), fk(pk(table("orders", col("id", "integer"), col("item_id", "integer")), "id"), "", []string{"item_id"}, "items", "id")),
			to:   sch(items(), fk(pk(table("orders", col("id", "integer"), col("item_id", "integer")), "id"), "", []string{"item_id"}, "items", "id")),
			want: []string{},
		},
	})
}

func TestCompareRenames(t *testing.T) {
	renamedItems := func() *schema.Table {
		return pk(table("products", col("id", "integer"), col("name", "text")), "id")
	}
	runCases(t, []compareCase{
		{
			name: "without a rename, drop and add",
			from: sch(items()), to: sch(renamedItems()),
			want: []string{"removed table 'items'", "added table 'products'"},
		},
		{
			name: "table rename keeps data",
			from: sch(items(), orders()),
			to: func() *schema.Schema {
				o := orders()
				o.ForeignKeys[0].RefTable = "products"
				return sch(o, renamedItems())
			}(),
			opts: Options{Renames: map[string]string{"items": "products"}},
			want: []string{"renamed table 'items' to 'products'"},
		},
		{
			name: "column rename",
			from: sch(index(items(), "items_name_idx", "name")),
			to:   sch(index(pk(table("items", col("id", "integer"), col("title", "text")), "id"), "items_name_idx", "title")),
			opts: Options{Renames: map[string]string{"items.name": "title"}},
			want: []string{"renamed column 'items.name' to 'title'"},
		},
		{
			name: "column rename with a type change",
			from: sch(items()),
			to:   sch(pk(table("items", col("id", "integer"), col("title", "varchar(80)")), "id")),
			opts: Options{Renames: map[string]string{"items.name": "title"}},
			want: []string{"renamed column 'items.name' to 'title'", "altered column 'items.title' (type text -> varchar(80))"},
		},
		{
			name: "table and column rename, column named by the new table name",
			from: sch(items()),
			to:   sch(pk(table("products", col("id", "integer"), col("title", "text")), "id")),
			opts: Options{Renames: map[string]string{"items": "products", "products.name": "title"}},
			want: []string{"renamed table 'items' to 'products'", "renamed column 'products.name' to 'title'"},
		},
		{
			name: "referenced column renamed",
			from: sch(items(), orders()),
			to: func() *schema.Schema {
				i, o := items(), orders()
				i.Columns[0].Name = "item_no"
				i.PrimaryKey.Columns = []string{"item_no"}
				o.ForeignKeys[0].RefColumns = []string{"item_no"}
				return sch(i, o)
			}(),
			opts: Options{Renames: map[string]string{"items.id": "item_no"}},
			want: []string{"renamed column 'items.id' to 'item_no'"},
		},
		{
			name: "schema-qualified rename",
			from: sch(&schema.Table{Schema: "sales", Name: "orders", Columns: []*schema.Column{col("id", "integer")}}),
			to:   sch(&schema.Table{Schema: "sales", Name: "purchases", Columns: []*schema.Column{col("id", "integer")}}),
			opts: Options{Renames: map[string]string{"sales.orders": "purchases"}},
			want: []string{"renamed table 'sales.orders' to 'purchases'"},
		},
	})
}

func TestCompareRenameErrors(t *testing.T) {
	from := sch(items())
	to := sch(pk(table("products", col("id", "integer"), col("title", "text")), "id"))
	for _, tc := range []struct {
		renames map[string]string
		want    string
	}{
		{map[string]string{"nope": "products"}, `no table "nope" in the current schema`},
		{map[string]string{"items": "nope"}, `no table "nope" in the desired schema`},
		{map[string]string{"items": "products", "items.nope": "title"}, `no column "nope"`},
		{map[string]string{"items": "products", "items.name": "nope"}, `no column "nope" in table "products" of the desired schema`},
		{map[string]string{"items": "sales.products"}, "plain name"},
	} {
		_, err := Compare(from, to, Options{Renames: tc.renames})
		var oe *OptionError
		if !errors.As(err, &oe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("renames %v: error %v, want an *OptionError containing %q", tc.renames, err, tc.want)
		}
	}
	_, err := Compare(from, to, Options{Backfill: map[string]string{"items.stock": "0"}})
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Option != "backfill" {
		t.Errorf("backfill on a missing table: error %v, want an *OptionError", err)
	}
}

func TestCompareObjects(t *testing.T) {
	enum := func(values ...string) *schema.Type {
		return &schema.Type{Kind: schema.EnumType, Name: "mood", Values: values}
	}
	seq := func(inc int64) *schema.Sequence {
		return &schema.Sequence{Name: "order_no", Start: 1, Increment: inc, Min: 1, Max: 1 << 40, Cache: 1}
	}
	fn := func(body string) *schema.Routine {
		return &schema.Routine{Kind: schema.Function, Name: "touch", Definition: "CREATE FUNCTION touch() RETURNS trigger AS $$" + body + "$$"}
	}
	trig := func(def string) *schema.Trigger {
		return &schema.Trigger{Table: "items", Name: "items_touch", Definition: def}
	}
	runCases(t, []compareCase{
		{
			name: "enum values appended",
			from: sch(enum("sad", "ok")), to: sch(enum("sad", "ok", "happy")),
			want: []string{"added values to enum 'mood'"},
		},
		{
			name: "enum values reordered rebuilds the type in place",
			from: sch(enum("sad", "ok")), to: sch(enum("ok", "sad")),
			want: []string{"changed values of enum 'mood'"},
		},
		{
			name: "enum value inserted in the middle is added",
			from: sch(enum("sad", "ok")), to: sch(enum("sad", "meh", "ok")),
			want: []string{"added values to enum 'mood'"},
		},
		{
			name: "enum value removed rebuilds the type in place",
			from: sch(enum("sad", "meh", "ok")), to: sch(enum("sad", "ok")),
			want: []string{"changed values of enum 'mood'"},
		},
		{
			name: "schemas and extensions come first and go last",
			from: &schema.Schema{Namespaces: []*schema.Namespace{}},
			to: &schema.Schema{
				Namespaces: []*schema.Namespace{{Name: "sales"}},
				Extensions: []*schema.Extension{{Name: "citext", Schema: "public"}},
				Types:      []*schema.Type{{Kind: schema.EnumType, Schema: "sales", Name: "state", Values: []string{"open"}}},
				Tables:     []*schema.Table{{Schema: "sales", Name: "orders", Columns: []*schema.Column{col("id", "integer"), col("email", "citext")}}},
			},
			want: []string{"added schema 'sales'", "added extension 'citext'", "added enum type 'sales.state'", "added table 'sales.orders'"},
		},
		{
			name: "a column leaves an enum that is dropped",
			from: func() *schema.Schema {
				t := items()
				t.Columns = append(t.Columns, col("mood", "mood"))
				return sch(t, enum("sad", "ok"))
			}(),
			to: func() *schema.Schema {
				t := items()
				t.Columns = append(t.Columns, col("mood", "text"))
				return sch(t)
			}(),
			want: []string{"altered column 'items.mood' (type mood -> text)", "removed enum type 'mood'"},
		},
		{
			name: "a default moves to a new sequence",
			from: func() *schema.Schema {
				t := items()
				t.Columns[0] = withDefault(t.Columns[0], "nextval('items_id_seq'::regclass)")
				return sch(t, &schema.Sequence{Name: "items_id_seq", Start: 1, Increment: 1})
			}(),
			to: func() *schema.Schema {
				t := items()
				t.Columns[0] = withDefault(t.Columns[0], "nextval('item_no_seq'::regclass)")
				return sch(t, &schema.Sequence{Name: "item_no_seq", Start: 1, Increment: 1})
			}(),
			want: []string{"added sequence 'item_no_seq'", "altered column 'items.id' (default)", "removed sequence 'items_id_seq'"},
		},
		{
			name: "sequence added and altered",
			from: sch(seq(1)), to: sch(seq(2), &schema.Sequence{Name: "another", Start: 1, Increment: 1}),
			want: []string{"added sequence 'another'", "altered sequence 'order_no'"},
		},
		{
			name: "routine replaced",
			from: sch(fn("a")), to: sch(fn("b")),
			want: []string{"changed function 'touch()'"},
		},
		{
			name: "trigger changed, routine added first",
			from: sch(items(), trig("CREATE TRIGGER items_touch BEFORE UPDATE ON items EXECUTE FUNCTION f()")),
			to:   sch(items(), fn("x"), trig("CREATE TRIGGER items_touch BEFORE UPDATE ON items EXECUTE FUNCTION touch()")),
			want: []string{
				"removed trigger 'items_touch' on 'items'",
				"added function 'touch()'",
				"added trigger 'items_touch' on 'items'",
			},
		},
		{
			name: "trigger on a dropped table goes first",
			from: sch(items(), trig("CREATE TRIGGER ...")), to: sch(),
			want: []string{"removed trigger 'items_touch' on 'items'", "removed table 'items'"},
		},
	})
}

func TestCompareViews(t *testing.T) {
	v1 := func(def string) *schema.View {
		return &schema.View{Name: "v1", Definition: def, DependsOn: []string{"TABLE items"}}
	}
	v2 := &schema.View{Name: "v2", Definition: "SELECT * FROM v1", DependsOn: []string{"VIEW v1"}}
	other := &schema.View{Name: "other", Definition: "SELECT 1"}
	runCases(t, []compareCase{
		{
			name: "views added in dependency order",
			from: sch(items()), to: sch(items(), v2, v1("SELECT id FROM items"), other),
			want: []string{"added view 'other'", "added view 'v1'", "added view 'v2'"},
		},
		{
			name: "changed view recreates its dependents",
			from: sch(items(), v1("SELECT id FROM items"), v2, other),
			to:   sch(items(), v1("SELECT id, name FROM items"), v2, other),
			want: []string{"removed view 'v2'", "removed view 'v1'", "added view 'v1'", "added view 'v2'"},
		},
		{
			name: "altered column recreates the views that read its table",
			from: sch(items(), v1("SELECT id FROM items"), v2, other),
			to: func() *schema.Schema {
				t := items()
				t.Columns[1].Type = "varchar(10)"
				return sch(t, v1("SELECT id FROM items"), v2, other)
			}(),
			want: []string{
				"removed view 'v2'", "removed view 'v1'",
				"altered column 'items.name' (type text -> varchar(10))",
				"added view 'v1'", "added view 'v2'",
			},
		},
		{
			name: "a view without DependsOn is matched by the names in its text",
			from: sch(items(), &schema.View{Name: "w", Definition: `SELECT "name" FROM items`}),
			to:   sch(pk(table("items", col("id", "integer")), "id"), &schema.View{Name: "w", Definition: `SELECT 1 FROM items`}),
			want: []string{"removed view 'w'", "removed column 'items.name'", "added view 'w'"},
		},
		{
			name: "a dropped table drops its views first",
			from: sch(items(), v1("SELECT id FROM items"), v2), to: sch(),
			want: []string{"removed view 'v2'", "removed view 'v1'", "removed table 'items'"},
		},
	})
}

func TestNeedsBackfill(t *testing.T) {
	from := sch(items())
	to := func() *schema.Schema {
		t := items()
		t.Columns[1].Nullable = false
		t.Columns = append(t.Columns,
			notNull(col("stock", "integer")),
			withDefault(notNull(col("qty", "integer")), "0"),
			col("note", "text"),
			&schema.Column{Name: "serial", Type: "integer", Identity: "ALWAYS"},
			&schema.Column{Name: "total", Type: "integer", Generated: "id * 2"},
		)
		return sch(t)
	}()
	changes, err := Compare(from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := describe(NeedsBackfill(changes)), []string{"added column 'items.stock'", "altered column 'items.name' (now NOT NULL)"}; !slices.Equal(got, want) {
		t.Fatalf("NeedsBackfill = %q, want %q", got, want)
	}
	changes, err = Compare(from, to, Options{Backfill: map[string]string{"items.stock": "0", "items.name": "''"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := NeedsBackfill(changes); len(got) != 0 {
		t.Fatalf("with backfill, NeedsBackfill = %q", describe(got))
	}
	fills := map[string]string{}
	for _, c := range changes {
		switch c := c.(type) {
		case *change.AddColumn:
			fills[c.Column.Name] = c.Backfill
		case *change.AlterColumn:
			fills[c.To.Name] = c.Backfill
		}
	}
	if fills["stock"] != "0" || fills["name"] != "''" || fills["qty"] != "" {
		t.Fatalf("backfill values: %q", fills)
	}
}

func TestPossibleRenames(t *testing.T) {
	from := sch(items(), table("old_log", col("at", "timestamp"), col("msg", "text")))
	to := sch(
		pk(table("items", col("id", "integer"), col("title", "text"), col("price", "numeric")), "id"),
		table("log", col("msg", "text"), col("at", "timestamp")),
	)
	changes, err := Compare(from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := PossibleRenames(changes)
	want := []Rename{
		{Table: change.Ref{Name: "items"}, From: "name", To: "title"},
		{Table: change.Ref{Name: "old_log"}, From: "old_log", To: "log", IsTable: true},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("PossibleRenames = %+v, want %+v", got, want)
	}
	// With the renames applied, nothing is left to ask about.
	changes, err = Compare(from, to, Options{Renames: map[string]string{"items.name": "title", "old_log": "log"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := PossibleRenames(changes); len(got) != 0 {
		t.Fatalf("after renames, PossibleRenames = %+v", got)
	}
	if d := describe(changes); !slices.Equal(d, []string{"renamed table 'old_log' to 'log'", "renamed column 'items.name' to 'title'", "added column 'items.price'"}) {
		t.Fatalf("changes with renames: %q", d)
	}
}

func TestEqual(t *testing.T) {
	a := sch(pk(table("items", col("id", "integer"), col("name", "text")), "id"))
	b := sch(pk(table("items", col("name", "text"), col("id", "integer")), "id"))
	if !Equal(a, b) {
		t.Error("schemas differing only in column order are not Equal")
	}
	c := sch(pk(table("items", col("id", "integer"), col("name", "varchar(10)")), "id"))
	if Equal(a, c) {
		t.Error("schemas with different column types are Equal")
	}
	d := sch(pk(table("items", col("id", "integer"), col("name", "text")), "id"))
	d.Tables[0].Options.Strict = true
	if Equal(a, d) {
		t.Error("schemas with different table options are Equal")
	}
	_, err := Compare(a, d, Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) || len(ue.Differences) != 1 || !strings.Contains(ue.Differences[0], "options differ") {
		t.Errorf("Compare with changed options: %v, want an *UnsupportedError", err)
	}
}

func TestParseDesignation(t *testing.T) {
	for in, want := range map[string]string{
		"VIEW v":                            "rel:.v",
		"VIEW public.v":                     "rel:.v",
		`MATERIALIZED VIEW "Sales"."Big.V"`: "rel:Sales.Big.V",
		"TABLE sales.orders":                "rel:sales.orders",
		"FUNCTION public.f(integer, text)":  "fn:.f(integer, text)",
		`PROCEDURE "my proc"()`:             "fn:.my proc()",
		"AGGREGATE agg(*)":                  "fn:.agg()",
	} {
		got, _, ok := parseDesignation(in)
		if !ok || got != want {
			t.Errorf("parseDesignation(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestCompareCodeOrdering(t *testing.T) {
	v := &schema.View{Name: "v", Definition: "SELECT id FROM items", DependsOn: []string{"TABLE items"}}
	vt := &schema.Trigger{Table: "v", Name: "v_ins", Definition: "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v ..."}
	relFn := &schema.Routine{Kind: schema.Function, Name: "item_count", Definition: "CREATE FUNCTION item_count() ... BEGIN ATOMIC SELECT count(*) FROM items; END", DependsOn: []string{"TABLE public.items"}}
	plainFn := &schema.Routine{Kind: schema.Function, Name: "double", Signature: "integer", Definition: "CREATE FUNCTION double(integer) ..."}
	runCases(t, []compareCase{
		{
			name: "a routine that reads a table comes after it, a plain one before",
			from: sch(), to: sch(items(), relFn, plainFn),
			want: []string{"added function 'double(integer)'", "added table 'items'", "added function 'item_count()'"},
		},
		{
			name: "a comment on a column does not recreate views",
			from: sch(items(), v),
			to: func() *schema.Schema {
				t := items()
				t.Columns[0].Comment = "key"
				return sch(t, v)
			}(),
			want: []string{"altered column 'items.id' (comment)"},
		},
		{
			name: "a trigger on a recreated view is recreated",
			from: sch(items(), v, vt),
			to: func() *schema.Schema {
				t := items()
				t.Columns[0].Type = "bigint"
				return sch(t, v, vt)
			}(),
			want: []string{
				"removed trigger 'v_ins' on 'v'",
				"removed view 'v'",
				"altered column 'items.id' (type integer -> bigint)",
				"added view 'v'",
				"added trigger 'v_ins' on 'v'",
			},
		},
		{
			name: "duplicate unnamed checks are counted",
			from: func() *schema.Schema {
				t := items()
				t.Checks = []*schema.Check{{Expr: "id > 0"}, {Expr: "id > 0"}}
				return sch(t)
			}(),
			to: func() *schema.Schema {
				t := items()
				t.Checks = []*schema.Check{{Expr: "id > 0"}}
				return sch(t)
			}(),
			want: []string{"removed check constraint on 'items'"},
		},
	})
}

func TestBackfillKey(t *testing.T) {
	for want, c := range map[string]change.Change{
		"items.stock":       &change.AddColumn{Table: change.Ref{Name: "items"}, Column: col("stock", "integer")},
		"items.name":        &change.AddColumn{Table: change.Ref{Schema: "public", Name: "items"}, Column: col("name", "text")},
		"sales.orders.note": &change.AlterColumn{Table: change.Ref{Schema: "sales", Name: "orders"}, From: col("note", "text"), To: col("note", "text")},
		"":                  &change.DropColumn{Table: change.Ref{Name: "items"}, Column: col("x", "text")},
	} {
		if got := BackfillKey(c); got != want {
			t.Errorf("BackfillKey(%s) = %q, want %q", c.Describe(), got, want)
		}
	}
	// The key BackfillKey prints is the one Compare accepts.
	from := &schema.Schema{Tables: []*schema.Table{{Schema: "sales", Name: "orders", Columns: []*schema.Column{col("id", "integer")}}}}
	to := &schema.Schema{Tables: []*schema.Table{{Schema: "sales", Name: "orders", Columns: []*schema.Column{col("id", "integer"), notNull(col("n", "integer"))}}}}
	changes, err := Compare(from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	need := NeedsBackfill(changes)
	if len(need) != 1 {
		t.Fatalf("NeedsBackfill = %q", describe(need))
	}
	changes, err = Compare(from, to, Options{Backfill: map[string]string{BackfillKey(need[0]): "7"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(NeedsBackfill(changes)) != 0 || changes[0].(*change.AddColumn).Backfill != "7" {
		t.Fatalf("backfill by BackfillKey not applied: %q", describe(changes))
	}
}

func TestCompareAmbiguousRename(t *testing.T) {
	from := &schema.Schema{Tables: []*schema.Table{
		{Schema: "a", Name: "t", Columns: []*schema.Column{col("id", "integer")}},
		{Schema: "b", Name: "t", Columns: []*schema.Column{col("id", "integer")}},
	}}
	_, err := Compare(from, from, Options{Renames: map[string]string{"t": "u"}})
	var oe *OptionError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "ambiguous") {
		t.Fatalf("error %v, want an ambiguous-name *OptionError", err)
	}
}

// TestCompareUnusedBackfill checks that a backfill value no change would
// use is refused rather than silently ignored, and that the values that
// are needed are taken.
func TestCompareUnusedBackfill(t *testing.T) {
	from := sch(items())
	withCols := func(cols ...*schema.Column) *schema.Table {
		tb := items()
		tb.Columns = append(tb.Columns, cols...)
		return tb
	}
	for _, tc := range []struct {
		name     string
		to       *schema.Schema
		backfill string // the entry's key, value 0
		unused   bool
	}{
		{"unchanged column", sch(items()), "items.name", true},
		{"new nullable column", sch(withCols(col("stock", "integer"))), "items.stock", true},
		{"new column with a default", sch(withCols(withDefault(notNull(col("stock", "integer")), "0"))), "items.stock", true},
		{"column of a new table", sch(items(), table("sales", notNull(col("qty", "integer")))), "sales.qty", true},
		{"new NOT NULL column without a default", sch(withCols(notNull(col("stock", "integer")))), "items.stock", false},
	} {
		changes, err := Compare(from, tc.to, Options{Backfill: map[string]string{tc.backfill: "0"}})
		var oe *OptionError
		if tc.unused {
			if !errors.As(err, &oe) || oe.Key != tc.backfill || !strings.Contains(err.Error(), "leave this --backfill out") {
				t.Errorf("%s: error %v, want an *OptionError for %s saying to leave it out", tc.name, err, tc.backfill)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		taken := false
		for _, c := range changes {
			if ac, ok := c.(*change.AddColumn); ok && ac.Backfill == "0" {
				taken = true
			}
		}
		if !taken {
			t.Errorf("%s: no AddColumn took the backfill value: %v", tc.name, changes)
		}
	}
}
