package diff

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// dropsSchemas returns the two schemas of the downgrade tests: current has
// t1 with every kind of column a revision may drop, and t3, which desired
// drops whole.
func dropsSchemas() (current, desired *schema.Schema) {
	t1 := pk(table("t1",
		col("id", "integer"),
		col("c2", "double precision"),
		notNull(col("c3", "integer")),
		notNull(col("code", "integer")),
		withDefault(notNull(col("d", "integer")), "0"),
		withDefault(col("n", "integer"), "5"),
		&schema.Column{Name: "serial", Type: "integer", Identity: "ALWAYS"},
	), "id")
	t1.Uniques = []*schema.Key{{Name: "uq_code", Columns: []string{"code"}}}
	t1.Indexes = []*schema.Index{{Name: "ix_n", Unique: true, Parts: []*schema.IndexPart{{Column: "n"}}}}
	t3 := pk(table("t3", col("id", "integer"), notNull(col("c", "integer"))), "id")
	return sch(t1, t3), sch(pk(table("t1", col("id", "integer"), col("c2", "double precision")), "id"))
}

func refillKeys(rs []Refill) (keys, unique []string) {
	for _, r := range rs {
		keys = append(keys, r.Key)
		if r.Unique {
			unique = append(unique, r.Key)
		}
	}
	return keys, unique
}

// TestDowngradeBackfill follows migrate's steps for dropped columns: which
// re-adds need a value, which --backfill entries go to the downgrade, and
// which values do (a constant cannot refill a unique column).
func TestDowngradeBackfill(t *testing.T) {
	current, desired := dropsSchemas()
	compare := func(fill map[string]string) ([]change.Change, error) {
		up, down := SplitBackfill(current, desired, fill)
		changes, err := Compare(current, desired, Options{Backfill: up})
		if err != nil {
			t.Fatalf("Compare: %v", err)
		}
		inv := change.Invert(changes)
		return inv, SetDowngradeBackfill(current, inv, down)
	}

	down, err := compare(nil)
	if err != nil {
		t.Fatal(err)
	}
	keys, unique := refillKeys(DowngradeNeedsBackfill(current, down))
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"t1.c3", "t1.code"}) || !slices.Equal(unique, []string{"t1.code"}) {
		t.Fatalf("DowngradeNeedsBackfill = %q (unique %q), want t1.c3 and t1.code (unique)", keys, unique)
	}

	up, downFill := SplitBackfill(current, desired, map[string]string{"t1.c3": "0", "t1.code": "7", "t1.c2": "1", "t9.x": "1"})
	if len(up) != 2 || up["t1.c2"] != "1" || up["t9.x"] != "1" || len(downFill) != 2 || downFill["t1.c3"] != "0" || downFill["t1.code"] != "7" {
		t.Fatalf("SplitBackfill = up %q, down %q", up, downFill)
	}

	// A constant fills t1.c3 but not the unique t1.code.
	down, err = compare(map[string]string{"t1.c3": "0", "t1.code": "7"})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ = refillKeys(DowngradeNeedsBackfill(current, down))
	if !slices.Equal(keys, []string{"t1.code"}) {
		t.Fatalf("with constants, DowngradeNeedsBackfill = %q, want t1.code", keys)
	}
	for _, c := range down {
		if ac, ok := c.(*change.AddColumn); ok && ac.Column.Name == "c3" && ac.Backfill != "0" {
			t.Fatalf("re-added c3 has Backfill %q, want 0", ac.Backfill)
		}
	}
	// An expression per row fills it.
	down, err = compare(map[string]string{"t1.c3": "0", "t1.code": "id * 10"})
	if err != nil {
		t.Fatal(err)
	}
	if got := DowngradeNeedsBackfill(current, down); len(got) != 0 {
		t.Fatalf("with values for both, DowngradeNeedsBackfill = %v", got)
	}

	for _, tc := range []struct{ key, want string }{
		{"t1.n", "needs no value for existing rows"},
		{"t1.serial", "needs no value for existing rows"},
		{"t3.c", "neither in the desired schema nor dropped on its own"},
	} {
		_, err := compare(map[string]string{tc.key: "1"})
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Key != tc.key || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("backfill %s=1: error %v, want an OptionError saying %q", tc.key, err, tc.want)
		}
	}
}

func TestUniqueColumn(t *testing.T) {
	current, _ := dropsSchemas()
	t1 := current.Table("", "t1")
	for col, want := range map[string]bool{"id": true, "code": true, "n": true, "c3": false, "d": false} {
		if got := t1.UniqueColumn(col); got != want {
			t.Errorf("UniqueColumn(t1, %s) = %v, want %v", col, got, want)
		}
	}
	if (*schema.Table)(nil).UniqueColumn("id") {
		t.Error("UniqueColumn(nil) = true")
	}
}

func TestConstant(t *testing.T) {
	for v, want := range map[string]bool{
		"0": true, "-1.5": true, "1e3": true, "'none'": true, "'it''s'": true, "DATE '2024-01-01'": true,
		"X'0102'": true, "'a'::text": true, "TRUE": true, "null": true, "CURRENT_TIMESTAMP": true, "now()": true,
		"id": false, "id * 10": false, "'v' || id": false, "CONCAT('v', id)": false, "gen_random_uuid()": false,
	} {
		if got := Constant(v); got != want {
			t.Errorf("Constant(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestNeedsRowValues checks which new NOT NULL columns with a default need
// an expression per row: those that are a unique key by themselves, and
// not those in a composite key, nor nullable ones, nor ones given a value.
func TestNeedsRowValues(t *testing.T) {
	from := sch(items())
	to := func(extra func(tb *schema.Table)) *schema.Schema {
		tb := items()
		tb.Columns = append(tb.Columns, withDefault(notNull(col("code", "integer")), "0"))
		extra(tb)
		return sch(tb)
	}
	for _, tc := range []struct {
		name     string
		to       *schema.Schema
		backfill map[string]string
		want     bool
	}{
		{"unique constraint of its own", to(func(tb *schema.Table) {
			tb.Uniques = append(tb.Uniques, &schema.Key{Name: "items_code_key", Columns: []string{"code"}})
		}), nil, true},
		{"unique index of its own", to(func(tb *schema.Table) {
			tb.Indexes = append(tb.Indexes, &schema.Index{Name: "items_code", Unique: true, Parts: []*schema.IndexPart{{Column: "code"}}})
		}), nil, true},
		{"given an expression", to(func(tb *schema.Table) {
			tb.Uniques = append(tb.Uniques, &schema.Key{Name: "items_code_key", Columns: []string{"code"}})
		}), map[string]string{"items.code": "id"}, false},
		{"part of a composite key", to(func(tb *schema.Table) {
			tb.Uniques = append(tb.Uniques, &schema.Key{Name: "items_name_code_key", Columns: []string{"name", "code"}})
		}), nil, false},
		{"no key", to(func(tb *schema.Table) {}), nil, false},
	} {
		changes, err := Compare(from, tc.to, Options{Backfill: tc.backfill})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := NeedsRowValues(tc.to, changes)
		if (len(got) == 1) != tc.want || len(got) > 1 {
			t.Errorf("%s: NeedsRowValues = %v, want one change: %v", tc.name, got, tc.want)
		}
		if tc.backfill != nil {
			for _, c := range changes {
				if ac, ok := c.(*change.AddColumn); ok && ac.Backfill != "id" {
					t.Errorf("%s: the AddColumn did not take the expression: %+v", tc.name, ac)
				}
			}
		}
	}
}
