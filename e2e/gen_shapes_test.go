package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestRandomPairsMakeKeyShapes checks that the MySQL/MariaDB pairs of a
// plain run of TestAutogenerateRandomPairs (the first defaultPairs seeds,
// as CI runs them) hold every shape that the renderer orders by a rule of
// its own (issue 12 item 8), so that breaking a rule fails that run: a
// foreign key served by an index of the user's and one served by InnoDB's
// own index; a backing index replaced by one that reuses the name of
// another index, or by one over a column added in the same revision;
// InnoDB's own index made redundant by a new one; a column dropped with a
// column-level check (a written CHECK, or JSON's json_valid()); a foreign
// key pointed at another table, an unnamed one that InnoDB's own index
// serves among them. No database is needed: it reads the
// generated models.
func TestRandomPairsMakeKeyShapes(t *testing.T) {
	want := []string{
		"foreign key with an index of the user's",
		"foreign key with InnoDB's own index",
		"backing index replaced by one that reuses a dropped index's name",
		"backing index replaced by one over a column added in the revision",
		"InnoDB's own index replaced by a new one",
		"column dropped with a column-level check",
		"foreign key pointed at another table",
		"unnamed foreign key with InnoDB's own index pointed at another table",
	}
	seen := map[string][]uint64{}
	for n := range defaultPairs {
		seed := baseSeed + uint64(n)
		p := newPair("mysql", seed)
		for _, s := range keyShapes(p.a, p.b) {
			seen[s] = append(seen[s], seed)
		}
	}
	for _, s := range want {
		if len(seen[s]) == 0 {
			t.Errorf("no pair among the first %d MySQL seeds has a %s: the generator lost the shape (e2e/gen_test.go, keyShapes)", defaultPairs, s)
			continue
		}
		t.Logf("%s: seeds %v", s, seen[s])
	}
}

// keyShapes lists the shapes of TestRandomPairsMakeKeyShapes that the pair
// a → b holds.
func keyShapes(a, b *genSchema) []string {
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, at := range a.tables {
		bt := b.table(at.name)
		if bt == nil {
			continue
		}
		for _, c := range at.cols {
			if bt.col(c.name) == nil && at.ownCheck(c) {
				add("column dropped with a column-level check")
			}
		}
		for _, f := range at.fks {
			k := slices.IndexFunc(bt.fks, func(x *gFK) bool { return x.name == f.name && strings.EqualFold(x.col, f.col) })
			switch {
			case k < 0:
			case !strings.EqualFold(bt.fks[k].parent, f.parent):
				add("foreign key pointed at another table")
				if f.unnamed && !slices.ContainsFunc(at.indexes, func(x *gKey) bool { return strings.EqualFold(x.cols[0], f.col) }) {
					add("unnamed foreign key with InnoDB's own index pointed at another table")
				}
			default:
				for _, s := range backingShapes(at, bt, f) {
					add(s)
				}
			}
		}
	}
	return out
}

// backingShapes lists the shapes of the indexes that serve foreign key f,
// which table at of A and bt of B both have.
func backingShapes(at, bt *gTable, f *gFK) []string {
	ak, bk := append(slices.Clone(at.uniques), at.indexes...), append(slices.Clone(bt.uniques), bt.indexes...)
	named := func(ks []*gKey, name string) *gKey {
		if i := slices.IndexFunc(ks, func(k *gKey) bool { return strings.EqualFold(k.name, name) }); i >= 0 {
			return ks[i]
		}
		return nil
	}
	same := func(x, y *gKey) bool {
		return x != nil && y != nil && slices.EqualFunc(x.cols, y.cols, strings.EqualFold)
	}
	serves := func(k *gKey) bool { return strings.EqualFold(k.cols[0], f.col) }
	var backing, added []*gKey // A's indexes for f; B's new ones for f
	for _, k := range ak {
		if serves(k) {
			backing = append(backing, k)
		}
	}
	for _, k := range bk {
		if serves(k) && !same(named(ak, k.name), k) {
			added = append(added, k)
		}
	}
	if len(backing) == 0 {
		if len(added) > 0 {
			return []string{"foreign key with InnoDB's own index", "InnoDB's own index replaced by a new one"}
		}
		return []string{"foreign key with InnoDB's own index"}
	}
	out := []string{"foreign key with an index of the user's"}
	if !slices.ContainsFunc(backing, func(k *gKey) bool { return !same(named(bk, k.name), k) }) {
		return out // every backing index stays
	}
	for _, y := range added {
		if named(ak, y.name) != nil {
			out = append(out, "backing index replaced by one that reuses a dropped index's name")
		}
		if slices.ContainsFunc(y.cols, func(c string) bool { return at.col(c) == nil }) {
			out = append(out, "backing index replaced by one over a column added in the revision")
		}
	}
	return out
}
