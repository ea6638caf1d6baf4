package lint

import (
	"fmt"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// liteRules are SQLite's checks. SQLite has one writer at a time and
// every DDL statement takes the database's write lock, so there are no
// lock modes to choose between: what remains are the changes that break
// running code or lose data, and the statements that fail.
type liteRules struct{}

func (liteRules) splitter() sqlsplit.Dialect { return sqlsplit.SQLite }

func (liteRules) schemaIsDatabase() bool { return false }

func (liteRules) target() Target { return Target{Flavor: "sqlite"} }

func (liteRules) exclusiveLock() string { return "database write lock" }

// lockTimeout: SQLite has no lock timeout statement; RL116 does not
// check SQLite.
func (liteRules) lockTimeout() (set, name string) { return "", "" }

func (liteRules) online(_ *Linter, stmts []string, _ OnlineOptions) (Online, error) {
	return Online{Statements: stmts, Notes: []string{"SQLite has no concurrent writers to protect: --online changes nothing"}}, nil
}

// check runs the shared rules: on ALTER TABLE those on each action,
// where an ADD COLUMN goes to liteAddColumn; commonStatement on the rest.
func (liteRules) check(rc *revCtx, s *stmt) {
	t := toks(s.toks)
	at, ok := parseAlterTable(t)
	if !ok {
		commonStatement(rc, s)
		return
	}
	for _, a := range at.actions {
		if rc.existing(at.table) && renameAndDrop(rc, s, at, a) {
			continue
		}
		if a.at(0, "ADD") {
			liteAddColumn(rc, s, at.table, a)
		}
	}
}

// liteAddColumn records a new column and reports NOT NULL without a
// default, which SQLite refuses.
func liteAddColumn(rc *revCtx, s *stmt, table string, a toks) {
	i := a.skip(1, "COLUMN")
	col, i := a.name(i)
	typ, j := a.columnType(i)
	rc.st.setColumn(table, col, typ)
	rest := a[j:]
	if rest.has("NOT", "NULL") && !rest.has("DEFAULT") && !rest.has("GENERATED") && !rest.has("AS") {
		rc.add(s, "RL119", Finding{
			Message: fmt.Sprintf("SQLite refuses ADD COLUMN %s.%s NOT NULL without a non-NULL DEFAULT (\"Cannot add a NOT NULL column with default value NULL\")", table, col),
			Lock:    "database write lock",
			Safe:    "Give the column a DEFAULT, or rebuild the table (CREATE TABLE new ..., INSERT INTO new SELECT ..., DROP TABLE old, ALTER TABLE new RENAME TO old) with foreign keys off.",
		})
	}
}

func (liteRules) finish(*revCtx) {}
