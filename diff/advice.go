package diff

import (
	"slices"
	"sort"

	"github.com/retortdb/retort/change"
	"github.com/retortdb/retort/schema"
)

// NeedsBackfill returns the changes that would fail on a table with rows:
// an AddColumn of a NOT NULL column without a default (and not identity,
// generated or auto-increment), or an AlterColumn that makes a column NOT
// NULL, that carries no Backfill. migrate refuses these, naming
// "table.column" (change.Change.On and the column's name).
func NeedsBackfill(changes []change.Change) []change.Change {
	var out []change.Change
	for _, c := range changes {
		switch c := c.(type) {
		case *change.AddColumn:
			if c.Backfill == "" && needsFill(c.Column) {
				out = append(out, c)
			}
		case *change.AlterColumn:
			if c.Backfill == "" && c.From.Nullable && !c.To.Nullable {
				out = append(out, c)
			}
		}
	}
	return out
}

// BackfillKey returns the "table.column" (schema-qualified outside the
// default namespace) that an Options.Backfill entry for c would use: the
// name migrate prints when it refuses c. It is "" for other changes.
func BackfillKey(c change.Change) string {
	var t change.Ref
	var col string
	switch c := c.(type) {
	case *change.AddColumn:
		t, col = c.Table, c.Column.Name
	case *change.AlterColumn:
		t, col = c.Table, c.To.Name
	default:
		return ""
	}
	if t.Schema == "public" {
		t.Schema = ""
	}
	return t.String() + "." + col
}

// Rename is a drop and an add that may be a rename: of column From to To
// on Table, or (IsTable) of table From to To in Table.Schema, in which case
// Table names the old table.
type Rename struct {
	Table    change.Ref
	From, To string
	IsTable  bool
}

// PossibleRenames returns the (dropped, added) column pairs on one table
// whose type, nullability and default are the same, and the (dropped,
// added) table pairs in one schema whose columns are the same (names,
// types, nullability and defaults, in any order). The CLI asks about them
// ("Did you rename items.name to items.title? [y/N]") or warns; a yes
// becomes an Options.Renames entry. Pairs come in the order of the changes.
func PossibleRenames(changes []change.Change) []Rename {
	// Tables renamed in this change set: a column dropped on the old name
	// and added on the new one is on the same table.
	newName := map[change.Ref]change.Ref{}
	for _, c := range changes {
		if r, ok := c.(*change.RenameTable); ok {
			newName[change.Ref{Schema: r.Schema, Name: r.From}] = change.Ref{Schema: r.Schema, Name: r.To}
		}
	}
	table := func(r change.Ref) change.Ref {
		if n, ok := newName[r]; ok {
			return n
		}
		return r
	}
	var (
		dropCols []*change.DropColumn
		addCols  []*change.AddColumn
		dropTabs []*change.DropTable
		addTabs  []*change.AddTable
	)
	for _, c := range changes {
		switch c := c.(type) {
		case *change.DropColumn:
			dropCols = append(dropCols, c)
		case *change.AddColumn:
			addCols = append(addCols, c)
		case *change.DropTable:
			dropTabs = append(dropTabs, c)
		case *change.AddTable:
			addTabs = append(addTabs, c)
		}
	}
	var out []Rename
	for _, dc := range dropCols {
		for _, ac := range addCols {
			if table(dc.Table) != ac.Table {
				continue
			}
			a, b := dc.Column, ac.Column
			if a.Type == b.Type && a.Nullable == b.Nullable && sameDefault(a.Default, b.Default) {
				out = append(out, Rename{Table: ac.Table, From: a.Name, To: b.Name})
			}
		}
	}
	for _, dt := range dropTabs {
		for _, at := range addTabs {
			if dt.Table.Schema != at.Table.Schema || !sameColumns(dt.Table, at.Table) {
				continue
			}
			out = append(out, Rename{Table: change.RefOf(dt.Table), From: dt.Table.Name, To: at.Table.Name, IsTable: true})
		}
	}
	return out
}

// sameColumns compares two tables' column sets, ignoring order.
func sameColumns(a, b *schema.Table) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	sigs := func(t *schema.Table) []string {
		s := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			def := "\x00"
			if c.Default != nil {
				def = *c.Default
			}
			s[i] = sig(c.Name, c.Type, flag(c.Nullable), def)
		}
		sort.Strings(s)
		return s
	}
	return slices.Equal(sigs(a), sigs(b))
}
