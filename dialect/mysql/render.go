package mysql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// Render returns the statements, without terminators, that take a MySQL
// or MariaDB database from the schema from to the schema to by applying
// changes. Each statement is one statement: routines and triggers are
// their Definition as the server printed it.
//
// Columns are added at the end of their table, as diff expects; a column
// with a default that a unique key (or primary key, or unique index) of the
// target table names is added without it, so that existing rows get NULL
// rather than one value for all, and MODIFY COLUMN sets it; a change
// between a stored, a virtual and an ordinary column (which ALTER TABLE
// ... MODIFY cannot do) drops and re-adds the column in one ALTER TABLE at
// its place. A Backfill adds the column (or relaxes it) nullable, sets the
// value where the column is NULL, then makes it NOT NULL, so existing rows
// never make the statement fail.
//
// Render also does what InnoDB requires beside the order of changes: an
// index that supports a new foreign key is created before the key
// (otherwise InnoDB creates one of its own), an index that supports a
// dropped foreign key is dropped after it, an index that a kept key needs
// is dropped in the same ALTER TABLE that adds its replacement (see
// joinIndexReplacements), and an index that a re-added key finds is made
// the user's own in the statement that adds the key (see
// rebuildKeyIndexes); a
// foreign key whose columns change type, character set or collation on
// either side is dropped around those changes and added back; an
// AUTO_INCREMENT column loses the attribute before its key goes and gains
// it after its key comes, and one added or dropped with its primary key
// shares one ALTER TABLE with it. A primary key that changes while its
// columns stay is swapped in one ALTER TABLE (DROP PRIMARY KEY, ADD
// PRIMARY KEY): an AUTO_INCREMENT column in it must stay a key throughout,
// and its counter is kept.
//
// For TiDB (the Dialect ForServer returns for it), Render writes one change
// per ALTER TABLE where TiDB refuses the joined statement, and refuses the
// changes TiDB cannot make (tidb_render.go).
//
// PostgreSQL-only changes (user-defined types, enum values, sequences,
// rewrite rules, comments on schemas) are an error that wraps
// errors.ErrUnsupported, names the change and says why; the other kinds
// MySQL has no statement for (extensions, exclusion constraints,
// policies, grants, ...) are change.Refuse's *change.UnsupportedError.
func (d *Dialect) Render(from, to *schema.Schema, changes []change.Change) ([]string, error) {
	for _, c := range changes {
		if err := change.Complete(c); err != nil {
			return nil, fmt.Errorf("mysql: render %s: %w", change.Label(c), err)
		}
	}
	r := &renderer{
		Refuse: change.Refuse{Dialect: "MySQL/MariaDB"},
		d:      d, from: from, to: to, cols: map[string][]string{}, gone: map[string]bool{},
	}
	for _, c := range d.plan(from, to, changes) {
		if err := r.visit(c); err != nil {
			return nil, fmt.Errorf("mysql: render %s: %w", change.Label(c), err)
		}
	}
	return r.out, nil
}

// plan orders the changes and joins those that must share one ALTER TABLE
// into the statements Render writes; on TiDB as tidbPlan says.
func (d *Dialect) plan(from, to *schema.Schema, changes []change.Change) []change.Change {
	changes = reorder(guardForeignKeys(from, to, joinPrimaryKeys(to, skipColumnChecks(changes))))
	if d.tidb {
		return tidbPlan(from, to, changes)
	}
	return mergeAutoIncrement(rebuildKeyIndexes(from, to, joinIndexReplacements(from, changes)))
}

// renderer holds one Render call's state: the statements so far, and the
// column names of each table as they leave them, for placing a re-added
// column. It is a change.Visitor: a method per kind it renders appends the
// kind's statements; Refuse refuses the kinds MySQL has no statement for.
type renderer struct {
	change.Refuse
	d        *Dialect
	from, to *schema.Schema
	cols     map[string][]string // by table Ref.String()
	gone     map[string]bool     // tables dropped or renamed away
	out      []string
	// joining is set while a part of an alterTable renders: an index is
	// then a clause of the ALTER TABLE, not a statement of its own.
	joining bool
}

var _ change.Visitor = (*renderer)(nil)

// emit appends statements to the output.
func (r *renderer) emit(stmts ...string) { r.out = append(r.out, stmts...) }

// visit renders c: the package's own joined kind here, the kinds of
// package change through change.Visit.
func (r *renderer) visit(c change.Change) error {
	if a, ok := c.(*alterTable); ok {
		return r.alterTable(a)
	}
	return change.Visit(r, c)
}

func (r *renderer) table(t change.Ref) string {
	return qualified(t.Schema, t.Name)
}

func (r *renderer) alter(t change.Ref, what string) string {
	return "ALTER TABLE " + r.table(t) + " " + what
}

// columns returns the current column names of t, starting from the from
// schema the first time t is seen.
func (r *renderer) columns(t change.Ref) []string {
	k := t.String()
	if cs, ok := r.cols[k]; ok || r.gone[k] {
		return cs
	}
	var cs []string
	if r.from != nil {
		if ft := r.from.Table(t.Schema, t.Name); ft != nil {
			for _, c := range ft.Columns {
				cs = append(cs, c.Name)
			}
		}
	}
	r.cols[k] = cs
	return cs
}

func (r *renderer) setColumns(t change.Ref, cs []string) {
	r.cols[t.String()] = cs
	delete(r.gone, t.String())
}

// The PostgreSQL-only kinds are refused in MySQL's words, which say why
// rather than only that; one error per group of kinds.
var (
	errNoTypes          = fmt.Errorf("MySQL has no user-defined types (an ENUM is a column type): %w", errors.ErrUnsupported)
	errNoSequences      = fmt.Errorf("sequences are not supported on MySQL/MariaDB: %w", errors.ErrUnsupported)
	errNoSchemaComments = fmt.Errorf("comments on schemas are PostgreSQL-only, MySQL/MariaDB has none (a schema inspected from MySQL never holds one: check the dialect of the schemas compared): %w", errors.ErrUnsupported)
	errNoRules          = fmt.Errorf("rewrite rules are PostgreSQL-only, MySQL/MariaDB has none (a schema inspected from MySQL never holds one: check the dialect of the schemas compared): %w", errors.ErrUnsupported)
)

// AddType refuses the change: MySQL has no user-defined types.
func (r *renderer) AddType(*change.AddType) error { return errNoTypes }

// DropType refuses the change: MySQL has no user-defined types.
func (r *renderer) DropType(*change.DropType) error { return errNoTypes }

// AddEnumValues refuses the change: MySQL has no user-defined types.
func (r *renderer) AddEnumValues(*change.AddEnumValues) error { return errNoTypes }

// RemoveEnumValues refuses the change: MySQL has no user-defined types.
func (r *renderer) RemoveEnumValues(*change.RemoveEnumValues) error { return errNoTypes }

// AddSequence refuses the change: MySQL has no sequences.
func (r *renderer) AddSequence(*change.AddSequence) error { return errNoSequences }

// DropSequence refuses the change: MySQL has no sequences.
func (r *renderer) DropSequence(*change.DropSequence) error { return errNoSequences }

// AlterSequence refuses the change: MySQL has no sequences.
func (r *renderer) AlterSequence(*change.AlterSequence) error { return errNoSequences }

// SetNamespaceComment refuses the change: MySQL has no comments on schemas.
func (r *renderer) SetNamespaceComment(*change.SetNamespaceComment) error {
	return errNoSchemaComments
}

// AddRule refuses the change: MySQL has no rewrite rules.
func (r *renderer) AddRule(*change.AddRule) error { return errNoRules }

// DropRule refuses the change: MySQL has no rewrite rules.
func (r *renderer) DropRule(*change.DropRule) error { return errNoRules }

// ReplaceRule refuses the change: MySQL has no rewrite rules.
func (r *renderer) ReplaceRule(*change.ReplaceRule) error { return errNoRules }

// AddTable creates c's table.
func (r *renderer) AddTable(c *change.AddTable) error {
	var b strings.Builder
	formatTable(&b, c.Table)
	cs := make([]string, len(c.Table.Columns))
	for k, col := range c.Table.Columns {
		cs[k] = col.Name
	}
	r.setColumns(change.RefOf(c.Table), cs)
	r.emit(strings.TrimSuffix(b.String(), ";\n"))
	return nil
}

// DropTable drops c's table.
func (r *renderer) DropTable(c *change.DropTable) error {
	ref := change.RefOf(c.Table)
	delete(r.cols, ref.String())
	r.gone[ref.String()] = true
	r.emit("DROP TABLE " + r.table(ref))
	return nil
}

// RenameTable renames c's table.
func (r *renderer) RenameTable(c *change.RenameTable) error {
	from, to := change.Ref{Schema: c.Schema, Name: c.From}, change.Ref{Schema: c.Schema, Name: c.To}
	cs := r.columns(from)
	delete(r.cols, from.String())
	r.gone[from.String()] = true
	r.setColumns(to, cs)
	r.emit("RENAME TABLE " + r.table(from) + " TO " + r.table(to))
	return nil
}

// AddColumn adds c's column at the end of its table, with its default
// set afterwards or a backfill where Render's doc says.
func (r *renderer) AddColumn(c *change.AddColumn) error {
	if c.Column.AutoRandom != "" {
		return tidbRefusal("TiDB cannot add an AUTO_RANDOM column to an existing table (ALTER TABLE cannot add the attribute)")
	}
	r.setColumns(c.Table, append(slices.Clone(r.columns(c.Table)), c.Column.Name))
	col := c.Column
	fill := c.Backfill != "" && !col.Nullable && col.Generated == "" && !col.AutoIncrement
	// A default would give every existing row the same value, which a
	// unique key of the column refuses: the rows get NULL (or the
	// backfill) and MODIFY COLUMN sets the default afterwards. A NOT
	// NULL column cannot be left NULL: without a backfill it gets its
	// default (migrate asks for a backfill where the column alone is
	// a key).
	late := col.Default != nil && col.Generated == "" && (fill || col.Nullable && r.to.Table(c.Table.Schema, c.Table.Name).UniqueColumn(col.Name))
	if !fill && !late {
		r.emit(r.alter(c.Table, "ADD COLUMN "+formatColumn(col)))
		return nil
	}
	loose := *col
	loose.Nullable = loose.Nullable || fill
	if late {
		loose.Default = nil
	}
	r.emit(r.alter(c.Table, "ADD COLUMN "+formatColumn(&loose)))
	if fill {
		r.emit(r.backfill(c.Table, col.Name, c.Backfill))
	}
	r.emit(r.alter(c.Table, "MODIFY COLUMN "+formatColumn(col)))
	return nil
}

// DropColumn drops c's column.
func (r *renderer) DropColumn(c *change.DropColumn) error {
	r.setColumns(c.Table, slices.DeleteFunc(slices.Clone(r.columns(c.Table)), func(s string) bool { return s == c.Column.Name }))
	r.emit(r.alter(c.Table, "DROP COLUMN "+quoteIdentIfNeeded(c.Column.Name)))
	return nil
}

// RenameColumn renames c's column.
func (r *renderer) RenameColumn(c *change.RenameColumn) error {
	cs := slices.Clone(r.columns(c.Table))
	if k := slices.Index(cs, c.From); k >= 0 {
		cs[k] = c.To
	}
	r.setColumns(c.Table, cs)
	r.emit(r.alter(c.Table, "RENAME COLUMN "+quoteIdentIfNeeded(c.From)+" TO "+quoteIdentIfNeeded(c.To)))
	return nil
}

// SetPrimaryKey drops, adds or swaps c's primary key.
func (r *renderer) SetPrimaryKey(c *change.SetPrimaryKey) error {
	if err := r.tidbKeyLimit(c); err != nil {
		return err
	}
	var parts []string
	if c.From != nil {
		parts = append(parts, "DROP PRIMARY KEY")
	}
	if c.To != nil {
		parts = append(parts, "ADD "+keyDef("PRIMARY KEY", "", c.To))
	}
	r.alterParts(c.Table, parts)
	return nil
}

// alterParts emits one ALTER TABLE of t with the clauses parts, or, on
// TiDB, one ALTER TABLE per clause: TiDB refuses one that changes a
// column or an index (the primary key too) twice.
func (r *renderer) alterParts(t change.Ref, parts []string) {
	if len(parts) == 0 {
		return
	}
	if !r.d.tidb {
		r.emit(r.alter(t, strings.Join(parts, ", ")))
		return
	}
	for _, p := range parts {
		r.emit(r.alter(t, p))
	}
}

// AddUnique adds c's unique key.
func (r *renderer) AddUnique(c *change.AddUnique) error {
	r.emit(r.alter(c.Table, "ADD "+keyDef("UNIQUE KEY", c.Key.Name, c.Key)))
	return nil
}

// DropUnique drops c's unique key, by its name.
func (r *renderer) DropUnique(c *change.DropUnique) error {
	return r.dropNamed(c.Table, "DROP INDEX", "unique key", c.Key.Name)
}

// dropNamed emits ALTER TABLE t with the clause drop and name: a key or
// check MySQL drops only by its name, and what names it in the error when
// it has none.
func (r *renderer) dropNamed(t change.Ref, drop, what, name string) error {
	if name == "" {
		return errors.New(what + " without a name")
	}
	r.emit(r.alter(t, drop+" "+quoteIdentIfNeeded(name)))
	return nil
}

// AddIndex creates c's index: CREATE INDEX, or the ADD INDEX clause of
// the alterTable it is a part of.
func (r *renderer) AddIndex(c *change.AddIndex) error {
	x := c.Index
	if r.joining {
		r.emit(r.alter(c.Table, "ADD "+indexKind(x)+"INDEX "+indexBody(x)))
		return nil
	}
	r.emit("CREATE " + indexKind(x) + "INDEX " + quoteIdentIfNeeded(x.Name) + " ON " + r.table(c.Table) + " " + formatParts(x.Parts) + indexOptions(x))
	return nil
}

// DropIndex drops c's index: DROP INDEX ... ON, or the DROP INDEX clause
// of the alterTable it is a part of.
func (r *renderer) DropIndex(c *change.DropIndex) error {
	if r.joining {
		r.emit(r.alter(c.Table, "DROP INDEX "+quoteIdentIfNeeded(c.Index.Name)))
		return nil
	}
	r.emit("DROP INDEX " + quoteIdentIfNeeded(c.Index.Name) + " ON " + r.table(c.Table))
	return nil
}

// AddForeignKey adds c's foreign key.
func (r *renderer) AddForeignKey(c *change.AddForeignKey) error {
	r.emit(r.alter(c.Table, foreignKeyClause(c.FK)))
	return nil
}

// DropForeignKey drops c's foreign key, by its name.
func (r *renderer) DropForeignKey(c *change.DropForeignKey) error {
	return r.dropNamed(c.Table, "DROP FOREIGN KEY", "foreign key", c.FK.Name)
}

// AddCheck adds c's check: a column-level one with its column's
// definition (addColumnCheck).
func (r *renderer) AddCheck(c *change.AddCheck) error {
	if stmt, ok := r.addColumnCheck(c); ok {
		r.emit(stmt)
		return nil
	}
	r.emit(r.alter(c.Table, "ADD "+checkDef(c.Check)))
	return nil
}

// DropCheck drops c's check: by its name, or a column-level one with
// its column's definition (dropColumnCheck).
func (r *renderer) DropCheck(c *change.DropCheck) error {
	if c.Check.Column != "" {
		return r.dropColumnCheck(c)
	}
	return r.dropNamed(c.Table, "DROP CONSTRAINT", "check constraint", c.Check.Name)
}

// SetTableComment sets c's table comment.
func (r *renderer) SetTableComment(c *change.SetTableComment) error {
	r.emit(r.alter(c.Table, "COMMENT = "+formatLiteral(c.To)))
	return nil
}

// AddView creates c's view; MySQL has no materialized views.
func (r *renderer) AddView(c *change.AddView) error {
	if c.View.Materialized {
		return fmt.Errorf("materialized view: %w", errors.ErrUnsupported)
	}
	var b strings.Builder
	formatView(&b, c.View)
	r.emit(strings.TrimSuffix(b.String(), ";\n"))
	return nil
}

// DropView drops c's view.
func (r *renderer) DropView(c *change.DropView) error {
	r.emit("DROP VIEW " + qualified(c.View.Schema, c.View.Name))
	return nil
}

// AddRoutine creates c's routine as the server printed it.
func (r *renderer) AddRoutine(c *change.AddRoutine) error {
	r.emit(strings.TrimSpace(c.Routine.Definition))
	return nil
}

// DropRoutine drops c's routine.
func (r *renderer) DropRoutine(c *change.DropRoutine) error {
	s, err := dropRoutine(c.Routine)
	if err != nil {
		return err
	}
	r.emit(s)
	return nil
}

// ReplaceRoutine drops c's old routine and creates the new one.
func (r *renderer) ReplaceRoutine(c *change.ReplaceRoutine) error {
	s, err := dropRoutine(c.From)
	if err != nil {
		return err
	}
	r.emit(s, strings.TrimSpace(c.To.Definition))
	return nil
}

// AddTrigger creates c's trigger as the server printed it.
func (r *renderer) AddTrigger(c *change.AddTrigger) error {
	r.emit(strings.TrimSpace(c.Trigger.Definition))
	return nil
}

// DropTrigger drops c's trigger.
func (r *renderer) DropTrigger(c *change.DropTrigger) error {
	r.emit("DROP TRIGGER " + qualified(c.Trigger.Schema, c.Trigger.Name))
	return nil
}

// alterTable renders changes joined into one ALTER TABLE: each part as the
// clause its own statement would have.
func (r *renderer) alterTable(c *alterTable) error {
	prefix := r.alter(c.table, "")
	clauses := make([]string, 0, len(c.parts))
	for _, p := range c.parts {
		s, err := r.clause(p, prefix)
		if err != nil {
			return err
		}
		clauses = append(clauses, s)
	}
	r.emit(prefix + strings.Join(clauses, ", "))
	return nil
}

// clause renders p as a part of an alterTable: its one ALTER TABLE
// statement, of which it returns what follows prefix.
func (r *renderer) clause(p change.Change, prefix string) (string, error) {
	out, joining := r.out, r.joining
	r.out, r.joining = nil, true
	err := r.visit(p)
	stmts := r.out
	r.out, r.joining = out, joining
	if err != nil {
		return "", err
	}
	if len(stmts) != 1 || !strings.HasPrefix(stmts[0], prefix) {
		return "", fmt.Errorf("%s cannot join one ALTER TABLE", change.Label(p))
	}
	return strings.TrimPrefix(stmts[0], prefix), nil
}

// backfill sets column col of t to value where it is NULL.
func (r *renderer) backfill(t change.Ref, col, value string) string {
	q := quoteIdentIfNeeded(col)
	return "UPDATE " + r.table(t) + " SET " + q + " = " + value + " WHERE " + q + " IS NULL"
}

// generationChanged reports whether a column changes between ordinary,
// virtual and stored, which MODIFY COLUMN cannot do.
func generationChanged(a, b *schema.Column) bool {
	if (a.Generated == "") != (b.Generated == "") {
		return true
	}
	return a.Generated != "" && a.Stored != b.Stored
}

// AlterColumn changes c's column in place with MODIFY COLUMN (with a
// backfill where Render's doc says), or drops and re-adds it where MODIFY
// cannot (regenerateColumn).
func (r *renderer) AlterColumn(c *change.AlterColumn) error {
	if c.From.Name != c.To.Name {
		return fmt.Errorf("column %s becomes %s: a rename is a RenameColumn change", c.From.Name, c.To.Name)
	}
	if err := autoRandomLimit(c); err != nil {
		return err
	}
	if generationChanged(c.From, c.To) {
		r.regenerateColumn(c)
		return nil
	}
	checks := r.keptColumnChecks(c.Table, c.From.Name)
	modify := func(col *schema.Column) string { return r.alter(c.Table, "MODIFY COLUMN "+formatColumn(col)+checks) }
	if c.Backfill == "" || c.To.Nullable || !c.From.Nullable || c.To.Generated != "" {
		r.emit(modify(c.To))
		return nil
	}
	// Backfill: relax to the new definition but nullable when that is a
	// change, fill the NULLs, then set NOT NULL.
	loose := *c.To
	loose.Nullable = true
	if formatColumn(&loose) != formatColumn(c.From) {
		r.emit(modify(&loose))
	}
	r.emit(r.backfill(c.Table, c.To.Name, c.Backfill), modify(c.To))
	return nil
}

// regenerateColumn changes a column between ordinary, virtual and
// stored: it is dropped and added back at its place, in one ALTER TABLE
// (on TiDB, two).
func (r *renderer) regenerateColumn(c *change.AlterColumn) {
	pos := ""
	cs := r.columns(c.Table)
	if k := slices.Index(cs, c.To.Name); k == 0 {
		pos = " FIRST"
	} else if k > 0 {
		pos = " AFTER " + quoteIdentIfNeeded(cs[k-1])
	}
	checks := r.keptColumnChecks(c.Table, c.From.Name)
	r.alterParts(c.Table, []string{"DROP COLUMN " + quoteIdentIfNeeded(c.From.Name), "ADD COLUMN " + formatColumn(c.To) + checks + pos})
}

// keptColumnChecks returns " CHECK (...)" for each column-level check of
// column col of t that the changes keep: MODIFY COLUMN replaces the whole
// column definition, and MariaDB drops a column-level check (a JSON
// column's json_valid() too) that the new definition does not restate.
func (r *renderer) keptColumnChecks(t change.Ref, col string) string {
	if r.from == nil || r.to == nil {
		return ""
	}
	ft, tt := r.from.Table(t.Schema, t.Name), r.to.Table(t.Schema, t.Name)
	if ft == nil || tt == nil {
		return ""
	}
	var s string
	for _, fc := range ft.Checks {
		if fc.Column != col {
			continue
		}
		for _, tc := range tt.Checks {
			if tc.Name == fc.Name && tc.Expr == fc.Expr && tc.Column == fc.Column {
				s += " CHECK (" + fc.Expr + ")"
			}
		}
	}
	return s
}

// addColumnCheck adds a column-level check as one: MODIFY COLUMN with the
// column's new definition and the check, so that the downgrade's
// dropColumnCheck finds it where it looks. ok is false for a table-level
// check, or when to has no such column.
func (r *renderer) addColumnCheck(c *change.AddCheck) (stmt string, ok bool) {
	if c.Check.Column == "" || r.to == nil {
		return "", false
	}
	tt := r.to.Table(c.Table.Schema, c.Table.Name)
	if tt == nil || tt.Column(c.Check.Column) == nil {
		return "", false
	}
	return r.alter(c.Table, "MODIFY COLUMN "+formatColumn(tt.Column(c.Check.Column))+" CHECK ("+c.Check.Expr+")"), true
}

// dropColumnCheck drops a column-level check, which MariaDB cannot drop by
// name (error 1091): MODIFY COLUMN with the column's definition as it is,
// which leaves the check out.
func (r *renderer) dropColumnCheck(c *change.DropCheck) error {
	var ft *schema.Table
	if r.from != nil {
		ft = r.from.Table(c.Table.Schema, c.Table.Name)
	}
	if ft == nil || ft.Column(c.Check.Column) == nil {
		return fmt.Errorf("check %s belongs to column %s, which %s does not have", c.Check.Name, c.Check.Column, c.Table)
	}
	r.emit(r.alter(c.Table, "MODIFY COLUMN "+formatColumn(ft.Column(c.Check.Column))))
	return nil
}

// skipColumnChecks leaves out the DropCheck of a column-level check whose
// column the changes drop: the column takes its check with it, and MariaDB
// cannot drop a column-level check by name (error 1091).
func skipColumnChecks(changes []change.Change) []change.Change {
	dropped := map[string]bool{}
	for _, c := range changes {
		if dc, ok := c.(*change.DropColumn); ok && dc.Column != nil {
			dropped[dc.Table.String()+"\x00"+dc.Column.Name] = true
		}
	}
	return slices.DeleteFunc(slices.Clone(changes), func(c change.Change) bool {
		dc, ok := c.(*change.DropCheck)
		return ok && dc.Check != nil && dc.Check.Column != "" && dropped[dc.Table.String()+"\x00"+dc.Check.Column]
	})
}

// dropRoutine prints DROP PROCEDURE or DROP FUNCTION for rt.
func dropRoutine(rt *schema.Routine) (string, error) {
	name := qualified(rt.Schema, rt.Name)
	switch rt.Kind {
	case schema.Procedure:
		return "DROP PROCEDURE " + name, nil
	case schema.Function:
		return "DROP FUNCTION " + name, nil
	}
	return "", fmt.Errorf("routine kind %q: %w", rt.Kind, errors.ErrUnsupported)
}

// guardForeignKeys handles column changes that InnoDB refuses while a
// foreign key uses the column (errors 1832 and 1833): a change of type,
// character set or collation on either side of a foreign key of from. Each
// such key that the changes do not drop themselves is dropped just before
// the first change that needs it gone, and added back (as to has it) just
// after the last one, so that both sides of the key have their new types
// when it returns.
func guardForeignKeys(from, to *schema.Schema, changes []change.Change) []change.Change {
	if from == nil {
		return changes
	}
	var spans []*fkSpan
	for _, t := range from.Tables {
		for _, fk := range t.ForeignKeys {
			if sp := guardSpan(change.RefOf(t), fk, changes); sp != nil {
				spans = append(spans, sp)
			}
		}
	}
	if len(spans) == 0 {
		return changes
	}
	out := make([]change.Change, 0, len(changes)+2*len(spans))
	for i := 0; i <= len(changes); i++ {
		for _, sp := range spans {
			if sp.end == i {
				out = append(out, &change.AddForeignKey{Table: sp.table, FK: foreignKeyIn(to, sp.table, sp.fk)})
			}
		}
		if i == len(changes) {
			break
		}
		for _, sp := range spans {
			if sp.first == i {
				out = append(out, &change.DropForeignKey{Table: sp.table, FK: sp.fk})
			}
		}
		out = append(out, changes[i])
	}
	return out
}

// fkSpan is a foreign key of table that changes[first:end] need gone.
type fkSpan struct {
	table      change.Ref
	fk         *schema.ForeignKey
	first, end int
}

// guardSpan returns the span of changes that need fk of table gone, or nil
// when none does, fk has no name, or the changes drop fk (or either table)
// themselves.
func guardSpan(table change.Ref, fk *schema.ForeignKey, changes []change.Change) *fkSpan {
	parent := change.Ref{Schema: fk.RefSchema, Name: fk.RefTable}
	if parent.Schema == "" {
		parent.Schema = table.Schema
	}
	if fk.Name == "" || foreignKeyDropped(changes, table, fk) || tableDropped(changes, parent) {
		return nil
	}
	sp := &fkSpan{table: table, fk: fk, first: -1}
	for i, c := range changes {
		ac, ok := c.(*change.AlterColumn)
		if !ok || ac.From == nil || ac.To == nil || !storageChanged(ac.From, ac.To) {
			continue
		}
		if ac.Table == table && slices.Contains(fk.Columns, ac.From.Name) ||
			ac.Table == parent && slices.Contains(fk.RefColumns, ac.From.Name) {
			if sp.first < 0 {
				sp.first = i
			}
			sp.end = i + 1
		}
	}
	if sp.first < 0 {
		return nil
	}
	return sp
}

// foreignKeyIn returns the foreign key of table t in s named as fk, or fk
// when s has none.
func foreignKeyIn(s *schema.Schema, t change.Ref, fk *schema.ForeignKey) *schema.ForeignKey {
	if s == nil {
		return fk
	}
	if tt := s.Table(t.Schema, t.Name); tt != nil {
		for _, k := range tt.ForeignKeys {
			if k.Name == fk.Name {
				fk = k
			}
		}
	}
	return fk
}

// storageChanged reports a change of a column's type, character set or
// collation.
func storageChanged(a, b *schema.Column) bool {
	return a.Type != b.Type || a.Charset != b.Charset || a.Collation != b.Collation
}

// reorder returns changes in an order MySQL accepts, moving as little as
// possible:
//   - an AddIndex or AddUnique whose leading columns serve a foreign key
//     added earlier on the same table moves just before that AddForeignKey
//     (otherwise InnoDB creates an index of its own for the key, and the
//     later CREATE INDEX collides with it or duplicates it);
//   - a DropIndex or DropUnique of such an index placed before the
//     DropForeignKey moves just after it (InnoDB refuses to drop an index a
//     foreign key needs);
//   - an AlterColumn that removes AUTO_INCREMENT moves before a
//     SetPrimaryKey on the same table that drops the key, and one that adds
//     AUTO_INCREMENT moves after a SetPrimaryKey that adds it (an
//     AUTO_INCREMENT column must be a key).
func reorder(changes []change.Change) []change.Change {
	cs := slices.Clone(changes)
	// Hoist supporting indexes before foreign keys that are added.
	hoist(cs, func(anchor, c change.Change) bool {
		fk, ok := anchor.(*change.AddForeignKey)
		return ok && fk.FK != nil && c.On() == fk.Table && addsIndexFor(c, fk.FK.Columns)
	})
	// Sink supporting indexes after foreign keys that are dropped.
	sink(cs, func(anchor, c change.Change) bool {
		fk, ok := anchor.(*change.DropForeignKey)
		return ok && fk.FK != nil && c.On() == fk.Table && dropsIndexFor(c, fk.FK.Columns)
	})
	// AUTO_INCREMENT needs a key.
	hoist(cs, func(anchor, c change.Change) bool {
		pk, ok := anchor.(*change.SetPrimaryKey)
		ac, isAlter := c.(*change.AlterColumn)
		return ok && pk.From != nil && isAlter && ac.Table == pk.Table && ac.From != nil && ac.To != nil && ac.From.AutoIncrement && !ac.To.AutoIncrement
	})
	sink(cs, func(anchor, c change.Change) bool {
		pk, ok := anchor.(*change.SetPrimaryKey)
		ac, isAlter := c.(*change.AlterColumn)
		return ok && pk.To != nil && isAlter && ac.Table == pk.Table && ac.From != nil && ac.To != nil && !ac.From.AutoIncrement && ac.To.AutoIncrement
	})
	return cs
}

// hoist moves, in place, every change c that comes after a change anchor
// with must(anchor, c) to just before that anchor, keeping their order.
func hoist(cs []change.Change, must func(anchor, c change.Change) bool) {
	for i := 0; i < len(cs); i++ {
		for j := i + 1; j < len(cs); j++ {
			if cs[i] != nil && cs[j] != nil && must(cs[i], cs[j]) {
				moved := cs[j]
				copy(cs[i+1:j+1], cs[i:j])
				cs[i] = moved
				i++
			}
		}
	}
}

// sink moves, in place, every change c that comes before a change anchor
// with must(anchor, c) to just after that anchor, keeping their order.
func sink(cs []change.Change, must func(anchor, c change.Change) bool) {
	for i := len(cs) - 1; i >= 0; i-- {
		for j := i - 1; j >= 0; j-- {
			if cs[i] != nil && cs[j] != nil && must(cs[i], cs[j]) {
				moved := cs[j]
				copy(cs[j:i], cs[j+1:i+1])
				cs[i] = moved
				i--
			}
		}
	}
}

// leads reports whether the key columns cols begin with fkCols.
func leads(cols, fkCols []string) bool {
	if len(fkCols) == 0 || len(cols) < len(fkCols) {
		return false
	}
	for k, c := range fkCols {
		if !strings.EqualFold(cols[k], c) {
			return false
		}
	}
	return true
}

func indexColumns(x *schema.Index) []string {
	if x == nil || strings.EqualFold(x.Method, "FULLTEXT") || strings.EqualFold(x.Method, "SPATIAL") {
		return nil
	}
	cols := make([]string, 0, len(x.Parts))
	for _, p := range x.Parts {
		if p.Expr != "" || p.Length > 0 {
			break
		}
		cols = append(cols, p.Column)
	}
	return cols
}

// addsIndexFor reports whether c adds an index or unique key that leads
// with the foreign key columns fkCols.
func addsIndexFor(c change.Change, fkCols []string) bool {
	_, cols := keyOf(c)
	return !isIndexDrop(c) && leads(cols, fkCols)
}

// dropsIndexFor reports whether c drops an index or unique key that leads
// with the foreign key columns fkCols.
func dropsIndexFor(c change.Change, fkCols []string) bool {
	_, cols := keyOf(c)
	return isIndexDrop(c) && leads(cols, fkCols)
}

// keyOf returns the name and the plain leading columns (indexColumns)
// of the index or unique key that c adds or drops, or "" and nil.
func keyOf(c change.Change) (name string, cols []string) {
	var x *schema.Index
	var k *schema.Key
	switch c := c.(type) {
	case *change.AddIndex:
		x = c.Index
	case *change.DropIndex:
		x = c.Index
	case *change.AddUnique:
		k = c.Key
	case *change.DropUnique:
		k = c.Key
	}
	switch {
	case x != nil:
		return x.Name, indexColumns(x)
	case k != nil:
		return k.Name, k.Columns
	}
	return "", nil
}

// alterTable is changes on one table rendered as one ALTER TABLE with a
// clause each, for changes that are invalid one at a time.
type alterTable struct {
	table change.Ref
	parts []change.Change
}

// Inverse implements change.Change.
func (a *alterTable) Inverse() change.Change {
	inv := make([]change.Change, len(a.parts))
	for k, p := range a.parts {
		inv[len(a.parts)-1-k] = p.Inverse()
	}
	return &alterTable{table: a.table, parts: inv}
}

// Describe implements change.Change.
func (a *alterTable) Describe() string {
	d := make([]string, len(a.parts))
	for k, p := range a.parts {
		d[k] = change.Label(p)
	}
	return strings.Join(d, " and ")
}

// On implements change.Change.
func (a *alterTable) On() change.Ref { return a.table }

// mergeAutoIncrement joins an AddColumn of an AUTO_INCREMENT column with
// the SetPrimaryKey that makes it the key, and a DropColumn of one with the
// SetPrimaryKey that drops its key, into one ALTER TABLE: an AUTO_INCREMENT
// column must be a key, so neither statement is valid alone. The joined
// statement takes the place of the first of the two.
func mergeAutoIncrement(changes []change.Change) []change.Change {
	out := slices.Clone(changes)
	for i := 0; i < len(out); i++ {
		var col *schema.Column
		var t change.Ref
		adding := false
		switch c := out[i].(type) {
		case *change.AddColumn:
			col, t, adding = c.Column, c.Table, true
		case *change.DropColumn:
			col, t = c.Column, c.Table
		}
		if col == nil || !col.AutoIncrement {
			continue
		}
		for j := range out {
			pk, ok := out[j].(*change.SetPrimaryKey)
			if !ok || pk.Table != t {
				continue
			}
			if adding && pk.To != nil && slices.Contains(pk.To.Columns, col.Name) {
				out[min(i, j)] = &alterTable{table: t, parts: []change.Change{out[i], pk}}
			} else if !adding && pk.From != nil && slices.Contains(pk.From.Columns, col.Name) {
				out[min(i, j)] = &alterTable{table: t, parts: []change.Change{pk, out[i]}}
			} else {
				continue
			}
			out = slices.Delete(out, max(i, j), max(i, j)+1)
			if j < i {
				i-- // the change after the merged one is at i now
			}
			break
		}
	}
	return out
}

// joinIndexReplacements applies the renderer's rule for an index that a
// kept foreign key needs (InnoDB's own one included) and that the changes
// replace: the drop and the first later AddIndex or AddUnique that serves
// the same key become one ALTER TABLE ... DROP INDEX, ADD .... One
// statement is the only order that holds for every such index:
//   - dropping it first leaves the key without an index (error 1553);
//   - adding the new one first makes InnoDB remove its own index for the
//     key by itself, so the later drop fails (error 1091).
//
// The statement takes the place of the drop when the columns of the add
// exist there, else the place of the add, after the columns the changes
// add (error 1072); a drop at its place also comes before the DROP COLUMN
// of a column of its key, which MariaDB refuses while the column is in a
// unique key. A drop or add in between that reuses a name of the two
// joins the statement as well (error 1061).
//
// An index dropped with nothing to replace it for the key stays where it
// is: the table still has another index that serves the key. Every drop
// is seen, however many replacements the changes hold and wherever the
// earlier ones were placed.
func joinIndexReplacements(from *schema.Schema, changes []change.Change) []change.Change {
	if from == nil {
		return changes
	}
	cs := slices.Clone(changes)
	for i := 0; i < len(cs); i++ {
		t, cols, ok := droppedIndex(cs[i])
		if !ok || from.Table(t.Schema, t.Name) == nil {
			continue
		}
		for _, fk := range from.Table(t.Schema, t.Name).ForeignKeys {
			if !leads(cols, fk.Columns) || foreignKeyDropped(cs, t, fk) {
				continue
			}
			j := slices.IndexFunc(cs[i+1:], func(c change.Change) bool {
				return c != nil && c.On() == t && addsIndexFor(c, fk.Columns)
			})
			if j >= 0 {
				cs = joinReplacement(cs, i, i+1+j)
				// Placed at the add, the statement leaves at i the
				// first change after the drop, still to be seen.
				i--
				break
			}
		}
	}
	return cs
}

// joinReplacement joins the drop at i and the add at j (i < j) into one
// alterTable, as joinIndexReplacements describes, and returns the changes.
func joinReplacement(cs []change.Change, i, j int) []change.Change {
	t := cs[i].On()
	addName, addCols := addedIndex(cs[j])
	atDrop := !slices.ContainsFunc(cs[i+1:j], func(c change.Change) bool { return makesColumn(c, t, addCols) })
	dropName := indexName(cs[i])
	parts := []change.Change{cs[i]}
	var rest []change.Change // the changes between i and j that stay apart
	for _, c := range cs[i+1 : j] {
		switch {
		case c == nil || c.On() != t || indexName(c) == "":
			rest = append(rest, c)
		case atDrop && isIndexDrop(c) && indexName(c) == addName:
			parts = append(parts, c)
		case !atDrop && !isIndexDrop(c) && indexName(c) == dropName:
			parts = append(parts, c)
		default:
			rest = append(rest, c)
		}
	}
	joined := &alterTable{table: t, parts: append(parts, cs[j])}
	var mid []change.Change
	if atDrop {
		mid = append([]change.Change{joined}, rest...)
	} else {
		mid = append(rest, joined)
	}
	out := append(slices.Clone(cs[:i]), mid...)
	return append(out, cs[j+1:]...)
}

// makesColumn reports whether c adds (or renames to) one of the columns
// cols of table t.
func makesColumn(c change.Change, t change.Ref, cols []string) bool {
	switch c := c.(type) {
	case *change.AddColumn:
		return c.Table == t && c.Column != nil && slices.ContainsFunc(cols, func(s string) bool { return strings.EqualFold(s, c.Column.Name) })
	case *change.RenameColumn:
		return c.Table == t && slices.ContainsFunc(cols, func(s string) bool { return strings.EqualFold(s, c.To) })
	}
	return false
}

// addedIndex returns the name and the columns of the index or unique key
// that c adds ("" and nil for other changes).
func addedIndex(c change.Change) (string, []string) {
	switch c := c.(type) {
	case *change.AddIndex:
		if c.Index != nil {
			cols := make([]string, 0, len(c.Index.Parts))
			for _, p := range c.Index.Parts {
				if p.Expr == "" {
					cols = append(cols, p.Column)
				}
			}
			return c.Index.Name, cols
		}
	case *change.AddUnique:
		if c.Key != nil {
			return c.Key.Name, c.Key.Columns
		}
	}
	return "", nil
}

// indexName returns the name of the index or unique key that c adds or
// drops, or "".
func indexName(c change.Change) string {
	name, _ := keyOf(c)
	return name
}

// isIndexDrop reports whether c is a DropIndex or DropUnique.
func isIndexDrop(c change.Change) bool {
	switch c.(type) {
	case *change.DropIndex, *change.DropUnique:
		return true
	}
	return false
}

// droppedIndex returns the table and the plain leading columns of the
// index or unique key that c drops, if c is a DropIndex or DropUnique of a
// named one.
func droppedIndex(c change.Change) (change.Ref, []string, bool) {
	name, cols := keyOf(c)
	if !isIndexDrop(c) || name == "" {
		return change.Ref{}, nil, false
	}
	return c.On(), cols, true
}

// foreignKeyDropped reports whether changes drop fk of table t (or t).
func foreignKeyDropped(changes []change.Change, t change.Ref, fk *schema.ForeignKey) bool {
	for _, c := range changes {
		if d, ok := c.(*change.DropForeignKey); ok && d.Table == t && d.FK != nil && d.FK.Name == fk.Name {
			return true
		}
	}
	return tableDropped(changes, t)
}

// tableDropped reports whether changes drop table t.
func tableDropped(changes []change.Change, t change.Ref) bool {
	for _, c := range changes {
		if d, ok := c.(*change.DropTable); ok && d.Table != nil && change.RefOf(d.Table) == t {
			return true
		}
	}
	return false
}

// joinPrimaryKeys joins the SetPrimaryKey that drops a table's primary key
// and the later one that adds its new key into one change, at the place of
// the second, when every column of the old key is kept: MySQL refuses to
// drop the key of an AUTO_INCREMENT column on its own (error 1075), and one
// statement keeps the table's AUTO_INCREMENT counter where removing and
// restoring the attribute would reset it. When a column of the old key is
// dropped the two stay apart: DROP COLUMN changes the key under the drop.
func joinPrimaryKeys(to *schema.Schema, changes []change.Change) []change.Change {
	out := slices.Clone(changes)
	for i := 0; i < len(out); i++ {
		drop, ok := out[i].(*change.SetPrimaryKey)
		if !ok || drop.From == nil || drop.To != nil || !columnsKept(to, drop.Table, drop.From.Columns) {
			continue
		}
		for j := i + 1; j < len(out); j++ {
			add, ok := out[j].(*change.SetPrimaryKey)
			if ok && add.Table == drop.Table && add.From == nil && add.To != nil {
				out[j] = &change.SetPrimaryKey{Table: add.Table, From: drop.From, To: add.To}
				out = slices.Delete(out, i, i+1)
				i--
				break
			}
		}
	}
	return out
}

// columnsKept reports whether table t of to has every column of cols,
// under any spelling: MySQL's column names ignore case, so a column that
// the changes only respell (RENAME COLUMN c TO C) is kept.
func columnsKept(to *schema.Schema, t change.Ref, cols []string) bool {
	if to == nil {
		return false
	}
	tt := to.Table(t.Schema, t.Name)
	if tt == nil {
		return false
	}
	for _, c := range cols {
		if !slices.ContainsFunc(tt.Columns, func(x *schema.Column) bool { return strings.EqualFold(x.Name, c) }) {
			return false
		}
	}
	return true
}

// rebuildKeyIndexes handles a foreign key that the changes drop and add
// again over the same columns (to point it elsewhere, say) while the index
// over exactly those columns stays. That index may be the one InnoDB made
// for the old key, and InnoDB replaces an index of its own by a new one
// named after the new key when the key is added (MariaDB), so an index
// named otherwise (after the column, for a key without a name) would not
// be the one the schema names. Dropping and adding the index in
// the statement that adds the key makes it an ordinary index, which the
// key then uses.
func rebuildKeyIndexes(from, to *schema.Schema, changes []change.Change) []change.Change {
	if from == nil || to == nil {
		return changes
	}
	out := slices.Clone(changes)
	for i, c := range out {
		add, ok := c.(*change.AddForeignKey)
		if !ok || add.FK == nil || !foreignKeyReplaced(from, changes, add) {
			continue
		}
		ft, tt := from.Table(add.Table.Schema, add.Table.Name), to.Table(add.Table.Schema, add.Table.Name)
		if ft == nil || tt == nil {
			continue
		}
		for _, x := range ft.Indexes {
			kept := tableIndex(tt, x.Name)
			// An index named as the key is the one InnoDB would make again.
			if x.Unique || kept == nil || strings.EqualFold(x.Name, add.FK.Name) || !onlyOver(x, add.FK.Columns) || !onlyOver(kept, add.FK.Columns) {
				continue
			}
			out[i] = &alterTable{table: add.Table, parts: []change.Change{
				add, &change.DropIndex{Table: add.Table, Index: x}, &change.AddIndex{Table: add.Table, Index: kept}}}
			break
		}
	}
	return out
}

// foreignKeyReplaced reports whether the changes drop a foreign key of
// from over the same columns of the same table as add adds.
func foreignKeyReplaced(from *schema.Schema, changes []change.Change, add *change.AddForeignKey) bool {
	for _, c := range changes {
		if d, ok := c.(*change.DropForeignKey); ok && d.Table == add.Table && d.FK != nil &&
			slices.EqualFunc(d.FK.Columns, add.FK.Columns, strings.EqualFold) {
			return from.Table(d.Table.Schema, d.Table.Name) != nil
		}
	}
	return false
}

// tableIndex returns the index of t named name, or nil.
func tableIndex(t *schema.Table, name string) *schema.Index {
	for _, x := range t.Indexes {
		if x.Name == name {
			return x
		}
	}
	return nil
}

// onlyOver reports whether index x is over exactly the columns cols, in
// order, with no prefix lengths or expressions: the index InnoDB makes for
// a foreign key over cols.
func onlyOver(x *schema.Index, cols []string) bool {
	return len(x.Parts) == len(cols) && slices.EqualFunc(indexColumns(x), cols, strings.EqualFold)
}
