package sqlite

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/schema"
)

// tableDDL is what the CREATE TABLE text says that SQLite's pragmas do not:
// constraint names, CHECK constraints, collations, generated expressions,
// AUTOINCREMENT, deferrable foreign keys and the table options.
type tableDDL struct {
	cols         map[string]*colDDL // by lower-case name
	pkName       string
	pkAutoinc    string // the column declared AUTOINCREMENT
	uniques      []keyDDL
	checks       []*schema.Check
	fks          []fkDDL
	withoutRowID bool
	strict       bool
	// notes are things the text declares that the model cannot hold.
	notes []string
}

type colDDL struct {
	collation string
	generated string
}

type keyDDL struct {
	name string
	cols []string
}

type fkDDL struct {
	name              string
	cols              []string
	refTable          string
	match             string
	deferrable        bool
	initiallyDeferred bool
	used              bool
}

// isColumnConstraintStart reports whether word (upper case) ends a
// column's type name by starting a column constraint.
func isColumnConstraintStart(word string) bool {
	switch word {
	case "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT",
		"COLLATE", "REFERENCES", "GENERATED", "AS":
		return true
	}
	return false
}

// parseCreateTable reads the text of a CREATE TABLE statement as SQLite
// stores it in sqlite_schema.
func parseCreateTable(sql string) (*tableDDL, error) {
	toks := ddlLex(sql)
	open := slices.IndexFunc(toks, func(t ddlToken) bool { return t.punct("(") || t.is("AS") })
	if open < 0 {
		return nil, fmt.Errorf("no column list in CREATE TABLE text")
	}
	if toks[open].is("AS") {
		return nil, fmt.Errorf("CREATE TABLE ... AS SELECT text is not expected in sqlite_schema")
	}
	closeAt := ddlMatchParen(toks, open)
	if closeAt >= len(toks) {
		return nil, fmt.Errorf("unbalanced parentheses in CREATE TABLE text")
	}
	td := &tableDDL{cols: map[string]*colDDL{}}
	for _, item := range ddlSplitTop(toks[open+1 : closeAt]) {
		if len(item) == 0 {
			continue
		}
		first := item[0]
		if first.is("CONSTRAINT") || first.is("PRIMARY") || first.is("UNIQUE") || first.is("CHECK") || first.is("FOREIGN") {
			td.tableConstraint(item)
		} else {
			td.column(item)
		}
	}
	for _, t := range toks[closeAt+1:] {
		switch {
		case t.is("ROWID"):
			td.withoutRowID = true
		case t.is("STRICT"):
			td.strict = true
		}
	}
	return td, nil
}

// column reads one column definition: its name, the type (skipped: the
// pragmas give it), then its constraints, each perhaps named by a
// CONSTRAINT clause before it.
func (td *tableDDL) column(item []ddlToken) {
	name := item[0].ident()
	cd := &colDDL{}
	td.cols[strings.ToLower(name)] = cd
	i := columnTypeEnd(item)
	pending := ""
	for i < len(item) {
		t := item[i]
		if pending != "" {
			td.noteUnkeptName(t, pending, name)
		}
		if t.is("CONSTRAINT") && i+1 < len(item) {
			pending = item[i+1].ident()
			i += 2
			continue
		}
		i = td.columnConstraint(item, i, name, pending, cd)
		pending = ""
	}
}

// columnTypeEnd is the index of the first column constraint of item,
// after the name and the type (whose parentheses may hold anything).
func columnTypeEnd(item []ddlToken) int {
	i := 1
	for i < len(item) && !(item[i].kind == ddlWord && isColumnConstraintStart(strings.ToUpper(item[i].text))) {
		if item[i].punct("(") {
			i = ddlMatchParen(item, i)
		}
		i++
	}
	return i
}

// noteUnkeptName notes a constraint name the model has no place for: on
// NOT NULL, NULL, DEFAULT, COLLATE or a generated column.
func (td *tableDDL) noteUnkeptName(t ddlToken, pending, column string) {
	if t.is("NOT") || t.is("NULL") || t.is("DEFAULT") || t.is("COLLATE") || t.is("GENERATED") || t.is("AS") {
		kind := strings.ToUpper(t.text)
		if kind == "NOT" {
			kind = "NOT NULL"
		}
		td.notes = append(td.notes, fmt.Sprintf("constraint name %s on %s of column %s", pending, kind, column))
	}
}

// columnConstraint reads the column constraint at item[i], named pending
// ("" for none), and returns the index after it.
func (td *tableDDL) columnConstraint(item []ddlToken, i int, name, pending string, cd *colDDL) int {
	t := item[i]
	switch {
	case t.is("PRIMARY"):
		return td.columnPrimaryKey(item, i, name, pending)
	case t.is("NOT"):
		return td.conflict(item, i+2, "NOT NULL of column "+name)
	case t.is("NULL"):
		return td.conflict(item, i+1, "NULL of column "+name)
	case t.is("UNIQUE"):
		td.uniques = append(td.uniques, keyDDL{name: pending, cols: []string{name}})
		return td.conflict(item, i+1, "UNIQUE of column "+name)
	case t.is("CHECK") && i+1 < len(item) && item[i+1].punct("("):
		end := ddlMatchParen(item, i+1)
		td.checks = append(td.checks, &schema.Check{Name: pending, Expr: normExpr(item[i+2 : min(end, len(item))])})
		return end + 1
	case t.is("DEFAULT"):
		return skipDefault(item, i+1)
	case t.is("COLLATE") && i+1 < len(item):
		cd.collation = strings.ToUpper(item[i+1].ident())
		return i + 2
	case t.is("REFERENCES"):
		fk := fkDDL{name: pending, cols: []string{name}}
		i = td.references(item, i, &fk)
		td.fks = append(td.fks, fk)
		return i
	case t.is("GENERATED") || t.is("AS"):
		return generatedColumn(item, i, cd)
	}
	return i + 1
}

// columnPrimaryKey reads PRIMARY KEY [ASC|DESC] [ON CONFLICT ...]
// [AUTOINCREMENT] at item[i] and returns the index after it.
func (td *tableDDL) columnPrimaryKey(item []ddlToken, i int, name, pending string) int {
	td.pkName = pending
	i += 2 // PRIMARY KEY
	for i < len(item) && (item[i].is("ASC") || item[i].is("DESC")) {
		if item[i].is("DESC") {
			td.notes = append(td.notes, fmt.Sprintf("PRIMARY KEY DESC on column %s", name))
		}
		i++
	}
	i = td.conflict(item, i, "PRIMARY KEY of column "+name)
	if i < len(item) && item[i].is("AUTOINCREMENT") {
		td.pkAutoinc = name
		i++
	}
	return i
}

// skipDefault skips a default value at item[i] (the pragmas give it): a
// parenthesised expression, or a literal with an optional sign.
func skipDefault(item []ddlToken, i int) int {
	if i < len(item) && item[i].punct("(") {
		return ddlMatchParen(item, i) + 1
	}
	if i < len(item) && (item[i].punct("-") || item[i].punct("+")) {
		i++
	}
	return i + 1
}

// generatedColumn reads [GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL] at
// item[i] into cd and returns the index after it.
func generatedColumn(item []ddlToken, i int, cd *colDDL) int {
	for i < len(item) && !item[i].punct("(") {
		i++
	}
	end := ddlMatchParen(item, i)
	if i < len(item) {
		cd.generated = normExpr(item[i+1 : min(end, len(item))])
	}
	i = end + 1
	if i < len(item) && (item[i].is("STORED") || item[i].is("VIRTUAL")) {
		i++
	}
	return i
}

// conflict skips an ON CONFLICT clause at item[i], noting that it is not
// kept, and returns the index after it.
func (td *tableDDL) conflict(item []ddlToken, i int, what string) int {
	if i+2 < len(item) && item[i].is("ON") && item[i+1].is("CONFLICT") {
		td.notes = append(td.notes, fmt.Sprintf("ON CONFLICT %s clause of %s", strings.ToUpper(item[i+2].text), what))
		return i + 3
	}
	return i
}

// tableConstraint reads one table constraint.
func (td *tableDDL) tableConstraint(item []ddlToken) {
	name := ""
	i := 0
	if item[0].is("CONSTRAINT") && len(item) > 1 {
		name = item[1].ident()
		i = 2
	}
	if i >= len(item) {
		return
	}
	t := item[i]
	switch {
	case t.is("PRIMARY"):
		td.pkName = name
		if open := i + 2; open < len(item) && item[open].punct("(") {
			end := ddlMatchParen(item, open)
			parts := ddlSplitTop(item[open+1 : min(end, len(item))])
			for _, p := range parts {
				td.keyPartNote(p, "PRIMARY KEY")
				for _, pt := range p {
					if pt.is("AUTOINCREMENT") && len(parts) == 1 {
						td.pkAutoinc = p[0].ident()
					}
				}
			}
			td.conflict(item, end+1, "PRIMARY KEY")
		}
	case t.is("UNIQUE"):
		if open := i + 1; open < len(item) && item[open].punct("(") {
			end := ddlMatchParen(item, open)
			for _, p := range ddlSplitTop(item[open+1 : min(end, len(item))]) {
				td.keyPartNote(p, "UNIQUE")
			}
			td.uniques = append(td.uniques, keyDDL{name: name, cols: ddlColumnList(item[open+1 : min(end, len(item))])})
			td.conflict(item, end+1, "UNIQUE")
		}
	case t.is("CHECK"):
		if open := i + 1; open < len(item) && item[open].punct("(") {
			end := ddlMatchParen(item, open)
			td.checks = append(td.checks, &schema.Check{Name: name, Expr: normExpr(item[open+1 : min(end, len(item))])})
		}
	case t.is("FOREIGN"):
		if open := i + 2; open < len(item) && item[open].punct("(") {
			end := ddlMatchParen(item, open)
			fk := fkDDL{name: name, cols: ddlColumnList(item[open+1 : min(end, len(item))])}
			td.references(item, end+1, &fk)
			td.fks = append(td.fks, fk)
		}
	}
}

// keyPartNote notes a COLLATE or DESC on a column of a table-level
// PRIMARY KEY or UNIQUE constraint: the model's keys hold plain columns.
func (td *tableDDL) keyPartNote(part []ddlToken, what string) {
	for k, t := range part {
		if k > 0 && (t.is("COLLATE") || t.is("DESC")) {
			td.notes = append(td.notes, fmt.Sprintf("%s on column %s of %s", strings.ToUpper(t.text), part[0].ident(), what))
		}
	}
}

// ddlColumnList returns the first identifier of each comma-separated part.
func ddlColumnList(toks []ddlToken) []string {
	var cols []string
	for _, p := range ddlSplitTop(toks) {
		if len(p) > 0 {
			cols = append(cols, p[0].ident())
		}
	}
	return cols
}

// references reads a foreign-key clause that starts with REFERENCES at
// item[i] and returns the index after it. Actions and MATCH come from
// pragma_foreign_key_list; the text gives the parent as written, MATCH
// (which the pragma always reports as NONE) and the deferral.
func (td *tableDDL) references(item []ddlToken, i int, fk *fkDDL) int {
	if i >= len(item) || !item[i].is("REFERENCES") {
		return i
	}
	i++
	if i < len(item) {
		fk.refTable = item[i].ident()
		i++
	}
	if i < len(item) && item[i].punct("(") {
		i = ddlMatchParen(item, i) + 1
	}
	for i < len(item) {
		t := item[i]
		switch {
		case t.is("ON"):
			i += 2
			if i < len(item) && (item[i].is("SET") || item[i].is("NO")) {
				i++
			}
			i++
		case t.is("MATCH"):
			if i+1 < len(item) {
				fk.match = strings.ToUpper(item[i+1].ident())
			}
			i += 2
		case t.is("NOT") && i+1 < len(item) && item[i+1].is("DEFERRABLE"):
			i += 2
			if i+1 < len(item) && item[i].is("INITIALLY") {
				i += 2
			}
		case t.is("DEFERRABLE"):
			fk.deferrable = true
			i++
			if i+1 < len(item) && item[i].is("INITIALLY") {
				fk.initiallyDeferred = item[i+1].is("DEFERRED")
				i += 2
			}
		default:
			return i
		}
	}
	return i
}

// indexDDL is what the CREATE INDEX text says that the pragmas do not: the
// text of expression keys and the WHERE of a partial index.
type indexDDL struct {
	exprs []string // per key, the normalised expression text
	where string
}

// parseCreateIndex reads the text of a CREATE INDEX statement.
func parseCreateIndex(sql string) (*indexDDL, error) {
	toks := ddlLex(sql)
	on := slices.IndexFunc(toks, func(t ddlToken) bool { return t.is("ON") })
	if on < 0 || on+2 >= len(toks) || !toks[on+2].punct("(") {
		return nil, fmt.Errorf("no key list in CREATE INDEX text")
	}
	open := on + 2
	end := ddlMatchParen(toks, open)
	id := &indexDDL{}
	for _, p := range ddlSplitTop(toks[open+1 : min(end, len(toks))]) {
		// Strip a trailing ASC/DESC and COLLATE name: the pragma has them.
		n := len(p)
		if n > 0 && (p[n-1].is("ASC") || p[n-1].is("DESC")) {
			n--
		}
		if n >= 2 && p[n-2].is("COLLATE") {
			n -= 2
		}
		id.exprs = append(id.exprs, normExpr(p[:n]))
	}
	if end+1 < len(toks) && toks[end+1].is("WHERE") {
		id.where = normExpr(toks[end+2:])
	}
	return id, nil
}

// parseCreateView splits the text of a CREATE VIEW statement into its
// column list and its SELECT.
func parseCreateView(sql string) (cols []string, def string, err error) {
	toks := ddlLex(sql)
	// CREATE [TEMP] VIEW [IF NOT EXISTS] name [(cols)] AS select
	i := 0
	for i < len(toks) && !toks[i].is("VIEW") {
		i++
	}
	i++
	if i+2 < len(toks) && toks[i].is("IF") && toks[i+1].is("NOT") && toks[i+2].is("EXISTS") {
		i += 3
	}
	i++ // name
	if i+1 < len(toks) && toks[i].punct(".") {
		i += 2 // schema.name
	}
	if i < len(toks) && toks[i].punct("(") {
		end := ddlMatchParen(toks, i)
		cols = ddlColumnList(toks[i+1 : min(end, len(toks))])
		i = end + 1
	}
	if i >= len(toks) || !toks[i].is("AS") {
		return nil, "", fmt.Errorf("no AS in CREATE VIEW text")
	}
	// The SELECT is the rest of the text after the AS keyword.
	return cols, normText(sql[toks[i].pos+len(toks[i].text):]), nil
}
