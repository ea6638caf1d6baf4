// Package diff compares two schemas and returns the ordered changes that
// take the first to the second. It is pure: no SQL and no I/O.
//
// Both schemas are expected to come from the same dialect's inspector, so
// expressions (defaults, checks, index definitions, view bodies) compare as
// the server printed them. Column order is not a difference: new columns
// are appended, as Alembic and Atlas do.
//
// The result is an upgrade; change.Invert of it is the matching downgrade.
// Changes come in phases that keep both directions valid: rules, triggers,
// views and foreign keys are dropped before what they depend on and added
// after it, renames come before any other table-level change, and foreign
// keys are added after every table exists (so cycles need no special care).
package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// Options tells Compare what it cannot infer from the two schemas.
type Options struct {
	// Renames maps old → new: "old_table" → "new_table" for tables,
	// "table.old_col" → "new_col" for columns (schema-qualified table names
	// allowed: "sales.orders"). A column rename may name its table by its
	// old or its new name.
	Renames map[string]string
	// Backfill maps "table.column" → SQL literal used for AddColumn and
	// AlterColumn changes that make a column NOT NULL on an existing table.
	// The table is named as in the desired (to) schema.
	Backfill map[string]string
}

// OptionError reports a rename or backfill entry that names no such table
// or column, or that contradicts the schemas.
type OptionError struct {
	// Option is "rename" or "backfill".
	Option string
	// Key and Value are the entry as given.
	Key, Value string
	// Reason says what is wrong.
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("diff: %s %s=%s: %s", e.Option, e.Key, e.Value, e.Reason)
	}
	return fmt.Sprintf("diff: %s %s: %s", e.Option, e.Key, e.Reason)
}

// UnsupportedError lists differences between the schemas that no change
// type expresses (table options, comments on schemas and extensions,
// comments kept in Schema.Comments). They are reported by name rather than ignored: such a
// revision has to be written by hand.
type UnsupportedError struct {
	// Differences name each difference ("table 'items': options differ").
	Differences []string
}

// Error implements error.
func (e *UnsupportedError) Error() string {
	return "diff: differences autogenerate cannot express (write this revision by hand): " + strings.Join(e.Differences, "; ")
}

// Compare returns the changes that take from to to, in an order that can be
// applied as written (the upgrade) and whose change.Invert can be applied
// as well (the downgrade). It returns an *OptionError for a rename or
// backfill that names no such table or column, or a backfill no change
// needs (it would be ignored), and an *UnsupportedError
// for differences no change type expresses.
func Compare(from, to *schema.Schema, opts Options) ([]change.Change, error) {
	if from == nil {
		from = &schema.Schema{}
	}
	if to == nil {
		to = &schema.Schema{}
	}
	d := &differ{from: from, to: to, opts: opts}
	d.canonicalize()
	if err := d.resolveRenames(); err != nil {
		return nil, err
	}
	d.caseRenames()
	if err := d.resolveBackfill(); err != nil {
		return nil, err
	}
	d.events()
	d.tables()
	d.types()
	d.sequences()
	d.code()
	d.foreignKeys()
	d.misc()
	if err := d.unusedBackfill(); err != nil {
		return nil, err
	}
	if len(d.unsupported) > 0 {
		sort.Strings(d.unsupported)
		return nil, &UnsupportedError{Differences: d.unsupported}
	}
	return d.result(), nil
}

// Equal reports whether two schemas are the same for autogenerate: Compare
// finds no change and no unsupported difference. Column order is ignored.
func Equal(a, b *schema.Schema) bool {
	changes, err := Compare(a, b, Options{})
	return err == nil && len(changes) == 0
}

// phase orders the changes of an upgrade. Within a phase changes are sorted
// by their key (table, then object name; a topological position for views
// and routines).
type phase int

const (
	// Rewrite rules are dropped before anything they read goes.
	phDropRule phase = iota
	phDropTrigger
	phDropCode // views and routines that read relations, dependents first
	phDropFK
	phDropPK
	phDropUnique
	phDropCheck
	phDropIndex
	phDropColumn
	phDropTable
	phDropRoutine // recreated routines (their kind changed), dependents first
	phDropType    // recreated types
	phAddNamespace
	phAddExtension
	phAddType
	phAddEnumValues
	phAddSequence
	phAlterSequence
	phAddRoutine // routines that read no relation, dependencies first
	phRenameTable
	phRenameColumn
	phAddTable
	phAddColumn
	phAlterColumn
	// Routines, sequences and types that go away are dropped once no
	// column default or type uses them any more.
	phDropRoutineLate
	phDropSequence
	phDropTypeLate
	phDropExtension
	phDropNamespace
	phAddPK
	phAddUnique
	phAddCheck
	phAddIndex
	phTableComment
	phAddFK
	phAddCode // views and routines that read relations, dependencies first
	phAddTrigger
	phAddRule // rewrite rules, after everything they read exists
)

type item struct {
	ph  phase
	key string
	c   change.Change
}

// tkey identifies a table, view or other relation by (schema, name).
type tkey struct{ schema, name string }

func keyOf(schemaName, name string) tkey { return tkey{schemaName, name} }

// key returns the key of the table or view (schemaName, name). Where the
// server takes names that differ only in case for one name
// (schema.NameRules.FoldTables), every spelling gets one key, spelled as
// the desired schema spells it (else as the current one does).
func (d *differ) key(schemaName, name string) tkey {
	if !d.names.FoldTables {
		return keyOf(schemaName, name)
	}
	if k, ok := d.canon[foldKey(schemaName, name)]; ok {
		return k
	}
	return keyOf(schemaName, name)
}

func foldKey(schemaName, name string) string {
	return strings.ToLower(normSchema(schemaName)) + "." + strings.ToLower(name)
}

// canonicalize records the spelling of every table and view name, the
// desired schema's first, for key.
func (d *differ) canonicalize() {
	d.names = schema.NameRules{
		FoldTables:   d.from.Names.FoldTables || d.to.Names.FoldTables,
		FoldColumns:  d.from.Names.FoldColumns || d.to.Names.FoldColumns,
		FoldRoutines: d.from.Names.FoldRoutines || d.to.Names.FoldRoutines,
		RoutineKinds: d.from.Names.RoutineKinds || d.to.Names.RoutineKinds,
	}
	if !d.names.FoldTables {
		return
	}
	d.canon = map[string]tkey{}
	for _, s := range []*schema.Schema{d.to, d.from} {
		for _, t := range s.Tables {
			if _, ok := d.canon[foldKey(t.Schema, t.Name)]; !ok {
				d.canon[foldKey(t.Schema, t.Name)] = keyOf(t.Schema, t.Name)
			}
		}
		for _, v := range s.Views {
			if _, ok := d.canon[foldKey(v.Schema, v.Name)]; !ok {
				d.canon[foldKey(v.Schema, v.Name)] = keyOf(v.Schema, v.Name)
			}
		}
	}
}

// caseRenames turns a column whose name changed only in letter case, where
// the server takes both spellings for one name (FoldColumns), into a
// rename: the column and its data stay, and only the spelling changes
// (SQLite and MySQL rename a column to a spelling of its own name),
// instead of a drop and an add of "another" column.
func (d *differ) caseRenames() {
	if !d.names.FoldColumns {
		return
	}
	for _, ft := range d.from.Tables {
		nk := d.newKey(d.key(ft.Schema, ft.Name))
		tt := d.to.Table(nk.schema, nk.name)
		if tt == nil {
			continue
		}
		for _, fc := range ft.Columns {
			if _, renamed := d.colRename[nk][fc.Name]; renamed || tt.Column(fc.Name) != nil {
				continue
			}
			for _, tc := range tt.Columns {
				if strings.EqualFold(tc.Name, fc.Name) && ft.Column(tc.Name) == nil {
					if d.colRename[nk] == nil {
						d.colRename[nk] = map[string]string{}
					}
					d.colRename[nk][fc.Name] = tc.Name
					break
				}
			}
		}
	}
}

func (k tkey) ref() change.Ref { return change.Ref{Schema: k.schema, Name: k.name} }

func (k tkey) String() string { return k.ref().String() }

// differ holds one comparison.
type differ struct {
	from, to *schema.Schema
	opts     Options
	// names are the server's rules for which names are one name, and
	// canon the spelling of each folded table and view name (see key).
	names schema.NameRules
	canon map[string]tkey

	// tableRename maps an old table key (in from) to its new name.
	tableRename map[tkey]string
	// colRename maps the new table key to old column → new column.
	colRename map[tkey]map[string]string
	// backfill maps a to-table key and column to its Options.Backfill
	// entry.
	backfill map[tkey]map[string]*fill

	// Filled while comparing tables, used for foreign keys and views.
	droppedTables map[tkey]bool            // old keys
	addedTables   map[tkey]bool            // new keys
	touched       map[tkey]bool            // old keys of tables whose columns change (views must be rebuilt)
	alteredCols   map[tkey]map[string]bool // new table key → new column names altered in type
	keyChanged    map[tkey]bool            // new keys of tables whose PK, uniques or unique indexes are dropped
	matched       map[tkey]tkey            // old key → new key for tables in both
	toTables      map[tkey]*schema.Table   // to's tables by key

	items       []item
	unsupported []string
}

func (d *differ) add(ph phase, key string, c change.Change) {
	d.items = append(d.items, item{ph: ph, key: key, c: c})
}

func (d *differ) unsupportedf(format string, args ...any) {
	d.unsupported = append(d.unsupported, fmt.Sprintf(format, args...))
}

func (d *differ) result() []change.Change {
	sort.SliceStable(d.items, func(i, j int) bool {
		a, b := d.items[i], d.items[j]
		if a.ph != b.ph {
			return a.ph < b.ph
		}
		return a.key < b.key
	})
	out := make([]change.Change, len(d.items))
	for i, it := range d.items {
		out[i] = it.c
	}
	return out
}

// newKey returns the key a from-table has in to (after a rename).
func (d *differ) newKey(old tkey) tkey {
	if n, ok := d.tableRename[old]; ok {
		return tkey{old.schema, n}
	}
	return old
}

// splitRef splits "schema.name" or "name" at its last dot outside SQL
// double quotes, so that a part may hold a dot when quoted
// (users."special.column"); the name comes back unquoted, the prefix as
// written.
func splitRef(s string) (prefix, name string) {
	quoted, last := false, -1
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '.' && !quoted:
			last = i
		}
	}
	if last < 0 {
		return "", unquoteIdent(s)
	}
	return s[:last], unquoteIdent(s[last+1:])
}

// unquoteIdent undoes SQL double-quote quoting of one name part.
func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

// QuoteRefPart writes one part of a reference (a schema, table or column
// name) as --rename and --backfill read it: as is when it is a plain
// name, else in SQL double quotes, so that a name that holds a dot stays
// one part.
func QuoteRefPart(name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0 || c >= 0x80) {
			return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// QuoteRef writes a table reference with QuoteRefPart.
func QuoteRef(r change.Ref) string {
	if r.Schema == "" {
		return QuoteRefPart(r.Name)
	}
	return QuoteRefPart(r.Schema) + "." + QuoteRefPart(r.Name)
}

// findTable finds a table by a user-written reference: "schema.name", or
// "name" which matches a table of that name in the default namespace ("" or
// "public") or, failing that, the only table of that name.
func findTable(s *schema.Schema, ref string) (*schema.Table, error) {
	sch, name := splitRef(ref)
	sch = unquoteIdent(sch)
	if sch != "" {
		if t := s.Table(sch, name); t != nil {
			return t, nil
		}
		return nil, nil
	}
	var found []*schema.Table
	for _, t := range s.Tables {
		if sameName(s.Names.FoldTables, t.Name, name) {
			if t.Schema == "" || t.Schema == "public" {
				return t, nil
			}
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("table name %q is ambiguous: qualify it with its schema", name)
}

// resolveRenames checks the --rename entries against both schemas and
// records them: table renames first, since a column rename may name its
// table by the new name.
func (d *differ) resolveRenames() error {
	d.tableRename = map[tkey]string{}
	d.colRename = map[tkey]map[string]string{}
	keys := make([]string, 0, len(d.opts.Renames))
	for k := range d.opts.Renames {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var colKeys []string
	for _, k := range keys {
		isColumn, err := d.renameTable(k, d.opts.Renames[k])
		if err != nil {
			return err
		}
		if isColumn {
			colKeys = append(colKeys, k)
		}
	}
	for _, k := range colKeys {
		if err := d.renameColumn(k, d.opts.Renames[k]); err != nil {
			return err
		}
	}
	return nil
}

// renameError is the OptionError of the rename entry k=v.
func renameError(k, v, reason string) error {
	return &OptionError{Option: "rename", Key: k, Value: v, Reason: reason}
}

// renameTable records the rename entry k=v when k names a table of the
// current schema; isColumn reports an entry that may name a column
// instead (k is qualified and names no table).
func (d *differ) renameTable(k, v string) (isColumn bool, err error) {
	bad := func(reason string) (bool, error) { return false, renameError(k, v, reason) }
	// The new name is one part, plain or SQL-quoted.
	vpre, vname := splitRef(v)
	plain := vpre == ""
	if plain {
		v = vname
	}
	kpre, _ := splitRef(k)
	if v == "" || !plain && kpre == "" {
		return bad("the new name must be a plain name")
	}
	old, err := findTable(d.from, k)
	switch {
	case err != nil:
		return bad(err.Error())
	case old == nil && kpre != "":
		return true, nil
	case old == nil:
		return bad(fmt.Sprintf("no table %q in the current schema", k))
	case !plain:
		return bad("the new name must be a plain name (a rename keeps the schema)")
	case d.to.Table(old.Schema, v) == nil:
		return bad(fmt.Sprintf("no table %q in the desired schema", tkey{old.Schema, v}))
	case old.Name != v && d.from.Table(old.Schema, v) != nil:
		return bad(fmt.Sprintf("table %q already exists in the current schema", tkey{old.Schema, v}))
	case d.to.Table(old.Schema, old.Name) != nil && old.Name != v:
		return bad(fmt.Sprintf("table %q still exists in the desired schema", d.key(old.Schema, old.Name)))
	}
	d.tableRename[d.key(old.Schema, old.Name)] = v
	return false, nil
}

// renameTableOf finds the current table a column rename names, by its
// current name or by the new name a table rename gives it.
func (d *differ) renameTableOf(tref string) (*schema.Table, error) {
	t, err := findTable(d.from, tref)
	if err != nil || t != nil {
		return t, err
	}
	nt, err := findTable(d.to, tref)
	if err != nil || nt == nil {
		return nil, err
	}
	for old, n := range d.tableRename {
		if old.schema == nt.Schema && n == nt.Name {
			t = d.from.Table(old.schema, old.name)
		}
	}
	return t, nil
}

// renameColumn records the column rename entry k=v (table.column=new).
func (d *differ) renameColumn(k, v string) error {
	bad := func(reason string) error { return renameError(k, v, reason) }
	vpre, vname := splitRef(v)
	if vpre != "" {
		return bad("the new column name must be a plain name")
	}
	v = vname
	tref, col := splitRef(k)
	t, err := d.renameTableOf(tref)
	if err != nil {
		return bad(err.Error())
	}
	if t == nil {
		return bad(fmt.Sprintf("no table %q in the current schema", tref))
	}
	nk := d.newKey(d.key(t.Schema, t.Name))
	nt := d.to.Table(nk.schema, nk.name)
	switch {
	case nt == nil:
		return bad(fmt.Sprintf("table %q is not in the desired schema", nk))
	case t.Column(col) == nil:
		return bad(fmt.Sprintf("no column %q in table %q of the current schema", col, d.key(t.Schema, t.Name)))
	case nt.Column(v) == nil:
		return bad(fmt.Sprintf("no column %q in table %q of the desired schema", v, nk))
	case col != v && t.Column(v) != nil:
		return bad(fmt.Sprintf("column %q already exists in table %q of the current schema", v, d.key(t.Schema, t.Name)))
	case col != v && nt.Column(col) != nil:
		return bad(fmt.Sprintf("column %q still exists in table %q of the desired schema", col, nk))
	}
	m := d.colRename[nk]
	if m == nil {
		m = map[string]string{}
		d.colRename[nk] = m
	}
	for o, n := range m {
		if n == v && o != col {
			return bad(fmt.Sprintf("column %q is already the new name of %q", v, o))
		}
	}
	m[col] = v
	return nil
}

func (d *differ) resolveBackfill() error {
	d.backfill = map[tkey]map[string]*fill{}
	keys := make([]string, 0, len(d.opts.Backfill))
	for k := range d.opts.Backfill {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := d.opts.Backfill[k]
		bad := func(reason string) error {
			return &OptionError{Option: "backfill", Key: k, Value: v, Reason: reason}
		}
		if strings.TrimSpace(v) == "" {
			return bad("the value must be a SQL literal")
		}
		tref, col := splitRef(k)
		if tref == "" {
			return bad(`name the column as "table.column"`)
		}
		t, err := findTable(d.to, tref)
		if err != nil {
			return bad(err.Error())
		}
		if t == nil {
			return bad(fmt.Sprintf("no table %q in the desired schema", tref))
		}
		if t.Column(col) == nil {
			return bad(fmt.Sprintf("no column %q in table %q of the desired schema", col, d.key(t.Schema, t.Name)))
		}
		tk := d.key(t.Schema, t.Name)
		if d.backfill[tk] == nil {
			d.backfill[tk] = map[string]*fill{}
		}
		d.backfill[tk][col] = &fill{key: k, value: v}
	}
	return nil
}

// fill is one Options.Backfill entry; used is set once a change takes it.
type fill struct {
	key, value string
	used       bool
}

// takeBackfill returns the backfill value given for a column of the
// desired schema ("" when none) and marks it used.
func (d *differ) takeBackfill(t tkey, col string) string {
	f := d.backfill[t][col]
	if f == nil {
		return ""
	}
	f.used = true
	return f.value
}

// unusedBackfill returns an *OptionError for the first (by key) backfill
// entry no change took: it names a column that is neither added NOT NULL
// without a default nor made NOT NULL, so the value would be silently
// ignored.
func (d *differ) unusedBackfill() error {
	var unused []*fill
	for _, cols := range d.backfill {
		for _, f := range cols {
			if !f.used {
				unused = append(unused, f)
			}
		}
	}
	if len(unused) == 0 {
		return nil
	}
	sort.Slice(unused, func(i, j int) bool { return unused[i].key < unused[j].key })
	f := unused[0]
	return &OptionError{Option: "backfill", Key: f.key, Value: f.value,
		Reason: "this revision neither adds that column NOT NULL without a default nor makes it NOT NULL, so no existing row needs a value (a new table has no rows; a default fills them): leave this --backfill out"}
}
