package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/lazyre"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// alembicConv reads the SQL Alembic prints in offline mode: a directory
// holding the output of "alembic upgrade base:heads --sql" and, for the
// downgrades, of "alembic downgrade heads:base --sql" (any *.sql names;
// each file is told by its "-- Running upgrade" or "-- Running downgrade"
// markers). Each marker starts one revision; Alembic's revision ids,
// parents (branches and merges) are kept. Alembic's own statements (its
// alembic_version table, BEGIN and COMMIT) are left out.
type alembicConv struct{}

func (alembicConv) Name() string { return "alembic" }

func (alembicConv) Detect(fsys fs.FS) bool { return anyFileContains(fsys, "-- Running upgrade ") }

var (
	alembicMarker = lazyre.New(`^-- Running (upgrade|downgrade) (.*?) ?-> ?(.*)$`)
	// Alembic logs "Running upgrade a -> b, message" on stderr; a file
	// captured with 2>&1 has the messages.
	alembicLog = lazyre.New(`^INFO +\[alembic[.\w]*\] Running upgrade .*?-> (\w+), (.*)$`)
	alembicAny = lazyre.New(`^(INFO|WARNING|WARN|DEBUG|ERROR) +\[`)
)

// alembicStep is one revision's part of an offline script.
type alembicStep struct {
	from, to []string
	file     string
	line     int // line of the marker
	sql      string
	sqlLine  int
}

func (c alembicConv) Read(fsys fs.FS, _ Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import alembic: %w", err)
	}
	var ups, downs []alembicStep
	messages := map[string]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("import alembic: %w", err)
		}
		steps, dir, err := alembicSteps(name, string(data), messages)
		if err != nil {
			return nil, err
		}
		if dir == "downgrade" {
			downs = append(downs, steps...)
		} else {
			ups = append(ups, steps...)
		}
	}
	if len(ups) == 0 {
		return nil, &SourceError{Tool: "alembic", File: ".", Msg: "no \"-- Running upgrade\" markers in any .sql file: save the output of \"alembic upgrade base:heads --sql\" (flask db upgrade --sql) in the directory"}
	}
	return alembicRevisions(ups, downs, messages)
}

// alembicRevisions turns the upgrade steps into revisions
// (alembicRevision), each with its downgrade step when the downgrade
// script was given (alembicDowns).
func alembicRevisions(ups, downs []alembicStep, messages map[string]string) (*Result, error) {
	downOf, err := alembicDowns(downs)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	seen := map[string]bool{}
	for _, u := range ups {
		r, err := alembicRevision(u, seen, messages)
		if err != nil {
			return nil, err
		}
		if err := alembicDown(r, u, downOf, len(downs) > 0); err != nil {
			return nil, err
		}
		res.Revisions = append(res.Revisions, r)
	}
	return res, validate("alembic", res.Revisions)
}

// alembicDowns indexes the downgrade steps by the revision they revert.
func alembicDowns(downs []alembicStep) (map[string]alembicStep, error) {
	downOf := map[string]alembicStep{}
	for _, d := range downs {
		if len(d.from) != 1 {
			return nil, &SourceError{Tool: "alembic", File: d.file, Line: d.line, Msg: "a downgrade step from more than one revision"}
		}
		downOf[d.from[0]] = d
	}
	return downOf, nil
}

// alembicRevision is the revision an upgrade step applies: one revision,
// with ids retort accepts, upgraded once (seen).
func alembicRevision(u alembicStep, seen map[string]bool, messages map[string]string) (*script.Revision, error) {
	if len(u.to) != 1 {
		return nil, &SourceError{Tool: "alembic", File: u.file, Line: u.line, Msg: "an upgrade step to more than one revision"}
	}
	id := u.to[0]
	for _, x := range append([]string{id}, u.from...) {
		if err := script.CheckID(x); err != nil {
			return nil, &SourceError{Tool: "alembic", File: u.file, Line: u.line, Msg: err.Error() + ": rename the Alembic revision before importing"}
		}
	}
	if seen[id] {
		return nil, &SourceError{Tool: "alembic", File: u.file, Line: u.line, Msg: fmt.Sprintf("revision %s is upgraded twice: give each range once", id)}
	}
	seen[id] = true
	msg := messages[id]
	if msg == "" {
		msg = "alembic revision " + id
	}
	return &script.Revision{ID: id, Revises: u.from, Message: msg, Path: u.file,
		ImportedFrom: fmt.Sprintf("alembic %s revision %s", u.file, id),
		Up:           script.Section{SQL: u.sql, Line: u.sqlLine, Present: true}}, nil
}

// alembicDown gives r, upgraded by u, its downgrade: the step that
// reverts it, which must go back where u came from. Without a downgrade
// script (haveDowns false) it is irreversible; with one, a revision it
// does not revert is refused.
func alembicDown(r *script.Revision, u alembicStep, downOf map[string]alembicStep, haveDowns bool) error {
	d, ok := downOf[r.ID]
	switch {
	case ok && !slices.Equal(d.to, u.from):
		return &SourceError{Tool: "alembic", File: d.file, Line: d.line, Msg: fmt.Sprintf("downgrade of %s goes to %s but its upgrade comes from %s: the two scripts are of different histories", r.ID, strings.Join(d.to, ", "), strings.Join(u.from, ", "))}
	case ok:
		r.Down = section(d.sql, d.sqlLine)
		r.ImportedFrom += ", " + d.file
	case haveDowns:
		return &SourceError{Tool: "alembic", File: u.file, Line: u.line, Msg: fmt.Sprintf("revision %s has no downgrade in the downgrade script: produce it with \"alembic downgrade heads:base --sql\" over the same range", r.ID)}
	default:
		r.Down = irreversible()
	}
	return nil
}

// alembicSteps splits one offline script at its markers: the lines
// before the first marker are the preamble, each marker starts a step
// (alembicSplitter keeps the state), and one file holds one direction.
func alembicSteps(name, text string, messages map[string]string) ([]alembicStep, string, error) {
	sp := &alembicSplitter{name: name}
	for i, l := range lines(text) {
		if m := alembicLog().FindStringSubmatch(l); m != nil {
			messages[m[1]] = m[2]
		}
		if alembicAny().MatchString(l) {
			l = "" // a log line captured with 2>&1; keep the numbering
		}
		if err := sp.line(l, i+1); err != nil {
			return nil, "", err
		}
	}
	if err := sp.flush(); err != nil {
		return nil, "", err
	}
	return sp.steps, sp.dir, nil
}

// alembicSplitter is alembicSteps' state: the steps so far, the one
// being read, and the script's direction.
type alembicSplitter struct {
	name  string
	steps []alembicStep
	dir   string
	body  strings.Builder
	cur   *alembicStep
	pre   strings.Builder // before the first marker
}

// line takes line n: a marker starts a step, any other line goes to the
// current step, or to the preamble before the first.
func (sp *alembicSplitter) line(l string, n int) error {
	m := alembicMarker().FindStringSubmatch(l)
	if m == nil {
		if sp.cur == nil {
			sp.pre.WriteString(l + "\n")
		} else {
			sp.body.WriteString(l + "\n")
		}
		return nil
	}
	if sp.dir != "" && m[1] != sp.dir {
		return &SourceError{Tool: "alembic", File: sp.name, Line: n, Msg: "upgrade and downgrade steps in one file: keep the upgrade script and the downgrade script in two files"}
	}
	sp.dir = m[1]
	if err := sp.flush(); err != nil {
		return err
	}
	sp.body.Reset()
	sp.cur = &alembicStep{from: idList(m[2]), to: idList(m[3]), file: sp.name, line: n}
	return nil
}

// flush ends the current step, its SQL read from the body; before the
// first step it checks the preamble instead.
func (sp *alembicSplitter) flush() error {
	if sp.cur == nil {
		return checkPreamble(sp.name, sp.pre.String())
	}
	sql, line, err := alembicSQL(sp.name, sp.body.String(), sp.cur.line+1)
	if err != nil {
		return err
	}
	sp.cur.sql, sp.cur.sqlLine = sql, line
	sp.steps = append(sp.steps, *sp.cur)
	return nil
}

func idList(s string) []string {
	var ids []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			ids = append(ids, f)
		}
	}
	return ids
}

// alembicOwn reports the statements Alembic adds around the revisions'
// own: its transaction and its version table.
func alembicOwn(stmt string) bool {
	up := strings.ToUpper(strings.Join(strings.Fields(stmt), " "))
	switch up {
	case "BEGIN", "BEGIN TRANSACTION", "START TRANSACTION", "COMMIT":
		return true
	}
	for _, p := range []string{"CREATE TABLE ALEMBIC_VERSION", "INSERT INTO ALEMBIC_VERSION", "UPDATE ALEMBIC_VERSION", "DELETE FROM ALEMBIC_VERSION", "DROP TABLE ALEMBIC_VERSION"} {
		if strings.HasPrefix(up, p+" ") || up == p {
			return true
		}
	}
	return false
}

// alembicSQL keeps a step's statements without Alembic's own; first is
// the file line where text starts.
func alembicSQL(name, text string, first int) (string, int, error) {
	stmts, err := sqlsplit.Split(text, sqlsplit.Generic)
	if err != nil {
		return "", 0, splitError(name, first, err)
	}
	var b strings.Builder
	line := 0
	for _, st := range stmts {
		if alembicOwn(st.Text) {
			continue
		}
		if line == 0 {
			line = first + st.Line - 1
		}
		b.WriteString(st.Text)
		b.WriteString(";\n\n")
	}
	if line == 0 {
		line = first
	}
	return strings.TrimRight(b.String(), "\n") + "\n", line, nil
}

// checkPreamble refuses statements before the first marker other than
// Alembic's own: they belong to no revision.
func checkPreamble(name, text string) error {
	stmts, err := sqlsplit.Split(text, sqlsplit.Generic)
	if err != nil {
		return splitError(name, 1, err)
	}
	for _, st := range stmts {
		if !alembicOwn(st.Text) {
			return &SourceError{Tool: "alembic", File: name, Line: st.Line, Msg: "a statement before the first \"-- Running\" marker belongs to no revision: produce the script from base (alembic upgrade base:heads --sql)"}
		}
	}
	return nil
}

// splitError is a failure to split text that starts at line first of
// file name: a syntax error is named at its line in the file.
func splitError(name string, first int, err error) error {
	var se *sqlsplit.SyntaxError
	if errors.As(err, &se) {
		return &SourceError{Tool: "alembic", File: name, Line: first + se.Line - 1, Msg: "cannot split the SQL: " + se.Msg}
	}
	return &SourceError{Tool: "alembic", File: name, Line: first, Msg: fmt.Sprintf("cannot split the SQL: %v", err)}
}
