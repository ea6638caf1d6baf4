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
		for _, f := range fs {
			if f.Statement != s.index {
				continue
			}
			sl.Findings = append(sl.Findings, f)
			if f.Lock != "" && (f.Rewrite || f.Scan || !sl.Rewrite && !sl.Scan) {
				sl.Lock = f.Lock
			}
			sl.Rewrite = sl.Rewrite || f.Rewrite
			sl.Scan = sl.Scan || f.Scan
		}
		out[i] = sl
	}
	return out, nil
}

// statementTable is the table a statement acts on, "" when it names none.
func statementTable(t toks) string {
	i := -1
	switch {
	case t.at(0, "ALTER"):
		if at, ok := parseAlterTable(t); ok {
			return at.table
		}
	case t.at(0, "CREATE") && t.has("INDEX"):
		i = t.find(0, "ON") + 1
	case t.at(0, "REINDEX"):
		i = t.skip(t.find(0, "TABLE")+1, "CONCURRENTLY")
	case t.at(0, "DROP", "TABLE"):
		i = t.skip(2, "IF", "EXISTS")
	case t.at(0, "TRUNCATE"):
		i = t.skip(1, "TABLE")
	case t.at(0, "UPDATE"):
		i = 1
	case t.at(0, "DELETE", "FROM"), t.at(0, "INSERT", "INTO"):
		i = 2
	case t.at(0, "VACUUM", "FULL"), t.at(0, "RENAME", "TABLE"):
		i = 2
	case t.at(0, "CLUSTER"):
		i = 1
	}
	if i <= 0 {
		return ""
	}
	name, _ := t.name(t.skip(i, "ONLY"))
	return name
}

// kindLock is the usual lock of a statement by its kind, for statements
// no finding describes; existing says whether it acts on a table that was
// there before the revision.
func kindLock(t toks, existing bool, locks map[string]string) (string, bool) {
	switch {
	case t.at(0, "UPDATE") || t.at(0, "DELETE"):
		return locks["dml"], existing
	case t.at(0, "INSERT"):
		return locks["dml"], false
	case !existing:
		return "", false
	case t.at(0, "CREATE") && t.has("CONCURRENTLY"):
		return locks["concurrent"], true
	case t.at(0, "CREATE") && t.has("INDEX"):
		return locks["index"], true
	case t.at(0, "ALTER") && t.has("VALIDATE", "CONSTRAINT"):
		return locks["validate"], true
	}
	return locks["ddl"], false
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
