package source

import (
	"errors"
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// stepKind says how a statement of a parallel load may run.
type stepKind int

const (
	// serial statements run alone, on the first connection, after every
	// statement before them and before every statement after them.
	serial stepKind = iota
	// session statements (SET, USE, MySQL's /*!...*/, PostgreSQL's
	// set_config) change the session: they run like serial ones and then
	// on every other connection of the load too, so that all of them read
	// the following statements alike.
	session
	// table statements (CREATE TABLE, CREATE INDEX, ALTER TABLE without a
	// rename) touch only the tables they name; statements that share no
	// name may run at the same time on different connections.
	table
	// stopParallel statements may change the session in ways that cannot
	// be told from their first words (SELECT, DO, CALL, BEGIN): they run
	// serially, and so does everything after them.
	stopParallel
)

// step is one statement of a load, or an error met while reading the
// files that the serial load would meet at that point.
type step struct {
	f     File
	st    sqlsplit.Statement
	kind  stepKind
	names []string // table and index names a table step creates or uses
	// creates is the table a CREATE TABLE step creates, as written; a
	// reload's CREATE VIEW step (objectStep) sets it and view.
	creates string
	view    bool
	err     error // a split error or a refused statement
}

// planLoad splits files into the steps of a load, telling notify of
// skipped statements in file order.
func planLoad(files []File, sp sqlsplit.Dialect, notify func(Notice)) []step {
	var steps []step
	for _, f := range files {
		stmts, err := sqlsplit.Split(f.SQL, sp)
		if err != nil {
			var se *sqlsplit.SyntaxError
			if errors.As(err, &se) {
				err = fmt.Errorf("%s:%d: %s", f.Path, se.Line, se.Msg)
			} else {
				err = fmt.Errorf("%s: %w", f.Path, err)
			}
			// Split returns no statements on error: the serial load
			// stops at the file, before running any of it.
			return append(steps, step{f: f, kind: serial, err: err})
		}
		for _, st := range stmts {
			skip, err := skipped(f, st, sp, notify)
			if err != nil {
				return append(steps, step{f: f, st: st, kind: serial, err: err})
			}
			if !skip {
				steps = append(steps, classify(f, st, sp))
			}
		}
	}
	return steps
}

// classify decides how st may run. Anything it does not recognise is
// serial: a wrong "table" would run a statement before one it needs.
// The statements known by their first word alone are in leadKinds;
// SELECT, CREATE and ALTER need a closer look.
func classify(f File, st sqlsplit.Statement, sp sqlsplit.Dialect) step {
	s := step{f: f, st: st, kind: serial}
	toks, err := sqlsplit.Tokens(st.Text, sp)
	if err != nil || len(toks) == 0 {
		return s
	}
	if toks[0].Kind == sqlsplit.Executable {
		s.kind = session
		return s
	}
	switch lead := kw(toks, 0); lead {
	case "SELECT":
		s.kind = stopParallel
		if isSetConfig(toks) {
			s.kind = session
		}
	case "CREATE":
		s.names, s.kind = createNames(toks)
		s.creates = createdName(toks)
	case "ALTER":
		s.names, s.kind = alterNames(toks)
	default:
		if k, ok := leadKinds[lead]; ok {
			s.kind = k
		}
	}
	return s
}

// leadKinds are the statements whose first word says how they run.
var leadKinds = map[string]stepKind{
	"SET": session, "RESET": session, "USE": session,
	"DO": stopParallel, "CALL": stopParallel, "EXECUTE": stopParallel, "BEGIN": stopParallel,
	"START": stopParallel, "LOCK": stopParallel, "PREPARE": stopParallel, "DELIMITER": stopParallel,
}

// kw is token i upper-cased when it is a bare word, else "".
func kw(toks []sqlsplit.Token, i int) string {
	if i < len(toks) && toks[i].Kind == sqlsplit.Word {
		return strings.ToUpper(toks[i].Text)
	}
	return ""
}

// isSetConfig reports SELECT [pg_catalog.]set_config(...), pg_dump's way
// of emptying search_path.
func isSetConfig(toks []sqlsplit.Token) bool {
	i := 1
	if kw(toks, 1) == "PG_CATALOG" && i+2 < len(toks) && toks[2].Text == "." {
		i = 3
	}
	return kw(toks, i) == "SET_CONFIG" && len(toks) == i+1+countTo(toks[i+1:])
}

// countTo is the number of tokens up to and including the parenthesis
// that closes the one toks starts with, or -1 when toks does not start
// with one or it stays open.
func countTo(toks []sqlsplit.Token) int {
	depth := 0
	for i, t := range toks {
		switch {
		case t.Kind != sqlsplit.Punct:
		case t.Text == "(":
			depth++
		case t.Text == ")":
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		if depth == 0 {
			return -1
		}
	}
	return -1
}

// name reads a possibly qualified name at toks[i], returning its last
// part (lower-cased, unquoted: names that differ only in case share one
// key, which only makes the load more careful) and the index after it.
func name(toks []sqlsplit.Token, i int) (string, int) {
	n := ""
	for i < len(toks) {
		t := toks[i]
		switch t.Kind {
		case sqlsplit.Word:
			n = strings.ToLower(t.Text)
		case sqlsplit.QuotedIdent:
			n = strings.ToLower(unquoteName(t.Text))
		default:
			return n, i
		}
		i++
		if i >= len(toks) || toks[i].Text != "." {
			return n, i
		}
		i++
	}
	return n, i
}

// skipWords advances i past the given optional words, in order.
func skipWords(toks []sqlsplit.Token, i int, words ...string) int {
	for _, w := range words {
		if kw(toks, i) == w {
			i++
		}
	}
	return i
}

// createNames classifies CREATE TABLE and CREATE INDEX.
func createNames(toks []sqlsplit.Token) ([]string, stepKind) {
	i := skipWords(toks, 1, "UNIQUE")
	switch kw(toks, i) {
	case "TABLE":
		if kw(toks, i+1) == "IF" {
			i += 3
		}
		t, j := name(toks, i+1)
		if t == "" {
			return nil, serial
		}
		return tableRefs(toks[j:], []string{t})
	case "INDEX":
		i = skipWords(toks, i+1, "CONCURRENTLY")
		if kw(toks, i) == "IF" {
			i += 3
		}
		var names []string
		if kw(toks, i) != "ON" {
			var ix string
			ix, i = name(toks, i)
			names = append(names, ix)
		}
		if kw(toks, i) != "ON" {
			return nil, serial
		}
		t, _ := name(toks, skipWords(toks, i+1, "ONLY"))
		if t == "" {
			return nil, serial
		}
		return append(names, t), table
	}
	return nil, serial
}

// alterNames classifies ALTER TABLE: a table step unless it renames
// something or attaches partitions or parents (names move or join).
func alterNames(toks []sqlsplit.Token) ([]string, stepKind) {
	if kw(toks, 1) != "TABLE" {
		return nil, serial
	}
	i := skipWords(toks, 2, "ONLY")
	if kw(toks, i) == "IF" {
		i = skipWords(toks, i+2, "ONLY")
	}
	t, j := name(toks, i)
	if t == "" {
		return nil, serial
	}
	return tableRefs(toks[j:], []string{t})
}

// tableRefs adds the tables that the rest of a CREATE or ALTER TABLE
// refers to (REFERENCES, LIKE) to names; forms that copy, attach or
// rename tables, or fill one from a query, are serial.
func tableRefs(rest []sqlsplit.Token, names []string) ([]string, stepKind) {
	depth := 0
	for i, t := range rest {
		depth += parenStep(t)
		switch kw(rest, i) {
		case "REFERENCES", "LIKE":
			if n, _ := name(rest, i+1); n != "" {
				names = append(names, n)
			}
		case "RENAME", "INHERITS", "INHERIT", "ATTACH", "DETACH", "OF", "SELECT", "EXCHANGE":
			return nil, serial
		case "NEXTVAL", "CURRVAL", "SETVAL", "REGCLASS":
			// A sequence that an earlier table's serial column made
			// implicitly: a dependency no name shows.
			return nil, serial
		case "AS":
			if depth == 0 {
				return nil, serial // CREATE TABLE ... AS query
			}
		}
	}
	return names, table
}

// parenStep is how a token changes the parenthesis depth: +1 for the
// punctuation "(", -1 for ")", 0 otherwise.
func parenStep(t sqlsplit.Token) int {
	if t.Kind != sqlsplit.Punct {
		return 0
	}
	switch t.Text {
	case "(":
		return 1
	case ")":
		return -1
	}
	return 0
}

// segment is a run of table steps between two other steps: the steps of
// each chain share names and run in order on one connection; chains run
// at the same time.
type segment struct {
	chains [][]int // indices into the load's steps, in source order
}

// chains groups the table steps from..to (exclusive) into chains of steps
// that share a name, directly or through other steps.
func chains(steps []step, from, to int) segment {
	parent := make([]int, to-from)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i := from; i < to; i++ {
		for _, n := range steps[i].names {
			if o, ok := owner[n]; ok {
				a, b := find(o-from), find(i-from)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[n] = i
			}
		}
	}
	byRoot := map[int]int{}
	var seg segment
	for i := from; i < to; i++ {
		r := find(i - from)
		c, ok := byRoot[r]
		if !ok {
			c = len(seg.chains)
			byRoot[r] = c
			seg.chains = append(seg.chains, nil)
		}
		seg.chains[c] = append(seg.chains[c], i)
	}
	return seg
}
