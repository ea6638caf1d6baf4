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
	fmt.Fprintf(b, "CREATE TABLE %s (\n", quoteIdentIfNeeded(t.Name))
	var lines []string
	for _, c := range t.Columns {
		lines = append(lines, "  "+formatColumn(c))
	}
	if pk := t.PrimaryKey; pk != nil {
		l := "  PRIMARY KEY "
		if pk.Definition != "" {
			l += pk.Definition
		} else {
			l += formatColumns(pk.Columns)
		}
		if pk.Comment != "" {
			l += " COMMENT " + formatLiteral(pk.Comment)
		}
		lines = append(lines, l)
	}
	uniques := append([]*schema.Key(nil), t.Uniques...)
	sort.Slice(uniques, func(a, c int) bool { return uniques[a].Name < uniques[c].Name })
	for _, u := range uniques {
		l := "  UNIQUE KEY " + quoteIdentIfNeeded(u.Name) + " "
		if u.Definition != "" {
			l += u.Definition
		} else {
			l += formatColumns(u.Columns)
		}
		if u.Comment != "" {
			l += " COMMENT " + formatLiteral(u.Comment)
		}
		lines = append(lines, l)
	}
	indexes := append([]*schema.Index(nil), t.Indexes...)
	sort.Slice(indexes, func(a, c int) bool { return indexes[a].Name < indexes[c].Name })
	for _, x := range indexes {
		lines = append(lines, "  "+formatIndex(x))
	}
	checks := append([]*schema.Check(nil), t.Checks...)
	sort.Slice(checks, func(a, c int) bool { return checks[a].Name < checks[c].Name })
	for _, c := range checks {
		l := "  "
		if c.Name != "" {
			l += "CONSTRAINT " + quoteIdentIfNeeded(c.Name) + " "
		}
		lines = append(lines, l+"CHECK ("+c.Expr+")")
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
	if c.Comment != "" {
		b.WriteString(" COMMENT " + formatLiteral(c.Comment))
	}
	return b.String()
}

func formatIndex(x *schema.Index) string {
	var b strings.Builder
	switch {
	case strings.EqualFold(x.Method, "FULLTEXT"):
		b.WriteString("FULLTEXT KEY ")
	case strings.EqualFold(x.Method, "SPATIAL"):
		b.WriteString("SPATIAL KEY ")
	case x.Unique:
		b.WriteString("UNIQUE KEY ")
	default:
		b.WriteString("KEY ")
	}
	b.WriteString(quoteIdentIfNeeded(x.Name) + " " + formatParts(x.Parts))
	if m := strings.ToUpper(x.Method); m == "HASH" || m == "BTREE" || m == "RTREE" {
		b.WriteString(" USING " + m)
	}
	if x.Comment != "" {
		b.WriteString(" COMMENT " + formatLiteral(x.Comment))
	}
	return b.String()
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
	ref := quoteIdentIfNeeded(fk.RefTable)
	if fk.RefSchema != "" {
		ref = quoteIdentIfNeeded(fk.RefSchema) + "." + ref
	}
	fmt.Fprintf(b, "ALTER TABLE %s ADD ", quoteIdentIfNeeded(table))
	if fk.Name != "" {
		b.WriteString("CONSTRAINT " + quoteIdentIfNeeded(fk.Name) + " ")
	}
	fmt.Fprintf(b, "FOREIGN KEY %s REFERENCES %s %s", formatColumns(fk.Columns), ref, formatColumns(fk.RefColumns))
	if fk.OnDelete != "" {
		b.WriteString(" ON DELETE " + fk.OnDelete)
	}
	if fk.OnUpdate != "" {
		b.WriteString(" ON UPDATE " + fk.OnUpdate)
	}
	b.WriteString(";\n")
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
