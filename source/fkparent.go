package source

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// MissingParentHint explains a statement of files that the database
// refused because it could not create a foreign key, when the server does
// not say why (MariaDB's errno 150): for each REFERENCES of e's statement
// to a table that no statement of files creates (CREATE TABLE, or a
// RENAME to it), a line naming the table, the referenced table and the
// file:line of the REFERENCES, and what to do. It returns "" when every
// table the statement references is created, so that a key refused for
// another reason (mismatched column types) is not blamed on its parent.
func MissingParentHint(files []File, e *ApplyError, sp sqlsplit.Dialect) string {
	toks, err := sqlsplit.Tokens(e.SQL, sp)
	if err != nil {
		return ""
	}
	created := createdTables(files, sp)
	child := statementTable(toks)
	of := e.Of
	if of == "" {
		of = "the desired schema"
	}
	var lines []string
	for _, r := range references(toks) {
		if created[r.key] {
			continue
		}
		line := e.Line + strings.Count(e.SQL[:r.pos], "\n")
		key := "a foreign key"
		if len(r.columns) > 0 {
			key += " (" + strings.Join(r.columns, ", ") + ")"
		}
		lines = append(lines, fmt.Sprintf("%s:%d: table %s has %s to table %s, which %s does not create: that is why the server refuses the key; create table %s in %s before %s, or fix the table name after REFERENCES",
			e.Path, line, child, key, r.table, of, r.table, of, child))
	}
	return strings.Join(lines, "\n")
}

// reference is one REFERENCES of a statement: the table it names, the
// columns of the FOREIGN KEY before it (none for a column's own
// REFERENCES) and its offset in the statement.
type reference struct {
	table   string // as written, unquoted
	key     string // its last part, lower-cased: the key of createdTables
	columns []string
	pos     int
}

// references lists the REFERENCES clauses of a statement's tokens.
func references(toks []sqlsplit.Token) []reference {
	var out []reference
	var cols []string
	for i := 0; i < len(toks); i++ {
		switch {
		case kw(toks, i) == "FOREIGN" && kw(toks, i+1) == "KEY":
			cols = keyColumns(toks[i+2:])
		case kw(toks, i) == "REFERENCES":
			shown, _ := qualifiedName(toks[i+1:])
			key, _ := name(toks, i+1)
			if shown != "" {
				out = append(out, reference{table: shown, key: key, columns: cols, pos: toks[i].Pos})
			}
			cols = nil
		}
	}
	return out
}

// keyColumns reads "[name] (a, b)" after FOREIGN KEY: the columns, unquoted.
func keyColumns(toks []sqlsplit.Token) []string {
	i := 0
	if i < len(toks) && toks[i].Text != "(" {
		i++ // the key's name
	}
	if i >= len(toks) || toks[i].Text != "(" {
		return nil
	}
	var cols []string
	for _, t := range toks[i+1:] {
		if t.Text == ")" {
			return cols
		}
		if t.Kind == sqlsplit.Word || t.Kind == sqlsplit.QuotedIdent {
			cols = append(cols, unquoteName(t.Text))
		}
	}
	return nil
}

// statementTable is the table a CREATE TABLE or ALTER TABLE statement is
// about, as written without quotes ("the table" when there is none).
func statementTable(toks []sqlsplit.Token) string {
	for i := range toks {
		if kw(toks, i) == "TABLE" {
			if shown, _ := qualifiedName(skipIfExists(toks[i+1:])); shown != "" {
				return shown
			}
			break
		}
	}
	return "the table"
}

// createdTables is the bare names, lower-cased, of the tables the files
// create: the name after CREATE ... TABLE [IF NOT EXISTS], and every name
// after TO or AS in a statement that renames (RENAME TABLE a TO b, ALTER
// TABLE a RENAME TO b), which are counted as created to be safe.
func createdTables(files []File, sp sqlsplit.Dialect) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		toks, _ := sqlsplit.Tokens(f.SQL, sp)
		renaming := false
		for i, t := range toks {
			switch {
			case t.Text == ";" || t.Kind == sqlsplit.Delimiter:
				renaming = false
			case kw(toks, i) == "RENAME":
				renaming = true
			case renaming && (kw(toks, i) == "TO" || kw(toks, i) == "AS"):
				addName(out, toks[i+1:])
			case kw(toks, i) == "TABLE" && createsTable(toks[:i]):
				addName(out, skipIfExists(toks[i+1:]))
			}
		}
	}
	return out
}

// createsTable reports whether the TABLE after before is part of
// CREATE [OR REPLACE] [GLOBAL|LOCAL] [TEMPORARY|UNLOGGED] TABLE.
func createsTable(before []sqlsplit.Token) bool {
	for k := len(before) - 1; k >= 0 && k >= len(before)-4; k-- {
		t := before[k]
		if kw(before, k) == "CREATE" {
			return true
		}
		if t.Kind != sqlsplit.Word {
			return false
		}
	}
	return false
}

// addName adds the name at the start of toks to set, keyed as name()
// keys it.
func addName(set map[string]bool, toks []sqlsplit.Token) {
	if n, _ := name(toks, 0); n != "" {
		set[n] = true
	}
}

// skipIfExists skips IF NOT EXISTS (or IF EXISTS) at the start of toks.
func skipIfExists(toks []sqlsplit.Token) []sqlsplit.Token {
	if kw(toks, 0) == "IF" {
		for i := range toks {
			if kw(toks, i) == "EXISTS" {
				return toks[i+1:]
			}
		}
	}
	return toks
}

// qualifiedName reads a name, schema-qualified or not, at the start of
// toks: its parts unquoted and joined with '.', and how many tokens it
// took ("" when toks does not start with a name).
func qualifiedName(toks []sqlsplit.Token) (string, int) {
	var parts []string
	i := 0
	for i < len(toks) && (toks[i].Kind == sqlsplit.Word || toks[i].Kind == sqlsplit.QuotedIdent) {
		parts = append(parts, unquoteName(toks[i].Text))
		i++
		if i+1 < len(toks) && toks[i].Text == "." {
			i++
			continue
		}
		break
	}
	return strings.Join(parts, "."), i
}

// unquoteName undoes "x", `x` or [x] quoting.
func unquoteName(s string) string {
	if len(s) < 2 {
		return s
	}
	switch q := s[0]; q {
	case '"', '`':
		return strings.ReplaceAll(s[1:len(s)-1], string([]byte{q, q}), string(q))
	case '[':
		return s[1 : len(s)-1]
	}
	return s
}
