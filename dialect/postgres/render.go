package postgres

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// This file renders schema changes as PostgreSQL statements: what
// autogenerate writes into a revision's upgrade and downgrade sections.
//
// Identifiers are printed with quoteIdentIfNeeded, the package's canonical
// quoting (the server's quote_ident rules, which Format and the inspector
// use too), so a rendered CREATE TABLE and the ALTERs next to it spell
// names the same way. Literals go through quoteLiteralSQL, which is
// QuoteLiteral. Expressions (defaults, checks, index and constraint
// definitions, view bodies, routine and trigger definitions) are the
// server's own text from inspection and are printed as they are.
//
// Every statement is transactional on PostgreSQL 15, including ALTER TYPE
// ... ADD VALUE (a value added in a transaction cannot be used in it, and
// the rendered SQL never uses it).

// Render returns the statements, without terminators, that take a database
// whose schema is from to the schema to by applying changes in order.
//
// Decisions worth knowing:
//   - A generated column whose expression changes, or a plain column that
//     becomes generated, is dropped and added again (PostgreSQL 15 has no
//     ALTER COLUMN ... SET EXPRESSION); its indexes are recreated. A
//     generated column that becomes a plain one keeps its values (DROP
//     EXPRESSION).
//   - A type change is ALTER COLUMN ... TYPE t USING col::t, with the
//     default dropped before and set again after; from or to an enum the
//     cast goes through text (USING col::text::t), as PostgreSQL has no
//     cast between two enums.
//   - Changed identity options drop and re-add the identity; after an
//     identity is added, its sequence is moved past the column's largest
//     value, so existing rows do not collide with new ones.
//   - Backfill (AddColumn or AlterColumn to NOT NULL) adds the column
//     nullable, runs UPDATE ... SET col = <backfill> WHERE col IS NULL, then
//     SET NOT NULL. An added column with a default is added without it,
//     then SET DEFAULT, when it has a backfill or a unique key (primary
//     key, unique constraint or unique index) of the target table names
//     it: one default for every existing row would fail the key.
//   - Added enum values are ALTER TYPE ... ADD VALUE (BEFORE/AFTER to keep
//     their place). Removing values, reordering them, or adding values
//     that a later statement of the same revision uses (a new value cannot
//     be used in the transaction that added it) recreates the type: rename
//     the old one away, create the new one, convert every column that uses
//     it with USING col::text::type (defaults dropped and set again), drop
//     the old type. Rows holding a removed value make the revision fail
//     rather than lose data.
//   - A sequence's OWNED BY is set as soon as both the sequence and the
//     owning column exist (by AddSequence, AlterSequence, AddTable or
//     AddColumn, or at the end when a rename made the owner appear), and
//     released (OWNED BY NONE) before DropTable or DropColumn, so that a
//     sequence is only ever dropped by its own DropSequence.
//   - ReplaceRoutine is CREATE OR REPLACE when the routine's header (name,
//     full argument list, RETURNS) is unchanged, and DROP + CREATE
//     otherwise; aggregates are always dropped and created.
//   - Rewrite rules are rendered from their definition as pg_get_ruledef
//     prints it (a complete CREATE RULE statement); a changed rule is
//     CREATE OR REPLACE RULE, which keeps its comment. diff drops rules
//     before, and creates them after, the tables, views and routines they
//     read.
func (d *Dialect) Render(from, to *schema.Schema, changes []change.Change) ([]string, error) {
	if from == nil {
		from = &schema.Schema{}
	}
	if to == nil {
		to = &schema.Schema{}
	}
	// An enum value added with ALTER TYPE ... ADD VALUE cannot be used in
	// the transaction that added it. When a later statement of the
	// revision names a new value, the enum is recreated instead (a type
	// created in the transaction may be used at once), which rewrites the
	// tables that use it.
	changes = orderTypesAndRoutines(changes)
	recreate := map[int]bool{}
	for {
		r, err := renderOnce(from, to, changes, recreate)
		if err != nil {
			return nil, err
		}
		more := false
		for n, span := range r.enumAdds {
			if recreate[n] {
				continue
			}
			for _, v := range span.values {
				lit := quoteLiteralSQL(v)
				for _, stmt := range r.out[span.end:] {
					if strings.Contains(stmt, lit) {
						recreate[n] = true
						more = true
					}
				}
			}
		}
		if !more {
			return withFunctionBodiesUnchecked(changes, r.out), nil
		}
	}
}

// orderTypesAndRoutines orders the types and routines that the changes
// create before any table, and those they drop after every table, by their
// real dependencies (DependsOn, from pg_depend) rather than by kind: a
// domain whose CHECK or default calls a function needs the function first
// (and goes before it), a routine whose signature names the domain needs
// the domain. The other changes keep their places, and so does every type
// and routine that nothing forces to move.
func orderTypesAndRoutines(changes []change.Change) []change.Change {
	out := slices.Clone(changes)
	var adds, drops codeSlots
	for n, c := range changes {
		if makesTable(c) {
			break // tables come next: what they use stays before them
		}
		adds.add(n, c, false)
	}
	for n := len(changes) - 1; n >= 0 && !unmakesTable(changes[n]); n-- {
		drops.add(n, changes[n], true)
	}
	// The drops' slots run from the end, so dependencies first from the
	// end is dependents first from the start.
	adds.order(changes, out)
	drops.order(changes, out)
	return out
}

// makesTable reports whether c creates, renames or changes a table or its
// columns, and so may need the types and routines created before it. The
// drops of columns and tables come before those are created (diff's
// phases; in a downgrade, the inverse of what the upgrade adds), and need
// none of them.
func makesTable(c change.Change) bool {
	switch c.(type) {
	case *change.DropTable, *change.DropColumn:
		return false
	}
	return touchesTable(c)
}

// unmakesTable reports whether c drops, renames or changes a table or its
// columns, and so may stop needing the types and routines dropped after
// it. The tables and columns added after those are dropped (in a
// downgrade, the inverse of what the upgrade drops) need none of them.
func unmakesTable(c change.Change) bool {
	switch c.(type) {
	case *change.AddTable, *change.AddColumn:
		return false
	}
	return touchesTable(c)
}

// touchesTable reports whether c creates, renames, changes or drops a
// table or its columns.
func touchesTable(c change.Change) bool {
	switch c.(type) {
	case *change.RenameTable, *change.RenameColumn, *change.AddTable, *change.AddColumn, *change.AlterColumn,
		*change.DropTable, *change.DropColumn:
		return true
	}
	return false
}

// codeSlots are the positions of AddType and AddRoutine (or, collected
// from the end, DropType and DropRoutine) changes, with their designations
// and dependencies.
type codeSlots struct {
	slots []int
	names []string
	deps  [][]string
}

func (s *codeSlots) add(n int, c change.Change, drop bool) {
	var t *schema.Type
	var r *schema.Routine
	switch c := c.(type) {
	case *change.AddType:
		t = c.Type
	case *change.AddRoutine:
		r = c.Routine
	case *change.DropType:
		t = c.Type
	case *change.DropRoutine:
		r = c.Routine
	}
	switch c.(type) {
	case *change.DropType, *change.DropRoutine:
		if !drop {
			return
		}
	default:
		if drop {
			return
		}
	}
	switch {
	case t != nil:
		s.slots = append(s.slots, n)
		s.names = append(s.names, relationDesignation("c", t.Schema, t.Name))
		s.deps = append(s.deps, t.DependsOn)
	case r != nil:
		s.slots = append(s.slots, n)
		s.names = append(s.names, routineDesignation(r.Kind, r.Schema, r.Name, r.Signature))
		s.deps = append(s.deps, r.DependsOn)
	}
}

// order writes the changes at s's slots of changes into out with every
// one after those it depends on (in the order of s.slots), keeping the
// given order where nothing forces a move.
func (s *codeSlots) order(changes, out []change.Change) {
	if len(s.slots) < 2 {
		return
	}
	order := topoOrder(s.names, func(k int) []string { return s.deps[k] })
	for k, from := range order {
		out[s.slots[k]] = changes[s.slots[from]]
	}
}

// withFunctionBodiesUnchecked starts a revision that creates or replaces
// routines with SET LOCAL check_function_bodies = false, as pg_dump does:
// a LANGUAGE sql body is checked at CREATE time, and diff may create a
// function before a table it reads (or two functions that call each
// other). SET LOCAL ends with the revision's transaction.
func withFunctionBodiesUnchecked(changes []change.Change, out []string) []string {
	for _, c := range changes {
		switch c.(type) {
		case *change.AddRoutine, *change.ReplaceRoutine:
			return append([]string{"SET LOCAL check_function_bodies = false"}, out...)
		}
	}
	return out
}

// enumAdd records where an AddEnumValues rendered as ADD VALUE ended and
// which values it added.
type enumAdd struct {
	end    int
	values []string
}

func renderOnce(from, to *schema.Schema, changes []change.Change, recreate map[int]bool) (*renderer, error) {
	r := &renderer{Refuse: change.Refuse{Dialect: "PostgreSQL"}, from: from, to: to, st: newRenderState(from), recreate: recreate, enumAdds: map[int]enumAdd{}}
	for n, c := range changes {
		r.n = n
		if err := change.Complete(c); err != nil {
			return nil, renderError(n, c, err)
		}
		if err := change.Visit(r, c); err != nil {
			return nil, renderError(n, c, err)
		}
	}
	// OWNED BY that no change could set yet (the owner appeared later, by
	// a rename for example).
	seqs := append([]*schema.Sequence{}, to.Sequences...)
	sort.Slice(seqs, func(a, b int) bool {
		return lessQualified(seqs[a].Schema, seqs[a].Name, seqs[b].Schema, seqs[b].Name)
	})
	for _, q := range seqs {
		qn := qualifiedName(q.Schema, q.Name)
		if r.st.seqs[qn] && (q.OwnedBy == "" || r.st.ownerExists(q.OwnedBy)) {
			r.setOwner(qn, q.OwnedBy)
		}
	}
	return r, nil
}

// renderError says which change (n, from 0) failed to render and why.
func renderError(n int, c change.Change, err error) error {
	return fmt.Errorf("postgres: render change %d (%s): %w", n+1, change.Label(c), err)
}

// renderer renders one list of changes: a change.Visitor with one method
// per kind PostgreSQL can make, appending to out. Refuse refuses the rest
// (MySQL's events, table options and partitioning changes), with an error
// that matches errors.ErrUnsupported.
type renderer struct {
	change.Refuse
	from, to *schema.Schema
	st       *renderState
	out      []string
	// n is the index of the change being rendered; recreate holds the
	// AddEnumValues changes to render by recreating the type, and
	// enumAdds those rendered with ADD VALUE.
	n        int
	recreate map[int]bool
	enumAdds map[int]enumAdd
}

var _ change.Visitor = (*renderer)(nil)

func (r *renderer) emit(format string, args ...any) {
	r.out = append(r.out, fmt.Sprintf(format, args...))
}

// renderState tracks which tables, columns and sequences exist while the
// changes are rendered in order, for OWNED BY.
type renderState struct {
	cols map[string]map[string]bool // qualified table -> column names
	seqs map[string]bool            // qualified sequence names
	fks  map[string]bool            // fkKey of the foreign keys there now
	// owner is the OWNED BY of every existing sequence ("" for none).
	owner map[string]string
}

func fkKey(table, name string) string { return table + "\x00" + name }

func newRenderState(s *schema.Schema) *renderState {
	st := &renderState{cols: map[string]map[string]bool{}, seqs: map[string]bool{}, fks: map[string]bool{}, owner: map[string]string{}}
	for _, t := range s.Tables {
		st.addTable(t)
		for _, fk := range t.ForeignKeys {
			st.fks[fkKey(qualifiedName(t.Schema, t.Name), fk.Name)] = true
		}
	}
	for _, q := range s.Sequences {
		st.seqs[qualifiedName(q.Schema, q.Name)] = true
		st.owner[qualifiedName(q.Schema, q.Name)] = q.OwnedBy
	}
	return st
}

func (st *renderState) addTable(t *schema.Table) {
	m := map[string]bool{}
	for _, c := range t.Columns {
		m[c.Name] = true
	}
	st.cols[qualifiedName(t.Schema, t.Name)] = m
}

// ownerExists reports whether the column an OwnedBy names exists now.
func (st *renderState) ownerExists(owned string) bool {
	for tn, cols := range st.cols {
		for c := range cols {
			if tn+"."+quoteIdentIfNeeded(c) == owned {
				return true
			}
		}
	}
	return false
}

func tableName(t change.Ref) string { return qualifiedName(t.Schema, t.Name) }

// DropTable drops the table, first releasing the sequences its columns
// own (OWNED BY NONE) so that they are only dropped by their own change.
func (r *renderer) DropTable(c *change.DropTable) error {
	t := c.Table
	tn := qualifiedName(t.Schema, t.Name)
	r.releaseOwned(tn, "")
	r.emit("DROP TABLE %s", tn)
	delete(r.st.cols, tn)
	for _, fk := range t.ForeignKeys {
		delete(r.st.fks, fkKey(tn, fk.Name))
	}
	return nil
}

// RenameTable renames the table, and the table in the OWNED BY of the
// sequences its columns own.
func (r *renderer) RenameTable(c *change.RenameTable) error {
	old := qualifiedName(c.Schema, c.From)
	nw := qualifiedName(c.Schema, c.To)
	r.emit("ALTER TABLE %s RENAME TO %s", old, quoteIdentIfNeeded(c.To))
	if cols, ok := r.st.cols[old]; ok {
		delete(r.st.cols, old)
		r.st.cols[nw] = cols
	}
	for qn, o := range r.st.owner {
		if strings.HasPrefix(o, old+".") {
			r.st.owner[qn] = nw + strings.TrimPrefix(o, old)
		}
	}
	return nil
}

// DropColumn drops the column, first releasing the sequences it owns.
func (r *renderer) DropColumn(c *change.DropColumn) error {
	tn := tableName(c.Table)
	r.releaseOwned(tn, c.Column.Name)
	r.emit("ALTER TABLE %s DROP COLUMN %s", tn, quoteIdentIfNeeded(c.Column.Name))
	delete(r.st.cols[tn], c.Column.Name)
	return nil
}

// RenameColumn renames the column, and the column in the OWNED BY of the
// sequences it owns.
func (r *renderer) RenameColumn(c *change.RenameColumn) error {
	tn := tableName(c.Table)
	r.emit("ALTER TABLE %s RENAME COLUMN %s TO %s", tn, quoteIdentIfNeeded(c.From), quoteIdentIfNeeded(c.To))
	if m := r.st.cols[tn]; m != nil {
		delete(m, c.From)
		m[c.To] = true
	}
	for qn, o := range r.st.owner {
		if o == tn+"."+quoteIdentIfNeeded(c.From) {
			r.st.owner[qn] = tn + "." + quoteIdentIfNeeded(c.To)
		}
	}
	return nil
}

// AddUnique adds the unique constraint and its comment.
func (r *renderer) AddUnique(c *change.AddUnique) error {
	r.addConstraint(c.Table, c.Key.Name, keyClause("UNIQUE", c.Key), c.Key.Comment)
	return nil
}

// DropUnique drops the unique constraint.
func (r *renderer) DropUnique(c *change.DropUnique) error {
	r.dropConstraint(c.Table, c.Key.Name)
	return nil
}

// AddIndex creates the index and its comment.
func (r *renderer) AddIndex(c *change.AddIndex) error {
	r.createIndex(c.Table, c.Index)
	return nil
}

// DropIndex drops the index.
func (r *renderer) DropIndex(c *change.DropIndex) error {
	r.emit("DROP INDEX %s", qualifiedName(c.Table.Schema, c.Index.Name))
	return nil
}

// AddForeignKey adds the foreign key and its comment.
func (r *renderer) AddForeignKey(c *change.AddForeignKey) error {
	r.addConstraint(c.Table, c.FK.Name, fkClause(c.FK), c.FK.Comment)
	r.st.fks[fkKey(tableName(c.Table), c.FK.Name)] = true
	return nil
}

// DropForeignKey drops the foreign key.
func (r *renderer) DropForeignKey(c *change.DropForeignKey) error {
	r.dropConstraint(c.Table, c.FK.Name)
	delete(r.st.fks, fkKey(tableName(c.Table), c.FK.Name))
	return nil
}

// AddCheck adds the check constraint and its comment.
func (r *renderer) AddCheck(c *change.AddCheck) error {
	r.addConstraint(c.Table, c.Check.Name, checkClause(c.Check), c.Check.Comment)
	return nil
}

// DropCheck drops the check constraint.
func (r *renderer) DropCheck(c *change.DropCheck) error {
	r.dropConstraint(c.Table, c.Check.Name)
	return nil
}

// SetTableComment sets the table's comment, or removes it (IS NULL).
func (r *renderer) SetTableComment(c *change.SetTableComment) error {
	r.comment("TABLE "+tableName(c.Table), c.To, true)
	return nil
}

// SetClusterIndex marks the index CLUSTER orders the table by, or
// unmarks it. Only the catalog changes: the rows move when CLUSTER runs,
// which a revision leaves to the operator (it rewrites the table under
// ACCESS EXCLUSIVE).
func (r *renderer) SetClusterIndex(c *change.SetClusterIndex) error {
	if c.To == "" {
		r.emit("ALTER TABLE %s SET WITHOUT CLUSTER", tableName(c.Table))
		return nil
	}
	r.emit("ALTER TABLE %s CLUSTER ON %s", tableName(c.Table), quoteIdentIfNeeded(c.To))
	return nil
}

// DropType drops the type (DROP DOMAIN for a domain).
func (r *renderer) DropType(c *change.DropType) error {
	t := c.Type
	kw := "TYPE"
	if t.Kind == schema.DomainType {
		kw = "DOMAIN"
	}
	r.emit("DROP %s %s", kw, qualifiedName(t.Schema, t.Name))
	return nil
}

// DropSequence drops the sequence.
func (r *renderer) DropSequence(c *change.DropSequence) error {
	qn := qualifiedName(c.Sequence.Schema, c.Sequence.Name)
	r.emit("DROP SEQUENCE %s", qn)
	delete(r.st.seqs, qn)
	delete(r.st.owner, qn)
	return nil
}

// DropView drops the view or materialized view.
func (r *renderer) DropView(c *change.DropView) error {
	r.emit("DROP %s", viewDesignation(c.View))
	return nil
}

// AddTrigger creates the trigger from its definition, and its comment.
func (r *renderer) AddTrigger(c *change.AddTrigger) error {
	t := c.Trigger
	r.emit("%s", trimStmt(t.Definition))
	r.comment("TRIGGER "+quoteIdentIfNeeded(t.Name)+" ON "+qualifiedName(t.Schema, t.Table), t.Comment, false)
	return nil
}

// DropTrigger drops the trigger.
func (r *renderer) DropTrigger(c *change.DropTrigger) error {
	t := c.Trigger
	r.emit("DROP TRIGGER %s ON %s", quoteIdentIfNeeded(t.Name), qualifiedName(t.Schema, t.Table))
	return nil
}

// AddNamespace creates the schema and its comment.
func (r *renderer) AddNamespace(c *change.AddNamespace) error {
	ns := c.Namespace
	r.emit("CREATE SCHEMA %s", quoteIdentIfNeeded(ns.Name))
	r.comment("SCHEMA "+quoteIdentIfNeeded(ns.Name), ns.Comment, false)
	return nil
}

// DropNamespace drops a schema. diff drops everything in it first: no
// CASCADE, so that anything it did not know about stops the revision
// instead of being dropped silently.
func (r *renderer) DropNamespace(c *change.DropNamespace) error {
	r.emit("DROP SCHEMA %s", quoteIdentIfNeeded(c.Namespace.Name))
	return nil
}

// AddExtension creates the extension (IF NOT EXISTS), in its schema when
// it names one, and its comment.
func (r *renderer) AddExtension(c *change.AddExtension) error {
	e := c.Extension
	stmt := "CREATE EXTENSION IF NOT EXISTS " + quoteIdentIfNeeded(e.Name)
	if e.Schema != "" {
		stmt += " WITH SCHEMA " + quoteIdentIfNeeded(e.Schema)
	}
	r.emit("%s", stmt)
	r.comment("EXTENSION "+quoteIdentIfNeeded(e.Name), e.Comment, false)
	return nil
}

// DropExtension drops the extension.
func (r *renderer) DropExtension(c *change.DropExtension) error {
	r.emit("DROP EXTENSION %s", quoteIdentIfNeeded(c.Extension.Name))
	return nil
}

// publicDefaultComment is the comment a new database gives schema
// public: the inspector leaves public out when it holds exactly this text
// (inspectNamespaces), so restoring it makes public inspect as absent
// again. A server whose default differs has public inspected on both
// sides with its real text, and diff never asks for this one.
const publicDefaultComment = "standard public schema"

// SetNamespaceComment renders COMMENT ON SCHEMA: the new comment, IS NULL
// for none, or for a side that holds the new-database default (only public
// has one) the text the inspector treats as that default.
func (r *renderer) SetNamespaceComment(c *change.SetNamespaceComment) error {
	if c.Namespace == "" {
		return fmt.Errorf("comment on a schema without a name: inspect the database again or write this revision by hand")
	}
	text := c.To
	if c.ToDefault {
		if c.Namespace != "public" {
			return fmt.Errorf("restore the default comment of schema %q: only public has one, so the compared schemas are inconsistent: inspect the database again or write this revision by hand", c.Namespace)
		}
		text = publicDefaultComment
	}
	r.comment("SCHEMA "+quoteIdentIfNeeded(c.Namespace), text, true)
	return nil
}

// ruleObject is a rule's designation for COMMENT ON.
func ruleObject(rl *schema.Rule) string {
	return "RULE " + quoteIdentIfNeeded(rl.Name) + " ON " + qualifiedName(rl.Schema, rl.Table)
}

// AddRule creates a rewrite rule from its definition, the CREATE RULE
// statement pg_get_ruledef prints, and sets its comment. diff places it
// after every table, view and routine its action may name.
func (r *renderer) AddRule(c *change.AddRule) error {
	rl := c.Rule
	def := trimStmt(rl.Definition)
	if def == "" {
		return fmt.Errorf("rule %s has no definition: inspect the database again or write this revision by hand", ruleObject(rl))
	}
	r.emit("%s", def)
	r.comment(ruleObject(rl), rl.Comment, false)
	return nil
}

// DropRule drops a rewrite rule (its comment goes with it).
func (r *renderer) DropRule(c *change.DropRule) error {
	rl := c.Rule
	r.emit("DROP RULE %s ON %s", quoteIdentIfNeeded(rl.Name), qualifiedName(rl.Schema, rl.Table))
	return nil
}

// ReplaceRule changes a rule in place: CREATE OR REPLACE RULE, which
// PostgreSQL allows for any rule but a view's _RETURN rule (never
// inspected as a rule) and which keeps the rule's comment; then the
// comment when it changed. A definition that is not a plain CREATE RULE
// statement is dropped and created instead.
func (r *renderer) ReplaceRule(c *change.ReplaceRule) error {
	from, to := c.From, c.To
	fromDef, toDef := trimStmt(from.Definition), trimStmt(to.Definition)
	if fromDef != toDef {
		const create = "CREATE RULE "
		if len(toDef) < len(create) || !strings.EqualFold(toDef[:len(create)], create) {
			if err := r.DropRule(&change.DropRule{Rule: from}); err != nil {
				return err
			}
			return r.AddRule(&change.AddRule{Rule: to})
		}
		r.emit("CREATE OR REPLACE RULE %s", toDef[len(create):])
	}
	if from.Comment != to.Comment {
		r.comment(ruleObject(to), to.Comment, true)
	}
	return nil
}

// trimStmt removes surrounding space and a trailing terminator.
func trimStmt(s string) string {
	return strings.TrimSuffix(strings.TrimSpace(s), ";")
}

// comment emits COMMENT ON obj. With always, an empty text is rendered as
// IS NULL (removing a comment); without it, nothing is emitted for "".
func (r *renderer) comment(obj, text string, always bool) {
	switch {
	case text != "":
		r.emit("COMMENT ON %s IS %s", obj, quoteLiteralSQL(text))
	case always:
		r.emit("COMMENT ON %s IS NULL", obj)
	}
}

func (r *renderer) addConstraint(t change.Ref, name, clause, comment string) {
	tn := tableName(t)
	if name == "" {
		r.emit("ALTER TABLE %s ADD %s", tn, clause)
		return
	}
	r.emit("ALTER TABLE %s ADD CONSTRAINT %s %s", tn, quoteIdentIfNeeded(name), clause)
	r.comment("CONSTRAINT "+quoteIdentIfNeeded(name)+" ON "+tn, comment, false)
}

func (r *renderer) dropConstraint(t change.Ref, name string) {
	r.emit("ALTER TABLE %s DROP CONSTRAINT %s", tableName(t), quoteIdentIfNeeded(name))
}

// createIndex creates index x of table t and its comment.
func (r *renderer) createIndex(t change.Ref, x *schema.Index) {
	r.emit("%s", indexSQL(&schema.Table{Schema: t.Schema, Name: t.Name}, x))
	r.comment("INDEX "+qualifiedName(t.Schema, x.Name), x.Comment, false)
}

// AddTable creates the table as Format prints it, then what Format
// prints elsewhere for it: NOT VALID checks, partition attachment,
// indexes, OWNED BY of its sequences and comments. Foreign keys are their
// own changes.
func (r *renderer) AddTable(add *change.AddTable) error {
	t := add.Table
	byName := map[string]*schema.Table{}
	for _, o := range r.to.Tables {
		byName[qualifiedName(o.Schema, o.Name)] = o
	}
	var b, after strings.Builder
	writeTable(&b, &after, t, byName)
	r.out = append(r.out, strings.TrimSuffix(b.String(), ";\n"))
	for _, l := range strings.Split(after.String(), ";\n") {
		if l = strings.TrimSpace(l); l != "" {
			r.out = append(r.out, l)
		}
	}
	tn := qualifiedName(t.Schema, t.Name)
	r.st.addTable(t)
	for _, c := range sortedChecks(t.Checks) {
		if c.NotValid {
			r.emit("ALTER TABLE %s ADD CONSTRAINT %s %s", tn, quoteIdentIfNeeded(c.Name), checkClause(c))
		}
	}
	ref := change.RefOf(t)
	xs := append([]*schema.Index{}, t.Indexes...)
	sort.Slice(xs, func(a, c int) bool { return xs[a].Name < xs[c].Name })
	for _, x := range xs {
		r.createIndex(ref, x)
	}
	// A partition is attached after its indexes exist, so that the
	// parent's indexes attach them instead of creating new ones.
	if t.Options.PartitionOf != "" {
		r.emit("ALTER TABLE %s ATTACH PARTITION %s %s", t.Options.PartitionOf, tn, t.Options.PartitionBound)
	}
	if t.Options.ClusterOn != "" {
		r.emit("ALTER TABLE %s CLUSTER ON %s", tn, quoteIdentIfNeeded(t.Options.ClusterOn))
	}
	for _, c := range t.Columns {
		r.claimOwned(tn, c.Name)
	}
	r.comment("TABLE "+tn, t.Comment, false)
	for _, c := range t.Columns {
		r.comment("COLUMN "+tn+"."+quoteIdentIfNeeded(c.Name), c.Comment, false)
	}
	on := func(name, text string) { r.comment("CONSTRAINT "+quoteIdentIfNeeded(name)+" ON "+tn, text, false) }
	if t.PrimaryKey != nil {
		on(t.PrimaryKey.Name, t.PrimaryKey.Comment)
	}
	for _, k := range t.Uniques {
		on(k.Name, k.Comment)
	}
	for _, c := range sortedChecks(t.Checks) {
		on(c.Name, c.Comment)
	}
	return nil
}

// claimOwned sets OWNED BY for the sequences of to that a column of table
// tn owns (every column when col is ""), where the sequence exists now.
func (r *renderer) claimOwned(tn, col string) {
	for _, q := range r.to.Sequences {
		qn := qualifiedName(q.Schema, q.Name)
		if q.OwnedBy == "" || !r.st.seqs[qn] || !strings.HasPrefix(q.OwnedBy, tn+".") {
			continue
		}
		if col != "" && q.OwnedBy != tn+"."+quoteIdentIfNeeded(col) {
			continue
		}
		r.setOwner(qn, q.OwnedBy)
	}
}

// setOwner emits ALTER SEQUENCE ... OWNED BY owner (NONE for "") when the
// sequence's owner is not that already.
func (r *renderer) setOwner(qn, owner string) {
	if r.st.owner[qn] == owner {
		return
	}
	if owner == "" {
		r.emit("ALTER SEQUENCE %s OWNED BY NONE", qn)
	} else {
		r.emit("ALTER SEQUENCE %s OWNED BY %s", qn, owner)
	}
	r.st.owner[qn] = owner
}

// releaseOwned sets OWNED BY NONE on the sequences that a column of table
// tn owns now (every column when col is ""), so that dropping the table or
// column does not drop them behind their own change's back.
func (r *renderer) releaseOwned(tn, col string) {
	var qns []string
	for qn, o := range r.st.owner {
		if !strings.HasPrefix(o, tn+".") || col != "" && o != tn+"."+quoteIdentIfNeeded(col) {
			continue
		}
		qns = append(qns, qn)
	}
	sort.Strings(qns)
	for _, qn := range qns {
		r.setOwner(qn, "")
	}
}

// AddColumn adds the column; with a backfill, it is added nullable,
// filled, then set NOT NULL.
func (r *renderer) AddColumn(add *change.AddColumn) error {
	t, c, backfill := add.Table, add.Column, add.Backfill
	tn := tableName(t)
	col := quoteIdentIfNeeded(c.Name)
	// Identity and generated columns fill their rows themselves.
	fill := backfill != "" && !c.Nullable && c.Identity == "" && c.Generated == ""
	// A default would give every existing row the same value, which a
	// unique key of the column refuses: the rows get NULL (or the
	// backfill) and the default is set afterwards. A NOT NULL column
	// cannot be left NULL: without a backfill it gets its default
	// (migrate asks for a backfill where the column alone is a key).
	late := c.Default != nil && c.Identity == "" && c.Generated == "" && (fill || c.Nullable && r.to.Table(t.Schema, t.Name).UniqueColumn(c.Name))
	if fill || late {
		nc := *c
		nc.Nullable = nc.Nullable || fill
		if late {
			nc.Default = nil
		}
		r.emit("ALTER TABLE %s ADD COLUMN %s", tn, columnSQL(&nc))
		if fill {
			r.emit("UPDATE %s SET %s = %s WHERE %s IS NULL", tn, col, backfill, col)
		}
		if late {
			r.emit("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, col, *c.Default)
		}
		if fill {
			r.emit("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tn, col)
		}
	} else {
		r.emit("ALTER TABLE %s ADD COLUMN %s", tn, columnSQL(c))
	}
	if m := r.st.cols[tn]; m != nil {
		m[c.Name] = true
	} else {
		r.st.cols[tn] = map[string]bool{c.Name: true}
	}
	r.claimOwned(tn, c.Name)
	r.comment("COLUMN "+tn+"."+col, c.Comment, false)
	return nil
}

func derefOr(p *string) (string, bool) {
	if p == nil {
		return "", false
	}
	return *p, true
}

// AlterColumn renders the ALTER COLUMN steps from c.From to c.To in an
// order the server accepts: expression and identity off, default off,
// type, nullability, default on, identity on, comment.
func (r *renderer) AlterColumn(c *change.AlterColumn) error {
	from, to := c.From, c.To
	if from.Name != to.Name {
		return fmt.Errorf("column %s would become %s: a rename is a RenameColumn", quoteIdentIfNeeded(from.Name), quoteIdentIfNeeded(to.Name))
	}
	// A column that is or becomes generated with another expression is
	// dropped and added again: PostgreSQL 15 cannot change the expression.
	if to.Generated != "" && (from.Generated != to.Generated || from.Stored != to.Stored) {
		r.regenerateColumn(c.Table, from, to)
		return nil
	}
	a := columnAlter{r: r, tn: tableName(c.Table), col: quoteIdentIfNeeded(to.Name), from: from, to: to}
	if from.Generated != "" && to.Generated == "" {
		a.alter("DROP EXPRESSION")
	}
	identityOff := from.Identity != "" && (to.Identity == "" || from.IdentityOptions != to.IdentityOptions)
	if identityOff {
		a.alter("DROP IDENTITY")
	}
	a.typeAndDefault(c.Backfill)
	a.identity()
	if from.Comment != to.Comment {
		r.comment("COLUMN "+a.tn+"."+a.col, to.Comment, true)
	}
	return nil
}

// regenerateColumn drops column from of table t and adds it again as to,
// with the indexes and keys that name it. Foreign keys of other tables
// that reference the column would block the drop: they are dropped and
// added back around it.
func (r *renderer) regenerateColumn(t change.Ref, from, to *schema.Column) {
	tn, col := tableName(t), quoteIdentIfNeeded(to.Name)
	refs := r.referencingFKs(t, from.Name)
	for _, x := range refs {
		r.dropConstraint(x.table, x.fk.Name)
	}
	r.emit("ALTER TABLE %s DROP COLUMN %s", tn, col)
	r.emit("ALTER TABLE %s ADD COLUMN %s", tn, columnSQL(to))
	r.comment("COLUMN "+tn+"."+col, to.Comment, false)
	r.recreateColumnIndexes(t, to.Name)
	for _, x := range refs {
		r.addConstraint(x.table, x.fk.Name, fkClause(x.fk), x.fk.Comment)
	}
}

// columnAlter is one AlterColumn being rendered as ALTER COLUMN steps.
type columnAlter struct {
	r        *renderer
	tn, col  string // quoted table and column
	from, to *schema.Column
}

func (a *columnAlter) alter(format string, args ...any) {
	a.r.emit("ALTER TABLE %s ALTER COLUMN %s %s", a.tn, a.col, fmt.Sprintf(format, args...))
}

// typeAndDefault renders default off, type, nullability (with the
// backfill) and default on.
func (a *columnAlter) typeAndDefault(backfill string) {
	from, to := a.from, a.to
	fromDef, fromHas := derefOr(from.Default)
	toDef, toHas := derefOr(to.Default)
	typeChange := from.Type != to.Type || from.Collation != to.Collation
	defaultChange := fromHas != toHas || fromDef != toDef
	dropped := false
	if fromHas && (defaultChange || typeChange) {
		a.alter("DROP DEFAULT")
		dropped = true
	}
	if typeChange {
		a.alterType()
	}
	switch {
	case from.Nullable && !to.Nullable:
		if backfill != "" && to.Generated == "" {
			a.r.emit("UPDATE %s SET %s = %s WHERE %s IS NULL", a.tn, a.col, backfill, a.col)
		}
		a.alter("SET NOT NULL")
	case !from.Nullable && to.Nullable:
		a.alter("DROP NOT NULL")
	}
	if toHas && (defaultChange || dropped) {
		a.alter("SET DEFAULT %s", toDef)
		// A column that starts to draw from another sequence (a serial
		// whose table was renamed, say): move that sequence past the rows
		// already there, or the next insert collides with them.
		if seq, ok := nextvalArg(toDef); ok && defaultChange {
			a.r.emit("%s", setvalPastRows(seq, a.tn, a.col))
		}
	}
}

// alterType renders ALTER COLUMN ... TYPE with the collation and the
// USING cast.
func (a *columnAlter) alterType() {
	s := "TYPE " + a.to.Type
	if a.to.Collation != "" {
		s += " COLLATE " + a.to.Collation
	} else if a.from.Collation != "" {
		s += ` COLLATE pg_catalog."default"`
	}
	if a.from.Type != a.to.Type {
		s += " USING " + a.r.castUsing(a.col, a.from.Type, a.to.Type)
	}
	a.alter("%s", s)
}

// identity renders the identity that the column gains (or gets back with
// new options), or its new kind.
func (a *columnAlter) identity() {
	from, to := a.from, a.to
	switch {
	case to.Identity != "" && (from.Identity == "" || from.IdentityOptions != to.IdentityOptions):
		s := "ADD GENERATED " + to.Identity + " AS IDENTITY"
		if to.IdentityOptions != "" {
			s += " (" + to.IdentityOptions + ")"
		}
		a.alter("%s", s)
		// Move the new sequence past the rows already there.
		a.r.emit("%s", setvalPastRows(fmt.Sprintf("pg_catalog.pg_get_serial_sequence(%s, %s)::regclass", quoteLiteralSQL(a.tn), quoteLiteralSQL(to.Name)), a.tn, a.col))
	case from.Identity != "" && to.Identity != "" && from.Identity != to.Identity:
		a.alter("SET GENERATED %s", to.Identity)
	}
}

type tableFK struct {
	table change.Ref
	fk    *schema.ForeignKey
}

// referencingFKs returns the foreign keys in place now (of to, or of from
// for those to no longer has) that reference column col of table t from
// another table.
func (r *renderer) referencingFKs(t change.Ref, col string) []tableFK {
	var out []tableFK
	seen := map[string]bool{}
	for _, s := range []*schema.Schema{r.to, r.from} { // to first: a re-added key is in to
		for _, ot := range sortedByName(s.Tables) {
			otn := qualifiedName(ot.Schema, ot.Name)
			if otn == tableName(t) {
				continue
			}
			for _, fk := range ot.ForeignKeys {
				k := fkKey(otn, fk.Name)
				if seen[k] || !r.st.fks[k] || qualifiedName(fk.RefSchema, fk.RefTable) != tableName(t) || !containsString(fk.RefColumns, col) {
					continue
				}
				seen[k] = true
				out = append(out, tableFK{change.RefOf(ot), fk})
			}
		}
	}
	return out
}

// nextvalArg returns the argument of a default that is one nextval call
// as the server prints it ("nextval('s'::regclass)" gives "'s'::regclass").
func nextvalArg(def string) (string, bool) {
	const pre = "nextval("
	if !strings.HasPrefix(def, pre) || !strings.HasSuffix(def, ")") {
		return "", false
	}
	arg := def[len(pre) : len(def)-1]
	if !strings.HasPrefix(arg, "'") || !strings.HasSuffix(arg, "'::regclass") || strings.Count(arg, "'")%2 != 0 {
		return "", false
	}
	return arg, true
}

// setvalPastRows is the statement that sets sequence seq (a regclass
// expression) to the largest value of column col of table tn, when the
// table has rows and that value is within the sequence's bounds.
func setvalPastRows(seq, tn, col string) string {
	return fmt.Sprintf("SELECT pg_catalog.setval(%s, max(%s)) FROM %s HAVING max(%s) BETWEEN (SELECT seqmin FROM pg_catalog.pg_sequence WHERE seqrelid = %s) AND (SELECT seqmax FROM pg_catalog.pg_sequence WHERE seqrelid = %s)",
		seq, col, tn, col, seq, seq)
}

// recreateColumnIndexes creates again the indexes, unique constraints and
// foreign keys of table t in to that name col: dropping the column dropped
// them. (Check constraints are not recreated: which columns a check reads
// is only in its expression text.)
func (r *renderer) recreateColumnIndexes(t change.Ref, col string) {
	tt := r.to.Table(t.Schema, t.Name)
	if tt == nil {
		return
	}
	for _, k := range tt.Uniques {
		if containsString(k.Columns, col) || containsString(k.Include, col) {
			r.addConstraint(t, k.Name, keyClause("UNIQUE", k), k.Comment)
		}
	}
	for _, fk := range tt.ForeignKeys {
		if containsString(fk.Columns, col) {
			r.addConstraint(t, fk.Name, fkClause(fk), fk.Comment)
		}
	}
	for _, x := range tt.Indexes {
		uses := false
		for _, p := range x.Parts {
			if p.Column == col {
				uses = true
			}
		}
		for _, inc := range x.Include {
			if inc == col {
				uses = true
			}
		}
		if uses {
			r.createIndex(t, x)
		}
	}
}

// SetPrimaryKey drops the old key and adds the new one. Columns that the
// old key made NOT NULL and that are nullable in to are made nullable
// again, since dropping a key does not do that.
func (r *renderer) SetPrimaryKey(c *change.SetPrimaryKey) error {
	tn := tableName(c.Table)
	if c.From != nil {
		r.dropConstraint(c.Table, c.From.Name)
		if tt := r.to.Table(c.Table.Schema, c.Table.Name); tt != nil {
			for _, name := range c.From.Columns {
				inNew := c.To != nil && containsString(c.To.Columns, name)
				if col := tt.Column(name); col != nil && col.Nullable && !inNew {
					r.emit("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tn, quoteIdentIfNeeded(name))
				}
			}
		}
	}
	if c.To != nil {
		r.addConstraint(c.Table, c.To.Name, keyClause("PRIMARY KEY", c.To), c.To.Comment)
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// AddType creates the type as Format prints it, with a domain's NOT
// VALID checks and the comments.
func (r *renderer) AddType(add *change.AddType) error {
	t := add.Type
	var b strings.Builder
	writeType(&b, t)
	if b.Len() == 0 {
		return fmt.Errorf("type %s of kind %q cannot be created", qualifiedName(t.Schema, t.Name), t.Kind)
	}
	name := qualifiedName(t.Schema, t.Name)
	r.out = append(r.out, strings.TrimSuffix(b.String(), ";\n"))
	for _, c := range sortedChecks(t.Checks) {
		if c.NotValid {
			r.emit("ALTER DOMAIN %s ADD CONSTRAINT %s %s", name, quoteIdentIfNeeded(c.Name), checkClause(c))
		}
	}
	if t.Kind == schema.DomainType {
		r.comment("DOMAIN "+name, t.Comment, false)
		for _, c := range sortedChecks(t.Checks) {
			r.comment("CONSTRAINT "+quoteIdentIfNeeded(c.Name)+" ON DOMAIN "+name, c.Comment, false)
		}
	} else {
		r.comment("TYPE "+name, t.Comment, false)
	}
	for _, a := range t.Attributes {
		r.comment("COLUMN "+name+"."+quoteIdentIfNeeded(a.Name), a.Comment, false)
	}
	return nil
}

// AddEnumValues adds the enum's new values with ALTER TYPE ... ADD VALUE,
// or recreates the type when Render found that a later statement uses
// one of them (r.recreate).
func (r *renderer) AddEnumValues(c *change.AddEnumValues) error {
	return r.alterEnum(c.From, c.To, r.recreate[r.n])
}

// RemoveEnumValues recreates the enum: PostgreSQL cannot drop a value.
func (r *renderer) RemoveEnumValues(c *change.RemoveEnumValues) error {
	return r.alterEnum(c.From, c.To, true)
}

// alterEnum changes an enum's values from from.Values to to.Values: with
// ALTER TYPE ... ADD VALUE when the old values keep their order among the
// new ones, otherwise by recreating the type.
func (r *renderer) alterEnum(from, to *schema.Type, recreate bool) error {
	if to.Kind != schema.EnumType {
		return fmt.Errorf("type %s is not an enum", qualifiedName(to.Schema, to.Name))
	}
	if !recreate && isSubsequence(from.Values, to.Values) {
		r.addEnumValues(from, to)
		return nil
	}
	r.recreateEnum(to)
	return nil
}

// addEnumValues adds to's values that from lacks, each at its place, and
// records them for the statement (enumAdds).
func (r *renderer) addEnumValues(from, to *schema.Type) {
	name := qualifiedName(to.Schema, to.Name)
	added := enumAdd{}
	defer func() { added.end = len(r.out); r.enumAdds[r.n] = added }()
	have := map[string]bool{}
	for _, v := range from.Values {
		have[v] = true
	}
	for k, v := range to.Values {
		if have[v] {
			continue
		}
		switch {
		case k > 0:
			r.emit("ALTER TYPE %s ADD VALUE %s AFTER %s", name, quoteLiteralSQL(v), quoteLiteralSQL(to.Values[k-1]))
		case len(from.Values) > 0:
			r.emit("ALTER TYPE %s ADD VALUE %s BEFORE %s", name, quoteLiteralSQL(v), quoteLiteralSQL(from.Values[0]))
		default:
			r.emit("ALTER TYPE %s ADD VALUE %s", name, quoteLiteralSQL(v))
		}
		have[v] = true
		added.values = append(added.values, v)
	}
}

// recreateEnum renames the old type away, creates the new one, converts
// the columns through text, and drops the old type.
func (r *renderer) recreateEnum(to *schema.Type) {
	name := qualifiedName(to.Schema, to.Name)
	oldName := to.Name + "_retort_old"
	if len(oldName) > 63 {
		oldName = oldName[len(oldName)-63:]
	}
	r.emit("ALTER TYPE %s RENAME TO %s", name, quoteIdentIfNeeded(oldName))
	var b strings.Builder
	writeType(&b, to)
	r.out = append(r.out, strings.TrimSuffix(b.String(), ";\n"))
	for _, t := range sortedByName(r.from.Tables) {
		tn := qualifiedName(t.Schema, t.Name)
		if r.st.cols[tn] == nil {
			continue
		}
		for _, c := range t.Columns {
			if baseTypeName(c.Type) == baseTypeName(name) && r.st.cols[tn][c.Name] {
				r.convertEnumColumn(t, c, name)
			}
		}
	}
	r.emit("DROP TYPE %s", qualifiedName(to.Schema, oldName))
	r.comment("TYPE "+name, to.Comment, false)
}

// convertEnumColumn converts column c of table t to the recreated enum
// type name through text, its default dropped first and set again (the
// desired one when the column keeps its type).
func (r *renderer) convertEnumColumn(t *schema.Table, c *schema.Column, name string) {
	tn := qualifiedName(t.Schema, t.Name)
	col := quoteIdentIfNeeded(c.Name)
	arr := strings.TrimPrefix(strings.TrimSpace(c.Type), strings.TrimSpace(strings.TrimRight(c.Type, "[]")))
	if c.Default != nil {
		r.emit("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT", tn, col)
	}
	r.emit("ALTER TABLE %s ALTER COLUMN %s TYPE %s USING %s::text%s::%s%s", tn, col, c.Type, col, arr, name, arr)
	if c.Default == nil {
		return
	}
	def := *c.Default
	if tt := r.to.Table(t.Schema, t.Name); tt != nil {
		if tc := tt.Column(c.Name); tc != nil && tc.Default != nil && tc.Type == c.Type {
			def = *tc.Default
		}
	}
	r.emit("ALTER TABLE %s ALTER COLUMN %s SET DEFAULT %s", tn, col, def)
}

// castUsing returns the USING expression that converts column col from
// type fromType to toType. PostgreSQL has no cast between two enums, nor
// between an enum and most other types, but every enum has text input and
// output: a column whose old or new type is an enum goes through text (an
// array of one through text[]).
func (r *renderer) castUsing(col, fromType, toType string) string {
	if !r.isEnum(r.from, fromType) && !r.isEnum(r.to, toType) {
		return col + "::" + toType
	}
	text := "text"
	if strings.HasSuffix(strings.TrimSpace(fromType), "]") {
		text = "text[]"
	}
	return col + "::" + text + "::" + toType
}

// isEnum reports whether typ (or its element type) is an enum type of s.
func (r *renderer) isEnum(s *schema.Schema, typ string) bool {
	if s == nil {
		return false
	}
	base := baseTypeName(typ)
	for _, t := range s.Types {
		if t.Kind == schema.EnumType && baseTypeName(qualifiedName(t.Schema, t.Name)) == base {
			return true
		}
	}
	return false
}

// isSubsequence reports whether a appears in b in order.
func isSubsequence(a, b []string) bool {
	k := 0
	for _, v := range b {
		if k < len(a) && a[k] == v {
			k++
		}
	}
	return k == len(a)
}

// AddSequence creates the sequence, its OWNED BY when the owning column
// exists already, and its comment.
func (r *renderer) AddSequence(c *change.AddSequence) error {
	q := c.Sequence
	qn := qualifiedName(q.Schema, q.Name)
	s := "CREATE SEQUENCE " + qn
	if q.Type != "" && q.Type != "bigint" {
		s += " AS " + q.Type
	}
	if o := seqOptions(q.Type, q.Start, q.Increment, q.Min, q.Max, q.Cache, q.Cycle); o != "" {
		s += " " + o
	}
	r.out = append(r.out, s)
	r.st.seqs[qn] = true
	r.st.owner[qn] = ""
	if q.OwnedBy != "" && r.st.ownerExists(q.OwnedBy) {
		r.setOwner(qn, q.OwnedBy)
	}
	r.comment("SEQUENCE "+qn, q.Comment, false)
	return nil
}

// AlterSequence sets every option of c.To explicitly, so the result does
// not depend on what the old values were.
func (r *renderer) AlterSequence(c *change.AlterSequence) error {
	from, to := c.From, c.To
	qn := qualifiedName(from.Schema, from.Name)
	if from.Name != to.Name || from.Schema != to.Schema {
		return fmt.Errorf("sequence %s cannot become %s: AlterSequence keeps the name", qn, qualifiedName(to.Schema, to.Name))
	}
	if from.Type != to.Type || from.Start != to.Start || from.Increment != to.Increment || from.Min != to.Min ||
		from.Max != to.Max || from.Cache != to.Cache || from.Cycle != to.Cycle {
		s := "ALTER SEQUENCE " + qn
		if to.Type != "" {
			s += " AS " + to.Type
		}
		s += fmt.Sprintf(" INCREMENT BY %d MINVALUE %d MAXVALUE %d START WITH %d CACHE %d", to.Increment, to.Min, to.Max, to.Start, to.Cache)
		if to.Cycle {
			s += " CYCLE"
		} else {
			s += " NO CYCLE"
		}
		r.out = append(r.out, s)
	}
	if from.OwnedBy != to.OwnedBy {
		if to.OwnedBy == "" || r.st.ownerExists(to.OwnedBy) {
			r.setOwner(qn, to.OwnedBy)
		}
	}
	if from.Comment != to.Comment {
		r.comment("SEQUENCE "+qn, to.Comment, true)
	}
	return nil
}

// AddView creates a view or a materialized view (populated), its comment
// and a materialized view's indexes.
func (r *renderer) AddView(c *change.AddView) error {
	v := c.View
	r.out = append(r.out, createView(v))
	r.comment(viewDesignation(v), v.Comment, false)
	for _, ix := range v.Indexes {
		r.out = append(r.out, matViewIndexDef(v, ix))
		r.comment("INDEX "+qualifiedName(v.Schema, ix.Name), ix.Comment, false)
	}
	return nil
}

// AddRoutine creates the routine from its definition, and its comment.
func (r *renderer) AddRoutine(c *change.AddRoutine) error {
	rt := c.Routine
	if strings.TrimSpace(rt.Definition) == "" {
		return fmt.Errorf("%s has no definition", routineDesignation(rt.Kind, rt.Schema, rt.Name, rt.Signature))
	}
	r.out = append(r.out, trimStmt(rt.Definition))
	r.comment(routineDesignation(rt.Kind, rt.Schema, rt.Name, rt.Signature), rt.Comment, false)
	return nil
}

// DropRoutine drops the routine, naming its full signature.
func (r *renderer) DropRoutine(c *change.DropRoutine) error {
	rt := c.Routine
	r.emit("DROP %s", routineDesignation(rt.Kind, rt.Schema, rt.Name, rt.Signature))
	return nil
}

// ReplaceRoutine uses CREATE OR REPLACE where the server allows it: same
// kind, same header (name and full argument list, with names, modes and
// defaults) and same RETURNS clause. Otherwise the routine is dropped and
// created, and given back its privileges.
func (r *renderer) ReplaceRoutine(c *change.ReplaceRoutine) error {
	from, to := c.From, c.To
	if from.Kind != schema.Aggregate && from.Kind == to.Kind &&
		from.Schema == to.Schema && from.Name == to.Name && from.Signature == to.Signature &&
		routineHeader(from.Definition) == routineHeader(to.Definition) &&
		strings.HasPrefix(strings.TrimSpace(to.Definition), "CREATE OR REPLACE ") {
		r.out = append(r.out, trimStmt(to.Definition))
		if from.Comment != to.Comment {
			r.comment(routineDesignation(to.Kind, to.Schema, to.Name, to.Signature), to.Comment, true)
		}
		return nil
	}
	if err := r.DropRoutine(&change.DropRoutine{Routine: from}); err != nil {
		return err
	}
	if err := r.AddRoutine(&change.AddRoutine{Routine: to}); err != nil {
		return err
	}
	r.regrant(routineDesignation(to.Kind, to.Schema, to.Name, to.Signature))
	return nil
}

// routineHeader returns the first line of a pg_get_functiondef text (the
// CREATE line with the full argument list) and its RETURNS line.
func routineHeader(def string) string {
	lines := strings.Split(strings.TrimSpace(def), "\n")
	if len(lines) == 0 {
		return ""
	}
	h := lines[0]
	for _, l := range lines[1:] {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "RETURNS ") {
			h += "\n" + t
			break
		}
	}
	return h
}
