package lint

import (
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// StatementLock is what one statement of a revision takes when it runs,
// for "upgrade --plan".
type StatementLock struct {
	// Statement is the 1-based number in the upgrade section; Line is the
	// line of its first token in the file.
	Statement int
	Line      int
	SQL       string
	// Table is the existing table the statement locks, "" when none (a
	// table the revision itself creates, a SET, ...).
	Table string
	// Lock is the lock taken: the most severe a finding names, or the
	// statement kind's usual lock.
	Lock string
	// Rewrite and Scan report a whole-table rewrite or read under Lock.
	Rewrite, Scan bool
	// Findings are the statement's lint findings.
	Findings []Finding
}

// Locks returns, statement by statement, the locks r's upgrade takes. Like
// Revision, revisions must be passed in the order they apply (the ones
// not planned through Revision with report false).
func (l *Linter) Locks(r *script.Revision) ([]StatementLock, error) {
	rc, err := l.read(r)
	if rc == nil || err != nil {
		return nil, err
	}
	fs := applyIgnores(rc, strings.Split(r.Up.SQL, "\n"))
	out := make([]StatementLock, len(rc.stmts))
	for i, s := range rc.stmts {
		sl := StatementLock{Statement: s.index, Line: s.line, SQL: s.text}
		if t := statementTable(toks(s.toks)); rc.existing(t) {
			sl.Table = t
		}
		sl.Lock, sl.Scan = l.rules.lock(rc, s, sl.Table != "")
		sl.addFindings(fs)
		out[i] = sl
	}
	return out, nil
}

// addFindings adds the findings on sl's statement to it.
func (sl *StatementLock) addFindings(fs []Finding) {
	for _, f := range fs {
		if f.Statement == sl.Statement {
			sl.addFinding(f)
		}
	}
}

// addFinding adds one finding. Its lock replaces the statement kind's
// usual one when the finding rewrites or scans, or when nothing so far
// did: the lock held longest wins.
func (sl *StatementLock) addFinding(f Finding) {
	sl.Findings = append(sl.Findings, f)
	if f.Lock != "" && (f.Rewrite || f.Scan || !sl.Rewrite && !sl.Scan) {
		sl.Lock = f.Lock
	}
	sl.Rewrite = sl.Rewrite || f.Rewrite
	sl.Scan = sl.Scan || f.Scan
}

// statementTable is the table a statement acts on, "" when it names none.
func statementTable(t toks) string {
	if t.at(0, "ALTER") {
		at, _ := parseAlterTable(t)
		return at.table
	}
	i := tableNameIndex(t)
	if i <= 0 {
		return ""
	}
	name, _ := t.name(t.skip(i, "ONLY"))
	return name
}

// tableNameIndex is where the table's name starts in a statement other
// than ALTER TABLE, 0 or less when it names none. The statements with a
// fixed lead are in tableNameLeads; the index ones search for theirs.
func tableNameIndex(t toks) int {
	switch {
	case t.at(0, "CREATE") && t.has("INDEX"):
		return t.find(0, "ON") + 1
	case t.at(0, "REINDEX"):
		return t.skip(t.find(0, "TABLE")+1, "CONCURRENTLY")
	}
	for _, l := range tableNameLeads {
		if t.at(0, l.lead...) {
			return t.skip(len(l.lead), l.optional...)
		}
	}
	return 0
}

// tableNameLeads are the statements whose table name follows their lead
// words and, when present, the optional ones.
var tableNameLeads = []struct{ lead, optional []string }{
	{[]string{"DROP", "TABLE"}, []string{"IF", "EXISTS"}},
	{[]string{"TRUNCATE"}, []string{"TABLE"}},
	{[]string{"UPDATE"}, nil},
	{[]string{"DELETE", "FROM"}, nil},
	{[]string{"INSERT", "INTO"}, nil},
	{[]string{"VACUUM", "FULL"}, nil},
	{[]string{"RENAME", "TABLE"}, nil},
	{[]string{"CLUSTER"}, nil},
}

// kindLock is the usual lock of a statement by its kind, for statements
// no finding describes; existing says whether it acts on a table that was
// there before the revision. Data changes take the dialect's row lock;
// DDL on an existing table the lock of its kind (ddlKind), and only the
// index builds and validations scan.
func kindLock(t toks, existing bool, locks map[string]string) (string, bool) {
	switch {
	case t.at(0, "UPDATE") || t.at(0, "DELETE"):
		return locks["dml"], existing
	case t.at(0, "INSERT"):
		return locks["dml"], false
	case !existing:
		return "", false
	}
	kind := ddlKind(t)
	return locks[kind], kind != "ddl"
}

// ddlKind names a DDL statement's kind, a key of pgLocks and myLocks.
func ddlKind(t toks) string {
	switch {
	case t.at(0, "CREATE") && t.has("CONCURRENTLY"):
		return "concurrent"
	case t.at(0, "CREATE") && t.has("INDEX"):
		return "index"
	case t.at(0, "ALTER") && t.has("VALIDATE", "CONSTRAINT"):
		return "validate"
	}
	return "ddl"
}

var pgLocks = map[string]string{
	"dml": "ROW EXCLUSIVE", "concurrent": "SHARE UPDATE EXCLUSIVE", "index": "SHARE",
	"validate": "SHARE UPDATE EXCLUSIVE", "ddl": "ACCESS EXCLUSIVE",
}

var myLocks = map[string]string{
	"dml": "row locks", "concurrent": "", "index": myInplace, "validate": "",
	"ddl": "metadata lock; INSTANT or INPLACE, LOCK=NONE",
}

func (pgRules) lock(rc *revCtx, s *stmt, existing bool) (string, bool) {
	return kindLock(toks(s.toks), existing, pgLocks)
}

func (myRules) lock(rc *revCtx, s *stmt, existing bool) (string, bool) {
	return kindLock(toks(s.toks), existing, myLocks)
}

func (liteRules) lock(rc *revCtx, s *stmt, existing bool) (string, bool) {
	t := toks(s.toks)
	if t.at(0, "SELECT") || t.at(0, "PRAGMA") {
		return "", false
	}
	return "database write lock", (t.at(0, "UPDATE") || t.at(0, "DELETE")) && existing
}
