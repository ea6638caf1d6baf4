// Package lint checks revision files for statements that are correct and
// still unsafe on a live database: locks that block reads or writes while
// a table is scanned or rewritten, constraints validated under a lock,
// changes that break the application version still running, and data
// loss. Every statement of a revision's upgrade section, hand-written or
// generated, is read through internal/sqlsplit's tokens (keyword
// sequences on tokens, no regular expressions) and checked by the rules of
// its dialect; each finding has a stable code, a severity, the file:line
// of the statement, the lock it takes, whether it rewrites or scans the
// table, and the safe alternative written out.
//
// The rules per dialect live in this package, one file each
// (postgres.go, mysql.go, sqlite.go), as sqlsplit keeps its lexical rules
// per dialect: they are facts about the servers' lock behaviour that no
// other stage needs.
//
// A finding is silenced by a comment on the line above its statement:
//
//	-- retort:lint-ignore RL101 the table has 200 rows
//
// The reason is required; silenced findings are still returned, marked
// Ignored, so that a summary can list them.
package lint

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// Severity ranks a finding.
type Severity int

const (
	// Warning is a statement that locks, scans or breaks something but
	// may be acceptable on a small table or on purpose.
	Warning Severity = iota + 1
	// Error is a statement that fails when it runs, or holds a lock that
	// blocks reads and writes for as long as a whole-table scan or
	// rewrite takes.
	Error
)

// String returns "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText writes the severity's name, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one rule's verdict on one statement.
type Finding struct {
	// Code is the rule's stable code, such as "RL101".
	Code string `json:"code"`
	// Rule is the rule's name, such as "index-not-concurrent".
	Rule string `json:"rule"`
	// Severity is warning or error.
	Severity Severity `json:"severity"`
	// Revision is the revision id; Path and Line locate the statement's
	// first token in the revision file.
	Revision string `json:"revision"`
	Path     string `json:"path"`
	Line     int    `json:"line"`
	// Statement is the statement's 1-based number in the upgrade section.
	Statement int `json:"statement"`
	// SQL is the statement's text.
	SQL string `json:"sql"`
	// Message says what is unsafe and why.
	Message string `json:"message"`
	// Lock is the lock the statement takes: a PostgreSQL lock mode
	// ("ACCESS EXCLUSIVE") or a MySQL/MariaDB algorithm and lock
	// ("ALGORITHM=COPY, LOCK=SHARED").
	Lock string `json:"lock,omitempty"`
	// Rewrite and Scan report whether the statement rewrites or reads the
	// whole table while it holds Lock.
	Rewrite bool `json:"rewrite"`
	Scan    bool `json:"scan"`
	// Safe is the safe alternative, written out.
	Safe string `json:"safe,omitempty"`
	// Ignored is set when a retort:lint-ignore comment silences the
	// finding; Reason is the comment's reason.
	Ignored bool   `json:"ignored,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// Options select the rules.
type Options struct {
	// Dialect is the SQL the revisions are written in: a dialect's
	// Splitter().
	Dialect sqlsplit.Dialect
	// Target is the server the revisions are meant for, which decides
	// what MySQL and MariaDB can do INSTANT or INPLACE; the zero value is
	// PostgreSQL 12 (the first to use a validated CHECK for SET NOT
	// NULL) or MySQL 8.0.0 (the oldest of the 8.0 series, so that lint
	// never promises an INSTANT change an older server would run as a
	// copy).
	Target Target
}

// Linter checks revisions in the order they apply, remembering what
// earlier revisions created (tables, column types, validated checks) so
// that a later statement is judged against it. It is not safe for
// concurrent use.
type Linter struct {
	opts  Options
	rules dialectRules
	state *state
}

// New returns a Linter for opts.Dialect.
func New(opts Options) (*Linter, error) {
	r, err := rulesFor(opts.Dialect)
	if err != nil {
		return nil, err
	}
	if opts.Target.Flavor == "" {
		opts.Target = r.target()
	}
	return &Linter{opts: opts, rules: r, state: newState()}, nil
}

// Revision checks the upgrade section of r and returns its findings in
// statement order, silenced ones included (Ignored set). Revisions must
// be passed in the order they apply: a revision that is only read for
// what it creates, and not reported on, is passed with report false.
// A revision written in Go has no SQL to check and gives no findings.
func (l *Linter) Revision(r *script.Revision, report bool) ([]Finding, error) {
	rc, err := l.read(r)
	if rc == nil || err != nil || !report {
		return nil, err
	}
	return applyIgnores(rc, strings.Split(r.Up.SQL, "\n")), nil
}

// ReadAll reads revs, in the order they apply, for what they create,
// reporting nothing: the state a revision written after them is judged
// against (a generated one, an online rewrite).
func (l *Linter) ReadAll(revs []*script.Revision) error {
	for _, r := range revs {
		if _, err := l.read(r); err != nil {
			return err
		}
	}
	return nil
}

// read runs the rules over r's upgrade statements; it returns nil for a
// revision without SQL.
func (l *Linter) read(r *script.Revision) (*revCtx, error) {
	if r.Go || !r.Up.Present {
		return nil, nil
	}
	stmts, err := r.Split(r.Up, "upgrade", l.rules.splitter())
	if err != nil {
		return nil, fmt.Errorf("lint: %w", err)
	}
	rc := &revCtx{rev: r, opts: l.opts, rules: l.rules, st: l.state, newTables: map[string]bool{}}
	for i, s := range stmts {
		toks, err := sqlsplit.Tokens(s.Text, l.rules.splitter())
		if err != nil {
			return nil, fmt.Errorf("lint %s (%s:%d): %w", r.ID, r.Path, r.Up.Line+s.Line-1, err)
		}
		st := &stmt{text: s.Text, toks: toks, index: i + 1, line: r.Up.Line + s.Line - 1, secLine: s.Line}
		rc.stmts = append(rc.stmts, st)
		l.rules.check(rc, st)
	}
	l.rules.finish(rc)
	return rc, nil
}

// revCtx is what rules see of the revision being checked.
type revCtx struct {
	rev       *script.Revision
	opts      Options
	rules     dialectRules
	st        *state
	stmts     []*stmt
	findings  []Finding
	newTables map[string]bool // tables created by this revision
	// lockTimeout is set once the revision sets its lock timeout.
	lockTimeout bool
	// stmtTimeout is set while a non-zero statement_timeout is in force
	// (PostgreSQL), as the statements so far set it.
	stmtTimeout bool
	// firstDDL is the first statement that locks an existing table;
	// untimedDDL the first of them, long ones by design aside
	// (longByDesign), that runs with no statement_timeout in force.
	firstDDL, untimedDDL *stmt
	// ddl and backfill are the first DDL on an existing table and the
	// first data change, for the one-transaction rule.
	ddl, backfill *stmt
	// notValid holds constraints this revision added NOT VALID.
	notValid map[string]bool
	// fkChecksOff is set once a MySQL revision ran SET foreign_key_checks = 0.
	fkChecksOff bool
}

// transactional reports whether the revision's statements share one
// transaction.
func (rc *revCtx) transactional() bool { return !rc.rev.NoTransaction }

// existing reports whether table was there before this revision.
func (rc *revCtx) existing(table string) bool { return table != "" && !rc.newTables[table] }

// add records a finding of rule code on s.
func (rc *revCtx) add(s *stmt, code string, f Finding) {
	r := ruleByCode[code]
	f.Code, f.Rule = r.Code, r.Name
	if f.Severity == 0 {
		f.Severity = r.Severity
	}
	f.Revision, f.Path, f.Line, f.Statement, f.SQL = rc.rev.ID, rc.rev.Path, s.line, s.index, s.text
	rc.findings = append(rc.findings, f)
}
