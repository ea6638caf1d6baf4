package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/lazyre"
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

// NeedsRowValues returns the AddColumn changes, with no Backfill, of a
// NOT NULL column with a default that is by itself a unique key of its
// table in to: the default would give every existing row the same value,
// which the key refuses on a table of two rows or more. migrate refuses
// these too, asking for an SQL expression that differs from row to row.
func NeedsRowValues(to *schema.Schema, changes []change.Change) []change.Change {
	var out []change.Change
	for _, c := range changes {
		if ac, ok := c.(*change.AddColumn); ok && ac.Backfill == "" && ac.Column != nil &&
			needsRowValues(to.Table(ac.Table.Schema, ac.Table.Name), ac.Column) {
			out = append(out, c)
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

// SplitBackfill separates backfill entries ("table.column" → SQL value)
// into those for the upgrade, for Options.Backfill, and those for the
// downgrade, for SetDowngradeBackfill: an entry that names a column of
// the current schema (from) that the desired schema (to) does not have at
// that name is the value with which the downgrade refills the rows of a
// dropped column. Every other entry is for the upgrade, where Compare
// reports those that name nothing.
func SplitBackfill(from, to *schema.Schema, backfill map[string]string) (up, down map[string]string) {
	up, down = map[string]string{}, map[string]string{}
	for k, v := range backfill {
		tref, col := splitRef(k)
		inTo := false
		if t, _ := findTable(to, tref); t != nil && t.Column(col) != nil {
			inTo = true
		}
		inFrom := false
		if t, _ := findTable(from, tref); t != nil && t.Column(col) != nil {
			inFrom = true
		}
		if inFrom && !inTo && tref != "" {
			down[k] = v
		} else {
			up[k] = v
		}
	}
	return up, down
}

// SetDowngradeBackfill sets the Backfill of the AddColumn changes of down
// (a downgrade, change.Invert of the upgrade Compare returned: its
// AddColumn changes re-add the upgrade's dropped columns) from backfill,
// whose keys name the table as in current, the schema the downgrade
// restores. It returns an *OptionError for an entry that names no column
// the downgrade re-adds (a column dropped with its table comes back with
// the table, empty) or a nullable one (the downgrade restores it as NULL
// on existing rows, which needs no value).
func SetDowngradeBackfill(current *schema.Schema, down []change.Change, backfill map[string]string) error {
	keys := make([]string, 0, len(backfill))
	for k := range backfill {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := backfill[k]
		bad := func(reason string) error {
			return &OptionError{Option: "backfill", Key: k, Value: v, Reason: reason}
		}
		if strings.TrimSpace(v) == "" {
			return bad("the value must be a SQL literal")
		}
		tref, col := splitRef(k)
		t, err := findTable(current, tref)
		if err != nil {
			return bad(err.Error())
		}
		var ac *change.AddColumn
		for _, c := range down {
			if a, ok := c.(*change.AddColumn); ok && t != nil && a.Table.Schema == t.Schema &&
				sameName(current.Names.FoldTables, a.Table.Name, t.Name) && sameName(current.Names.FoldColumns, a.Column.Name, col) {
				ac = a
			}
		}
		switch {
		case ac == nil:
			return bad(fmt.Sprintf("column %q is neither in the desired schema nor dropped on its own by this revision (a column dropped with its table comes back empty with the table)", col))
		case !refillable(ac.Column):
			return bad(fmt.Sprintf("the downgrade re-adds column %q as it was (nullable, identity, generated or auto-increment), which needs no value for existing rows: leave this --backfill out", col))
		}
		ac.Backfill = v
	}
	return nil
}

// sameName compares two names as the server does: letter case apart when
// fold is set (the schema's NameRules), exactly otherwise.
func sameName(fold bool, a, b string) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// refillable reports whether re-adding c on a table with rows can take a
// value for them: a NOT NULL column that does not fill itself.
func refillable(c *schema.Column) bool {
	return !c.Nullable && !serverFilled(c)
}

// Refill is a column that an upgrade drops and whose downgrade cannot
// restore it on a table with rows as it stands.
type Refill struct {
	// Change is the downgrade's AddColumn.
	Change *change.AddColumn
	// Key is "table.column", as a backfill entry names it.
	Key string
	// Unique is set for a column in a primary key, unique constraint or
	// unique index: one value for every row breaks the key, so the value
	// must be an expression that differs from row to row.
	Unique bool
}

// DowngradeNeedsBackfill returns the AddColumn changes of down (see
// SetDowngradeBackfill) that would fail on a table with rows: a NOT NULL
// column without a default and without a Backfill, and a NOT NULL column
// in a unique key (current's table) whose Backfill is missing or a
// constant, which would repeat one value (a default too).
func DowngradeNeedsBackfill(current *schema.Schema, down []change.Change) []Refill {
	var out []Refill
	for _, c := range down {
		ac, ok := c.(*change.AddColumn)
		if !ok || !refillable(ac.Column) {
			continue
		}
		unique := current.Table(ac.Table.Schema, ac.Table.Name).UniqueColumn(ac.Column.Name)
		if unique && (ac.Backfill == "" || Constant(ac.Backfill)) ||
			!unique && ac.Backfill == "" && ac.Column.Default == nil {
			out = append(out, Refill{Change: ac, Key: BackfillKey(ac), Unique: unique})
		}
	}
	return out
}

// constantRE matches a literal: a number, a quoted string with an optional
// prefix (DATE '...', X'...', E'...') or cast, TRUE, FALSE, NULL and the
// CURRENT_ date and time values, which are one value for a whole statement.
var constantRE = lazyre.New(`(?is)^\s*(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|(?:[a-z_]+\s*)?'(?:[^']|'')*'(?:\s*::\s*[a-z_ ]+(?:\(\d+(?:,\s*\d+)?\))?)?|true|false|null|current_date|current_time|current_timestamp|now\(\s*\))\s*$`)

// Constant reports whether the SQL value v is a constant (see constantRE)
// rather than an expression that may differ from row to row, such as a
// column of the table.
func Constant(v string) bool {
	return constantRE().MatchString(v)
}
