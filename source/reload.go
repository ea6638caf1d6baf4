package source

import (
	"context"
	"database/sql"
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
	// them, children before the tables they reference.
	Drop []string
	// steps are the new files' session statements, then the statements
	// of the changed groups, in source order.
	steps []step
	// Ran is how many of the new files' statements the reload runs
	// (session statements included), Tables how many of those are table
	// statements; Of is how many statements the new files have.
	Ran, Tables, Of int
}

// PlanReload compares old, the files a database was loaded with, and new.
// It groups the table statements of both (CREATE TABLE, CREATE INDEX,
// ALTER TABLE) by the names they share, as LoadParallel chains them: a
// REFERENCES or LIKE joins two tables' groups. A group whose statements
// differ in any way between old and new is changed: its old tables are
// dropped and its new statements run again. Every other group's
// statements are the same text in the same order, and so is what they
// made. Files with any other statement, or whose session statements (SET,
// USE) differ or come after a table statement, are not reloadable
// (ErrNotReloadable): no name says what those depend on or change.
func PlanReload(old, new []File, sp sqlsplit.Dialect) (*Reload, error) {
	was, err := reloadSteps(old, sp)
	if err != nil {
		return nil, fmt.Errorf("the files loaded before: %w", err)
	}
	ns, err := reloadSteps(new, sp)
	if err != nil {
		return nil, err
	}
	if !slices.EqualFunc(sessionSteps(was), sessionSteps(ns), func(a, b step) bool { return a.st.Text == b.st.Text }) {
		return nil, fmt.Errorf("%w: their SET or USE statements changed", ErrNotReloadable)
	}
	group := groups(was, ns)
	dirty := map[int]bool{}
	for g, same := range sameGroups(was, ns, group) {
		dirty[g] = !same
	}
	r := &Reload{Of: len(ns)}
	for i := len(was) - 1; i >= 0; i-- {
		if s := was[i]; s.kind == table && dirty[group[s.names[0]]] && s.creates != "" {
			r.Drop = append(r.Drop, s.creates)
		}
	}
	for _, s := range ns {
		switch {
		case s.kind == session:
			r.steps = append(r.steps, s)
		case dirty[group[s.names[0]]]:
			r.steps = append(r.steps, s)
			r.Tables++
		}
	}
	r.Ran = len(r.steps)
	return r, nil
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

// sessionSteps are the session statements of steps, in order.
func sessionSteps(steps []step) []step {
	var out []step
	for _, s := range steps {
		if s.kind == session {
			out = append(out, s)
		}
	}
	return out
}

// groups numbers the groups of names that the table statements of a and
// b join, mapping every name to its group.
func groups(a, b []step) map[string]int {
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
		if s.kind != table {
			continue
		}
		for _, n := range s.names[1:] {
			parent[find(n)] = find(s.names[0])
		}
		find(s.names[0])
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

// sameGroups reports for every group whether a and b have the same
// statements in it, in the same order.
func sameGroups(a, b []step, group map[string]int) map[int]bool {
	texts := func(steps []step) map[int][]string {
		out := map[int][]string{}
		for _, s := range steps {
			if s.kind == table {
				g := group[s.names[0]]
				out[g] = append(out[g], s.st.Text)
			}
		}
		return out
	}
	at, bt := texts(a), texts(b)
	same := map[int]bool{}
	for _, g := range group {
		same[g] = slices.Equal(at[g], bt[g])
	}
	return same
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
