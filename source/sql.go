// Package source loads a desired schema into a database so that it can be
// inspected: the database is the parser (DESIGN.md section 1).
package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// File is one file of a desired schema.
type File struct {
	// Path is the file's path as it is shown in messages.
	Path string
	// SQL is its content.
	SQL string
	// Of names what the file is part of in errors: "the desired schema"
	// when empty.
	Of string
}

// ReadSQL reads a desired schema written in SQL: path is one .sql file, or
// a directory whose *.sql files are taken in name order (sqlPaths).
func ReadSQL(path string) ([]File, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("desired schema %s does not exist: create it (retort init writes an empty one) or point --schema at your schema file or directory", path)
		}
		return nil, fmt.Errorf("desired schema: %w", err)
	}
	paths := []string{path}
	if st.IsDir() {
		if paths, err = sqlPaths(path); err != nil {
			return nil, err
		}
	}
	files := make([]File, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("desired schema: %w", err)
		}
		files = append(files, File{Path: p, SQL: string(b)})
	}
	return files, nil
}

// sqlPaths lists the *.sql files of directory dir, in name order; none
// is an error.
func sqlPaths(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("desired schema: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, fmt.Errorf("desired schema directory %s has no .sql files", dir)
	}
	return paths, nil
}

// ApplyError is a statement of the desired schema that the database
// refused.
type ApplyError struct {
	// Of is what the file is part of ("the desired schema" when empty).
	Of   string
	Path string
	Line int
	SQL  string
	Err  error
	// Hint, when not empty, is what retort found about the cause, on
	// lines of their own after the statement (MissingParentHint).
	Hint string
}

// Error implements error.
func (e *ApplyError) Error() string {
	of := e.Of
	if of == "" {
		of = "the desired schema"
	}
	msg := fmt.Sprintf("%s:%d: %s does not load: %v\n    %s", e.Path, e.Line, of, e.Err, strings.ReplaceAll(e.SQL, "\n", "\n    "))
	if e.Hint != "" {
		msg += "\n" + e.Hint
	}
	return msg
}

// Unwrap returns the database's error.
func (e *ApplyError) Unwrap() error { return e.Err }

// Notice is something loading a desired schema noticed, at a file's
// line, that the user should hear of although the load goes on.
type Notice struct {
	// Path and Line locate the statement (Line is 0 when unknown).
	Path string
	Line int
	// Verbose marks what only -v shows: a skipped line that cannot change
	// the schema.
	Verbose bool
	// Msg says what was noticed and what was done.
	Msg string
}

// String returns "path:line: message".
func (n Notice) String() string {
	if n.Line == 0 {
		return n.Path + ": " + n.Msg
	}
	return fmt.Sprintf("%s:%d: %s", n.Path, n.Line, n.Msg)
}

// Apply runs the files' statements, in order, on conn, as Load does
// without a notice callback.
func Apply(ctx context.Context, conn *sql.Conn, d dialect.Dialect, files []File) error {
	return Load(ctx, conn, d, files, nil)
}

// Load runs the files' statements, in order, on conn. It skips, and tells
// notify (when not nil) of, pg_dump's \restrict and \unrestrict lines
// (they only guard the dump's replay in psql) and data statements (rows
// are not part of a schema: README, "The desired schema"). Other psql
// meta-commands are refused.
func Load(ctx context.Context, conn *sql.Conn, d dialect.Dialect, files []File, notify func(Notice)) error {
	if notify == nil {
		notify = func(Notice) {}
	}
	for _, s := range planLoad(files, d.Splitter(), notify) {
		if s.err != nil {
			return s.err
		}
		if err := execStep(ctx, conn, s); err != nil {
			return err
		}
	}
	return nil
}

// dataVerbs are the first words of statements that change rows, not the
// schema.
var dataVerbs = []string{"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "TRUNCATE"}

// skipped reports whether st is not run, after telling notify why, or
// refuses it.
func skipped(f File, st sqlsplit.Statement, sp sqlsplit.Dialect, notify func(Notice)) (bool, error) {
	word := strings.ToUpper(firstWord(st.Text))
	if word == "WITH" {
		// WITH x AS (...) INSERT ...: the statement's own verb follows
		// its common table expressions.
		word = withVerb(st.Text, sp)
	}
	switch {
	case (word == `\RESTRICT` || word == `\UNRESTRICT`) && !strings.Contains(st.Text, "\n"):
		// Only a line of its own: a splitter that does not end
		// meta-commands at the line's end (SQLite, MySQL) would make the
		// next statement part of it, and skipping that would drop it.
		notify(Notice{Path: f.Path, Line: st.Line, Verbose: true, Msg: fmt.Sprintf("skipped pg_dump's %s: it only guards the replay of a dump in psql", firstLine(st.Text))})
		return true, nil
	case strings.HasPrefix(word, `\`):
		return false, fmt.Errorf("%s:%d: psql meta-command %q is not SQL: remove it from the desired schema", f.Path, st.Line, firstLine(st.Text))
	case slices.Contains(dataVerbs, word):
		notify(Notice{Path: f.Path, Line: st.Line, Msg: fmt.Sprintf("skipped %s: data statements are not part of the schema, and migrate writes no data into revisions; remove it from the desired schema, and put data changes in a revision by hand (retort revision -m MESSAGE)", word)})
		return true, nil
	}
	return false, nil
}

// withVerb is the verb of a statement that starts with WITH: a data
// change inside one of its common table expressions (cteDataChange), else
// the first word after them, outside parentheses, that starts a query or
// a data change (queryVerb); "WITH" when there is none or the statement
// does not lex.
func withVerb(text string, sp sqlsplit.Dialect) string {
	toks, err := sqlsplit.Tokens(text, sp)
	if err != nil {
		return "WITH"
	}
	depth := 0
	for i, t := range toks[1:] {
		if cteDataChange(toks[i], t) {
			return strings.ToUpper(t.Text)
		}
		depth += parenStep(t)
		if w := queryVerb(t); w != "" && depth == 0 {
			return w
		}
	}
	return "WITH"
}

// cteDataChange reports a data change right after a parenthesis, t
// following prev: PostgreSQL's WITH d AS (DELETE ... RETURNING ...).
func cteDataChange(prev, t sqlsplit.Token) bool {
	return t.Kind == sqlsplit.Word && slices.Contains(dataVerbs, strings.ToUpper(t.Text)) && prev.Text == "("
}

// queryVerb is t upper-cased when it is a word that starts a query or a
// data change (SELECT, VALUES, TABLE, INSERT, ...), else "".
func queryVerb(t sqlsplit.Token) string {
	if t.Kind != sqlsplit.Word {
		return ""
	}
	w := strings.ToUpper(t.Text)
	if w == "SELECT" || w == "VALUES" || w == "TABLE" || slices.Contains(dataVerbs, w) {
		return w
	}
	return ""
}

// firstWord is s up to its first white space or parenthesis.
func firstWord(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '(' }); i >= 0 {
		return s[:i]
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// MissingParents returns a notice for every foreign key of s whose table s
// does not have, located at the REFERENCES in files (written in sp) that
// names it. SQLite accepts such a key; PostgreSQL and MySQL refuse it, and
// SQLite refuses every insert into the child table while foreign keys are
// on.
func MissingParents(s *schema.Schema, files []File, sp sqlsplit.Dialect) []Notice {
	have := map[string]bool{}
	for _, t := range s.Tables {
		have[strings.ToLower(t.Schema+"."+t.Name)] = true
		have[strings.ToLower(t.Name)] = true
	}
	var out []Notice
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			ref := fk.RefTable
			if fk.RefSchema != "" {
				ref = fk.RefSchema + "." + ref
			}
			if have[strings.ToLower(ref)] {
				continue
			}
			n := locateReference(files, fk.RefTable, sp)
			n.Msg = fmt.Sprintf("table %s has a foreign key (%s) to table %s, which the desired schema does not create: inserts into %s fail while foreign keys are checked, and PostgreSQL and MySQL refuse the key; create %s or remove the key", t.Name, strings.Join(fk.Columns, ", "), ref, t.Name, ref)
			out = append(out, n)
		}
	}
	return out
}

// locateReference finds the first REFERENCES to table in files, read with
// the same token scanner as MissingParentHint (references), as a notice
// with its path and line (the first file's path, line 0, when no file has
// it).
func locateReference(files []File, table string, sp sqlsplit.Dialect) Notice {
	key := strings.ToLower(table)
	for _, f := range files {
		toks, err := sqlsplit.Tokens(f.SQL, sp)
		if err != nil {
			continue
		}
		for _, r := range references(toks) {
			if r.key == key {
				return Notice{Path: f.Path, Line: 1 + strings.Count(f.SQL[:r.pos], "\n")}
			}
		}
	}
	if len(files) == 0 {
		return Notice{Path: "desired schema"}
	}
	return Notice{Path: files[0].Path}
}
