package source

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// ErrNotReloadable is wrapped by PlanReload's error when the new files
// cannot be loaded over the old ones statement by statement: the caller
// loads them whole into an emptied database instead.
var ErrNotReloadable = errors.New("not reloadable: load the files whole")

// Reload is how to bring a database that holds one version of a desired
// schema, as Load or LoadParallel left it, to another version of it by
// running only what changed (PlanReload).
type Reload struct {
	// DropViews and then Drop are the views and the tables to drop
	// first, named as the old files name them, in the reverse order of
	// their creation.
	DropViews, Drop []string
	// steps are the new files' session statements, then the statements
	// of the changed groups, in source order.
	steps []step
	// Ran is how many of the new files' statements the reload runs
	// (session statements included), Tables how many of those are table
	// statements; Of is how many statements the new files have.
	Ran, Tables, Of int
}

// Loaded describes a load of a desired schema as PlanReload compares it
// with the next version: each statement's place, the names it makes or
// uses and a checksum of its text. It holds no SQL, so that it can be
// kept on disk without what the files hold (a password in a CREATE USER,
// say).
type Loaded struct {
	Statements []LoadedStatement `json:"statements"`
}

// LoadedStatement is one statement of a Loaded.
type LoadedStatement struct {
	// Session is set for a SET or USE statement, which a reload runs
	// again before anything else.
	Session bool `json:"session,omitempty"`
	// Names are the table and index names a table statement makes or
	// uses, lower-cased, its own table or index first.
	Names []string `json:"names,omitempty"`
	// Creates is the table a CREATE TABLE makes, or the view a CREATE
	// VIEW makes when View is set, as written.
	Creates string `json:"creates,omitempty"`
	View    bool   `json:"view,omitempty"`
	// Sum is the hex SHA-256 of the statement's text.
	Sum string `json:"sum"`
}

// Describe returns what PlanReload needs to know of a load of files, or
// an error wrapping ErrNotReloadable when PlanReload could not reload
// over it (see PlanReload).
func Describe(files []File, sp sqlsplit.Dialect) (*Loaded, error) {
	steps, _, err := reloadSteps(files, sp)
	if err != nil {
		return nil, err
	}
	return describe(steps), nil
}

func describe(steps []step) *Loaded {
	l := &Loaded{}
	for _, s := range steps {
		sum := sha256.Sum256([]byte(s.st.Text))
		l.Statements = append(l.Statements, LoadedStatement{Session: s.kind == session, Names: s.names, Creates: s.creates, View: s.view, Sum: hex.EncodeToString(sum[:])})
	}
	return l
}

// PlanReload compares old, what a database was loaded with (Describe),
// and the files new. It groups the table statements of both (CREATE
// TABLE, CREATE INDEX, ALTER TABLE) by the names they share, as
// LoadParallel chains them: a REFERENCES or LIKE joins two tables'
// groups. A CREATE VIEW joins the groups of every name its text holds
// (any word, so more than the tables it reads: a wider group only reloads
// more), and COMMENT ON a table, view, index or column the group of its
// table. A group whose statements differ in any way between old and new
// is changed: its old views and tables are dropped and its new statements
// run again. Every other group's statements are the same text in the same
// order, and so is what they made. Files with any other statement, or
// whose session statements (SET, USE) differ or come after a table
// statement, are not reloadable (ErrNotReloadable): no name says what
// those depend on or change. DROP TABLE IF EXISTS and DROP VIEW IF EXISTS
// statements before the first table statement are left out of both: on
// the emptied database that a whole load starts from they drop nothing.
func PlanReload(old *Loaded, new []File, sp sqlsplit.Dialect) (*Reload, error) {
	if err := old.check(sp); err != nil {
		return nil, err
	}
	ns, of, err := reloadSteps(new, sp)
	if err != nil {
		return nil, err
	}
	now := describe(ns)
	if !slices.EqualFunc(sessions(old), sessions(now), func(a, b LoadedStatement) bool { return a.Sum == b.Sum }) {
		return nil, fmt.Errorf("%w: the SET or USE statements changed", ErrNotReloadable)
	}
	group := groups(old.Statements, now.Statements)
	dirty := changedGroups(old.Statements, now.Statements, group)
	r := &Reload{Of: of}
	for i := len(old.Statements) - 1; i >= 0; i-- {
		s := old.Statements[i]
		switch {
		case s.Session || !dirty[group[s.Names[0]]] || s.Creates == "":
		case s.View:
			r.DropViews = append(r.DropViews, s.Creates)
		default:
			r.Drop = append(r.Drop, s.Creates)
		}
	}
	for i, s := range now.Statements {
		switch {
		case s.Session:
			r.steps = append(r.steps, ns[i])
		case dirty[group[s.Names[0]]]:
			r.steps = append(r.steps, ns[i])
			r.Tables++
		}
	}
	r.Ran = len(r.steps)
	return r, nil
}

// check refuses a Loaded that no Describe made (a damaged record): a
// table statement without names, or a created table that is not a name,
// which the reload's DROP TABLE would run as SQL.
func (l *Loaded) check(sp sqlsplit.Dialect) error {
	if l == nil {
		return fmt.Errorf("%w: no description of the last load", ErrNotReloadable)
	}
	for i, s := range l.Statements {
		bad := !s.Session && len(s.Names) == 0
		if s.Creates != "" && !isName(s.Creates, sp) {
			bad = true
		}
		if bad {
			return fmt.Errorf("%w: the description of the last load is damaged at statement %d", ErrNotReloadable, i+1)
		}
	}
	return nil
}

// isName reports whether text is a possibly qualified name and nothing
// else: words or quoted identifiers joined by dots, with no space,
// comment or other token.
func isName(text string, sp sqlsplit.Dialect) bool {
	toks, err := sqlsplit.Tokens(text, sp)
	if err != nil || len(toks)%2 == 0 {
		return false
	}
	var b strings.Builder
	for i, t := range toks {
		if i%2 == 0 && t.Kind != sqlsplit.Word && t.Kind != sqlsplit.QuotedIdent || i%2 == 1 && t.Text != "." {
			return false
		}
		b.WriteString(t.Text)
	}
	return b.String() == text
}

// reloadSteps plans a load of files and checks that every statement is a
// session statement or a DROP TABLE or VIEW IF EXISTS before the first table
// statement, or a table statement. It returns the steps without those
// drops, which find nothing to drop in the emptied database a whole load
// starts from (a dump's "DROP TABLE IF EXISTS" preamble), and how many
// statements the files have, the drops included.
func reloadSteps(files []File, sp sqlsplit.Dialect) ([]step, int, error) {
	all := planLoad(files, sp, func(Notice) {})
	steps := make([]step, 0, len(all))
	tables := false
	for _, s := range all {
		if s.err == nil && s.kind == serial {
			s = objectStep(s, sp)
		}
		switch {
		case s.err != nil:
			return nil, 0, fmt.Errorf("%w: %v", ErrNotReloadable, s.err)
		case s.kind == table:
			tables = true
		case s.kind == session && !tables:
		case !tables && isPreambleDrop(s, sp):
			continue
		default:
			return nil, 0, fmt.Errorf("%w: %s:%d: %q is not a CREATE TABLE, CREATE INDEX, ALTER TABLE, CREATE VIEW or COMMENT ON", ErrNotReloadable, s.f.Path, s.st.Line, firstWords(sqlsplit.Redact(s.st.Text, sp)))
		}
		steps = append(steps, s)
	}
	return steps, len(all), nil
}

// isPreambleDrop reports a DROP TABLE IF EXISTS or DROP VIEW IF EXISTS
// statement. Without IF EXISTS it would fail on the emptied database, so
// a reload that left it out would pass where a whole load fails.
func isPreambleDrop(s step, sp sqlsplit.Dialect) bool {
	toks, err := sqlsplit.Tokens(s.st.Text, sp)
	return err == nil && kw(toks, 0) == "DROP" && (kw(toks, 1) == "TABLE" || kw(toks, 1) == "VIEW") && kw(toks, 2) == "IF" && kw(toks, 3) == "EXISTS"
}

// firstWords is the start of a statement, for messages; the caller
// redacts it first (SET PASSWORD = '...' is four words).
func firstWords(text string) string {
	f := strings.Fields(text)
	if len(f) > 4 {
		return strings.Join(f[:4], " ") + " ..."
	}
	return strings.Join(f, " ")
}

// sessions are the session statements of l, in order.
func sessions(l *Loaded) []LoadedStatement {
	var out []LoadedStatement
	for _, s := range l.Statements {
		if s.Session {
			out = append(out, s)
		}
	}
	return out
}

// groups numbers the groups of names that the table statements of a and
// b join, mapping every name to its group.
func groups(a, b []LoadedStatement) map[string]int {
	parent := map[string]string{}
	var find func(string) string
	find = func(n string) string {
		if p, ok := parent[n]; ok && p != n {
			r := find(p)
			parent[n] = r
			return r
		}
		parent[n] = n
		return n
	}
	for _, s := range slices.Concat(a, b) {
		if s.Session {
			continue
		}
		for _, n := range s.Names[1:] {
			parent[find(n)] = find(s.Names[0])
		}
		find(s.Names[0])
	}
	group := map[string]int{}
	ids := map[string]int{}
	for n := range parent {
		r := find(n)
		if _, ok := ids[r]; !ok {
			ids[r] = len(ids)
		}
		group[n] = ids[r]
	}
	return group
}

// changedGroups reports the groups whose statements differ between a
// and b, in text or in order.
func changedGroups(a, b []LoadedStatement, group map[string]int) map[int]bool {
	sums := func(l []LoadedStatement) map[int][]string {
		out := map[int][]string{}
		for _, s := range l {
			if !s.Session {
				g := group[s.Names[0]]
				out[g] = append(out[g], s.Sum)
			}
		}
		return out
	}
	as, bs := sums(a), sums(b)
	changed := map[int]bool{}
	for _, g := range group {
		changed[g] = !slices.Equal(as[g], bs[g])
	}
	return changed
}

// Run drops r.Drop and runs r's statements on conn, in order.
func (r *Reload) Run(ctx context.Context, conn *sql.Conn) error {
	for _, s := range r.steps {
		if s.kind == session {
			if err := execStep(ctx, conn, s); err != nil {
				return err
			}
		}
	}
	var drops []string
	for _, v := range r.DropViews {
		drops = append(drops, "DROP VIEW "+v)
	}
	if len(r.Drop) > 0 {
		drops = append(drops, "DROP TABLE "+strings.Join(r.Drop, ", "))
	}
	for _, q := range drops {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, s := range r.steps {
		if s.kind != session {
			if err := execStep(ctx, conn, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// createdName is the name a CREATE TABLE statement creates, as written
// (quotes and schema kept), "" for any other statement.
func createdName(toks []sqlsplit.Token) string {
	if kw(toks, 0) != "CREATE" || kw(toks, 1) != "TABLE" {
		return ""
	}
	i := 2
	if kw(toks, i) == "IF" {
		i += 3
	}
	return rawName(toks, i)
}

// rawName is the possibly qualified name at toks[i], as written: words
// and quoted identifiers joined by dots.
func rawName(toks []sqlsplit.Token, i int) string {
	var b strings.Builder
	isName := func(i int) bool {
		return i < len(toks) && (toks[i].Kind == sqlsplit.Word || toks[i].Kind == sqlsplit.QuotedIdent)
	}
	for isName(i) {
		b.WriteString(toks[i].Text)
		if !isName(i+2) || toks[i+1].Text != "." {
			break
		}
		b.WriteString(".")
		i += 2
	}
	return b.String()
}

// objectStep makes a reload's table step of a statement the load runs
// serially, when it is a CREATE VIEW or a COMMENT ON: its names are the
// view's and every word of its text, or the commented table's. Any other
// statement is returned as it is.
func objectStep(s step, sp sqlsplit.Dialect) step {
	toks, err := sqlsplit.Tokens(s.st.Text, sp)
	if err != nil {
		return s
	}
	switch kw(toks, 0) {
	case "CREATE":
		i := skipWords(toks, 1, "OR", "REPLACE")
		if kw(toks, i) != "VIEW" {
			return s
		}
		i++
		if kw(toks, i) == "IF" {
			i += 3
		}
		v, j := name(toks, i)
		if v == "" {
			return s
		}
		s.kind, s.view, s.creates, s.names = table, true, rawName(toks, i), append([]string{v}, words(toks[j:])...)
	case "COMMENT":
		if t := commentedTable(toks); t != "" {
			s.kind, s.names = table, []string{t}
		}
	}
	return s
}

// words are the names (lower-cased, unquoted) of every word and quoted
// identifier of toks.
func words(toks []sqlsplit.Token) []string {
	var out []string
	for _, t := range toks {
		switch t.Kind {
		case sqlsplit.Word:
			out = append(out, strings.ToLower(t.Text))
		case sqlsplit.QuotedIdent:
			out = append(out, strings.ToLower(unquoteName(t.Text)))
		}
	}
	return out
}

// commentedTable is the table, view or index a COMMENT ON TABLE, VIEW,
// INDEX or COLUMN statement is about (for a column, its table), as name()
// keys it; "" for any other COMMENT.
func commentedTable(toks []sqlsplit.Token) string {
	if kw(toks, 1) != "ON" {
		return ""
	}
	switch kw(toks, 2) {
	case "TABLE", "VIEW", "INDEX":
		n, _ := name(toks, 3)
		return n
	case "COLUMN":
		var parts []string
		for i := 3; i < len(toks); i += 2 {
			n, _ := name(toks[i:i+1], 0)
			if n == "" {
				break
			}
			parts = append(parts, n)
			if i+1 >= len(toks) || toks[i+1].Text != "." {
				break
			}
		}
		if len(parts) < 2 {
			return ""
		}
		return parts[len(parts)-2]
	}
	return ""
}
