package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// mixCase spells names in mixed case where the server takes names that
// differ only in case for one name (issue 19): on SQLite and MySQL a
// table of both schemas gets an upper-case name in both, and a column of
// both gets a new spelling in B only (renamed in place, its rows kept);
// on SQLite a table of both may get a new spelling in B only (the same
// table, its rows kept). It returns a description of each respelling.
// The generator's lookups (genSchema.table, gTable.col) ignore case, so
// the row checks follow the new spellings.
func (g *gen) mixCase(a, b *genSchema) []string {
	if g.dialect != "sqlite" && g.dialect != "mysql" {
		return nil
	}
	var did []string
	both := func() (*gTable, *gTable) {
		var cands []*gTable
		for _, t := range a.tables {
			if b.table(t.name) != nil {
				cands = append(cands, t)
			}
		}
		if len(cands) == 0 {
			return nil, nil
		}
		at := cands[g.pick(len(cands))]
		return at, b.table(at.name)
	}
	if at, bt := both(); at != nil && g.chance(0.5) {
		name := strings.ToUpper(at.name)
		renameTable(a, at.name, name)
		renameTable(b, bt.name, name)
		did = append(did, "mixed-case table "+name)
	}
	if at, bt := both(); at != nil && g.chance(0.6) {
		var cols []string
		for _, c := range at.cols {
			if c.name != "id" && bt.col(c.name) != nil {
				cols = append(cols, c.name)
			}
		}
		if len(cols) > 0 {
			old := bt.col(cols[g.pick(len(cols))]).name
			name := respell(old)
			renameColumn(bt, old, name)
			did = append(did, fmt.Sprintf("respell column %s.%s as %s", bt.name, old, name))
		}
	}
	if at, bt := both(); at != nil && g.dialect == "sqlite" && g.chance(0.3) {
		name := respell(bt.name)
		renameTable(b, bt.name, name)
		did = append(did, fmt.Sprintf("respell table %s as %s", at.name, name))
	}
	return did
}

// respell changes the case of a name: upper case, or lower case when it
// is upper case already.
func respell(name string) string {
	if up := strings.ToUpper(name); up != name {
		return up
	}
	return strings.ToLower(name)
}

// renameTable renames a table of s and the foreign keys that reference it.
func renameTable(s *genSchema, old, name string) {
	for _, t := range s.tables {
		if t.name == old {
			t.name = name
		}
		for _, f := range t.fks {
			if f.parent == old {
				f.parent = name
			}
		}
	}
}

// renameColumn renames a column of t where t's keys, indexes, checks and
// foreign keys name it.
func renameColumn(t *gTable, old, name string) {
	t.col(old).name = name
	for _, k := range append(slices.Clone(t.uniques), t.indexes...) {
		for i, c := range k.cols {
			if c == old {
				k.cols[i] = name
			}
		}
	}
	for _, ch := range t.checks {
		if ch.col == old {
			ch.col = name
		}
	}
	for _, f := range t.fks {
		if f.col == old {
			f.col = name
		}
	}
}
