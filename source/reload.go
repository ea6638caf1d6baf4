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
	// Drop are the tables to drop first, named as the old files name
	// them, in the reverse order of their creation.
	Drop []string
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
	// Creates is the table a CREATE TABLE makes, as written.
	Creates string `json:"creates,omitempty"`
	// Sum is the hex SHA-256 of the statement's text.
	Sum string `json:"sum"`
}

// Describe returns what PlanReload needs to know of a load of files, or
// an error wrapping ErrNotReloadable when PlanReload could not reload
// over it (see PlanReload).
func Describe(files []File, sp sqlsplit.Dialect) (*Loaded, error) {
	steps, err := reloadSteps(files, sp)
	if err != nil {
		return nil, err
	}
	return describe(steps), nil
}

func describe(steps []step) *Loaded {
	l := &Loaded{}
	for _, s := range steps {
		sum := sha256.Sum256([]byte(s.st.Text))
		l.Statements = append(l.Statements, LoadedStatement{Session: s.kind == session, Names: s.names, Creates: s.creates, Sum: hex.EncodeToString(sum[:])})
	}
	return l
}

// PlanReload compares old, what a database was loaded with (Describe),
// and the files new. It groups the table statements of both (CREATE
// TABLE, CREATE INDEX, ALTER TABLE) by the names they share, as
// LoadParallel chains them: a REFERENCES or LIKE joins two tables'
// groups. A group whose statements differ in any way between old and new
// is changed: its old tables are dropped and its new statements run
// again. Every other group's statements are the same text in the same
// order, and so is what they made. Files with any other statement, or
// whose session statements (SET, USE) differ or come after a table
// statement, are not reloadable (ErrNotReloadable): no name says what
// those depend on or change.
func PlanReload(old *Loaded, new []File, sp sqlsplit.Dialect) (*Reload, error) {
	if err := old.check(sp); err != nil {
		return nil, err
	}
	ns, err := reloadSteps(new, sp)
	if err != nil {
		return nil, err
	}
	now := describe(ns)
	if !slices.EqualFunc(sessions(old), sessions(now), func(a, b LoadedStatement) bool { return a.Sum == b.Sum }) {
		return nil, fmt.Errorf("%w: the SET or USE statements changed", ErrNotReloadable)
	}
	group := groups(old.Statements, now.Statements)
	dirty := changedGroups(old.Statements, now.Statements, group)
	r := &Reload{Of: len(ns)}
	for i := len(old.Statements) - 1; i >= 0; i-- {
		if s := old.Statements[i]; !s.Session && dirty[group[s.Names[0]]] && s.Creates != "" {
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
		if s.Creates != "" {
			toks, err := sqlsplit.Tokens("CREATE TABLE "+s.Creates, sp)
			bad = bad || err != nil || createdName(toks) != s.Creates || len(toks) != 2+strings.Count(s.Creates, ".")*2+1
		}
		if bad {
			return fmt.Errorf("%w: the description of the last load is damaged at statement %d", ErrNotReloadable, i+1)
		}
	}
	return nil
}

// reloadSteps plans a load of files and checks that every statement is a
// session statement before the first table statement, or a table
// statement.
func reloadSteps(files []File, sp sqlsplit.Dialect) ([]step, error) {
	steps := planLoad(files, sp, func(Notice) {})
	tables := false
	for _, s := range steps {
		switch {
		case s.err != nil:
			return nil, fmt.Errorf("%w: %v", ErrNotReloadable, s.err)
		case s.kind == table:
			tables = true
		case s.kind == session && !tables:
		default:
			return nil, fmt.Errorf("%w: %s:%d: %q is not a CREATE TABLE, CREATE INDEX or ALTER TABLE", ErrNotReloadable, s.f.Path, s.st.Line, firstWords(s.st.Text))
		}
	}
	return steps, nil
}

// firstWords is the start of a statement, for messages.
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
	if len(r.Drop) > 0 {
		q := "DROP TABLE " + strings.Join(r.Drop, ", ")
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
	var b strings.Builder
	for ; i < len(toks); i++ {
		t := toks[i]
		if t.Kind != sqlsplit.Word && t.Kind != sqlsplit.QuotedIdent && t.Text != "." {
			break
		}
		b.WriteString(t.Text)
	}
	return b.String()
}
