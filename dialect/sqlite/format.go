package sqlite

import (
	"sort"
	"strings"

	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/schema"
)

// Format prints s as canonical SQLite SQL that sqlite3 and retort can run
// as is: tables in name order (SQLite accepts foreign keys that refer to
// tables created later), then indexes, views in dependency order and
// triggers. Each statement ends with ";" and statements are separated by a
// blank line. Identifiers are quoted only where SQLite needs it.
//
// Foreign keys, unique and check constraints are printed as table
// constraints; an AUTOINCREMENT primary key is printed on its column, as
// SQLite requires.
func (d *Dialect) Format(s *schema.Schema) string {
	var stmts []string
	tables := append([]*schema.Table(nil), s.Tables...)
	sort.SliceStable(tables, func(i, j int) bool { return tables[i].Name < tables[j].Name })
	for _, t := range tables {
		stmts = append(stmts, formatTable(t))
	}
	for _, t := range tables {
		idxs := append([]*schema.Index(nil), t.Indexes...)
		sort.SliceStable(idxs, func(i, j int) bool { return idxs[i].Name < idxs[j].Name })
		for _, idx := range idxs {
			stmts = append(stmts, formatIndex(t.Name, idx))
		}
	}
	for _, v := range viewOrder(s.Views) {
		stmts = append(stmts, formatView(v))
	}
	trs := append([]*schema.Trigger(nil), s.Triggers...)
	sort.SliceStable(trs, func(i, j int) bool { return trs[i].Name < trs[j].Name })
	for _, tr := range trs {
		stmts = append(stmts, tr.Definition)
	}
	if len(stmts) == 0 {
		return ""
	}
	return strings.Join(stmts, ";\n\n") + ";\n"
}

// formatTable prints one CREATE TABLE statement without its terminator.
func formatTable(t *schema.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdentIfNeeded(t.Name))
	b.WriteString(" (")
	var lines []string
	inlinePK := ""
	if pk := t.PrimaryKey; pk != nil && len(pk.Columns) == 1 {
		if c := t.Column(pk.Columns[0]); c != nil && c.AutoIncrement {
			inlinePK = c.Name
		}
	}
	for _, c := range t.Columns {
		var l strings.Builder
		l.WriteString(columnDef(c))
		if c.Name == inlinePK {
			l.WriteString(identClause("CONSTRAINT", t.PrimaryKey.Name))
			l.WriteString(" PRIMARY KEY AUTOINCREMENT")
		}
		lines = append(lines, l.String())
	}
	if pk := t.PrimaryKey; pk != nil && len(pk.Columns) > 0 && inlinePK == "" {
		lines = append(lines, strings.TrimPrefix(identClause("CONSTRAINT", pk.Name)+" PRIMARY KEY ("+identList(pk.Columns)+")", " "))
	}
	uniques := append([]*schema.Key(nil), t.Uniques...)
	sort.SliceStable(uniques, func(i, j int) bool {
		a, b := uniques[i], uniques[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return strings.Join(a.Columns, "\x00") < strings.Join(b.Columns, "\x00")
	})
	for _, u := range uniques {
		lines = append(lines, strings.TrimPrefix(identClause("CONSTRAINT", u.Name)+" UNIQUE ("+identList(u.Columns)+")", " "))
	}
	fks := append([]*schema.ForeignKey(nil), t.ForeignKeys...)
	sort.SliceStable(fks, func(i, j int) bool { return fkSortKey(fks[i]) < fkSortKey(fks[j]) })
	for _, fk := range fks {
		lines = append(lines, formatForeignKey(fk))
	}
	checks := append([]*schema.Check(nil), t.Checks...)
	sort.SliceStable(checks, func(i, j int) bool {
		a, b := checks[i], checks[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Expr < b.Expr
	})
	for _, c := range checks {
		lines = append(lines, strings.TrimPrefix(identClause("CONSTRAINT", c.Name)+" CHECK ("+c.Expr+")", " "))
	}
	for i, l := range lines {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		b.WriteString(l)
	}
	b.WriteString("\n)")
	var opts []string
	if t.Options.WithoutRowID {
		opts = append(opts, "WITHOUT ROWID")
	}
	if t.Options.Strict {
		opts = append(opts, "STRICT")
	}
	if len(opts) > 0 {
		b.WriteString(" ")
		b.WriteString(strings.Join(opts, ", "))
	}
	return b.String()
}

// clause returns " keyword value", or "" when value is empty.
func clause(keyword, value string) string {
	if value == "" {
		return ""
	}
	return " " + keyword + " " + value
}

// identClause is clause with name quoted where SQLite needs it:
// identClause("CONSTRAINT", name) names a constraint, or nothing for an
// unnamed one.
func identClause(keyword, name string) string {
	if name == "" {
		return ""
	}
	return clause(keyword, quoteIdentIfNeeded(name))
}

// parenIdentList returns " (a, b)" for names, or "" when there are none.
func parenIdentList(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (" + identList(names) + ")"
}

func formatForeignKey(fk *schema.ForeignKey) string {
	s := strings.TrimPrefix(identClause("CONSTRAINT", fk.Name)+" FOREIGN KEY (", " ") + identList(fk.Columns) + ") REFERENCES " +
		quoteIdentIfNeeded(fk.RefTable) + parenIdentList(fk.RefColumns) +
		clause("ON DELETE", fk.OnDelete) + clause("ON UPDATE", fk.OnUpdate) + identClause("MATCH", fk.Match)
	// INITIALLY DEFERRED only with DEFERRABLE, as SQLite's grammar has it.
	return s + sqlx.DeferClause(fk.Deferrable, fk.Deferrable && fk.InitiallyDeferred)
}

// formatDefault prints a default expression so that SQLite reads it back
// as the same text: a literal, a signed number or a bare word as it is,
// anything else in parentheses.
func formatDefault(d string) string {
	toks := ddlLex(d)
	switch {
	case len(toks) == 1 && toks[0].kind != ddlPunct && toks[0].kind != ddlVar:
		return d
	case len(toks) == 2 && (toks[0].punct("-") || toks[0].punct("+")) && toks[1].kind == ddlNumber:
		return d
	}
	return "(" + d + ")"
}

// formatIndex prints one CREATE INDEX statement without its terminator.
func formatIndex(table string, idx *schema.Index) string {
	parts := make([]string, len(idx.Parts))
	for i, p := range idx.Parts {
		k := p.Expr
		if k == "" {
			k = quoteIdentIfNeeded(p.Column)
		}
		k += identClause("COLLATE", p.Collation)
		if p.Desc {
			k += " DESC"
		}
		parts[i] = k
	}
	unique := ""
	if idx.Unique {
		unique = "UNIQUE "
	}
	return "CREATE " + unique + "INDEX " + quoteIdentIfNeeded(idx.Name) + " ON " + quoteIdentIfNeeded(table) +
		" (" + strings.Join(parts, ", ") + ")" + clause("WHERE", idx.Where)
}

func formatView(v *schema.View) string {
	return "CREATE VIEW " + quoteIdentIfNeeded(v.Name) + parenIdentList(v.Columns) + " AS\n" + v.Definition
}

// viewOrder returns the views so that each comes after the views its
// definition names, in name order where there is a choice. A view's
// dependencies are found by its identifier tokens: a name that matches
// another view counts.
func viewOrder(views []*schema.View) []*schema.View {
	byName := map[string]*schema.View{}
	for _, v := range views {
		byName[strings.ToLower(v.Name)] = v
	}
	sorted := append([]*schema.View(nil), views...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	var out []*schema.View
	state := map[*schema.View]int{} // 1 visiting, 2 done
	var visit func(v *schema.View)
	visit = func(v *schema.View) {
		if state[v] != 0 {
			return // done, or a cycle, which SQLite would refuse to use anyway
		}
		state[v] = 1
		for _, d := range viewDeps(v, byName) {
			visit(d)
		}
		state[v] = 2
		out = append(out, v)
	}
	for _, v := range sorted {
		visit(v)
	}
	return out
}

// viewDeps returns the views, other than v, that v's definition names, in
// name order. byName holds the views by lower-case name.
func viewDeps(v *schema.View, byName map[string]*schema.View) []*schema.View {
	var deps []*schema.View
	seen := map[*schema.View]bool{}
	for _, t := range ddlLex(v.Definition) {
		if t.kind != ddlWord && t.kind != ddlQuoted {
			continue
		}
		if d := byName[strings.ToLower(t.ident())]; d != nil && d != v && !seen[d] {
			seen[d] = true
			deps = append(deps, d)
		}
	}
	sort.SliceStable(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return deps
}

func identList(names []string) string { return sqlx.IdentList(quoteIdentIfNeeded, names) }

// quoteIdentIfNeeded returns name as it can appear in SQLite SQL: bare when
// it is an ASCII identifier that is not a keyword, in double quotes (with
// inner quotes doubled) otherwise. SQLite folds the case of ASCII
// identifiers but keeps their spelling, so mixed case needs no quotes.
func quoteIdentIfNeeded(name string) string {
	if name == "" || isSQLiteKeyword(strings.ToUpper(name)) || !(name[0] == '_' || name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
	}
	return name
}

// isSQLiteKeyword reports whether word (upper case) is one of SQLite's
// keywords (https://sqlite.org/lang_keywords.html, checked against the
// linked library by TestKeywordsComplete), or a word that has a special
// meaning where a name is read (ROWID, TRUE, FALSE, STORED, STRICT); such
// names are quoted.
func isSQLiteKeyword(word string) bool {
	switch word {
	case "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE",
		"AND", "AS", "ASC", "ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN",
		"BETWEEN", "BY", "CASCADE", "CASE", "CAST", "CHECK", "COLLATE", "COLUMN",
		"COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS", "CURRENT",
		"CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
		"DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO",
		"DROP", "EACH", "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE",
		"EXISTS", "EXPLAIN", "FAIL", "FALSE", "FILTER", "FIRST", "FOLLOWING",
		"FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB", "GROUP", "GROUPS",
		"HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED",
		"INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS",
		"ISNULL", "JOIN", "KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH",
		"MATERIALIZED", "NATURAL", "NO", "NOT", "NOTHING", "NOTNULL", "NULL",
		"NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS", "OUTER", "OVER",
		"PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE",
		"RANGE", "RECURSIVE", "REFERENCES", "REGEXP", "REINDEX", "RELEASE",
		"RENAME", "REPLACE", "RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW",
		"ROWID", "ROWS", "SAVEPOINT", "SELECT", "SET", "STORED", "STRICT", "TABLE",
		"TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER",
		"TRUE", "UNBOUNDED", "UNION", "UNIQUE", "UPDATE", "USING", "VACUUM",
		"VALUES", "VIEW", "VIRTUAL", "WHEN", "WHERE", "WINDOW", "WITH", "WITHOUT":
		return true
	}
	return false
}
