package postgres

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/schema"
)

// reservedWords are the PostgreSQL 15 keywords that are not unreserved
// (pg_get_keywords() catcode R, C or T): as bare identifiers they are
// either an error or mean something else, so Format quotes them.
var reservedWords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric authorization
between bigint binary bit boolean both case cast char character check coalesce collate collation column
concurrently constraint create cross current_catalog current_date current_role current_schema current_time
current_timestamp current_user dec decimal default deferrable desc distinct do else end except exists
extract false fetch float for foreign freeze from full grant greatest group grouping having ilike in
initially inner inout int integer intersect interval into is isnull join lateral leading least left like
limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric
offset on only or order out outer overlaps overlay placing position precision primary real references
returning right row select session_user setof similar smallint some substring symmetric table tablesample
then time timestamp to trailing treat trim true union unique user using values varchar variadic verbose
when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse
xmlpi xmlroot xmlserialize xmltable`) {
		m[w] = true
	}
	return m
})

// quoteIdentIfNeeded returns name as a PostgreSQL identifier, quoted only
// when it has to be: a name that is not all lower-case ASCII letters,
// digits (not leading) and '_', or that is a reserved word, is
// double-quoted with embedded quotes doubled. These are the server's own
// rules (quote_ident), so names print as format_type and pg_get_expr
// print them.
func quoteIdentIfNeeded(name string) string {
	safe := name != "" && !reservedWords()[name]
	for k := 0; safe && k < len(name); k++ {
		c := name[k]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && k > 0:
		default:
			safe = false
		}
	}
	if safe {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// qualifiedName returns schema.name as SQL, leaving out the public schema.
func qualifiedName(schemaName, name string) string {
	if schemaName == "" || schemaName == "public" {
		return quoteIdentIfNeeded(name)
	}
	return quoteIdentIfNeeded(schemaName) + "." + quoteIdentIfNeeded(name)
}

// quoteLiteralSQL returns s as a standard-conforming SQL string literal.
// A text with a backslash is written as an E'...' string, which means the
// same whatever standard_conforming_strings is.
func quoteLiteralSQL(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		q = "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// formatPreamble is printed before every schema: function bodies are not
// checked, so routines can precede the tables they read.
const formatPreamble = "SET check_function_bodies = false;\nSET client_min_messages = warning;\n"

// Format prints s as canonical SQL: deterministic (the same schema always
// gives the same bytes) and runnable as is on an empty database, whose
// inspection then formats to the same text. Sections, each after a blank
// line, come in the order creation needs: schemas, extensions, types,
// routines, sequences, tables, partitions and sequence ownership,
// indexes, clustering, foreign keys, views, triggers and rules, comments.
func (d *Dialect) Format(s *schema.Schema) string {
	var b strings.Builder
	for _, w := range s.Notes() {
		fmt.Fprintf(&b, "-- warning: %s\n", strings.ReplaceAll(w, "\n", " "))
	}
	b.WriteString(formatPreamble)
	writeNamespaces(&b, s)
	writeExtensions(&b, s)

	// Types: enums, then the rest in dependency order.
	types := sortedTypes(s.Types)
	section(&b, len(types) > 0)
	early := writeTypes(&b, types, s)
	section(&b, len(s.Routines) > len(early))
	writeRoutines(&b, s, early)

	seqs := sortedSequences(s.Sequences)
	writeSequences(&b, seqs)
	tables := sortedTables(s.Tables)
	byName := tablesByName(s.Tables)
	writeTables(&b, tables, byName)
	writeAttachments(&b, tables, seqs)
	writeIndexes(&b, s.Tables, byName)
	writeClusters(&b, s.Tables)

	// Foreign keys (and NOT VALID checks) after every table and index: a
	// foreign key may reference a unique index, and tables may reference
	// each other in a cycle.
	cons := deferredConstraints(s)
	section(&b, cons != "")
	b.WriteString(cons)

	section(&b, len(s.Views) > 0 || len(s.Routines) > 0)
	writeViews(&b, s)
	section(&b, len(s.Triggers) > 0 || len(s.Rules) > 0)
	writeTriggersAndRules(&b, s)
	writeSecurity(&b, s)
	writeGrants(&b, s)

	var cm strings.Builder
	writeComments(&cm, s)
	section(&b, cm.Len() > 0)
	b.WriteString(cm.String())
	return b.String()
}

// section starts a section of Format's output, when it has anything in
// it, with a blank line.
func section(b *strings.Builder, present bool) {
	if present {
		b.WriteString("\n")
	}
}

// writeNamespaces prints CREATE SCHEMA for every schema but public, which
// exists in every new database (it is listed only for its comment).
func writeNamespaces(b *strings.Builder, s *schema.Schema) {
	var nss []*schema.Namespace
	for _, ns := range s.Namespaces {
		if ns.Name != "public" {
			nss = append(nss, ns)
		}
	}
	sort.Slice(nss, func(a, c int) bool { return nss[a].Name < nss[c].Name })
	section(b, len(nss) > 0)
	for _, ns := range nss {
		fmt.Fprintf(b, "CREATE SCHEMA %s;\n", quoteIdentIfNeeded(ns.Name))
	}
}

// writeExtensions prints the extensions by name. CASCADE creates an
// extension's requirements whatever the order; IF NOT EXISTS then skips
// them when their turn comes.
func writeExtensions(b *strings.Builder, s *schema.Schema) {
	exts := append([]*schema.Extension{}, s.Extensions...)
	sort.Slice(exts, func(a, c int) bool { return exts[a].Name < exts[c].Name })
	section(b, len(exts) > 0)
	for _, e := range exts {
		fmt.Fprintf(b, "CREATE EXTENSION IF NOT EXISTS %s", quoteIdentIfNeeded(e.Name))
		if e.Schema != "" {
			fmt.Fprintf(b, " WITH SCHEMA %s", quoteIdentIfNeeded(e.Schema))
		}
		b.WriteString(" CASCADE;\n")
	}
}

// sortedSequences returns the sequences by qualified name.
func sortedSequences(in []*schema.Sequence) []*schema.Sequence {
	seqs := append([]*schema.Sequence{}, in...)
	sort.Slice(seqs, func(a, c int) bool {
		return lessQualified(seqs[a].Schema, seqs[a].Name, seqs[c].Schema, seqs[c].Name)
	})
	return seqs
}

// writeSequences prints CREATE SEQUENCE for each sequence; ownership
// comes after the tables (writeAttachments).
func writeSequences(b *strings.Builder, seqs []*schema.Sequence) {
	section(b, len(seqs) > 0)
	for _, q := range seqs {
		fmt.Fprintf(b, "CREATE SEQUENCE %s", qualifiedName(q.Schema, q.Name))
		if q.Type != "" && q.Type != "bigint" {
			fmt.Fprintf(b, " AS %s", q.Type)
		}
		if o := seqOptions(q.Type, q.Start, q.Increment, q.Min, q.Max, q.Cache, q.Cycle); o != "" {
			b.WriteString(" " + o)
		}
		b.WriteString(";\n")
	}
}

// tablesByName indexes tables by qualified name.
func tablesByName(tables []*schema.Table) map[string]*schema.Table {
	byName := map[string]*schema.Table{}
	for _, t := range tables {
		byName[qualifiedName(t.Schema, t.Name)] = t
	}
	return byName
}

// writeTables prints the tables (sorted: parents before inheritance
// children), each in its own section, then the ALTERs of inherited
// columns.
func writeTables(b *strings.Builder, tables []*schema.Table, byName map[string]*schema.Table) {
	var after strings.Builder // ALTERs of inherited columns
	for _, t := range tables {
		section(b, true)
		writeTable(b, &after, t, byName)
	}
	section(b, after.Len() > 0)
	b.WriteString(after.String())
}

// writeAttachments prints the partitions' ATTACH PARTITION and the
// sequences' OWNED BY, which need the tables.
func writeAttachments(b *strings.Builder, tables []*schema.Table, seqs []*schema.Sequence) {
	var parts []*schema.Table
	for _, t := range tables {
		if t.Options.PartitionOf != "" {
			parts = append(parts, t)
		}
	}
	section(b, len(parts) > 0)
	for _, t := range parts {
		fmt.Fprintf(b, "ALTER TABLE %s ATTACH PARTITION %s %s;\n", t.Options.PartitionOf, qualifiedName(t.Schema, t.Name), t.Options.PartitionBound)
	}
	owned := false
	for _, q := range seqs {
		if q.OwnedBy != "" {
			section(b, !owned)
			owned = true
			fmt.Fprintf(b, "ALTER SEQUENCE %s OWNED BY %s;\n", qualifiedName(q.Schema, q.Name), q.OwnedBy)
		}
	}
}

// deferredConstraints is the ALTERs that add foreign keys and NOT VALID
// checks (of tables, then of domains), printed after every table and
// index.
func deferredConstraints(s *schema.Schema) string {
	var cons strings.Builder
	for _, t := range sortedByName(s.Tables) {
		tn := qualifiedName(t.Schema, t.Name)
		for _, c := range sortedChecks(t.Checks) {
			if c.NotValid {
				fmt.Fprintf(&cons, "ALTER TABLE %s ADD CONSTRAINT %s %s;\n", tn, quoteIdentIfNeeded(c.Name), checkClause(c))
			}
		}
		fks := append([]*schema.ForeignKey{}, t.ForeignKeys...)
		sort.Slice(fks, func(a, c int) bool { return fks[a].Name < fks[c].Name })
		for _, fk := range fks {
			fmt.Fprintf(&cons, "ALTER TABLE %s ADD CONSTRAINT %s %s;\n", tn, quoteIdentIfNeeded(fk.Name), fkClause(fk))
		}
	}
	for _, t := range sortedTypesByName(s.Types) {
		for _, c := range sortedChecks(t.Checks) {
			if c.NotValid {
				fmt.Fprintf(&cons, "ALTER DOMAIN %s ADD CONSTRAINT %s %s;\n", qualifiedName(t.Schema, t.Name), quoteIdentIfNeeded(c.Name), checkClause(c))
			}
		}
	}
	return cons.String()
}

// tableIndex is an index with its table and the table's partition depth.
type tableIndex struct {
	t     *schema.Table
	x     *schema.Index
	depth int
}

// partitionDepth is how many PARTITION OF links lead from t to its root
// (bounded, in case of a cycle).
func partitionDepth(t *schema.Table, byName map[string]*schema.Table) int {
	n := 0
	for p := t; p != nil && p.Options.PartitionOf != "" && n < 100; p = byName[p.Options.PartitionOf] {
		n++
	}
	return n
}

// writeIndexes prints the indexes: those of partitions before those of
// their partitioned parents, which then attach them instead of creating
// new ones.
func writeIndexes(b *strings.Builder, tables []*schema.Table, byName map[string]*schema.Table) {
	var idx []tableIndex
	for _, t := range tables {
		dp := partitionDepth(t, byName)
		for _, x := range t.Indexes {
			idx = append(idx, tableIndex{t, x, dp})
		}
	}
	sort.Slice(idx, func(a, c int) bool {
		if idx[a].depth != idx[c].depth {
			return idx[a].depth > idx[c].depth
		}
		ta, tc := idx[a].t, idx[c].t
		if ta.Schema != tc.Schema || ta.Name != tc.Name {
			return lessQualified(ta.Schema, ta.Name, tc.Schema, tc.Name)
		}
		return idx[a].x.Name < idx[c].x.Name
	})
	section(b, len(idx) > 0)
	for _, ti := range idx {
		b.WriteString(indexSQL(ti.t, ti.x) + ";\n")
	}
}

// writeClusters prints CLUSTER ON for the tables that have one.
func writeClusters(b *strings.Builder, tables []*schema.Table) {
	clustered := false
	for _, t := range sortedByName(tables) {
		if t.Options.ClusterOn != "" {
			section(b, !clustered)
			clustered = true
			fmt.Fprintf(b, "ALTER TABLE %s CLUSTER ON %s;\n", qualifiedName(t.Schema, t.Name), quoteIdentIfNeeded(t.Options.ClusterOn))
		}
	}
}

// writeType prints one user-defined type.
func writeType(b *strings.Builder, t *schema.Type) {
	name := qualifiedName(t.Schema, t.Name)
	switch t.Kind {
	case schema.EnumType:
		vals := make([]string, len(t.Values))
		for k, v := range t.Values {
			vals[k] = quoteLiteralSQL(v)
		}
		fmt.Fprintf(b, "CREATE TYPE %s AS ENUM (%s);\n", name, strings.Join(vals, ", "))
	case schema.DomainType:
		fmt.Fprintf(b, "CREATE DOMAIN %s AS %s", name, t.Base)
		if t.Collation != "" {
			fmt.Fprintf(b, " COLLATE %s", t.Collation)
		}
		if t.Default != nil {
			fmt.Fprintf(b, " DEFAULT %s", *t.Default)
		}
		if t.NotNull {
			b.WriteString(" NOT NULL")
		}
		for _, c := range sortedChecks(t.Checks) {
			if !c.NotValid {
				fmt.Fprintf(b, "\n    CONSTRAINT %s %s", quoteIdentIfNeeded(c.Name), checkClause(c))
			}
		}
		b.WriteString(";\n")
	case schema.CompositeType:
		fmt.Fprintf(b, "CREATE TYPE %s AS (", name)
		for k, a := range t.Attributes {
			if k > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(b, "\n    %s %s", quoteIdentIfNeeded(a.Name), a.Type)
			if a.Collation != "" {
				fmt.Fprintf(b, " COLLATE %s", a.Collation)
			}
		}
		b.WriteString("\n);\n")
	case schema.RangeType:
		fmt.Fprintf(b, "CREATE TYPE %s AS RANGE (SUBTYPE = %s);\n", name, t.Base)
	}
}

// checkClause prints a check constraint without its name.
func checkClause(c *schema.Check) string {
	s := "CHECK (" + c.Expr + ")"
	if wrappedInParens(c.Expr) {
		s = "CHECK " + c.Expr
	}
	if c.NoInherit {
		s += " NO INHERIT"
	}
	if c.NotValid {
		s += " NOT VALID"
	}
	return s
}

// wrappedInParens reports whether expr is one parenthesised expression,
// "(a > 0)" but not "(a > 0) AND (b > 0)". Parentheses inside string
// literals and quoted identifiers do not count.
func wrappedInParens(expr string) bool {
	if len(expr) < 2 || expr[0] != '(' || expr[len(expr)-1] != ')' {
		return false
	}
	depth := 0
	var quote byte
	for k := 0; k < len(expr); k++ {
		c := expr[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote closes and reopens: same effect
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 && k != len(expr)-1 {
				return false
			}
		}
	}
	return depth == 0 && quote == 0
}

// keyClause prints a primary key or unique constraint without its name.
func keyClause(kind string, k *schema.Key) string {
	if k.Definition != "" {
		return k.Definition
	}
	s := kind
	if k.NullsNotDistinct {
		s += " NULLS NOT DISTINCT"
	}
	s += " (" + identList(k.Columns) + ")"
	if len(k.Include) > 0 {
		s += " INCLUDE (" + identList(k.Include) + ")"
	}
	s += sqlx.DeferClause(k.Deferrable, k.InitiallyDeferred)
	return s
}

// fkClause prints a foreign key without its name.
func fkClause(fk *schema.ForeignKey) string {
	if fk.Definition != "" {
		return fk.Definition
	}
	s := fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s(%s)", identList(fk.Columns), qualifiedName(fk.RefSchema, fk.RefTable), identList(fk.RefColumns))
	if fk.Match != "" {
		s += " MATCH " + fk.Match
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	s += sqlx.DeferClause(fk.Deferrable, fk.InitiallyDeferred)
	if fk.NotValid {
		s += " NOT VALID"
	}
	return s
}

// indexSQL prints the CREATE INDEX statement of x on t. The server's
// definition is used where there is one; "ON ONLY" (an index of a
// partitioned table) becomes "ON", so that the index reaches the
// partitions and attaches their matching indexes.
func indexSQL(t *schema.Table, x *schema.Index) string {
	if x.Definition != "" {
		return strings.Replace(x.Definition, " ON ONLY ", " ON ", 1)
	}
	var b strings.Builder
	b.WriteString("CREATE ")
	if x.Unique {
		b.WriteString("UNIQUE ")
	}
	// Spelled as pg_get_indexdef spells it: the table always qualified,
	// the method always named.
	method := x.Method
	if method == "" {
		method = "btree"
	}
	fmt.Fprintf(&b, "INDEX %s ON %s.%s USING %s", quoteIdentIfNeeded(x.Name), quoteIdentIfNeeded(cmpOr(t.Schema, "public")), quoteIdentIfNeeded(t.Name), method)
	parts := make([]string, len(x.Parts))
	for k, p := range x.Parts {
		s := quoteIdentIfNeeded(p.Column)
		if p.Column == "" {
			s = "(" + p.Expr + ")"
			if wrappedInParens(p.Expr) {
				s = p.Expr
			}
		}
		if p.Collation != "" {
			s += " COLLATE " + p.Collation
		}
		if p.OpClass != "" {
			s += " " + p.OpClass
		}
		if p.Desc {
			s += " DESC"
		}
		if p.Nulls != "" {
			s += " NULLS " + p.Nulls
		}
		parts[k] = s
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	if len(x.Include) > 0 {
		fmt.Fprintf(&b, " INCLUDE (%s)", identList(x.Include))
	}
	if x.Where != "" {
		fmt.Fprintf(&b, " WHERE %s", x.Where)
	}
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func identList(names []string) string { return sqlx.IdentList(quoteIdentIfNeeded, names) }

// columnSQL prints a column definition.
func columnSQL(c *schema.Column) string {
	var b strings.Builder
	b.WriteString(quoteIdentIfNeeded(c.Name) + " " + c.Type)
	if c.Collation != "" {
		b.WriteString(" COLLATE " + c.Collation)
	}
	switch {
	case c.Generated != "":
		b.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ")")
		if c.Stored {
			b.WriteString(" STORED")
		}
	case c.Identity != "":
		b.WriteString(" GENERATED " + c.Identity + " AS IDENTITY")
		if c.IdentityOptions != "" {
			b.WriteString(" (" + c.IdentityOptions + ")")
		}
	}
	if c.Default != nil && c.Generated == "" {
		b.WriteString(" DEFAULT " + *c.Default)
	}
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	}
	return b.String()
}

// writeTable prints CREATE TABLE for t. Columns that an inheritance child
// only receives from a parent (Inherited) are not repeated; where the
// child's default or NOT NULL differs from the parent's, an ALTER TABLE
// goes to after. A column the child declares too is printed, and the
// server merges it with the inherited one.
func writeTable(b, after *strings.Builder, t *schema.Table, byName map[string]*schema.Table) {
	name := qualifiedName(t.Schema, t.Name)
	b.WriteString("CREATE ")
	if t.Options.Unlogged {
		b.WriteString("UNLOGGED ")
	}
	fmt.Fprintf(b, "TABLE %s (", name)
	var lines []string
	for _, c := range t.Columns {
		if pc := parentColumn(t, c.Name, byName); pc != nil && c.Inherited {
			switch {
			case c.Default != nil && (pc.Default == nil || *pc.Default != *c.Default):
				fmt.Fprintf(after, "ALTER TABLE ONLY %s ALTER COLUMN %s SET DEFAULT %s;\n", name, quoteIdentIfNeeded(c.Name), *c.Default)
			case c.Default == nil && pc.Default != nil:
				fmt.Fprintf(after, "ALTER TABLE ONLY %s ALTER COLUMN %s DROP DEFAULT;\n", name, quoteIdentIfNeeded(c.Name))
			}
			if !c.Nullable && pc.Nullable {
				fmt.Fprintf(after, "ALTER TABLE ONLY %s ALTER COLUMN %s SET NOT NULL;\n", name, quoteIdentIfNeeded(c.Name))
			}
			continue
		}
		lines = append(lines, columnSQL(c))
	}
	if k := t.PrimaryKey; k != nil {
		lines = append(lines, "CONSTRAINT "+quoteIdentIfNeeded(k.Name)+" "+keyClause("PRIMARY KEY", k))
	}
	uniques := append([]*schema.Key{}, t.Uniques...)
	sort.Slice(uniques, func(a, c int) bool { return uniques[a].Name < uniques[c].Name })
	for _, k := range uniques {
		lines = append(lines, "CONSTRAINT "+quoteIdentIfNeeded(k.Name)+" "+keyClause("UNIQUE", k))
	}
	for _, c := range sortedChecks(t.Checks) {
		if !c.NotValid {
			lines = append(lines, "CONSTRAINT "+quoteIdentIfNeeded(c.Name)+" "+checkClause(c))
		}
	}
	for k, l := range lines {
		if k > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    " + l)
	}
	b.WriteString("\n)")
	if len(t.Options.Inherits) > 0 {
		fmt.Fprintf(b, "\nINHERITS (%s)", strings.Join(t.Options.Inherits, ", "))
	}
	if t.Options.PartitionBy != "" {
		fmt.Fprintf(b, "\nPARTITION BY %s", t.Options.PartitionBy)
	}
	b.WriteString(";\n")
}

// parentColumn returns the column an inheritance parent of t (or one of
// its ancestors) has under name, or nil.
func parentColumn(t *schema.Table, name string, byName map[string]*schema.Table) *schema.Column {
	for _, p := range t.Options.Inherits {
		pt := byName[p]
		if pt == nil {
			continue
		}
		if c := pt.Column(name); c != nil {
			return c
		}
	}
	return nil
}

func sortedChecks(cs []*schema.Check) []*schema.Check {
	out := append([]*schema.Check{}, cs...)
	sort.Slice(out, func(a, c int) bool { return out[a].Name < out[c].Name })
	return out
}

func sortedByName(ts []*schema.Table) []*schema.Table {
	out := append([]*schema.Table{}, ts...)
	sort.Slice(out, func(a, c int) bool {
		return lessQualified(out[a].Schema, out[a].Name, out[c].Schema, out[c].Name)
	})
	return out
}

func sortedTypesByName(ts []*schema.Type) []*schema.Type {
	out := append([]*schema.Type{}, ts...)
	sort.Slice(out, func(a, c int) bool {
		return lessQualified(out[a].Schema, out[a].Name, out[c].Schema, out[c].Name)
	})
	return out
}

// sortedTables orders tables by name, moving each inheritance child after
// its parents.
func sortedTables(ts []*schema.Table) []*schema.Table {
	sorted := sortedByName(ts)
	names := make([]string, len(sorted))
	for k, t := range sorted {
		names[k] = qualifiedName(t.Schema, t.Name)
	}
	order := topoOrder(names, func(k int) []string { return sorted[k].Options.Inherits })
	out := make([]*schema.Table, len(order))
	for k, o := range order {
		out[k] = sorted[o]
	}
	return out
}

// sortedTypes orders types: enums by name first, then the other types by
// name with each one after the types it is built from.
func sortedTypes(ts []*schema.Type) []*schema.Type {
	sorted := sortedTypesByName(ts)
	var enums, rest []*schema.Type
	for _, t := range sorted {
		if t.Kind == schema.EnumType {
			enums = append(enums, t)
		} else {
			rest = append(rest, t)
		}
	}
	names := make([]string, len(rest))
	for k, t := range rest {
		names[k] = qualifiedName(t.Schema, t.Name)
	}
	order := topoOrder(names, func(k int) []string {
		t := rest[k]
		deps := []string{baseTypeName(t.Base)}
		for _, a := range t.Attributes {
			deps = append(deps, baseTypeName(a.Type))
		}
		return deps
	})
	out := enums
	for _, o := range order {
		out = append(out, rest[o])
	}
	return out
}

// writeTypes prints the types in order, each after the routines its
// CHECK, default or definition calls (Type.DependsOn, from pg_depend): a
// domain whose CHECK calls a function cannot be created before the
// function. It returns the routines it printed early, which
// writeRoutines then leaves out.
func writeTypes(b *strings.Builder, types []*schema.Type, s *schema.Schema) map[*schema.Routine]bool {
	deferred := deferredRoutines(s)
	routines := map[string]*schema.Routine{}
	for _, r := range s.Routines {
		if !deferred[r] {
			routines[routineDesignation(r.Kind, r.Schema, r.Name, r.Signature)] = r
		}
	}
	early := map[*schema.Routine]bool{}
	for _, t := range types {
		for _, dep := range t.DependsOn {
			if r := routines[dep]; r != nil && !early[r] {
				early[r] = true
				writeRoutine(b, r)
			}
		}
		writeType(b, t)
	}
	return early
}

// baseTypeName strips array brackets and a type modifier from a type as
// format_type prints it: "public.foo(10)[]" gives "public.foo".
func baseTypeName(typ string) string {
	typ = strings.TrimSuffix(strings.TrimSpace(typ), "[]")
	for strings.HasSuffix(typ, "[]") {
		typ = strings.TrimSuffix(typ, "[]")
	}
	if strings.HasSuffix(typ, ")") && !strings.HasSuffix(typ, `")`) {
		if k := strings.LastIndex(typ, "("); k > 0 {
			typ = typ[:k]
		}
	}
	return strings.TrimPrefix(typ, "public.")
}

// topoOrder returns the indexes of names so that every name comes after
// the names deps(k) lists among them; otherwise the given order is kept.
// Unknown dependencies and cycles are ignored.
func topoOrder(names []string, deps func(k int) []string) []int {
	index := map[string]int{}
	for k, n := range names {
		index[n] = k
	}
	state := make([]int, len(names)) // 0 new, 1 visiting, 2 done
	var out []int
	var visit func(k int)
	visit = func(k int) {
		if state[k] != 0 {
			return
		}
		state[k] = 1
		for _, d := range deps(k) {
			if j, ok := index[d]; ok && j != k {
				visit(j)
			}
		}
		state[k] = 2
		out = append(out, k)
	}
	for k := range names {
		visit(k)
	}
	return out
}

// writeComments prints COMMENT ON for every object of this file's part
// that has one, and the generic Schema.Comments.
func writeComments(b *strings.Builder, s *schema.Schema) {
	com := func(obj, text string) {
		if text != "" {
			fmt.Fprintf(b, "COMMENT ON %s IS %s;\n", obj, quoteLiteralSQL(text))
		}
	}
	nss := append([]*schema.Namespace{}, s.Namespaces...)
	sort.Slice(nss, func(a, c int) bool { return nss[a].Name < nss[c].Name })
	for _, ns := range nss {
		com("SCHEMA "+quoteIdentIfNeeded(ns.Name), ns.Comment)
	}
	exts := append([]*schema.Extension{}, s.Extensions...)
	sort.Slice(exts, func(a, c int) bool { return exts[a].Name < exts[c].Name })
	for _, e := range exts {
		com("EXTENSION "+quoteIdentIfNeeded(e.Name), e.Comment)
	}
	for _, t := range sortedTypesByName(s.Types) {
		name := qualifiedName(t.Schema, t.Name)
		if t.Kind == schema.DomainType {
			com("DOMAIN "+name, t.Comment)
			for _, c := range sortedChecks(t.Checks) {
				com("CONSTRAINT "+quoteIdentIfNeeded(c.Name)+" ON DOMAIN "+name, c.Comment)
			}
		} else {
			com("TYPE "+name, t.Comment)
		}
		for _, a := range t.Attributes {
			com("COLUMN "+name+"."+quoteIdentIfNeeded(a.Name), a.Comment)
		}
	}
	seqs := append([]*schema.Sequence{}, s.Sequences...)
	sort.Slice(seqs, func(a, c int) bool {
		return lessQualified(seqs[a].Schema, seqs[a].Name, seqs[c].Schema, seqs[c].Name)
	})
	for _, q := range seqs {
		com("SEQUENCE "+qualifiedName(q.Schema, q.Name), q.Comment)
	}
	for _, t := range sortedByName(s.Tables) {
		name := qualifiedName(t.Schema, t.Name)
		com("TABLE "+name, t.Comment)
		for _, c := range t.Columns {
			com("COLUMN "+name+"."+quoteIdentIfNeeded(c.Name), c.Comment)
		}
		on := func(cname, text string) { com("CONSTRAINT "+quoteIdentIfNeeded(cname)+" ON "+name, text) }
		if t.PrimaryKey != nil {
			on(t.PrimaryKey.Name, t.PrimaryKey.Comment)
		}
		uniques := append([]*schema.Key{}, t.Uniques...)
		sort.Slice(uniques, func(a, c int) bool { return uniques[a].Name < uniques[c].Name })
		for _, k := range uniques {
			on(k.Name, k.Comment)
		}
		for _, c := range sortedChecks(t.Checks) {
			on(c.Name, c.Comment)
		}
		fks := append([]*schema.ForeignKey{}, t.ForeignKeys...)
		sort.Slice(fks, func(a, c int) bool { return fks[a].Name < fks[c].Name })
		for _, fk := range fks {
			on(fk.Name, fk.Comment)
		}
		xs := append([]*schema.Index{}, t.Indexes...)
		sort.Slice(xs, func(a, c int) bool { return xs[a].Name < xs[c].Name })
		for _, x := range xs {
			com("INDEX "+qualifiedName(t.Schema, x.Name), x.Comment)
		}
	}
	cs := append([]*schema.Comment{}, s.Comments...)
	sort.Slice(cs, func(a, c int) bool { return cs[a].Object < cs[c].Object })
	for _, c := range cs {
		com(c.Object, c.Text)
	}
}
