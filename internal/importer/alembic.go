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

func alembicRevisions(ups, downs []alembicStep, messages map[string]string) (*Result, error) {
	downOf := map[string]alembicStep{}
	for _, d := range downs {
		if len(d.from) != 1 {
			return nil, &SourceError{Tool: "alembic", File: d.file, Line: d.line, Msg: "a downgrade step from more than one revision"}
		}
		downOf[d.from[0]] = d
	}
	res := &Result{}
	seen := map[string]bool{}
	for _, u := range ups {
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
		r := &script.Revision{ID: id, Revises: u.from, Message: msg, Path: u.file,
			ImportedFrom: fmt.Sprintf("alembic %s revision %s", u.file, id),
			Up:           script.Section{SQL: u.sql, Line: u.sqlLine, Present: true}}
		if d, ok := downOf[id]; ok {
			if !slices.Equal(d.to, u.from) {
				return nil, &SourceError{Tool: "alembic", File: d.file, Line: d.line, Msg: fmt.Sprintf("downgrade of %s goes to %s but its upgrade comes from %s: the two scripts are of different histories", id, strings.Join(d.to, ", "), strings.Join(u.from, ", "))}
			}
			r.Down = section(d.sql, d.sqlLine)
			r.ImportedFrom += ", " + d.file
		} else if len(downs) > 0 {
			return nil, &SourceError{Tool: "alembic", File: u.file, Line: u.line, Msg: fmt.Sprintf("revision %s has no downgrade in the downgrade script: produce it with \"alembic downgrade heads:base --sql\" over the same range", id)}
		} else {
			r.Down = irreversible()
		}
		res.Revisions = append(res.Revisions, r)
	}
	return res, validate("alembic", res.Revisions)
}

// alembicSteps splits one offline script at its markers.
func alembicSteps(name, text string, messages map[string]string) ([]alembicStep, string, error) {
	var (
		steps []alembicStep
		dir   string
		body  strings.Builder
		cur   *alembicStep
		pre   strings.Builder // before the first marker
	)
	flush := func() error {
		if cur == nil {
			return checkPreamble(name, pre.String())
		}
		sql, line, err := alembicSQL(name, body.String(), cur.line+1)
		if err != nil {
			return err
		}
		cur.sql, cur.sqlLine = sql, line
		steps = append(steps, *cur)
		return nil
	}
	for i, l := range lines(text) {
		if m := alembicLog().FindStringSubmatch(l); m != nil {
			messages[m[1]] = m[2]
		}
		if alembicAny().MatchString(l) {
			l = "" // a log line captured with 2>&1; keep the numbering
		}
		m := alembicMarker().FindStringSubmatch(l)
		if m == nil {
			if cur == nil {
				pre.WriteString(l + "\n")
			} else {
				body.WriteString(l + "\n")
			}
			continue
		}
		if dir != "" && m[1] != dir {
			return nil, "", &SourceError{Tool: "alembic", File: name, Line: i + 1, Msg: "upgrade and downgrade steps in one file: keep the upgrade script and the downgrade script in two files"}
		}
		dir = m[1]
		if err := flush(); err != nil {
			return nil, "", err
		}
		body.Reset()
		cur = &alembicStep{from: idList(m[2]), to: idList(m[3]), file: name, line: i + 1}
	}
	if err := flush(); err != nil {
		return nil, "", err
	}
	return steps, dir, nil
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
