// Package schema is retort's model of a database schema: tables, columns,
// constraints, indexes, views, types, routines and the rest. It holds no SQL
// logic and does no I/O; dialects fill it by inspection and print it.
//
// Expressions (defaults, checks, index predicates, view bodies, routine
// definitions) are kept as the server prints them, so two schemas that went
// through the same server compare as text.
package schema

import "slices"

// Schema is a whole database schema as one dialect sees it.
type Schema struct {
	// Dialect is "sqlite", "postgres" or "mysql".
	Dialect string `json:"dialect"`
	// Namespaces are the PostgreSQL schemas (besides public) that hold
	// objects or were inspected.
	Namespaces []*Namespace `json:"namespaces,omitempty"`
	// Extensions are PostgreSQL extensions.
	Extensions []*Extension `json:"extensions,omitempty"`
	// Types are user-defined types: enums, domains and composite types.
	Types []*Type `json:"types,omitempty"`
	// Sequences are stand-alone sequences, including those owned by a
	// column (OwnedBy set) that are not identity sequences.
	Sequences []*Sequence `json:"sequences,omitempty"`
	// Tables, sorted by (Schema, Name).
	Tables []*Table `json:"tables,omitempty"`
	// Views, including materialized views.
	Views []*View `json:"views,omitempty"`
	// Routines are functions, procedures and aggregates.
	Routines []*Routine `json:"routines,omitempty"`
	// Triggers on tables and views.
	Triggers []*Trigger `json:"triggers,omitempty"`
	// Events are MySQL/MariaDB scheduled events.
	Events []*Event `json:"events,omitempty"`
	// Rules are PostgreSQL rewrite rules (other than view rules).
	Rules []*Rule `json:"rules,omitempty"`
	// Policies are PostgreSQL row-level security policies.
	Policies []*Policy `json:"policies,omitempty"`
	// Grants are privileges on the schema's objects, when inspected.
	Grants []*Grant `json:"grants,omitempty"`
	// Comments holds comments on objects that have no Comment field of
	// their own (for example on a constraint or a function argument list).
	Comments []*Comment `json:"comments,omitempty"`
	// Names say which names the server takes for the same name; the
	// inspector sets them and diff follows them.
	Names NameRules `json:"names,omitzero"`
	// Unrepresented are the objects the inspector found but the model
	// cannot hold. Commands that compare schemas refuse to go on while
	// either side has one that is not ignored on purpose: a silent
	// omission becomes a silent data loss later.
	Unrepresented []Unrepresented `json:"unrepresented,omitempty"`
	// Warnings are notes about what was inspected that are not objects
	// (an INVALID index, triggers hidden by missing privileges, a
	// trigger's firing state).
	Warnings []string `json:"warnings,omitempty"`
}

// NameRules say which spellings of a name the server takes for the same
// name. The zero value is PostgreSQL's rule: names are exact (after the
// quoting rules folded unquoted ones).
type NameRules struct {
	// FoldTables: names of tables and views that differ only in letter
	// case are one name (SQLite; MySQL with lower_case_table_names 1 or
	// 2).
	FoldTables bool `json:"fold_tables,omitempty"`
	// FoldColumns: column names that differ only in letter case are one
	// name (SQLite, MySQL).
	FoldColumns bool `json:"fold_columns,omitempty"`
	// FoldRoutines: routine names that differ only in letter case are
	// one name (MySQL).
	FoldRoutines bool `json:"fold_routines,omitempty"`
	// RoutineKinds: functions and procedures have namespaces of their
	// own, so a function and a procedure may share a name (MySQL); a
	// routine is then known by its kind as well as its name.
	RoutineKinds bool `json:"routine_kinds,omitempty"`
}

// Unrepresented is one object an inspector found but the model cannot
// hold, such as a policy, a grant or a table's partitioning.
type Unrepresented struct {
	// Kind is the object's kind as a lower-case key, with words joined by
	// underscores ("policy", "grant", "exclusion_constraint",
	// "partitioning"): the key that ignores every object of the kind.
	Kind string `json:"kind"`
	// Name is the object's qualified name, its parts joined by dots
	// ("public.t.p" for policy p on table public.t; for a property of a
	// table such as its partitioning, the table's name).
	Name string `json:"name"`
	// Detail is the inspector's one-line description, for people.
	Detail string `json:"detail"`
	// Keyword is the SQL word that introduces the object in a statement
	// ("POLICY", "EXCLUDE", "GRANT", "PARTITION"; alternatives joined by
	// "|"), with which its statement is found in the desired schema's
	// files.
	Keyword string `json:"keyword,omitempty"`
	// Position is the desired schema's file:line of the statement that
	// made the object, when it was found; empty otherwise.
	Position string `json:"position,omitempty"`
}

// Key is the object's kind and name as an ignore entry names it:
// "kind:name".
func (u Unrepresented) Key() string { return u.Kind + ":" + u.Name }

// Describe names the object for a message: its detail, then where the
// desired schema makes it.
func (u Unrepresented) Describe() string {
	if u.Position != "" {
		return u.Position + ": " + u.Detail
	}
	return u.Detail
}

// Namespace is a PostgreSQL schema.
type Namespace struct {
	Name    string `json:"name"`
	Comment string `json:"comment,omitempty"`
}

// Extension is a PostgreSQL extension.
type Extension struct {
	Name    string `json:"name"`
	Schema  string `json:"schema,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// TypeKind distinguishes user-defined types.
type TypeKind string

// The kinds of user-defined type.
const (
	EnumType      TypeKind = "enum"
	DomainType    TypeKind = "domain"
	CompositeType TypeKind = "composite"
	RangeType     TypeKind = "range"
)

// Type is a user-defined type (PostgreSQL).
type Type struct {
	Kind   TypeKind `json:"kind"`
	Schema string   `json:"schema,omitempty"`
	Name   string   `json:"name"`
	// Values are an enum's labels in order.
	Values []string `json:"values,omitempty"`
	// Base is a domain's underlying type (or a range's subtype).
	Base string `json:"base,omitempty"`
	// NotNull, Default, Collation and Checks describe a domain.
	NotNull   bool     `json:"not_null,omitempty"`
	Default   *string  `json:"default,omitempty"`
	Collation string   `json:"collation,omitempty"`
	Checks    []*Check `json:"checks,omitempty"`
	// Attributes are a composite type's fields.
	Attributes []*Column `json:"attributes,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	// DependsOn names the routines and types that must exist before this
	// type is created (a function a domain's CHECK or default calls, a
	// domain's base type), as SQL designations ("FUNCTION public.f(text)",
	// "TYPE public.d"). It is derived from the rest: diff does not compare
	// it.
	DependsOn []string `json:"depends_on,omitempty"`
}

// Sequence is a sequence generator.
type Sequence struct {
	Schema    string `json:"schema,omitempty"`
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	Start     int64  `json:"start"`
	Increment int64  `json:"increment"`
	Min       int64  `json:"min"`
	Max       int64  `json:"max"`
	Cache     int64  `json:"cache"`
	Cycle     bool   `json:"cycle,omitempty"`
	// OwnedBy is "table.column" (schema-qualified outside public) when the
	// sequence belongs to a column.
	OwnedBy string `json:"owned_by,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// Table is a table with its columns and constraints.
type Table struct {
	Schema      string        `json:"schema,omitempty"`
	Name        string        `json:"name"`
	Columns     []*Column     `json:"columns"`
	PrimaryKey  *Key          `json:"primary_key,omitempty"`
	Uniques     []*Key        `json:"uniques,omitempty"`
	Indexes     []*Index      `json:"indexes,omitempty"`
	ForeignKeys []*ForeignKey `json:"foreign_keys,omitempty"`
	Checks      []*Check      `json:"checks,omitempty"`
	Comment     string        `json:"comment,omitempty"`
	Options     TableOptions  `json:"options,omitzero"`
	// Exclusions are PostgreSQL exclusion constraints.
	Exclusions []*Exclusion `json:"exclusions,omitempty"`
	// RowSecurity and ForceRowSecurity are PostgreSQL's ENABLE and FORCE
	// ROW LEVEL SECURITY.
	RowSecurity      bool `json:"row_security,omitempty"`
	ForceRowSecurity bool `json:"force_row_security,omitempty"`
}

// TableOptions are the dialect-specific properties of a table. A zero
// field means the server default.
type TableOptions struct {
	// MySQL: storage engine, default charset and collation, row format,
	// AUTO_INCREMENT start is not kept (it is data, not schema).
	Engine    string `json:"engine,omitempty"`
	Charset   string `json:"charset,omitempty"`
	Collation string `json:"collation,omitempty"`
	RowFormat string `json:"row_format,omitempty"`
	// CreateOptions are MySQL's other table options, as the server lists
	// them in information_schema.TABLES.CREATE_OPTIONS, upper-cased and
	// sorted: "KEY_BLOCK_SIZE=8", "STATS_PERSISTENT=1".
	CreateOptions []string `json:"create_options,omitempty"`
	// Partitioning is a MySQL/MariaDB table's PARTITION BY; nil when the
	// table is not partitioned.
	Partitioning *Partitioning `json:"partitioning,omitempty"`
	// SQLite.
	WithoutRowID bool `json:"without_rowid,omitempty"`
	Strict       bool `json:"strict,omitempty"`
	// PostgreSQL.
	Unlogged bool `json:"unlogged,omitempty"`
	// PartitionBy is the partition key of a partitioned table, as
	// pg_get_partkeydef prints it ("RANGE (payment_date)").
	PartitionBy string `json:"partition_by,omitempty"`
	// PartitionOf names the parent of a partition; PartitionBound is its
	// bound as pg_get_expr prints it ("FOR VALUES FROM (...) TO (...)").
	PartitionOf    string `json:"partition_of,omitempty"`
	PartitionBound string `json:"partition_bound,omitempty"`
	// Inherits lists parents of an inheritance child, in order.
	Inherits []string `json:"inherits,omitempty"`
	// ClusterOn names the index a PostgreSQL table is marked to CLUSTER
	// on (ALTER TABLE ... CLUSTER ON); it may be a constraint's index.
	ClusterOn string `json:"cluster_on,omitempty"`
}

// Column is a table column (or a composite type attribute).
type Column struct {
	Name string `json:"name"`
	// Type is the type as the server reports it, in one spelling per
	// dialect (for example "character varying(80)", "int(10) unsigned").
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	// Default is the default expression as the server prints it; nil when
	// the column has none.
	Default *string `json:"default,omitempty"`
	// Identity is "ALWAYS" or "BY DEFAULT" for a PostgreSQL identity column.
	Identity string `json:"identity,omitempty"`
	// IdentityOptions are the identity sequence's non-default options, as
	// SQL ("START WITH 10 INCREMENT BY 2").
	IdentityOptions string `json:"identity_options,omitempty"`
	// AutoIncrement is MySQL AUTO_INCREMENT or SQLite AUTOINCREMENT.
	AutoIncrement bool `json:"auto_increment,omitempty"`
	// Generated is the expression of a generated column; Stored tells a
	// stored column from a virtual one.
	Generated string `json:"generated,omitempty"`
	Stored    bool   `json:"stored,omitempty"`
	// Collation and Charset, where not the table's or server's default.
	Collation string `json:"collation,omitempty"`
	Charset   string `json:"charset,omitempty"`
	// OnUpdate is MySQL's ON UPDATE expression (CURRENT_TIMESTAMP).
	OnUpdate string `json:"on_update,omitempty"`
	// AutoRandom is TiDB's AUTO_RANDOM: its shard bits, and its range
	// bits when they are not the default, as the attribute takes them
	// ("5", "5, 54"); empty for a column without it.
	AutoRandom string `json:"auto_random,omitempty"`
	// Inherited is true for a column of a PostgreSQL inheritance child that
	// the table only inherits from its parents and does not declare itself.
	Inherited bool   `json:"inherited,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// Key is a primary key or unique constraint.
type Key struct {
	Name    string   `json:"name,omitempty"`
	Columns []string `json:"columns"`
	// Deferrable and InitiallyDeferred (PostgreSQL).
	Deferrable        bool `json:"deferrable,omitempty"`
	InitiallyDeferred bool `json:"initially_deferred,omitempty"`
	// Include lists INCLUDE columns (PostgreSQL).
	Include []string `json:"include,omitempty"`
	// NullsNotDistinct (PostgreSQL 15+).
	NullsNotDistinct bool `json:"nulls_not_distinct,omitempty"`
	// Definition is the constraint as the server prints it
	// (pg_get_constraintdef), where the dialect has one.
	Definition string `json:"definition,omitempty"`
	Comment    string `json:"comment,omitempty"`
	// Clustering is how TiDB stores a table by its primary key:
	// "CLUSTERED" (the rows are keyed by it) or "NONCLUSTERED"; empty
	// where the server has no such choice.
	Clustering string `json:"clustering,omitempty"`
}

// Index is an index that is not the implementation of a primary key or
// unique constraint.
type Index struct {
	Name   string       `json:"name"`
	Unique bool         `json:"unique,omitempty"`
	Parts  []*IndexPart `json:"parts"`
	// Include lists INCLUDE columns (PostgreSQL).
	Include []string `json:"include,omitempty"`
	// Where is a partial index's predicate.
	Where string `json:"where,omitempty"`
	// Method is the access method where not the default: gin, gist, hash,
	// brin, spgist (PostgreSQL); FULLTEXT, SPATIAL, HASH (MySQL).
	Method string `json:"method,omitempty"`
	// Definition is the whole index as the server prints it
	// (pg_get_indexdef, sqlite_schema.sql), where the dialect has one.
	Definition string `json:"definition,omitempty"`
	Comment    string `json:"comment,omitempty"`
}

// IndexPart is one key of an index: a column or an expression.
type IndexPart struct {
	Column string `json:"column,omitempty"`
	Expr   string `json:"expr,omitempty"`
	Desc   bool   `json:"desc,omitempty"`
	// NullsFirst/NullsLast where not the default for the direction.
	Nulls string `json:"nulls,omitempty"`
	// Length is a MySQL prefix length.
	Length    int    `json:"length,omitempty"`
	Collation string `json:"collation,omitempty"`
	OpClass   string `json:"opclass,omitempty"`
}

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	Name       string   `json:"name,omitempty"`
	Columns    []string `json:"columns"`
	RefSchema  string   `json:"ref_schema,omitempty"`
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns"`
	// OnDelete and OnUpdate: "CASCADE", "SET NULL", "SET DEFAULT",
	// "RESTRICT"; empty for NO ACTION.
	OnDelete          string `json:"on_delete,omitempty"`
	OnUpdate          string `json:"on_update,omitempty"`
	Match             string `json:"match,omitempty"`
	Deferrable        bool   `json:"deferrable,omitempty"`
	InitiallyDeferred bool   `json:"initially_deferred,omitempty"`
	// NotValid is a PostgreSQL constraint added NOT VALID.
	NotValid   bool   `json:"not_valid,omitempty"`
	Definition string `json:"definition,omitempty"`
	Comment    string `json:"comment,omitempty"`
}

// Check is a check constraint.
type Check struct {
	Name string `json:"name,omitempty"`
	// Expr is the expression as the server prints it, without the CHECK
	// keyword and outer parentheses where the server omits them.
	Expr      string `json:"expr"`
	NoInherit bool   `json:"no_inherit,omitempty"`
	NotValid  bool   `json:"not_valid,omitempty"`
	Comment   string `json:"comment,omitempty"`
	// Column names the column of a column-level check (MariaDB: a CHECK
	// written in the column's definition, json_valid() of a JSON column
	// included), which MariaDB names after the column, cannot drop with
	// DROP CONSTRAINT, drops with the column, and loses on MODIFY COLUMN
	// unless the definition restates it. Empty for a table-level check.
	// It does not change what the check means: diff compares checks
	// without it.
	Column string `json:"column,omitempty"`
}

// View is a view or materialized view.
type View struct {
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	// Definition is the SELECT as the server prints it.
	Definition   string `json:"definition"`
	Materialized bool   `json:"materialized,omitempty"`
	// CheckOption is "LOCAL" or "CASCADED" (WITH ... CHECK OPTION).
	CheckOption string `json:"check_option,omitempty"`
	// Columns are the view's column names where the dialect lists them.
	Columns []string `json:"columns,omitempty"`
	// Indexes on a materialized view.
	Indexes []*Index `json:"indexes,omitempty"`
	// Options holds dialect options as SQL (MySQL ALGORITHM, SQL SECURITY).
	Options string `json:"options,omitempty"`
	Comment string `json:"comment,omitempty"`
	// DependsOn names the views and routines this view reads, as SQL
	// designations ("VIEW public.v", "FUNCTION public.f(integer)"), so that
	// Format can print them first. Names outside the schema are ignored.
	DependsOn []string `json:"depends_on,omitempty"`
}

// RoutineKind distinguishes functions, procedures and aggregates.
type RoutineKind string

// The kinds of routine.
const (
	Function  RoutineKind = "function"
	Procedure RoutineKind = "procedure"
	Aggregate RoutineKind = "aggregate"
)

// Routine is a stored function, procedure or aggregate.
type Routine struct {
	Kind   RoutineKind `json:"kind"`
	Schema string      `json:"schema,omitempty"`
	Name   string      `json:"name"`
	// Signature is the identity argument list ("integer, text"); routines
	// are keyed by (Schema, Name, Signature).
	Signature string `json:"signature,omitempty"`
	// Definition is the complete CREATE statement as the server prints it
	// (pg_get_functiondef, SHOW CREATE FUNCTION), without a terminator.
	Definition string `json:"definition"`
	Comment    string `json:"comment,omitempty"`
	// DependsOn names the relations and routines that must exist before
	// this routine is created (row types in its signature, an SQL-standard
	// body, an aggregate's support functions), as SQL designations ("TABLE
	// public.customer", "FUNCTION public.f(integer)").
	DependsOn []string `json:"depends_on,omitempty"`
}

// Trigger is a trigger on a table or view.
type Trigger struct {
	Schema string `json:"schema,omitempty"`
	Table  string `json:"table"`
	Name   string `json:"name"`
	// Definition is the complete CREATE TRIGGER statement as the server
	// prints it, without a terminator.
	Definition string `json:"definition"`
	Comment    string `json:"comment,omitempty"`
}

// Rule is a PostgreSQL rewrite rule.
type Rule struct {
	Schema     string `json:"schema,omitempty"`
	Table      string `json:"table"`
	Name       string `json:"name"`
	Definition string `json:"definition"`
	Comment    string `json:"comment,omitempty"`
}

// Comment is a COMMENT ON for an object without a Comment field, kept as
// the object's SQL designation ("CONSTRAINT c ON t", "FUNCTION f(integer)").
type Comment struct {
	Object string `json:"object"`
	Text   string `json:"text"`
}

// Table returns the table with the given schema and name, or nil.
func (s *Schema) Table(schemaName, name string) *Table {
	for _, t := range s.Tables {
		if t.Schema == schemaName && t.Name == name {
			return t
		}
	}
	return nil
}

// UniqueColumn reports whether col is part of t's primary key, of one of
// its unique constraints or of one of its unique indexes: its rows cannot
// all hold the same value (NULLs aside). t may be nil.
func (t *Table) UniqueColumn(col string) bool {
	if t == nil {
		return false
	}
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, col) {
		return true
	}
	for _, u := range t.Uniques {
		if slices.Contains(u.Columns, col) {
			return true
		}
	}
	for _, idx := range t.Indexes {
		if idx.Unique && slices.ContainsFunc(idx.Parts, func(p *IndexPart) bool { return p.Column == col }) {
			return true
		}
	}
	return false
}

// KeyedAlone reports whether col by itself is t's primary key, one of its
// unique constraints or one of its unique indexes (a plain column part,
// not an expression; Index.uniqueOn): then no two rows may hold the same
// value in it (NULLs aside), whatever their other columns hold. t may be
// nil.
func (t *Table) KeyedAlone(col string) bool {
	if t == nil {
		return false
	}
	if t.PrimaryKey != nil && slices.Equal(t.PrimaryKey.Columns, []string{col}) {
		return true
	}
	for _, u := range t.Uniques {
		if slices.Equal(u.Columns, []string{col}) {
			return true
		}
	}
	return slices.ContainsFunc(t.Indexes, func(idx *Index) bool { return idx.uniqueOn(col) })
}

// uniqueOn reports a unique index, not partial, on col alone.
func (idx *Index) uniqueOn(col string) bool {
	return idx.Unique && idx.Where == "" && len(idx.Parts) == 1 && idx.Parts[0].Column == col
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Notes returns everything the inspector reported, sorted: the details of
// the unrepresented objects and the warnings.
func (s *Schema) Notes() []string {
	out := make([]string, 0, len(s.Unrepresented)+len(s.Warnings))
	for _, u := range s.Unrepresented {
		out = append(out, u.Detail)
	}
	out = append(out, s.Warnings...)
	slices.Sort(out)
	return out
}
