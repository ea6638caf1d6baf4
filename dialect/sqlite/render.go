package sqlite

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// ErrUnsupportedChange is wrapped by Render's error for a change SQLite
// cannot express at all (types, sequences, routines, comments,
// materialized views, rewrite rules, comments on schemas, and the kinds of
// PostgreSQL and MySQL only, whose error is a *change.UnsupportedError).
var ErrUnsupportedChange = errors.New("not supported by SQLite")

// rebuildTablePrefix starts the temporary name of a table being rebuilt.
const rebuildTablePrefix = "_retort_new_"

// fkGuardTable is the temporary table of the foreign-keys guard.
const fkGuardTable = "_retort_foreign_keys_guard"

// fkCheckTable is the temporary table of the check that the rows of a
// rebuilt table have the parents of the foreign keys the rebuild adds.
const fkCheckTable = "_retort_foreign_key_check"

// fkGuardConstraint names the guard's check, so that its failure explains
// itself.
const fkGuardConstraint = "foreign_keys must be OFF during a table rebuild (retort upgrade turns it off before BEGIN)"

// Render returns the statements that take a database whose schema is from
// to the schema to by applying changes, in their order.
//
// What SQLite's ALTER TABLE can do is rendered as such: RENAME TO, RENAME
// COLUMN, ADD COLUMN (for a column without a key, without a non-constant
// default, not a stored generated column, and nullable or with a default)
// and DROP COLUMN (for a column no key, index, foreign key, check,
// generated column, view or trigger names). Indexes, views and triggers are
// created and dropped directly. Everything else on a table (type,
// nullability and default changes, primary keys, unique constraints,
// checks, foreign keys, a backfilled column, a column DROP COLUMN refuses)
// goes through SQLite's table rebuild
// (https://sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
// Schema Changes"): every change on that table merges into one rebuild,
// rendered where the first of them stands (drops of its indexes and
// triggers that come before it run as they are), that
//
//   - drops the views that read the table (and the views and triggers that
//     depend on them) and the triggers of other tables that name it,
//   - creates the table under a temporary name from its definition in to,
//   - copies the rows of the columns both versions have (renamed columns
//     follow their new name; a backfilled column is COALESCE(col, value),
//     a new backfilled column gets the value, a new nullable column with
//     a default in a unique key or unique index gets NULL rather than one
//     default for every row), keeping the AUTOINCREMENT counter,
//   - drops the old table, renames the new one to the old name (and then
//     to the final name when a rename of the table merged into the
//     rebuild, so that SQLite rewrites the foreign keys that point at it),
//   - checks, when it adds foreign keys, that the rows have their parents
//     (see foreignKeyGuard), and
//   - recreates the table's indexes and triggers and the dropped views and
//     triggers.
//
// Foreign keys: with PRAGMA foreign_keys on, DROP TABLE deletes every row
// first and fires ON DELETE CASCADE (and SET NULL) on child tables, which
// would silently empty them. The pragma cannot change inside a transaction,
// and PRAGMA defer_foreign_keys does not help: it defers the constraint
// check, not the cascade actions (TestRenderDeferForeignKeysStillCascades
// shows the child rows lost). So the revision relies on SQLite's own
// procedure as Begin implements it: foreign keys off on the connection
// before BEGIN, PRAGMA foreign_key_check before COMMIT (a violation rolls
// back), the setting restored afterwards. The first rebuild of a Render
// starts with a guard that fails the revision, before any data is touched, when it runs
// with foreign keys on (for example a script printed by upgrade --sql and
// piped into a connection that enabled them): a check constraint on a
// temporary table, named so that its message says what is wrong.
//
// AddTable creates the table with the foreign keys of the AddForeignKey
// changes on it folded in (SQLite cannot add a foreign key later without a
// rebuild, and it accepts references to tables created later); changes on
// a table that the same list drops are left out.
func (d *Dialect) Render(from, to *schema.Schema, changes []change.Change) ([]string, error) {
	if from == nil {
		from = &schema.Schema{Dialect: "sqlite"}
	}
	if to == nil {
		to = &schema.Schema{Dialect: "sqlite"}
	}
	for i, c := range changes {
		if err := change.Complete(c); err != nil {
			return nil, fmt.Errorf("sqlite: render change %d (%s): %w", i+1, change.Label(c), err)
		}
	}
	r := &renderer{Refuse: change.Refuse{Dialect: "SQLite", Err: ErrUnsupportedChange}, d: d, from: from, to: to}
	if err := r.refuseUnmade(changes); err != nil {
		return nil, err
	}
	p, err := plan(from, to, changes)
	if err != nil {
		return nil, err
	}
	r.plan = p
	for _, v := range from.Views {
		r.views = append(r.views, v)
	}
	for _, tr := range from.Triggers {
		r.triggers = append(r.triggers, tr)
	}
	for i, c := range changes {
		if ti := p.rebuildAt[i]; ti != nil {
			stmts, err := r.rebuild(ti)
			if err != nil {
				return nil, fmt.Errorf("sqlite: render rebuild of table %s (for %s): %w", ti.srcName, c.Describe(), err)
			}
			r.emit(stmts...)
			continue
		}
		if p.skip[i] {
			// Merged into a rebuild, which accounts for it, or left out:
			// the database keeps what it had, and so do r.views and
			// r.triggers.
			continue
		}
		r.at = i
		if err := change.Visit(r, c); err != nil {
			return nil, changeError(i, c, err)
		}
	}
	return r.out, nil
}

// refuseUnmade refuses, before plan, the first change of a kind SQLite
// never makes (a rewrite rule, a schema comment, a table comment, a
// policy, table options, ...), with the visitor's error. Many of them are
// on a table, and the rebuild (or a later drop) of that table would take
// the change in without a word, where visiting it in turn would not.
func (r *renderer) refuseUnmade(changes []change.Change) error {
	for i, c := range changes {
		if !sqliteMakes(c) {
			return changeError(i, c, change.Visit(r, c))
		}
	}
	return nil
}

// sqliteMakes reports whether the renderer has a method that makes c's
// kind (by a statement or a table rebuild); every other kind is refused.
func sqliteMakes(c change.Change) bool {
	switch c.(type) {
	case *change.AddTable, *change.DropTable, *change.RenameTable,
		*change.AddColumn, *change.DropColumn, *change.RenameColumn, *change.AlterColumn,
		*change.SetPrimaryKey, *change.AddUnique, *change.DropUnique,
		*change.AddIndex, *change.DropIndex, *change.AddForeignKey, *change.DropForeignKey,
		*change.AddCheck, *change.DropCheck,
		*change.AddView, *change.DropView, *change.AddTrigger, *change.DropTrigger:
		return true
	}
	return false
}

// changeError is err, from rendering change i, c, naming the change.
func changeError(i int, c change.Change, err error) error {
	return fmt.Errorf("sqlite: render change %d (%s): %w", i+1, c.Describe(), err)
}

// tableInfo follows one table through a list of changes.
type tableInfo struct {
	fromName  string        // its name in from ("" when the list creates it)
	created   *schema.Table // the AddTable's table
	name      string        // its name while walking the list
	srcName   string        // its name where its first change stands
	finalName string        // its name after the whole list
	first     int           // index of its first change other than a rename; -1 when none
	changes   []int         // the changes on it, renames included
	addedFKs  []*schema.ForeignKey
	rebuild   bool
}

// renderPlan is what Render decides before it writes a statement.
type renderPlan struct {
	skip      map[int]bool       // changes left out or merged into a rebuild
	rebuildAt map[int]*tableInfo // the rebuild that stands at a change
	tableOf   map[int]*tableInfo
	list      []change.Change
}

// plan walks the changes, follows each table by its renames, and decides
// which tables are rebuilt and which changes are left out.
func plan(from, to *schema.Schema, changes []change.Change) (*renderPlan, error) {
	p := &renderPlan{skip: map[int]bool{}, rebuildAt: map[int]*tableInfo{}, tableOf: map[int]*tableInfo{}, list: changes}
	w := &tableWalk{p: p, cur: map[string]*tableInfo{}, dropIdx: map[*tableInfo]int{}}
	for _, t := range from.Tables {
		w.cur[strings.ToLower(t.Name)] = w.newInfo(t.Name)
	}
	for i, c := range changes {
		w.assign(i, c)
	}
	for _, ti := range w.all {
		ti.finalName = ti.name
	}
	// Changes on a table the list drops later go with it.
	for _, ti := range w.dropped {
		for _, i := range ti.changes {
			if _, ok := changes[i].(*change.RenameTable); !ok && i < w.dropIdx[ti] {
				p.skip[i] = true
			}
		}
	}
	for _, ti := range w.all {
		p.foldCreated(ti)
		if err := p.decide(from, to, ti); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// tableWalk follows the tables through the changes for plan: the table
// each name stands for now, every table seen, and the dropped ones with
// the index of their DropTable.
type tableWalk struct {
	p       *renderPlan
	cur     map[string]*tableInfo // by lower-cased name
	all     []*tableInfo
	dropped []*tableInfo
	dropIdx map[*tableInfo]int
}

func (w *tableWalk) newInfo(name string) *tableInfo {
	ti := &tableInfo{fromName: name, name: name, first: -1}
	w.all = append(w.all, ti)
	return ti
}

func (w *tableWalk) lookup(name string) *tableInfo {
	ti := w.cur[strings.ToLower(name)]
	if ti == nil {
		ti = w.newInfo(name)
		w.cur[strings.ToLower(name)] = ti
	}
	return ti
}

// assign records change i, c, on the table it is on.
func (w *tableWalk) assign(i int, c change.Change) {
	var ti *tableInfo
	switch c := c.(type) {
	case *change.RenameTable:
		ti = w.lookup(c.From)
		delete(w.cur, strings.ToLower(c.From))
		ti.name = c.To
		w.cur[strings.ToLower(c.To)] = ti
	case *change.AddTable:
		ti = w.newInfo("")
		ti.name, ti.created = c.Table.Name, c.Table
		w.cur[strings.ToLower(c.Table.Name)] = ti
		w.p.tableOf[i] = ti
		return
	case *change.DropTable:
		ti = w.lookup(c.Table.Name)
		delete(w.cur, strings.ToLower(c.Table.Name))
		w.dropped = append(w.dropped, ti)
		w.dropIdx[ti] = i
		w.p.tableOf[i] = ti
		return
	case *change.AddTrigger, *change.DropTrigger:
		// A trigger may be on a view: only a known table counts.
		if ti = w.cur[strings.ToLower(c.On().Name)]; ti == nil {
			return
		}
	default:
		if c.On().Name == "" {
			return
		}
		ti = w.lookup(c.On().Name)
	}
	w.p.tableOf[i] = ti
	ti.changes = append(ti.changes, i)
}

// foldCreated folds the foreign keys and indexes of a table the changes
// create into its CREATE TABLE.
func (p *renderPlan) foldCreated(ti *tableInfo) {
	if ti.created == nil {
		return
	}
	for _, i := range ti.changes {
		switch c := p.list[i].(type) {
		case *change.AddForeignKey:
			if !hasFK(ti.created, c.FK) {
				ti.addedFKs = append(ti.addedFKs, c.FK)
			}
			p.skip[i] = true
		case *change.AddIndex:
			for _, idx := range ti.created.Indexes {
				if strings.EqualFold(idx.Name, c.Index.Name) {
					p.skip[i] = true
				}
			}
		}
	}
}

// decide marks ti for a rebuild when a change on it needs one: the
// rebuild stands at its first change (after the drops of what hangs on
// the table) and absorbs the changes from there.
func (p *renderPlan) decide(from, to *schema.Schema, ti *tableInfo) error {
	name := ti.fromName
	for _, i := range ti.changes {
		c := p.list[i]
		if rt, ok := c.(*change.RenameTable); ok {
			name = rt.To
			continue
		}
		if p.skip[i] {
			continue
		}
		switch c.(type) {
		case *change.DropTrigger, *change.DropIndex:
			// Dropping what hangs on the table needs no rebuild; before
			// the rebuild's place they run as they are, so that the
			// rebuild stands after the drops diff puts first.
			if ti.first < 0 {
				continue
			}
		}
		if ti.first < 0 {
			ti.first = i
			ti.srcName = name
		}
		need, err := needsRebuild(from, to, ti, c)
		if err != nil {
			return changeError(i, c, err)
		}
		ti.rebuild = ti.rebuild || need
	}
	if !ti.rebuild {
		return nil
	}
	if ti.srcName == "" {
		ti.srcName = ti.created.Name
	}
	p.rebuildAt[ti.first] = ti
	for _, i := range ti.changes {
		if i >= ti.first {
			p.skip[i] = true
		}
	}
	return nil
}

// needsRebuild reports whether SQLite's ALTER TABLE cannot make change c
// on the table ti directly.
func needsRebuild(from, to *schema.Schema, ti *tableInfo, c change.Change) (bool, error) {
	switch c := c.(type) {
	case *change.AddColumn:
		col := c.Column
		switch {
		case c.Backfill != "",
			!col.Nullable && col.Default == nil,
			col.Generated != "" && (col.Stored || !col.Nullable),
			col.Default != nil && !constantDefault(*col.Default):
			return true, nil
		}
		if t := lookupTable(to, ti.finalName); t != nil && (inKey(t, col.Name) || col.Default != nil && uniqueIndexed(t, col.Name)) {
			return true, nil
		}
		return false, nil
	case *change.DropColumn:
		return !droppable(from, to, ti, c.Column.Name), nil
	case *change.AlterColumn:
		if onlyComment(c.From, c.To) {
			return false, unsupported("a column comment")
		}
		return true, nil
	case *change.SetPrimaryKey, *change.AddUnique, *change.DropUnique,
		*change.AddForeignKey, *change.DropForeignKey, *change.AddCheck, *change.DropCheck:
		return true, nil
	}
	return false, nil
}

// constantDefault reports whether ADD COLUMN accepts default d: a literal,
// not CURRENT_TIME, CURRENT_DATE, CURRENT_TIMESTAMP or an expression in
// parentheses.
func constantDefault(d string) bool {
	switch strings.ToUpper(strings.TrimSpace(d)) {
	case "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP":
		return false
	}
	return !strings.HasPrefix(formatDefault(d), "(")
}

func inKey(t *schema.Table, col string) bool {
	if t.PrimaryKey != nil && containsFold(t.PrimaryKey.Columns, col) {
		return true
	}
	for _, u := range t.Uniques {
		if containsFold(u.Columns, col) {
			return true
		}
	}
	return false
}

// uniqueIndexed reports whether a unique index of t has col as a column.
func uniqueIndexed(t *schema.Table, col string) bool {
	return slices.ContainsFunc(t.Indexes, func(idx *schema.Index) bool { return idx.Unique && indexHas(idx, col) })
}

// indexHas reports whether col is a column of idx's key.
func indexHas(idx *schema.Index, col string) bool {
	return slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return strings.EqualFold(p.Column, col) })
}

func onlyComment(a, b *schema.Column) bool {
	x, y := *a, *b
	x.Comment, y.Comment = "", ""
	return a.Comment != b.Comment && reflect.DeepEqual(x, y)
}

// droppable reports whether ALTER TABLE DROP COLUMN can drop col from the
// table ti: no key, index, foreign key (either way), check or generated
// column of the table names it, and no view or trigger of either schema
// names it.
func droppable(from, to *schema.Schema, ti *tableInfo, col string) bool {
	t := ti.created
	if t == nil {
		t = lookupTable(from, ti.fromName)
	}
	if t == nil || inKey(t, col) || keyColumn(t, col) || expressionNames(t, col) {
		return false
	}
	named := func(sql string) bool { return mentions(sql, col) }
	for _, s := range []*schema.Schema{from, to} {
		if referencedColumn(s, ti, col) ||
			slices.ContainsFunc(s.Views, func(v *schema.View) bool { return named(v.Definition) }) ||
			slices.ContainsFunc(s.Triggers, func(tr *schema.Trigger) bool { return named(tr.Definition) }) {
			return false
		}
	}
	return true
}

// keyColumn reports whether col is a column of an index key or of a
// foreign key of t.
func keyColumn(t *schema.Table, col string) bool {
	return slices.ContainsFunc(t.Indexes, func(idx *schema.Index) bool { return indexHas(idx, col) }) ||
		slices.ContainsFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return containsFold(fk.Columns, col) })
}

// expressionNames reports whether an SQL expression of t names col: the
// WHERE or a key expression of an index, a check or a generated column.
func expressionNames(t *schema.Table, col string) bool {
	named := func(sql string) bool { return mentions(sql, col) }
	for _, idx := range t.Indexes {
		if named(idx.Where) || slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return named(p.Expr) }) {
			return true
		}
	}
	return slices.ContainsFunc(t.Checks, func(c *schema.Check) bool { return named(c.Expr) }) ||
		slices.ContainsFunc(t.Columns, func(c *schema.Column) bool { return named(c.Generated) })
}

// referencedColumn reports whether a foreign key in s references column
// col of the table ti, by its name before or after the changes.
func referencedColumn(s *schema.Schema, ti *tableInfo, col string) bool {
	for _, o := range s.Tables {
		for _, fk := range o.ForeignKeys {
			if (strings.EqualFold(fk.RefTable, ti.fromName) || strings.EqualFold(fk.RefTable, ti.finalName)) && containsFold(fk.RefColumns, col) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether the SQL text sql has name as an identifier
// token (bare or quoted, ASCII case-insensitive).
func mentions(sql, name string) bool {
	if sql == "" {
		return false
	}
	for _, t := range ddlLex(sql) {
		if (t.kind == ddlWord || t.kind == ddlQuoted) && strings.EqualFold(t.ident(), name) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// renderer holds one Render: the plan, the views and triggers as they
// stand at the change being rendered, and the statements so far. It is
// the change.Visitor of the changes that need no rebuild: a method per
// kind SQLite makes directly appends its statements (and, for the kinds
// that change them, brings the views and triggers up to date, so that
// they follow what the database has: a change left out leaves them as
// they are), and the kinds it cannot make are refused (by the embedded
// Refuse, or by a method that says what SQLite lacks).
type renderer struct {
	change.Refuse
	d        *Dialect
	from, to *schema.Schema
	plan     *renderPlan
	views    []*schema.View
	triggers []*schema.Trigger
	guarded  bool
	at       int // index of the change being visited, for the plan's maps
	out      []string
}

// emit appends statements to the renderer's output.
func (r *renderer) emit(stmts ...string) { r.out = append(r.out, stmts...) }

// removeView returns a copy of vs without the view name.
func removeView(vs []*schema.View, name string) []*schema.View {
	return slices.DeleteFunc(slices.Clone(vs), func(v *schema.View) bool { return strings.EqualFold(v.Name, name) })
}

// removeTrigger returns a copy of ts without the trigger name.
func removeTrigger(ts []*schema.Trigger, name string) []*schema.Trigger {
	return slices.DeleteFunc(slices.Clone(ts), func(t *schema.Trigger) bool { return strings.EqualFold(t.Name, name) })
}

// AddTable creates the table, with the foreign keys plan folded into it,
// and its indexes.
func (r *renderer) AddTable(c *change.AddTable) error {
	t := c.Table
	if ti := r.plan.tableOf[r.at]; ti != nil && len(ti.addedFKs) > 0 {
		cp := *t
		cp.ForeignKeys = append(append([]*schema.ForeignKey(nil), t.ForeignKeys...), ti.addedFKs...)
		t = &cp
	}
	r.emit(formatTable(t))
	r.emit(indexStatements(t.Name, t.Indexes)...)
	return nil
}

// DropTable drops the table, and with it its triggers.
func (r *renderer) DropTable(c *change.DropTable) error {
	r.emit("DROP TABLE " + quoteIdentIfNeeded(c.Table.Name))
	r.triggers = slices.DeleteFunc(slices.Clone(r.triggers), func(tr *schema.Trigger) bool { return strings.EqualFold(tr.Table, c.Table.Name) })
	return nil
}

// RenameTable renames the table; its triggers follow.
func (r *renderer) RenameTable(c *change.RenameTable) error {
	r.emit("ALTER TABLE " + quoteIdentIfNeeded(c.From) + " RENAME TO " + quoteIdentIfNeeded(c.To))
	for i, tr := range r.triggers {
		if strings.EqualFold(tr.Table, c.From) {
			cp := *tr
			cp.Table = c.To
			r.triggers[i] = &cp
		}
	}
	return nil
}

// AddColumn adds a column ALTER TABLE can add (plan rebuilds for the
// others).
func (r *renderer) AddColumn(c *change.AddColumn) error {
	r.emit("ALTER TABLE " + quoteIdentIfNeeded(c.Table.Name) + " ADD COLUMN " + columnDef(c.Column))
	return nil
}

// DropColumn drops a column ALTER TABLE can drop (plan rebuilds for the
// others).
func (r *renderer) DropColumn(c *change.DropColumn) error {
	r.emit("ALTER TABLE " + quoteIdentIfNeeded(c.Table.Name) + " DROP COLUMN " + quoteIdentIfNeeded(c.Column.Name))
	return nil
}

// RenameColumn renames a column.
func (r *renderer) RenameColumn(c *change.RenameColumn) error {
	q := quoteIdentIfNeeded
	r.emit("ALTER TABLE " + q(c.Table.Name) + " RENAME COLUMN " + q(c.From) + " TO " + q(c.To))
	return nil
}

// AddIndex creates the index.
func (r *renderer) AddIndex(c *change.AddIndex) error {
	r.emit(formatIndex(c.Table.Name, c.Index))
	return nil
}

// DropIndex drops the index.
func (r *renderer) DropIndex(c *change.DropIndex) error {
	r.emit("DROP INDEX " + quoteIdentIfNeeded(c.Index.Name))
	return nil
}

// AddView creates the view; SQLite has no materialized views.
func (r *renderer) AddView(c *change.AddView) error {
	if c.View.Materialized {
		return noMaterializedViews()
	}
	r.emit(formatView(c.View))
	r.views = append(r.views, c.View)
	return nil
}

// DropView drops the view; SQLite has no materialized views.
func (r *renderer) DropView(c *change.DropView) error {
	if c.View.Materialized {
		return noMaterializedViews()
	}
	r.emit("DROP VIEW " + quoteIdentIfNeeded(c.View.Name))
	r.views = removeView(r.views, c.View.Name)
	return nil
}

func noMaterializedViews() error { return unsupported("materialized view") }

// AddTrigger creates the trigger from its definition.
func (r *renderer) AddTrigger(c *change.AddTrigger) error {
	r.emit(c.Trigger.Definition)
	r.triggers = append(r.triggers, c.Trigger)
	return nil
}

// DropTrigger drops the trigger.
func (r *renderer) DropTrigger(c *change.DropTrigger) error {
	r.emit("DROP TRIGGER " + quoteIdentIfNeeded(c.Trigger.Name))
	r.triggers = removeTrigger(r.triggers, c.Trigger.Name)
	return nil
}

// The kinds below are refused with a message that says what SQLite lacks,
// one helper per group of kinds so that each text is written once; every
// other kind SQLite cannot make is refused by Refuse.

// unsupported is the error of a change SQLite cannot make: what says
// what SQLite lacks; Render's wrapping names the change.
func unsupported(what string) error { return fmt.Errorf("%s: %w", what, ErrUnsupportedChange) }

// SetTableComment refuses the change: SQLite has no table comments.
func (r *renderer) SetTableComment(*change.SetTableComment) error {
	return unsupported("a table comment")
}

func noTypes() error { return unsupported("user-defined types") }

// AddType refuses the change: SQLite has no user-defined types.
func (r *renderer) AddType(*change.AddType) error { return noTypes() }

// DropType refuses the change: SQLite has no user-defined types.
func (r *renderer) DropType(*change.DropType) error { return noTypes() }

// AddEnumValues refuses the change: SQLite has no user-defined types.
func (r *renderer) AddEnumValues(*change.AddEnumValues) error { return noTypes() }

// RemoveEnumValues refuses the change: SQLite has no user-defined types.
func (r *renderer) RemoveEnumValues(*change.RemoveEnumValues) error { return noTypes() }

func noSequences() error { return unsupported("sequences") }

// AddSequence refuses the change: SQLite has no sequences.
func (r *renderer) AddSequence(*change.AddSequence) error { return noSequences() }

// DropSequence refuses the change: SQLite has no sequences.
func (r *renderer) DropSequence(*change.DropSequence) error { return noSequences() }

// AlterSequence refuses the change: SQLite has no sequences.
func (r *renderer) AlterSequence(*change.AlterSequence) error { return noSequences() }

func noRoutines() error { return unsupported("stored routines") }

// AddRoutine refuses the change: SQLite has no stored routines.
func (r *renderer) AddRoutine(*change.AddRoutine) error { return noRoutines() }

// DropRoutine refuses the change: SQLite has no stored routines.
func (r *renderer) DropRoutine(*change.DropRoutine) error { return noRoutines() }

// ReplaceRoutine refuses the change: SQLite has no stored routines.
func (r *renderer) ReplaceRoutine(*change.ReplaceRoutine) error { return noRoutines() }

// postgresOnly refuses what only PostgreSQL has: a schema with it was not
// inspected from SQLite.
func postgresOnly(what string) error {
	return unsupported(what + " are PostgreSQL-only, SQLite has none (check the dialect of the schemas compared)")
}

func noRules() error { return postgresOnly("rewrite rules") }

// AddRule refuses the change: rewrite rules are PostgreSQL-only.
func (r *renderer) AddRule(*change.AddRule) error { return noRules() }

// DropRule refuses the change: rewrite rules are PostgreSQL-only.
func (r *renderer) DropRule(*change.DropRule) error { return noRules() }

// ReplaceRule refuses the change: rewrite rules are PostgreSQL-only.
func (r *renderer) ReplaceRule(*change.ReplaceRule) error { return noRules() }

// SetNamespaceComment refuses the change: comments on schemas are PostgreSQL-only.
func (r *renderer) SetNamespaceComment(*change.SetNamespaceComment) error {
	return postgresOnly("comments on schemas")
}

// columnDef prints one column definition, as CREATE TABLE (Format, the
// rebuild) and ADD COLUMN take it.
func columnDef(c *schema.Column) string {
	s := quoteIdentIfNeeded(c.Name)
	if c.Type != "" {
		s += " " + c.Type
	}
	s += identClause("COLLATE", c.Collation)
	if !c.Nullable {
		s += " NOT NULL"
	}
	if c.Default != nil {
		s += " DEFAULT " + formatDefault(*c.Default)
	}
	if c.Generated != "" {
		storage := " VIRTUAL"
		if c.Stored {
			storage = " STORED"
		}
		s += " GENERATED ALWAYS AS (" + c.Generated + ")" + storage
	}
	return s
}

func indexStatements(table string, idxs []*schema.Index) []string {
	sorted := append([]*schema.Index(nil), idxs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var out []string
	for _, idx := range sorted {
		out = append(out, formatIndex(table, idx))
	}
	return out
}

// rebuild renders the table rebuild of ti with every change on it merged.
func (r *renderer) rebuild(ti *tableInfo) ([]string, error) {
	q := quoteIdentIfNeeded
	source, target, err := r.rebuildTables(ti)
	if err != nil {
		return nil, err
	}
	src, tmp := ti.srcName, rebuildTablePrefix+ti.finalName
	if lookupTable(r.from, tmp) != nil || lookupTable(r.to, tmp) != nil {
		return nil, fmt.Errorf("the temporary name %s is taken", tmp)
	}
	m := r.follow(ti, source)
	affected, views := r.readers(src)
	others := r.retrigger(ti, affected, m)

	out := r.guardOnce()
	for _, tr := range others {
		out = append(out, "DROP TRIGGER "+q(tr.Name))
	}
	ordered := viewOrder(views)
	for i := len(ordered) - 1; i >= 0; i-- {
		out = append(out, "DROP VIEW "+q(ordered[i].Name))
	}
	nt := *target
	nt.Name = tmp
	out = append(out, formatTable(&nt))
	if ins := copyRows(target, m, tmp, src); ins != "" {
		out = append(out, ins)
	}
	out = append(out, r.replace(ti, source, target, tmp)...)
	for _, tr := range m.own {
		out = append(out, tr.Definition)
	}
	for _, v := range ordered {
		if ti.finalName != src {
			if tv := findView(r.to.Views, v.Name); tv != nil {
				v = tv
			}
		}
		out = append(out, formatView(v))
	}
	for _, tr := range others {
		out = append(out, tr.Definition)
	}
	return out, nil
}

// rebuildTables returns the table a rebuild starts from (as the source
// schema has it, or as a merged AddTable creates it) and the one it makes.
func (r *renderer) rebuildTables(ti *tableInfo) (source, target *schema.Table, err error) {
	target = lookupTable(r.to, ti.finalName)
	if target == nil {
		return nil, nil, fmt.Errorf("table %s is not in the target schema", ti.finalName)
	}
	if ti.created != nil {
		source = ti.created
	} else {
		source = lookupTable(r.from, ti.fromName)
	}
	if source == nil {
		return nil, nil, fmt.Errorf("table %s is not in the source schema", ti.fromName)
	}
	return source, target, nil
}

// merged is what the changes merged into a rebuild say: where each target
// column's data comes from (lower-case name to source column), what
// backfills it, and the table's own triggers afterwards.
type merged struct {
	srcOf, backfill map[string]string
	own             []*schema.Trigger
}

// follow walks the changes merged into the rebuild of ti.
func (r *renderer) follow(ti *tableInfo, source *schema.Table) *merged {
	m := &merged{srcOf: map[string]string{}, backfill: map[string]string{}}
	for _, c := range source.Columns {
		m.srcOf[strings.ToLower(c.Name)] = c.Name
	}
	for _, tr := range r.triggers {
		if strings.EqualFold(tr.Table, ti.srcName) {
			m.own = append(m.own, tr)
		}
	}
	for _, i := range ti.changes {
		if i >= ti.first {
			m.apply(r.plan.list[i])
		}
	}
	return m
}

// apply follows one merged change.
func (m *merged) apply(c change.Change) {
	switch c := c.(type) {
	case *change.RenameColumn:
		if s, ok := m.srcOf[strings.ToLower(c.From)]; ok {
			delete(m.srcOf, strings.ToLower(c.From))
			m.srcOf[strings.ToLower(c.To)] = s
		}
	case *change.DropColumn:
		delete(m.srcOf, strings.ToLower(c.Column.Name))
	case *change.AddColumn:
		delete(m.srcOf, strings.ToLower(c.Column.Name))
		if c.Backfill != "" {
			m.backfill[strings.ToLower(c.Column.Name)] = c.Backfill
		}
	case *change.AlterColumn:
		if c.Backfill != "" {
			m.backfill[strings.ToLower(c.To.Name)] = c.Backfill
		}
	case *change.AddTrigger:
		m.own = append(removeTrigger(m.own, c.Trigger.Name), c.Trigger)
	case *change.DropTrigger:
		m.own = removeTrigger(m.own, c.Trigger.Name)
	}
}

// readers returns the views that read table src, and the views that read
// those, with the lower-cased names of src and of those views.
func (r *renderer) readers(src string) (map[string]bool, []*schema.View) {
	affected := map[string]bool{strings.ToLower(src): true}
	var views []*schema.View
	for changed := true; changed; {
		changed = false
		for _, v := range r.views {
			if affected[strings.ToLower(v.Name)] || !mentionsAny(v.Definition, affected) {
				continue
			}
			affected[strings.ToLower(v.Name)] = true
			views = append(views, v)
			changed = true
		}
	}
	return affected, views
}

// mentionsAny reports whether sql mentions one of names.
func mentionsAny(sql string, names map[string]bool) bool {
	for name := range names {
		if mentions(sql, name) {
			return true
		}
	}
	return false
}

// retrigger returns the triggers of other tables and of the affected
// views that name the table or the views (dropped around the rebuild),
// and brings the triggers the renderer tracks up to date: the table's own
// as m.own has them (as the target prints them after a merged rename).
func (r *renderer) retrigger(ti *tableInfo, affected map[string]bool, m *merged) []*schema.Trigger {
	var others, keep []*schema.Trigger
	for _, tr := range r.triggers {
		if strings.EqualFold(tr.Table, ti.srcName) || containsTrigger(m.own, tr.Name) {
			continue // dropped with the table; own holds what comes back
		}
		if affected[strings.ToLower(tr.Table)] || mentionsAny(tr.Definition, affected) {
			others = append(others, tr)
		}
		keep = append(keep, tr)
	}
	sort.SliceStable(m.own, func(i, j int) bool { return m.own[i].Name < m.own[j].Name })
	for i, tr := range m.own {
		if ti.finalName == ti.srcName {
			continue
		}
		// A merged rename: take the trigger as the target prints it.
		if tt := findTrigger(r.to.Triggers, tr.Name); tt != nil {
			m.own[i] = tt
		} else {
			cp := *tr
			cp.Table = ti.finalName
			m.own[i] = &cp
		}
	}
	r.triggers = append(keep, m.own...)
	return others
}

// guardOnce returns, for the first rebuild of the revision, the statements
// that fail it unless foreign keys are off.
func (r *renderer) guardOnce() []string {
	if r.guarded {
		return nil
	}
	r.guarded = true
	q := quoteIdentIfNeeded
	return []string{
		"CREATE TEMP TABLE " + q(fkGuardTable) + " (foreign_keys integer CONSTRAINT " + q(fkGuardConstraint) + " CHECK (foreign_keys = 0))",
		"INSERT INTO " + q(fkGuardTable) + " SELECT foreign_keys FROM pragma_foreign_keys",
		"DROP TABLE " + q(fkGuardTable),
	}
}

// copyRows returns the INSERT that fills the new table tmp from src, or ""
// when no column has a value to copy.
func copyRows(target *schema.Table, m *merged, tmp, src string) string {
	q := quoteIdentIfNeeded
	var cols, exprs []string
	for _, c := range target.Columns {
		if c.Generated != "" {
			continue
		}
		key := strings.ToLower(c.Name)
		s, fromOld := m.srcOf[key]
		bf, hasBF := m.backfill[key]
		switch {
		case fromOld && hasBF:
			exprs = append(exprs, "COALESCE("+q(s)+", "+bf+")")
		case fromOld:
			exprs = append(exprs, q(s))
		case hasBF:
			exprs = append(exprs, bf)
		case c.Default != nil && c.Nullable && (inKey(target, c.Name) || uniqueIndexed(target, c.Name)):
			// A new column's default would give every row the same
			// value, which its unique key refuses: the rows get NULL.
			exprs = append(exprs, "NULL")
		default:
			continue
		}
		cols = append(cols, q(c.Name))
	}
	if len(cols) == 0 {
		return ""
	}
	return "INSERT INTO " + q(tmp) + " (" + strings.Join(cols, ", ") + ")\nSELECT " + strings.Join(exprs, ", ") + " FROM " + q(src)
}

// replace returns the statements that put the filled table tmp in the
// place of the old one: the AUTOINCREMENT mark, the swap, a merged rename,
// the foreign key guard and the indexes.
func (r *renderer) replace(ti *tableInfo, source, target *schema.Table, tmp string) []string {
	q, lit := quoteIdentIfNeeded, r.d.QuoteLiteral
	src := ti.srcName
	var out []string
	if autoIncrement(source) && autoIncrement(target) {
		// Keep the AUTOINCREMENT high-water mark: ids of deleted rows stay
		// unused.
		out = append(out, "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = "+lit(src)+")\n"+
			"WHERE name = "+lit(tmp)+" AND seq < (SELECT seq FROM sqlite_sequence WHERE name = "+lit(src)+")")
	}
	out = append(out,
		"DROP TABLE "+q(src),
		"ALTER TABLE "+q(tmp)+" RENAME TO "+q(src),
	)
	if ti.finalName != src {
		// A rename merged into the rebuild: renaming the rebuilt table
		// lets SQLite rewrite the foreign keys that point at it.
		out = append(out, "ALTER TABLE "+q(src)+" RENAME TO "+q(ti.finalName))
	}
	out = append(out, r.foreignKeyGuard(ti.finalName, source, target)...)
	return append(out, indexStatements(ti.finalName, target.Indexes)...)
}

// foreignKeyGuard returns the statements that fail the revision when the
// rows of the rebuilt table break a foreign key that the rebuild adds (to
// a parent recreated empty by a downgrade, say). With PRAGMA foreign_keys
// on, the runner's foreign_key_check before COMMIT finds them; with it off
// (SQLite's default) nothing would: a check constraint on a temporary
// table, named so that its message says what is wrong, counts them
// instead.
func (r *renderer) foreignKeyGuard(table string, source, target *schema.Table) []string {
	q, lit := quoteIdentIfNeeded, r.d.QuoteLiteral
	var parents []string
	for _, fk := range target.ForeignKeys {
		if !hasFK(source, fk) && !containsFold(parents, fk.RefTable) {
			parents = append(parents, fk.RefTable)
		}
	}
	var out []string
	for _, p := range parents {
		name := fmt.Sprintf("rows of %s have no parent in %s for a foreign key this revision adds: delete them or set their key to NULL first", table, p)
		out = append(out,
			"CREATE TEMP TABLE "+q(fkCheckTable)+" (violations integer CONSTRAINT "+q(name)+" CHECK (violations = 0))",
			"INSERT INTO "+q(fkCheckTable)+" SELECT count(*) FROM pragma_foreign_key_check("+lit(table)+") WHERE \"parent\" = "+lit(p),
			"DROP TABLE "+q(fkCheckTable),
		)
	}
	return out
}

func containsTrigger(ts []*schema.Trigger, name string) bool {
	return findTrigger(ts, name) != nil
}

func findTrigger(ts []*schema.Trigger, name string) *schema.Trigger {
	for _, t := range ts {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

func findView(vs []*schema.View, name string) *schema.View {
	for _, v := range vs {
		if strings.EqualFold(v.Name, name) {
			return v
		}
	}
	return nil
}

func hasFK(t *schema.Table, fk *schema.ForeignKey) bool {
	for _, f := range t.ForeignKeys {
		if fkSortKey(f) == fkSortKey(fk) {
			return true
		}
	}
	return false
}

func autoIncrement(t *schema.Table) bool {
	for _, c := range t.Columns {
		if c.AutoIncrement {
			return true
		}
	}
	return false
}

// lookupTable finds a table by name as SQLite does, without regard to
// letter case: the diff keys a table by the desired schema's spelling of a
// name that the current schema may spell differently.
func lookupTable(s *schema.Schema, name string) *schema.Table {
	if t := s.Table("", name); t != nil {
		return t
	}
	for _, t := range s.Tables {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}
