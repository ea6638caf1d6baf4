package lint

import (
	"fmt"
	"strings"
)

// state is what the revisions read so far created: it is how a later
// statement knows a column's old type, or that a NOT NULL check was
// validated. It is built from the revisions' own statements, so what
// was created outside them (an imported baseline without CREATE TABLE
// statements, say) is unknown, and rules say so instead of guessing.
type state struct {
	// columns maps a table to its columns' types as written.
	columns map[string]map[string]string
	// notNull holds "table.column" for validated CHECK (column IS NOT
	// NULL) constraints; checks maps a constraint name to the
	// "table.column" its expression guards.
	notNull map[string]bool
	checks  map[string]string
}

func newState() *state {
	return &state{columns: map[string]map[string]string{}, notNull: map[string]bool{}, checks: map[string]string{}}
}

// columnType returns the type a revision gave table.col, "" when unknown.
func (st *state) columnType(table, col string) string {
	return st.columns[table][col]
}

func (st *state) setColumn(table, col, typ string) {
	if st.columns[table] == nil {
		st.columns[table] = map[string]string{}
	}
	st.columns[table][col] = typ
}

// alterTable is an ALTER TABLE statement split into its actions.
type alterTable struct {
	table   string
	actions []toks
}

// parseAlterTable reads "ALTER [ONLINE] [IGNORE] TABLE [IF EXISTS] [ONLY]
// name [*] action, action ..."; ok is false for other statements.
func parseAlterTable(t toks) (alterTable, bool) {
	if !t.at(0, "ALTER") {
		return alterTable{}, false
	}
	i := t.skip(1, "ONLINE")
	i = t.skip(i, "IGNORE")
	if !t.at(i, "TABLE") {
		return alterTable{}, false
	}
	i = t.skip(i+1, "IF", "EXISTS")
	i = t.skip(i, "ONLY")
	name, i := t.name(i)
	i = t.skip(i, "*")
	return alterTable{table: name, actions: t[i:].splitTop()}, true
}

// createTable records a CREATE TABLE's table (new in this revision) and
// its columns; ok is false for other statements.
func createTable(rc *revCtx, t toks) bool {
	i := 1
	for _, w := range []string{"OR", "REPLACE", "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"} {
		i = t.skip(i, w)
	}
	if !t.at(0, "CREATE") || !t.at(i, "TABLE") {
		return false
	}
	i = t.skip(i+1, "IF", "NOT", "EXISTS")
	name, i := t.name(i)
	rc.newTables[name] = true
	delete(rc.st.columns, name)
	rc.st.columns[name] = map[string]string{}
	inner, _, ok := t.paren(i)
	if !ok {
		return true // CREATE TABLE ... AS SELECT, LIKE, PARTITION OF
	}
	for _, el := range inner.splitTop() {
		if len(el) == 0 || tableElementKeywords[el.word(0)] {
			continue
		}
		col, j := el.name(0)
		typ, _ := el.columnType(j)
		rc.st.setColumn(name, col, typ)
	}
	return true
}

// tableElementKeywords start a table element that is not a column.
var tableElementKeywords = map[string]bool{
	"CONSTRAINT": true, "PRIMARY": true, "UNIQUE": true, "FOREIGN": true, "CHECK": true,
	"EXCLUDE": true, "KEY": true, "INDEX": true, "LIKE": true, "FULLTEXT": true, "SPATIAL": true,
}

// commonStatement runs the rules every dialect shares on statements that
// are not ALTER TABLE: transaction control, DROP TABLE, RENAME TABLE,
// TRUNCATE, DROP DATABASE. It reports whether it recognised s. Each rule
// is a function of its own; this only picks which one applies.
func commonStatement(rc *revCtx, s *stmt) bool {
	t := toks(s.toks)
	switch {
	case len(t) == 0:
	case t.atAny(txControl):
		txControlStatement(rc, s, t)
	case t.at(0, "DROP", "TABLE"):
		dropTables(rc, s, t)
	case t.at(0, "TRUNCATE"):
		truncateTable(rc, s, t)
	case t.at(0, "DROP", "DATABASE") || t.at(0, "DROP", "SCHEMA") && rc.rules.schemaIsDatabase():
		dropDatabase(rc, s)
	default:
		return createTable(rc, t) || createRelation(rc, t)
	}
	return true
}

// txControl are the statements that begin or end a transaction.
var txControl = [][]string{{"BEGIN"}, {"START", "TRANSACTION"}, {"COMMIT"}, {"ROLLBACK"}, {"END"}}

// txControlStatement reports a transaction control statement: retort
// owns the revision's transaction.
func txControlStatement(rc *revCtx, s *stmt, t toks) {
	rc.add(s, "RL125", Finding{
		Message: fmt.Sprintf("%s inside a revision: retort already runs each revision in one transaction (or statement by statement under Transaction: none), so this ends or nests it and the version row no longer commits with the change", strings.ToUpper(t[0].Text)),
		Safe:    "Remove the statement. For statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY), put them in a revision of their own with \"-- Transaction: none\" in its header.",
	})
}

// truncateTable reports a TRUNCATE, which deletes every row.
func truncateTable(rc *revCtx, s *stmt, t toks) {
	rc.add(s, "RL114", Finding{
		Message: "TRUNCATE deletes every row of the table" + ifs(t.has("CASCADE"), ", and CASCADE every row of every table that references it,", "") + ", under an exclusive lock on the table",
		Lock:    rc.exclusiveLock(),
		Safe:    "Delete the rows you mean with DELETE ... WHERE in batches, name each table instead of CASCADE, or silence this with the reason the data may go.",
	})
}

// dropDatabase reports a DROP DATABASE (or MySQL's DROP SCHEMA, the same
// statement there).
func dropDatabase(rc *revCtx, s *stmt) {
	rc.add(s, "RL124", Finding{
		Message: "DROP DATABASE in a migration deletes everything in it",
		Safe:    "Drop databases by hand, outside the migrations.",
	})
}

// createRelation records the relations other than tables that a
// statement creates (views, materialized views, sequences, and the
// tables of a PostgreSQL CREATE SCHEMA ... CREATE TABLE ...), so that
// later statements on them are not taken for changes to existing tables.
func createRelation(rc *revCtx, t toks) bool {
	if !t.at(0, "CREATE") {
		return false
	}
	if t.at(1, "SCHEMA") {
		for i := 2; i < len(t); i++ {
			if t.at(i, "CREATE") {
				sub := t[i:]
				if end := sub[1:].find(0, "CREATE"); end >= 0 {
					sub = sub[:end+1]
				}
				createTable(rc, sub)
				createRelation(rc, sub)
			}
		}
		return true
	}
	i := 1
	for _, w := range []string{"OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "RECURSIVE", "MATERIALIZED"} {
		i = t.skip(i, w)
	}
	if !t.at(i, "VIEW") && !t.at(i, "SEQUENCE") {
		return false
	}
	name, _ := t.name(t.skip(i+1, "IF", "NOT", "EXISTS"))
	rc.newTables[name] = true
	return true
}

// dropTables reports each table a DROP TABLE names.
func dropTables(rc *revCtx, s *stmt, t toks) {
	i := t.skip(2, "IF", "EXISTS")
	for _, part := range t[i:].splitTop() {
		name, _ := part.name(0)
		if name == "" {
			continue
		}
		delete(rc.st.columns, name)
		if rc.newTables[name] {
			continue
		}
		rc.noteDDL(s)
		rc.add(s, "RL113", Finding{
			Message: fmt.Sprintf("DROP TABLE %s deletes the table and its data, and breaks the application version still running if it reads or writes it", name),
			Lock:    rc.exclusiveLock(),
			Safe:    fmt.Sprintf("First deploy code that no longer uses %s; then drop it in a later revision (keep a backup, or rename it away and drop it after a grace period).", name),
		})
	}
}

// exclusiveLock names the lock a metadata-only DDL takes in the dialect.
func (rc *revCtx) exclusiveLock() string { return rc.rules.exclusiveLock() }

// noteDDL remembers the first DDL statement on an existing table, for
// the timeout and backfill rules.
func (rc *revCtx) noteDDL(s *stmt) {
	if rc.firstDDL == nil {
		rc.firstDDL = s
	}
	if rc.untimedDDL == nil && !rc.stmtTimeout && !longByDesign(toks(s.toks)) {
		rc.untimedDDL = s
	}
	if rc.ddl == nil {
		rc.ddl = s
	}
}

// renameAndDrop runs the shared rules on one ALTER TABLE action: RENAME
// TO, RENAME COLUMN and DROP COLUMN. It reports whether it recognised a.
// It reads the names; renameTable, renameColumn and dropColumn report.
func renameAndDrop(rc *revCtx, s *stmt, at alterTable, a toks) bool {
	switch {
	case a.at(0, "RENAME", "TO") || a.at(0, "RENAME", "AS"):
		newName, _ := a.name(2)
		renameTable(rc, s, at.table, newName)
	case a.atAny(renameNonColumn):
	case a.at(0, "RENAME"):
		i := a.skip(1, "COLUMN")
		old, i := a.name(i)
		newName, _ := a.name(a.skip(i, "TO"))
		renameColumn(rc, s, at.table, old, newName)
	case a.at(0, "DROP") && !dropsNonColumn(a):
		col, _ := a.name(a.skip(a.skip(1, "COLUMN"), "IF", "EXISTS"))
		dropColumn(rc, s, at.table, col)
	default:
		return false
	}
	return true
}

// renameNonColumn are the RENAME actions on what is not a column: they
// break no running code that lint can see.
var renameNonColumn = [][]string{{"RENAME", "CONSTRAINT"}, {"RENAME", "INDEX"}, {"RENAME", "KEY"}}

// dropColumn reports a dropped column and forgets it in the state.
func dropColumn(rc *revCtx, s *stmt, table, col string) {
	if rc.st.columns[table] != nil {
		delete(rc.st.columns[table], col)
	}
	rc.add(s, "RL112", Finding{
		Message: fmt.Sprintf("dropping column %s.%s deletes its data and breaks the application version still running if it reads or writes the column", table, col),
		Lock:    rc.exclusiveLock(),
		Safe:    fmt.Sprintf("First deploy code that no longer reads or writes %s (ignored by the ORM); then drop it in a later revision.", col),
	})
}

// dropsNonColumn reports a DROP action on something other than a column.
func dropsNonColumn(a toks) bool {
	switch a.word(1) {
	case "CONSTRAINT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "DEFAULT", "NOT", "PARTITION", "IDENTITY", "EXPRESSION":
		return true
	}
	return false
}

func ifs(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// renameTable reports a table rename and follows it in the state.
func renameTable(rc *revCtx, s *stmt, from, to string) {
	rc.st.columns[to] = rc.st.columns[from]
	delete(rc.st.columns, from)
	rc.add(s, "RL111", Finding{
		Message: fmt.Sprintf("renaming table %s to %s breaks the application version still running, which uses the old name", from, to),
		Lock:    rc.exclusiveLock(),
		Safe:    fmt.Sprintf("Create the new table (or a view named %s over it), write to both, backfill, move reads, then drop the old one in a later revision.", to),
	})
}

// renameColumn reports a column rename and follows it in the state.
func renameColumn(rc *revCtx, s *stmt, table, old, to string) {
	if typ := rc.st.columnType(table, old); typ != "" {
		rc.st.setColumn(table, to, typ)
		delete(rc.st.columns[table], old)
	}
	rc.add(s, "RL110", Finding{
		Message: fmt.Sprintf("renaming column %s.%s to %s breaks the application version still running, which uses the old name", table, old, to),
		Lock:    rc.exclusiveLock(),
		Safe:    fmt.Sprintf("Add column %s, write to both columns, backfill %s from %s in batches, move reads to %s, stop writing %s, then drop %s in a later revision.", to, to, old, to, old, old),
	})
}
