// Package change holds the schema operations that autogenerate produces:
// adding, dropping and altering tables, columns, keys, indexes, foreign
// keys, checks, types, sequences, views, routines, triggers and rules. Each
// operation carries both sides of what it changes, so its Inverse is exact
// and a revision's downgrade is rendered from the inverses of its upgrade.
//
// The package holds no SQL: dialects render changes.
package change

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/schema"
)

// Change is one schema operation.
type Change interface {
	// Inverse returns the operation that undoes this one.
	Inverse() Change
	// Describe says what changed, in Alembic's words without "Detected"
	// ("added column 'items.description'").
	Describe() string
	// On names the table the change is on, or is the zero Ref for objects
	// that are not on a table.
	On() Ref
}

// Ref names an object in a schema namespace ("" for the default one).
type Ref struct {
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
}

// String is "name" or "schema.name".
func (r Ref) String() string {
	if r.Schema == "" {
		return r.Name
	}
	return r.Schema + "." + r.Name
}

// RefOf returns the Ref of a table.
func RefOf(t *schema.Table) Ref { return Ref{Schema: t.Schema, Name: t.Name} }

// AddTable creates a table with its columns, keys, checks and indexes.
// Its foreign keys are separate AddForeignKey changes (they may point at
// tables created later).
type AddTable struct{ Table *schema.Table }

// DropTable drops a table. Its foreign keys and indexes go with it; the
// inverse recreates the table; the foreign keys come back through their own
// inverted DropForeignKey changes.
type DropTable struct{ Table *schema.Table }

// RenameTable renames a table, keeping its rows.
type RenameTable struct {
	Schema   string
	From, To string
}

// AddColumn adds a column. Backfill, when set, is a literal SQL value that
// fills existing rows before a NOT NULL constraint is set: the renderer adds
// the column nullable, updates the rows where it is NULL, then sets NOT NULL.
type AddColumn struct {
	Table    Ref
	Column   *schema.Column
	Backfill string
}

// DropColumn drops a column.
type DropColumn struct {
	Table  Ref
	Column *schema.Column
}

// RenameColumn renames a column, keeping its data.
type RenameColumn struct {
	Table    Ref
	From, To string
}

// AlterColumn changes a column's type, nullability, default, identity,
// generation, collation or comment, from From to To (same name). Backfill
// is used when To is NOT NULL and From was not: rows where the column is
// NULL get this value first.
type AlterColumn struct {
	Table    Ref
	From, To *schema.Column
	Backfill string
}

// SetPrimaryKey replaces a table's primary key From with To; either may be
// nil (no key).
type SetPrimaryKey struct {
	Table    Ref
	From, To *schema.Key
}

// AddUnique adds a unique constraint.
type AddUnique struct {
	Table Ref
	Key   *schema.Key
}

// DropUnique drops a unique constraint.
type DropUnique struct {
	Table Ref
	Key   *schema.Key
}

// AddIndex creates an index.
type AddIndex struct {
	Table Ref
	Index *schema.Index
}

// DropIndex drops an index.
type DropIndex struct {
	Table Ref
	Index *schema.Index
}

// AddForeignKey adds a foreign key constraint.
type AddForeignKey struct {
	Table Ref
	FK    *schema.ForeignKey
}

// DropForeignKey drops a foreign key constraint.
type DropForeignKey struct {
	Table Ref
	FK    *schema.ForeignKey
}

// AddCheck adds a check constraint.
type AddCheck struct {
	Table Ref
	Check *schema.Check
}

// DropCheck drops a check constraint.
type DropCheck struct {
	Table Ref
	Check *schema.Check
}

// SetTableComment changes a table's comment.
type SetTableComment struct {
	Table    Ref
	From, To string
}

// AddType creates a user-defined type (enum, domain, composite).
type AddType struct{ Type *schema.Type }

// DropType drops a user-defined type.
type DropType struct{ Type *schema.Type }

// AddEnumValues appends values to an enum (PostgreSQL ALTER TYPE ... ADD
// VALUE). Its inverse, RemoveEnumValues, needs the type recreated.
type AddEnumValues struct {
	From, To *schema.Type
}

// RemoveEnumValues recreates an enum without some of its values.
type RemoveEnumValues struct {
	From, To *schema.Type
}

// AddSequence creates a sequence.
type AddSequence struct{ Sequence *schema.Sequence }

// DropSequence drops a sequence.
type DropSequence struct{ Sequence *schema.Sequence }

// AlterSequence changes a sequence's options.
type AlterSequence struct{ From, To *schema.Sequence }

// AddView creates a view or materialized view.
type AddView struct{ View *schema.View }

// DropView drops a view or materialized view.
type DropView struct{ View *schema.View }

// AddRoutine creates a function, procedure or aggregate.
type AddRoutine struct{ Routine *schema.Routine }

// DropRoutine drops a function, procedure or aggregate.
type DropRoutine struct{ Routine *schema.Routine }

// ReplaceRoutine changes a routine's definition.
type ReplaceRoutine struct{ From, To *schema.Routine }

// AddTrigger creates a trigger.
type AddTrigger struct{ Trigger *schema.Trigger }

// DropTrigger drops a trigger.
type DropTrigger struct{ Trigger *schema.Trigger }

// Inverse implements Change.
func (c *AddTable) Inverse() Change { return &DropTable{Table: c.Table} }

// Inverse implements Change.
func (c *DropTable) Inverse() Change { return &AddTable{Table: c.Table} }

// Inverse implements Change.
func (c *RenameTable) Inverse() Change { return &RenameTable{Schema: c.Schema, From: c.To, To: c.From} }

// Inverse implements Change.
func (c *AddColumn) Inverse() Change { return &DropColumn{Table: c.Table, Column: c.Column} }

// Inverse implements Change.
func (c *DropColumn) Inverse() Change { return &AddColumn{Table: c.Table, Column: c.Column} }

// Inverse implements Change.
func (c *RenameColumn) Inverse() Change {
	return &RenameColumn{Table: c.Table, From: c.To, To: c.From}
}

// Inverse implements Change.
func (c *AlterColumn) Inverse() Change { return &AlterColumn{Table: c.Table, From: c.To, To: c.From} }

// Inverse implements Change.
func (c *SetPrimaryKey) Inverse() Change {
	return &SetPrimaryKey{Table: c.Table, From: c.To, To: c.From}
}

// Inverse implements Change.
func (c *AddUnique) Inverse() Change { return &DropUnique{Table: c.Table, Key: c.Key} }

// Inverse implements Change.
func (c *DropUnique) Inverse() Change { return &AddUnique{Table: c.Table, Key: c.Key} }

// Inverse implements Change.
func (c *AddIndex) Inverse() Change { return &DropIndex{Table: c.Table, Index: c.Index} }

// Inverse implements Change.
func (c *DropIndex) Inverse() Change { return &AddIndex{Table: c.Table, Index: c.Index} }

// Inverse implements Change.
func (c *AddForeignKey) Inverse() Change { return &DropForeignKey{Table: c.Table, FK: c.FK} }

// Inverse implements Change.
func (c *DropForeignKey) Inverse() Change { return &AddForeignKey{Table: c.Table, FK: c.FK} }

// Inverse implements Change.
func (c *AddCheck) Inverse() Change { return &DropCheck{Table: c.Table, Check: c.Check} }

// Inverse implements Change.
func (c *DropCheck) Inverse() Change { return &AddCheck{Table: c.Table, Check: c.Check} }

// Inverse implements Change.
func (c *SetTableComment) Inverse() Change {
	return &SetTableComment{Table: c.Table, From: c.To, To: c.From}
}

// Inverse implements Change.
func (c *AddType) Inverse() Change { return &DropType{Type: c.Type} }

// Inverse implements Change.
func (c *DropType) Inverse() Change { return &AddType{Type: c.Type} }

// Inverse implements Change.
func (c *AddEnumValues) Inverse() Change { return &RemoveEnumValues{From: c.To, To: c.From} }

// Inverse implements Change.
func (c *RemoveEnumValues) Inverse() Change { return &AddEnumValues{From: c.To, To: c.From} }

// Inverse implements Change.
func (c *AddSequence) Inverse() Change { return &DropSequence{Sequence: c.Sequence} }

// Inverse implements Change.
func (c *DropSequence) Inverse() Change { return &AddSequence{Sequence: c.Sequence} }

// Inverse implements Change.
func (c *AlterSequence) Inverse() Change { return &AlterSequence{From: c.To, To: c.From} }

// Inverse implements Change.
func (c *AddView) Inverse() Change { return &DropView{View: c.View} }

// Inverse implements Change.
func (c *DropView) Inverse() Change { return &AddView{View: c.View} }

// Inverse implements Change.
func (c *AddRoutine) Inverse() Change { return &DropRoutine{Routine: c.Routine} }

// Inverse implements Change.
func (c *DropRoutine) Inverse() Change { return &AddRoutine{Routine: c.Routine} }

// Inverse implements Change.
func (c *ReplaceRoutine) Inverse() Change { return &ReplaceRoutine{From: c.To, To: c.From} }

// Inverse implements Change.
func (c *AddTrigger) Inverse() Change { return &DropTrigger{Trigger: c.Trigger} }

// Inverse implements Change.
func (c *DropTrigger) Inverse() Change { return &AddTrigger{Trigger: c.Trigger} }

func q(s string) string { return "'" + s + "'" }

func tcol(t Ref, col string) string { return q(t.String() + "." + col) }

func tobj(t Ref, name string) string {
	if name == "" {
		return "on " + q(t.String())
	}
	return q(name) + " on " + q(t.String())
}

func cols(c []string) string { return fmt.Sprint(c) }

// Describe implements Change.
func (c *AddTable) Describe() string { return "added table " + q(RefOf(c.Table).String()) }

// Describe implements Change.
func (c *DropTable) Describe() string { return "removed table " + q(RefOf(c.Table).String()) }

// Describe implements Change.
func (c *RenameTable) Describe() string {
	return "renamed table " + q(Ref{c.Schema, c.From}.String()) + " to " + q(c.To)
}

// Describe implements Change.
func (c *AddColumn) Describe() string { return "added column " + tcol(c.Table, c.Column.Name) }

// Describe implements Change.
func (c *DropColumn) Describe() string { return "removed column " + tcol(c.Table, c.Column.Name) }

// Describe implements Change.
func (c *RenameColumn) Describe() string {
	return "renamed column " + tcol(c.Table, c.From) + " to " + q(c.To)
}

// Describe implements Change.
func (c *AlterColumn) Describe() string {
	s := "altered column " + tcol(c.Table, c.To.Name)
	if what := columnAlterations(c.From, c.To); len(what) > 0 {
		s += " (" + strings.Join(what, ", ") + ")"
	}
	return s
}

// columnAlterations names what differs between two versions a and b of a
// column.
func columnAlterations(a, b *schema.Column) []string {
	nullable := "now NOT NULL"
	if b.Nullable {
		nullable = "now nullable"
	}
	var what []string
	for _, d := range []struct {
		differs bool
		what    string
	}{
		{a.Type != b.Type, "type " + a.Type + " -> " + b.Type},
		{a.Nullable != b.Nullable, nullable},
		{str(a.Default) != str(b.Default), "default"},
		{a.Identity != b.Identity || a.AutoIncrement != b.AutoIncrement || a.AutoRandom != b.AutoRandom, "identity"},
		{a.Generated != b.Generated || a.Stored != b.Stored, "generated expression"},
		{a.Collation != b.Collation || a.Charset != b.Charset, "collation"},
		{a.Comment != b.Comment, "comment"},
		{a.OnUpdate != b.OnUpdate, "on update"},
	} {
		if d.differs {
			what = append(what, d.what)
		}
	}
	return what
}

func str(p *string) string {
	if p == nil {
		return "\x00none"
	}
	return *p
}

// Describe implements Change.
func (c *SetPrimaryKey) Describe() string {
	switch {
	case c.To == nil:
		return "removed primary key on " + q(c.Table.String())
	case c.From == nil:
		return "added primary key " + primaryCols(c.To) + " on " + q(c.Table.String())
	}
	return "changed primary key on " + q(c.Table.String()) + " to " + primaryCols(c.To)
}

// primaryCols is a primary key's columns, then its clustering where the
// server has one: "(id) NONCLUSTERED".
func primaryCols(k *schema.Key) string {
	if k.Clustering != "" {
		return cols(k.Columns) + " " + k.Clustering
	}
	return cols(k.Columns)
}

// Describe implements Change.
func (c *AddUnique) Describe() string {
	return "added unique constraint " + tobj(c.Table, c.Key.Name) + " " + cols(c.Key.Columns)
}

// Describe implements Change.
func (c *DropUnique) Describe() string {
	return "removed unique constraint " + tobj(c.Table, c.Key.Name) + " " + cols(c.Key.Columns)
}

// Describe implements Change.
func (c *AddIndex) Describe() string { return "added index " + tobj(c.Table, c.Index.Name) }

// Describe implements Change.
func (c *DropIndex) Describe() string { return "removed index " + tobj(c.Table, c.Index.Name) }

// Describe implements Change.
func (c *AddForeignKey) Describe() string {
	return "added foreign key " + tobj(c.Table, c.FK.Name) + " " + cols(c.FK.Columns) + " -> " + q(Ref{c.FK.RefSchema, c.FK.RefTable}.String())
}

// Describe implements Change.
func (c *DropForeignKey) Describe() string {
	return "removed foreign key " + tobj(c.Table, c.FK.Name) + " " + cols(c.FK.Columns) + " -> " + q(Ref{c.FK.RefSchema, c.FK.RefTable}.String())
}

// Describe implements Change.
func (c *AddCheck) Describe() string { return "added check constraint " + tobj(c.Table, c.Check.Name) }

// Describe implements Change.
func (c *DropCheck) Describe() string {
	return "removed check constraint " + tobj(c.Table, c.Check.Name)
}

// Describe implements Change.
func (c *SetTableComment) Describe() string { return "changed comment on table " + q(c.Table.String()) }

// Describe implements Change.
func (c *AddType) Describe() string {
	return "added " + string(c.Type.Kind) + " type " + q(Ref{c.Type.Schema, c.Type.Name}.String())
}

// Describe implements Change.
func (c *DropType) Describe() string {
	return "removed " + string(c.Type.Kind) + " type " + q(Ref{c.Type.Schema, c.Type.Name}.String())
}

// Describe implements Change.
func (c *AddEnumValues) Describe() string {
	return "added values to enum " + q(Ref{c.To.Schema, c.To.Name}.String())
}

// Describe implements Change.
func (c *RemoveEnumValues) Describe() string {
	return "changed values of enum " + q(Ref{c.To.Schema, c.To.Name}.String())
}

// Describe implements Change.
func (c *AddSequence) Describe() string {
	return "added sequence " + q(Ref{c.Sequence.Schema, c.Sequence.Name}.String())
}

// Describe implements Change.
func (c *DropSequence) Describe() string {
	return "removed sequence " + q(Ref{c.Sequence.Schema, c.Sequence.Name}.String())
}

// Describe implements Change.
func (c *AlterSequence) Describe() string {
	return "altered sequence " + q(Ref{c.To.Schema, c.To.Name}.String())
}

func viewKind(v *schema.View) string {
	if v.Materialized {
		return "materialized view "
	}
	return "view "
}

// Describe implements Change.
func (c *AddView) Describe() string {
	return "added " + viewKind(c.View) + q(Ref{c.View.Schema, c.View.Name}.String())
}

// Describe implements Change.
func (c *DropView) Describe() string {
	return "removed " + viewKind(c.View) + q(Ref{c.View.Schema, c.View.Name}.String())
}

// Describe implements Change.
func (c *AddRoutine) Describe() string {
	return "added " + string(c.Routine.Kind) + " " + q(Ref{c.Routine.Schema, c.Routine.Name}.String()+"("+c.Routine.Signature+")")
}

// Describe implements Change.
func (c *DropRoutine) Describe() string {
	return "removed " + string(c.Routine.Kind) + " " + q(Ref{c.Routine.Schema, c.Routine.Name}.String()+"("+c.Routine.Signature+")")
}

// Describe implements Change.
func (c *ReplaceRoutine) Describe() string {
	return "changed " + string(c.To.Kind) + " " + q(Ref{c.To.Schema, c.To.Name}.String()+"("+c.To.Signature+")")
}

// Describe implements Change.
func (c *AddTrigger) Describe() string {
	return "added trigger " + tobj(Ref{c.Trigger.Schema, c.Trigger.Table}, c.Trigger.Name)
}

// Describe implements Change.
func (c *DropTrigger) Describe() string {
	return "removed trigger " + tobj(Ref{c.Trigger.Schema, c.Trigger.Table}, c.Trigger.Name)
}

// On implements Change.
func (c *AddTable) On() Ref { return RefOf(c.Table) }

// On implements Change.
func (c *DropTable) On() Ref { return RefOf(c.Table) }

// On implements Change.
func (c *RenameTable) On() Ref { return Ref{c.Schema, c.From} }

// On implements Change.
func (c *AddColumn) On() Ref { return c.Table }

// On implements Change.
func (c *DropColumn) On() Ref { return c.Table }

// On implements Change.
func (c *RenameColumn) On() Ref { return c.Table }

// On implements Change.
func (c *AlterColumn) On() Ref { return c.Table }

// On implements Change.
func (c *SetPrimaryKey) On() Ref { return c.Table }

// On implements Change.
func (c *AddUnique) On() Ref { return c.Table }

// On implements Change.
func (c *DropUnique) On() Ref { return c.Table }

// On implements Change.
func (c *AddIndex) On() Ref { return c.Table }

// On implements Change.
func (c *DropIndex) On() Ref { return c.Table }

// On implements Change.
func (c *AddForeignKey) On() Ref { return c.Table }

// On implements Change.
func (c *DropForeignKey) On() Ref { return c.Table }

// On implements Change.
func (c *AddCheck) On() Ref { return c.Table }

// On implements Change.
func (c *DropCheck) On() Ref { return c.Table }

// On implements Change.
func (c *SetTableComment) On() Ref { return c.Table }

// On implements Change.
func (c *AddType) On() Ref { return Ref{} }

// On implements Change.
func (c *DropType) On() Ref { return Ref{} }

// On implements Change.
func (c *AddEnumValues) On() Ref { return Ref{} }

// On implements Change.
func (c *RemoveEnumValues) On() Ref { return Ref{} }

// On implements Change.
func (c *AddSequence) On() Ref { return Ref{} }

// On implements Change.
func (c *DropSequence) On() Ref { return Ref{} }

// On implements Change.
func (c *AlterSequence) On() Ref { return Ref{} }

// On implements Change.
func (c *AddView) On() Ref { return Ref{} }

// On implements Change.
func (c *DropView) On() Ref { return Ref{} }

// On implements Change.
func (c *AddRoutine) On() Ref { return Ref{} }

// On implements Change.
func (c *DropRoutine) On() Ref { return Ref{} }

// On implements Change.
func (c *ReplaceRoutine) On() Ref { return Ref{} }

// On implements Change.
func (c *AddTrigger) On() Ref { return Ref{c.Trigger.Schema, c.Trigger.Table} }

// On implements Change.
func (c *DropTrigger) On() Ref { return Ref{c.Trigger.Schema, c.Trigger.Table} }

// Invert returns the inverses of changes in reverse order: the downgrade of
// an upgrade.
func Invert(changes []Change) []Change {
	out := make([]Change, len(changes))
	for i, c := range changes {
		out[len(changes)-1-i] = c.Inverse()
	}
	return out
}

// AddNamespace creates a PostgreSQL schema (CREATE SCHEMA). It comes
// before everything created in it.
type AddNamespace struct{ Namespace *schema.Namespace }

// DropNamespace drops a PostgreSQL schema, after everything in it.
type DropNamespace struct{ Namespace *schema.Namespace }

// AddExtension creates a PostgreSQL extension (CREATE EXTENSION), before
// the types and routines that may use it.
type AddExtension struct{ Extension *schema.Extension }

// DropExtension drops a PostgreSQL extension.
type DropExtension struct{ Extension *schema.Extension }

// Inverse implements Change.
func (c *AddNamespace) Inverse() Change { return &DropNamespace{Namespace: c.Namespace} }

// Inverse implements Change.
func (c *DropNamespace) Inverse() Change { return &AddNamespace{Namespace: c.Namespace} }

// Inverse implements Change.
func (c *AddExtension) Inverse() Change { return &DropExtension{Extension: c.Extension} }

// Inverse implements Change.
func (c *DropExtension) Inverse() Change { return &AddExtension{Extension: c.Extension} }

// Describe implements Change.
func (c *AddNamespace) Describe() string { return "added schema " + q(c.Namespace.Name) }

// Describe implements Change.
func (c *DropNamespace) Describe() string { return "removed schema " + q(c.Namespace.Name) }

// Describe implements Change.
func (c *AddExtension) Describe() string { return "added extension " + q(c.Extension.Name) }

// Describe implements Change.
func (c *DropExtension) Describe() string { return "removed extension " + q(c.Extension.Name) }

// On implements Change.
func (c *AddNamespace) On() Ref { return Ref{} }

// On implements Change.
func (c *DropNamespace) On() Ref { return Ref{} }

// On implements Change.
func (c *AddExtension) On() Ref { return Ref{} }

// On implements Change.
func (c *DropExtension) On() Ref { return Ref{} }

// AddRule creates a PostgreSQL rewrite rule from its definition (the
// complete CREATE RULE statement the server prints). Rules are compared,
// like triggers, by definition.
type AddRule struct{ Rule *schema.Rule }

// DropRule drops a PostgreSQL rewrite rule.
type DropRule struct{ Rule *schema.Rule }

// ReplaceRule changes a rewrite rule's definition or comment, keeping its
// name and table (PostgreSQL CREATE OR REPLACE RULE).
type ReplaceRule struct{ From, To *schema.Rule }

// Inverse implements Change.
func (c *AddRule) Inverse() Change { return &DropRule{Rule: c.Rule} }

// Inverse implements Change.
func (c *DropRule) Inverse() Change { return &AddRule{Rule: c.Rule} }

// Inverse implements Change.
func (c *ReplaceRule) Inverse() Change { return &ReplaceRule{From: c.To, To: c.From} }

func ruleOn(r *schema.Rule) Ref { return Ref{Schema: r.Schema, Name: r.Table} }

// Describe implements Change.
func (c *AddRule) Describe() string { return "added rule " + tobj(ruleOn(c.Rule), c.Rule.Name) }

// Describe implements Change.
func (c *DropRule) Describe() string { return "removed rule " + tobj(ruleOn(c.Rule), c.Rule.Name) }

// Describe implements Change.
func (c *ReplaceRule) Describe() string { return "changed rule " + tobj(ruleOn(c.To), c.To.Name) }

// On implements Change.
func (c *AddRule) On() Ref { return ruleOn(c.Rule) }

// On implements Change.
func (c *DropRule) On() Ref { return ruleOn(c.Rule) }

// On implements Change.
func (c *ReplaceRule) On() Ref { return ruleOn(c.To) }

// SetNamespaceComment sets, changes or removes the comment on a
// PostgreSQL schema (COMMENT ON SCHEMA) that exists on both sides, public
// included. From is the comment the inspected "from" schema holds, so the
// inverse restores exactly that; "" is no comment.
//
// FromDefault (ToDefault) says that side holds the comment a new database
// gives the schema, which inspection does not report: PostgreSQL's
// inspector lists public only when its comment differs from a new
// database's, so a side without public has public with that default. The
// dialect that inspected it knows the text and renders it; From (To) is
// then "".
type SetNamespaceComment struct {
	Namespace              string
	From, To               string
	FromDefault, ToDefault bool
}

// Inverse implements Change.
func (c *SetNamespaceComment) Inverse() Change {
	return &SetNamespaceComment{Namespace: c.Namespace, From: c.To, To: c.From, FromDefault: c.ToDefault, ToDefault: c.FromDefault}
}

// Describe implements Change: "set" when the schema had no comment,
// "removed" when it ends with none, "changed" otherwise.
func (c *SetNamespaceComment) Describe() string {
	verb := "changed"
	switch {
	case c.From == "" && !c.FromDefault:
		verb = "set"
	case c.To == "" && !c.ToDefault:
		verb = "removed"
	}
	return verb + " comment on schema " + q(c.Namespace)
}

// On implements Change.
func (c *SetNamespaceComment) On() Ref { return Ref{} }
