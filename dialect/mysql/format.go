package mysql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/retortdb/retort/schema"
)

// Format prints s as canonical SQL that the mariadb/mysql client and
// retort's splitter can run as is: one CREATE TABLE per table (keys,
// indexes and checks inline), then the foreign keys as ALTER TABLE (so
// cycles work), routines, views in dependency order, triggers and events.
// Routines, triggers and events sit in DELIMITER blocks. Output is deterministic: tables,
// keys, indexes, checks and routines are sorted by name; columns keep their
// ordinal order; triggers keep their firing order. No DEFINER is printed.
func (d *Dialect) Format(s *schema.Schema) string {
	var b strings.Builder

	tables := append([]*schema.Table(nil), s.Tables...)
	sort.Slice(tables, func(a, c int) bool { return tables[a].Name < tables[c].Name })
	for _, t := range tables {
		formatTable(&b, t)
	}
	first := true
	for _, t := range tables {
		fks := append([]*schema.ForeignKey(nil), t.ForeignKeys...)
		sort.Slice(fks, func(a, c int) bool { return fks[a].Name < fks[c].Name })
		for _, fk := range fks {
			if first {
				b.WriteString("\n")
				first = false
			}
			formatForeignKey(&b, t.Name, fk)
		}
	}

	routines := append([]*schema.Routine(nil), s.Routines...)
	sort.Slice(routines, func(a, c int) bool {
		if routines[a].Name != routines[c].Name {
			return routines[a].Name < routines[c].Name
		}
		return routines[a].Kind < routines[c].Kind
	})
	var bodies []string
	for _, r := range routines {
		bodies = append(bodies, r.Definition)
	}
	writeDelimited(&b, bodies)

	for _, v := range orderViews(s.Views) {
		b.WriteString("\n")
		formatView(&b, v)
	}

	triggers := append([]*schema.Trigger(nil), s.Triggers...)
	// The inspector lists a table's triggers in firing order; keep it.
	sort.SliceStable(triggers, func(a, c int) bool { return triggers[a].Table < triggers[c].Table })
	bodies = bodies[:0]
	for _, t := range triggers {
		bodies = append(bodies, t.Definition)
	}
	writeDelimited(&b, bodies)
	formatEvents(&b, s.Events)

	out := b.String()
	for k := 0; k < len(out); k++ {
		if out[k] >= 0x80 {
			// Names or texts beyond ASCII: make the client send UTF-8.
			return "SET NAMES utf8mb4;\n\n" + out
		}
	}
	return out
}

func formatTable(b *strings.Builder, t *schema.Table) {
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString("CREATE TABLE " + quoteIdentIfNeeded(t.Name) + " (\n")
	var lines []string
	for _, c := range t.Columns {
		lines = append(lines, "  "+formatColumn(c)+columnChecks(t, c.Name))
	}
	if pk := t.PrimaryKey; pk != nil {
		lines = append(lines, "  "+keyDef("PRIMARY KEY", "", pk))
	}
	uniques := append([]*schema.Key(nil), t.Uniques...)
	sort.Slice(uniques, func(a, c int) bool { return uniques[a].Name < uniques[c].Name })
	for _, u := range uniques {
		lines = append(lines, "  "+keyDef("UNIQUE KEY", u.Name, u))
	}
	indexes := append([]*schema.Index(nil), t.Indexes...)
	sort.Slice(indexes, func(a, c int) bool { return indexes[a].Name < indexes[c].Name })
	for _, x := range indexes {
		lines = append(lines, "  "+formatIndex(x))
	}
	checks := append([]*schema.Check(nil), t.Checks...)
	sort.Slice(checks, func(a, c int) bool { return checks[a].Name < checks[c].Name })
	for _, c := range checks {
		if c.Column == "" {
			lines = append(lines, "  "+checkDef(c))
		}
	}
	b.WriteString(strings.Join(lines, ",\n"))
	b.WriteString("\n)")
	o := t.Options
	if o.Engine != "" {
		b.WriteString(" ENGINE=" + o.Engine)
	}
	if o.Charset != "" {
		b.WriteString(" DEFAULT CHARSET=" + o.Charset)
	}
	if o.Collation != "" {
		b.WriteString(" COLLATE=" + o.Collation)
	}
	if o.RowFormat != "" {
		b.WriteString(" ROW_FORMAT=" + o.RowFormat)
	}
	formatTableOptions(b, o)
	if t.Comment != "" {
		b.WriteString(" COMMENT=" + formatLiteral(t.Comment))
	}
	formatPartitioning(b, o.Partitioning)
	b.WriteString(";\n")
}

func formatColumn(c *schema.Column) string {
	var b strings.Builder
	b.WriteString(quoteIdentIfNeeded(c.Name) + " " + c.Type)
	if c.Charset != "" {
		b.WriteString(" CHARACTER SET " + c.Charset)
	}
	if c.Collation != "" {
		b.WriteString(" COLLATE " + c.Collation)
	}
	if c.Generated != "" {
		b.WriteString(" GENERATED ALWAYS AS (" + c.Generated + ")")
		if c.Stored {
			b.WriteString(" STORED")
		} else {
			b.WriteString(" VIRTUAL")
		}
	}
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	} else if c.Generated == "" && strings.HasPrefix(strings.ToLower(c.Type), "timestamp") {
		// Without explicit_defaults_for_timestamp a bare timestamp column
		// is NOT NULL: say NULL.
		b.WriteString(" NULL")
	}
	if c.Default != nil {
		b.WriteString(" DEFAULT " + *c.Default)
	}
	if c.OnUpdate != "" {
		b.WriteString(" ON UPDATE " + c.OnUpdate)
	}
	if c.AutoIncrement {
		b.WriteString(" AUTO_INCREMENT")
	}
	if c.AutoRandom != "" {
		b.WriteString(" " + tidbComment("auto_rand", "AUTO_RANDOM("+c.AutoRandom+")"))
	}
	if c.Comment != "" {
		b.WriteString(" COMMENT " + formatLiteral(c.Comment))
	}
	return b.String()
}

// keyDef prints a primary or unique key for CREATE TABLE or ALTER TABLE
// ... ADD: kw ("PRIMARY KEY" or "UNIQUE KEY"), the name if any, the
// columns (or the definition as the server printed it), TiDB's clustering
// and the comment.
func keyDef(kw, name string, k *schema.Key) string {
	s := kw + " "
	if name != "" {
		s += quoteIdentIfNeeded(name) + " "
	}
	if k.Definition != "" {
		s += k.Definition
	} else {
		s += formatColumns(k.Columns)
	}
	if k.Clustering != "" {
		s += " " + tidbComment("clustered_index", k.Clustering)
	}
	if k.Comment != "" {
		s += " COMMENT " + formatLiteral(k.Comment)
	}
	return s
}

// columnChecks returns " CHECK (...)" for each column-level check of
// column col of t (MariaDB), written in the column's definition as the
// schema wrote it: there MariaDB names it after the column, drops it with
// the column, and keeps it on MODIFY COLUMN only when restated.
func columnChecks(t *schema.Table, col string) string {
	var s string
	for _, c := range t.Checks {
		if c.Column != "" && c.Column == col {
			s += " CHECK (" + c.Expr + ")"
		}
	}
	return s
}

// checkDef prints a check constraint for CREATE TABLE or ALTER TABLE ...
// ADD.
func checkDef(c *schema.Check) string {
	s := ""
	if c.Name != "" {
		s = "CONSTRAINT " + quoteIdentIfNeeded(c.Name) + " "
	}
	return s + "CHECK (" + c.Expr + ")"
}

// formatIndex prints an index as CREATE TABLE lists it.
func formatIndex(x *schema.Index) string {
	return indexKind(x) + "KEY " + indexBody(x)
}

// indexKind returns "FULLTEXT ", "SPATIAL ", "UNIQUE " or "", the word
// before KEY or INDEX.
func indexKind(x *schema.Index) string {
	switch m := strings.ToUpper(x.Method); {
	case m == "FULLTEXT" || m == "SPATIAL":
		return m + " "
	case x.Unique:
		return "UNIQUE "
	}
	return ""
}

// indexBody prints what follows KEY or INDEX in a table's definition:
// the name, the key parts and the options.
func indexBody(x *schema.Index) string {
	return quoteIdentIfNeeded(x.Name) + " " + formatParts(x.Parts) + indexOptions(x)
}

// indexOptions prints an index's USING and COMMENT, with a leading space.
func indexOptions(x *schema.Index) string {
	s := ""
	if m := strings.ToUpper(x.Method); m == "HASH" || m == "BTREE" || m == "RTREE" {
		s += " USING " + m
	}
	if x.Comment != "" {
		s += " COMMENT " + formatLiteral(x.Comment)
	}
	return s
}

func formatColumns(cols []string) string {
	q := make([]string, len(cols))
	for k, c := range cols {
		q[k] = quoteIdentIfNeeded(c)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// formatParts prints index key parts: columns with prefix lengths and
// DESC, or parenthesised expressions.
func formatParts(parts []*schema.IndexPart) string {
	q := make([]string, len(parts))
	for k, p := range parts {
		s := quoteIdentIfNeeded(p.Column)
		if p.Expr != "" {
			s = "(" + p.Expr + ")"
		}
		if p.Length > 0 {
			s += "(" + strconv.Itoa(p.Length) + ")"
		}
		if p.Desc {
			s += " DESC"
		}
		q[k] = s
	}
	return "(" + strings.Join(q, ", ") + ")"
}

func formatForeignKey(b *strings.Builder, table string, fk *schema.ForeignKey) {
	b.WriteString("ALTER TABLE " + quoteIdentIfNeeded(table) + " " + foreignKeyClause(fk) + ";\n")
}

// foreignKeyClause prints ALTER TABLE's ADD [CONSTRAINT name] FOREIGN KEY.
func foreignKeyClause(fk *schema.ForeignKey) string {
	s := "ADD "
	if fk.Name != "" {
		s += "CONSTRAINT " + quoteIdentIfNeeded(fk.Name) + " "
	}
	s += "FOREIGN KEY " + formatColumns(fk.Columns) + " REFERENCES " + qualified(fk.RefSchema, fk.RefTable) + " " + formatColumns(fk.RefColumns)
	if fk.OnDelete != "" {
		s += " ON DELETE " + fk.OnDelete
	}
	if fk.OnUpdate != "" {
		s += " ON UPDATE " + fk.OnUpdate
	}
	return s
}

// qualified prints name, after its schema when it has one. Every name
// Format and Render print goes through quoteIdentIfNeeded: one quoting
// rule for the dialect.
func qualified(schemaName, name string) string {
	if schemaName != "" {
		return quoteIdentIfNeeded(schemaName) + "." + quoteIdentIfNeeded(name)
	}
	return quoteIdentIfNeeded(name)
}

func formatView(b *strings.Builder, v *schema.View) {
	b.WriteString("CREATE ")
	if v.Options != "" {
		b.WriteString(v.Options + " ")
	}
	fmt.Fprintf(b, "VIEW %s AS %s", quoteIdentIfNeeded(v.Name), v.Definition)
	if v.CheckOption != "" {
		b.WriteString(" WITH " + v.CheckOption + " CHECK OPTION")
	}
	b.WriteString(";\n")
}

// orderViews sorts views by name, then moves each view after the views it
// reads. A view reads another when the other's quoted name occurs in its
// definition (the server prints every identifier quoted); a false match
// only adds an ordering constraint, and a cycle falls back to name order.
func orderViews(views []*schema.View) []*schema.View {
	vs := append([]*schema.View(nil), views...)
	sort.Slice(vs, func(a, c int) bool { return vs[a].Name < vs[c].Name })
	deps := make(map[string][]string, len(vs))
	for _, v := range vs {
		for _, w := range vs {
			if w != v && strings.Contains(v.Definition, backquote(w.Name)) {
				deps[v.Name] = append(deps[v.Name], w.Name)
			}
		}
	}
	byName := make(map[string]*schema.View, len(vs))
	for _, v := range vs {
		byName[v.Name] = v
	}
	out := make([]*schema.View, 0, len(vs))
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(v *schema.View)
	visit = func(v *schema.View) {
		if state[v.Name] != 0 {
			return // done, or a cycle: leave it where name order puts it
		}
		state[v.Name] = 1
		for _, d := range deps[v.Name] {
			visit(byName[d])
		}
		state[v.Name] = 2
		out = append(out, v)
	}
	for _, v := range vs {
		visit(v)
	}
	return out
}

// writeDelimited writes statements that contain semicolons inside a
// DELIMITER block, with a delimiter that none of them contains.
func writeDelimited(b *strings.Builder, stmts []string) {
	if len(stmts) == 0 {
		return
	}
	delim := ";;"
	for _, cand := range []string{";;", "$$", "//", "@@", "~~"} {
		ok := true
		for _, s := range stmts {
			if strings.Contains(s, cand) {
				ok = false
				break
			}
		}
		if ok {
			delim = cand
			break
		}
	}
	b.WriteString("\nDELIMITER " + delim + "\n")
	for k, s := range stmts {
		if k > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s + delim + "\n")
	}
	b.WriteString("DELIMITER ;\n")
}

// backquote quotes name with backticks, always.
func backquote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// quoteIdentIfNeeded quotes name only when it cannot be written bare:
// anything but lower-case ASCII letters, digits and underscores (not first
// a digit), and reserved words. Mixed case is quoted so that the name
// reads the same whatever lower_case_table_names says.
func quoteIdentIfNeeded(name string) string {
	if name == "" {
		return backquote(name)
	}
	for k := 0; k < len(name); k++ {
		c := name[k]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && k > 0:
		default:
			return backquote(name)
		}
	}
	if isReserved(name) {
		return backquote(name)
	}
	return name
}

// formatLiteral quotes s as a string literal: quotes doubled, backslashes
// and NUL escaped. (It assumes backslash escapes are on, the server
// default; under NO_BACKSLASH_ESCAPES a comment with a backslash would
// read back with the backslash doubled.)
func formatLiteral(s string) string {
	if !strings.ContainsAny(s, "\\'\x00") {
		return "'" + s + "'"
	}
	r := strings.NewReplacer("\\", "\\\\", "'", "''", "\x00", "\\0")
	return "'" + r.Replace(s) + "'"
}
