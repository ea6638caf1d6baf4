package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// pgRules are PostgreSQL's checks. Lock modes are those the PostgreSQL
// documentation gives for each command (ALTER TABLE, CREATE INDEX, ...).
type pgRules struct{}

func (pgRules) splitter() sqlsplit.Dialect { return sqlsplit.Postgres }

func (pgRules) schemaIsDatabase() bool { return false }

func (pgRules) target() Target { return Target{Flavor: "postgres", Version: [3]int{12}} }

func (pgRules) exclusiveLock() string { return "ACCESS EXCLUSIVE" }

func (pgRules) lockTimeout() (set, name string) { return "SET lock_timeout = '5s';", "lock_timeout" }

func (pgRules) online(_ *Linter, stmts []string, o OnlineOptions) (Online, error) {
	return pgOnlineRewrite(stmts, o)
}

// pgVolatile are the built-in volatile functions a column default may
// call; a new column with such a default is filled row by row, which
// rewrites the table (PostgreSQL 11+ stores a non-volatile default
// without a rewrite).
var pgVolatile = []string{"RANDOM", "GEN_RANDOM_UUID", "UUID_GENERATE_V1", "UUID_GENERATE_V1MC", "UUID_GENERATE_V4",
	"CLOCK_TIMESTAMP", "TIMEOFDAY", "NEXTVAL", "TXID_CURRENT", "SETSEED"}

// check picks the rule for one statement by its kind; each kind's rule
// is a function of its own, and ALTER TABLE and the statements every
// dialect shares go to pgAlterTable and commonStatement.
func (pgRules) check(rc *revCtx, s *stmt) {
	t := toks(s.toks)
	switch {
	case t.at(0, "SET"), t.at(0, "RESET"):
		pgSet(rc, t)
	case t.at(0, "CREATE", "INDEX"), t.at(0, "CREATE", "UNIQUE", "INDEX"):
		pgCreateIndex(rc, s, t)
	case t.at(0, "DROP", "INDEX"):
		pgDropIndex(rc, s, t)
	case t.at(0, "REINDEX"):
		pgReindex(rc, s, t)
	case pgRewritesTable(t):
		pgRewriteCommand(rc, s, t)
	case t.at(0, "ALTER", "TYPE"):
		pgAlterType(rc, s, t)
	case pgAddsDomainCheck(t):
		pgDomainCheck(rc, s)
	case pgDataChange(t):
		rc.noteBackfill(s)
	default:
		alterOrCommon(rc, s, t, pgAlterTable)
	}
}

// alterOrCommon hands an ALTER TABLE to the dialect's alter and any other
// statement to the rules every dialect shares.
func alterOrCommon(rc *revCtx, s *stmt, t toks, alter func(*revCtx, *stmt, alterTable)) {
	if at, ok := parseAlterTable(t); ok {
		alter(rc, s, at)
		return
	}
	commonStatement(rc, s)
}

// pgDropIndex reports a DROP INDEX without CONCURRENTLY.
func pgDropIndex(rc *revCtx, s *stmt, t toks) {
	pgConcurrent(rc, s, t.at(2, "CONCURRENTLY"), "RL102", Finding{
		Message: "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table: reads and writes wait, and everything queues behind it while it waits for running queries",
		Lock:    "ACCESS EXCLUSIVE",
		Safe:    "DROP INDEX CONCURRENTLY " + t[2:].text() + ";  -- in a revision of its own with \"-- Transaction: none\" in the header",
	})
}

// pgReindex reports a REINDEX without CONCURRENTLY.
func pgReindex(rc *revCtx, s *stmt, t toks) {
	pgConcurrent(rc, s, t.has("CONCURRENTLY"), "RL122", Finding{
		Message: "REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds",
		Lock:    "SHARE (ACCESS EXCLUSIVE on the index)", Scan: true,
		Safe: "REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a revision with \"-- Transaction: none\"",
	})
}

// pgAddsDomainCheck reports a CREATE DOMAIN with a CHECK or an ALTER
// DOMAIN ... ADD: a constraint checked against every column of the domain.
func pgAddsDomainCheck(t toks) bool {
	return t.at(0, "CREATE", "DOMAIN") && t.has("CHECK") || t.at(0, "ALTER", "DOMAIN") && t.has("ADD")
}

// pgDomainCheck reports a domain constraint added under lock.
func pgDomainCheck(rc *revCtx, s *stmt) {
	rc.add(s, "RL126", Finding{
		Message: "a domain constraint is checked against every column of the domain, under lock, when it is added; and it cannot be changed without that again",
		Lock:    "SHARE (on each table using the domain)", Scan: true,
		Safe: "Put the CHECK on the columns' tables (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT), or add the domain constraint NOT VALID and VALIDATE it later.",
	})
}

// pgDataChange reports a statement that changes rows: UPDATE, DELETE,
// INSERT ... SELECT. RL118 asks for it to be out of the DDL's transaction.
func pgDataChange(t toks) bool {
	return t.at(0, "UPDATE") || t.at(0, "DELETE") || t.at(0, "INSERT") && t.has("SELECT")
}

// noteBackfill remembers the first data change of the revision, for RL118.
func (rc *revCtx) noteBackfill(s *stmt) {
	if rc.backfill == nil {
		rc.backfill = s
	}
}

// pgRewritesTable reports VACUUM FULL and CLUSTER, which rewrite a table.
func pgRewritesTable(t toks) bool {
	return t.at(0, "VACUUM") && t.hasAnyDeep("FULL") || t.at(0, "CLUSTER")
}

// pgRewriteCommand reports VACUUM FULL and CLUSTER on an existing table.
func pgRewriteCommand(rc *revCtx, s *stmt, t toks) {
	if tb := statementTable(t); tb != "" && !rc.existing(tb) {
		return // a table this revision creates
	}
	rc.noteDDL(s)
	rc.add(s, "RL123", Finding{
		Message: strings.ToUpper(t[0].Text) + " rewrites the whole table under ACCESS EXCLUSIVE: reads and writes wait until it ends",
		Lock:    "ACCESS EXCLUSIVE", Rewrite: true,
		Safe: "Use pg_repack (or pg_squeeze), which rebuilds the table online, outside the migrations.",
	})
}

// pgSet notes a non-zero lock_timeout set before the first DDL on an
// existing table, and whether a non-zero statement_timeout is in force
// from this statement on. 0 is no bound; RESET (or SET ... DEFAULT) goes
// back to a default that lint cannot see (the server's, the role's):
// counted as none.
func pgSet(rc *revCtx, t toks) {
	reset := t.at(0, "RESET")
	i := t.skip(1, "SESSION")
	i = t.skip(i, "LOCAL")
	name, i := t.name(i)
	i = t.skip(i, "=")
	i = t.skip(i, "TO")
	on := !reset && nonZeroSetting(t, i)
	switch {
	case name == "lock_timeout" && rc.firstDDL == nil:
		rc.lockTimeout = on
	case name == "statement_timeout" || name == "all" && reset:
		rc.stmtTimeout = on
	}
}

// nonZeroSetting reports whether the setting value at i is a duration
// other than 0: '5s', 5000, '1min'; not 0, '0ms' or DEFAULT.
func nonZeroSetting(t toks, i int) bool {
	if i >= len(t) || t.at(i, "DEFAULT") {
		return false
	}
	v := strings.Trim(t[i].Text, "'")
	n := strings.TrimLeft(v, "0.")
	return n != "" && n[0] >= '1' && n[0] <= '9'
}

// longByDesign reports the statements that run long by design without
// blocking reads or writes, so that a statement_timeout must not cut them
// short: CONCURRENTLY builds, drops, reindexes and detaches (SHARE UPDATE
// EXCLUSIVE), and VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE; ROW SHARE
// on a foreign key's other table). migrate --online runs them with
// statement_timeout 0, and RL117 does not ask for one before them.
func longByDesign(t toks) bool {
	if t.has("CONCURRENTLY") {
		return true
	}
	at, ok := parseAlterTable(t)
	if !ok || len(at.actions) == 0 {
		return false
	}
	for _, a := range at.actions {
		if !a.at(0, "VALIDATE", "CONSTRAINT") {
			return false
		}
	}
	return true
}

// pgConcurrent reports a CONCURRENTLY statement in a transactional
// revision (it fails), or the non-concurrent form's finding.
func pgConcurrent(rc *revCtx, s *stmt, concurrently bool, code string, f Finding) {
	if concurrently {
		if rc.transactional() {
			rc.add(s, "RL103", Finding{
				Message: "CONCURRENTLY cannot run inside a transaction block, and this revision runs in one: upgrade fails here",
				Safe:    "Move the statement to a revision of its own with \"-- Transaction: none\" in its header (retort then runs it outside a transaction).",
			})
		}
		return
	}
	rc.noteDDL(s)
	rc.add(s, code, f)
}

func pgCreateIndex(rc *revCtx, s *stmt, t toks) {
	i := t.skip(1, "UNIQUE") + 1
	conc := t.at(i, "CONCURRENTLY")
	on := t.find(i, "ON")
	if on < 0 {
		return
	}
	table, _ := t.name(t.skip(on+1, "ONLY"))
	if !conc && !rc.existing(table) {
		return // a table created by this revision is empty
	}
	safe := "CREATE " + ifs(t.at(1, "UNIQUE"), "UNIQUE ", "") + "INDEX CONCURRENTLY " + t[t.skip(1, "UNIQUE")+1:].text() +
		";  -- in a revision of its own with \"-- Transaction: none\" in the header; if it fails, DROP INDEX CONCURRENTLY the INVALID index it leaves and run it again"
	pgConcurrent(rc, s, conc, "RL101", Finding{
		Message: fmt.Sprintf("CREATE INDEX without CONCURRENTLY on %s blocks inserts, updates and deletes for the whole index build", table),
		Lock:    "SHARE", Scan: true, Safe: safe,
	})
}

func pgAlterType(rc *revCtx, s *stmt, t toks) {
	name, i := t.name(2)
	switch {
	case t.at(i, "ADD", "VALUE"):
		msg := fmt.Sprintf("ALTER TYPE %s ADD VALUE: the new value cannot be used until the transaction that adds it commits", name)
		safe := "Add the value in a revision of its own (with \"-- Transaction: none\" before PostgreSQL 12), and use it from a later revision; deploy code that accepts the value before code that writes it."
		if !t.has("BEFORE") && !t.has("AFTER") {
			msg += "; without BEFORE or AFTER it goes last, which changes how the enum sorts only if that was not meant"
		}
		rc.add(s, "RL115", Finding{Message: msg, Lock: "ACCESS EXCLUSIVE (on the type, brief)", Safe: safe})
	case t.at(i, "RENAME", "VALUE"):
		rc.add(s, "RL115", Finding{
			Message: fmt.Sprintf("ALTER TYPE %s RENAME VALUE breaks the application version still running, which writes the old value", name),
			Lock:    "ACCESS EXCLUSIVE (on the type, brief)",
			Safe:    "Add the new value, deploy code that writes it, UPDATE the rows in batches, and stop accepting the old value; an enum value cannot be dropped (create a new type and switch the column, which rewrites the table).",
		})
	}
}

// pgAlterTable checks each action of an ALTER TABLE; the shared rename
// and drop rules first, then pgAlterAction. Only a table that existed
// before the revision counts as DDL for the timeout rules.
func pgAlterTable(rc *revCtx, s *stmt, at alterTable) {
	existing := rc.existing(at.table)
	if existing {
		rc.noteDDL(s)
	}
	for _, a := range at.actions {
		if existing && renameAndDrop(rc, s, at, a) {
			continue
		}
		pgAlterAction(rc, s, at, a, existing)
	}
}

// pgAlterAction picks the rule for one ALTER TABLE action by its kind.
func pgAlterAction(rc *revCtx, s *stmt, at alterTable, a toks, existing bool) {
	switch {
	case a.at(0, "ADD") && !pgAddsConstraint(a):
		pgAddColumn(rc, s, at.table, a, existing)
	case a.at(0, "ADD"):
		pgAddConstraint(rc, s, at.table, a, existing)
	case a.at(0, "VALIDATE", "CONSTRAINT"):
		pgValidate(rc, s, at.table, a)
	case a.at(0, "ALTER") && existing:
		pgAlterColumn(rc, s, at.table, a)
	case a.at(0, "DETACH", "PARTITION"):
		pgDetach(rc, s, at.table, a)
	}
}

// pgDetach reports a DETACH PARTITION without CONCURRENTLY.
func pgDetach(rc *revCtx, s *stmt, table string, a toks) {
	pgConcurrent(rc, s, a.has("CONCURRENTLY"), "RL128", Finding{
		Message: "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table",
		Lock:    "ACCESS EXCLUSIVE",
		Safe:    "ALTER TABLE " + table + " " + a.text() + " CONCURRENTLY;  -- PostgreSQL 14+, in a revision with \"-- Transaction: none\"",
	})
}

// pgAddsConstraint reports an ADD action that adds a table constraint.
func pgAddsConstraint(a toks) bool {
	switch a.word(1) {
	case "CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE":
		return true
	}
	return false
}

// pgAddColumn records a new column's type and, on an existing table,
// reports what adding it costs: pgNewColumnFill for the rewrite or the
// failure every row brings, pgNewColumnConstraints for the inline
// constraints' locks.
func pgAddColumn(rc *revCtx, s *stmt, table string, a toks, existing bool) {
	i := a.skip(1, "COLUMN")
	i = a.skip(i, "IF", "NOT", "EXISTS")
	col, i := a.name(i)
	typ, _ := a.columnType(i)
	rc.st.setColumn(table, col, typ)
	if !existing {
		return
	}
	rest := a[i:]
	base, _ := splitType(typ)
	if base == "json" {
		rc.add(s, "RL120", Finding{
			Message: fmt.Sprintf("column %s.%s is json, which has no equality operator: SELECT DISTINCT and UNION over the table start failing", table, col),
			Safe:    "Use jsonb: ALTER TABLE " + table + " ADD COLUMN " + col + " jsonb ...",
		})
	}
	pgNewColumnFill(rc, s, table, col, typ, rest)
	pgNewColumnConstraints(rc, s, table, col, rest)
}

// pgNewColumnFill reports a new column that every existing row must be
// filled for: a rewrite (RL107), or NOT NULL with nothing to fill it
// with, which fails on the first row (RL119).
func pgNewColumnFill(rc *revCtx, s *stmt, table, col, typ string, rest toks) {
	base, _ := splitType(typ)
	if why := pgRewritingColumn(base, rest); why != "" {
		rc.add(s, "RL107", Finding{
			Message: fmt.Sprintf("adding column %s.%s with %s fills every existing row: the table is rewritten under ACCESS EXCLUSIVE, reads and writes wait", table, col, why),
			Lock:    "ACCESS EXCLUSIVE", Rewrite: true,
			Safe: fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s;  -- no default: no rewrite\nALTER TABLE %s ALTER COLUMN %s SET DEFAULT ...;  -- for new rows\n"+
				"-- then backfill existing rows in batches, outside the DDL's transaction: UPDATE %s SET %s = ... WHERE id BETWEEN ... AND ...;", table, col, typ, table, col, table, col),
		})
	} else if rest.has("NOT", "NULL") && !rest.has("DEFAULT") && !rest.has("GENERATED") {
		rc.add(s, "RL119", Finding{
			Message: fmt.Sprintf("adding column %s.%s NOT NULL without a DEFAULT fails as soon as the table has a row", table, col),
			Lock:    "ACCESS EXCLUSIVE",
			Safe:    fmt.Sprintf("Add it with a non-volatile DEFAULT (no rewrite on PostgreSQL 11+), or nullable, backfill in batches, then add NOT NULL through a validated CHECK (%s IS NOT NULL).", col),
		})
	}
}

// pgNewColumnConstraints reports the locks of a new column's inline
// REFERENCES (RL104) and UNIQUE or PRIMARY KEY (RL109).
func pgNewColumnConstraints(rc *revCtx, s *stmt, table, col string, rest toks) {
	if rest.has("REFERENCES") {
		rc.add(s, "RL104", Finding{
			Message: fmt.Sprintf("the foreign key on new column %s.%s takes SHARE ROW EXCLUSIVE on both tables while it is validated", table, col),
			Lock:    "SHARE ROW EXCLUSIVE (both tables)",
			Safe:    fmt.Sprintf("Add the column without REFERENCES, then ALTER TABLE %s ADD CONSTRAINT %s_fkey FOREIGN KEY (%s) REFERENCES ... NOT VALID; and VALIDATE CONSTRAINT %s_fkey in a later transaction.", table, col, col, col),
		})
	}
	if rest.has("UNIQUE") || rest.has("PRIMARY", "KEY") {
		rc.add(s, "RL109", Finding{
			Message: fmt.Sprintf("the UNIQUE/PRIMARY KEY on new column %s.%s builds its index under ACCESS EXCLUSIVE", table, col),
			Lock:    "ACCESS EXCLUSIVE", Scan: true,
			Safe: fmt.Sprintf("Add the column plain; CREATE UNIQUE INDEX CONCURRENTLY %s_%s_key ON %s (%s); then ALTER TABLE %s ADD CONSTRAINT %s_%s_key UNIQUE USING INDEX %s_%s_key;", table, col, table, col, table, table, col, table, col),
		})
	}
}

// pgRewritingColumn says why a new column of type base with the clauses
// rest rewrites the table, or "".
func pgRewritingColumn(base string, rest toks) string {
	switch base {
	case "serial", "bigserial", "smallserial", "serial4", "serial8", "serial2":
		return "type " + base + " (a nextval() default per row)"
	}
	if rest.has("GENERATED") && rest.has("IDENTITY") {
		return "an identity (a new sequence value per row)"
	}
	if rest.has("GENERATED") && rest.has("STORED") {
		return "a stored generated expression (computed per row)"
	}
	if d := rest.find(0, "DEFAULT"); d >= 0 {
		for _, f := range pgVolatile {
			if rest[d:].hasAnyDeep(f) {
				return "the volatile default " + strings.ToLower(f) + "()"
			}
		}
	}
	return ""
}

// pgAddConstraint follows a new table constraint in the state
// (pgNoteConstraint) and, when it is validated on an existing table,
// reports its lock (pgConstraintLock).
func pgAddConstraint(rc *revCtx, s *stmt, table string, a toks, existing bool) {
	i := 1
	name := ""
	if a.at(1, "CONSTRAINT") {
		name, i = a.name(2)
	}
	notValid := a.has("NOT", "VALID")
	pgNoteConstraint(rc, table, name, a, i, notValid)
	if existing && !notValid {
		pgConstraintLock(rc, s, table, name, a, i)
	}
}

// pgNoteConstraint remembers a CHECK (col IS NOT NULL), which a later SET
// NOT NULL can use once validated, and a constraint added NOT VALID,
// which must not be validated in the same transaction. i is where the
// constraint's kind starts.
func pgNoteConstraint(rc *revCtx, table, name string, a toks, i int, notValid bool) {
	if a.at(i, "CHECK") {
		if inner, _, ok := a.paren(i + 1); ok && len(inner) == 4 && inner.at(1, "IS", "NOT", "NULL") {
			col, _ := inner.name(0)
			rc.st.checks[name] = table + "." + col
		}
	}
	if notValid {
		rc.pendingNotValid(name)
	}
}

// pgConstraintLock reports what adding a validated constraint to an
// existing table locks, by the constraint's kind (at i).
func pgConstraintLock(rc *revCtx, s *stmt, table, name string, a toks, i int) {
	switch {
	case a.at(i, "FOREIGN"):
		rc.add(s, "RL104", Finding{
			Message: fmt.Sprintf("adding foreign key %s on %s without NOT VALID scans %s under SHARE ROW EXCLUSIVE on both tables: writes to both wait", name, table, table),
			Lock:    "SHARE ROW EXCLUSIVE (both tables)", Scan: true,
			Safe: fmt.Sprintf("ALTER TABLE %s %s NOT VALID;\n-- then, in a later transaction (the next revision): ALTER TABLE %s VALIDATE CONSTRAINT %s;  -- SHARE UPDATE EXCLUSIVE: reads and writes go on", table, a.text(), table, name),
		})
	case a.at(i, "CHECK"):
		rc.add(s, "RL104", Finding{
			Severity: Error,
			Message:  fmt.Sprintf("adding CHECK %s on %s without NOT VALID scans the table under ACCESS EXCLUSIVE: reads and writes wait", name, table),
			Lock:     "ACCESS EXCLUSIVE", Scan: true,
			Safe: fmt.Sprintf("ALTER TABLE %s %s NOT VALID;\n-- then, in a later transaction (the next revision): ALTER TABLE %s VALIDATE CONSTRAINT %s;", table, a.text(), table, name),
		})
	case (a.at(i, "UNIQUE") || a.at(i, "PRIMARY")) && !a.has("USING", "INDEX"):
		pgUniqueConstraint(rc, s, table, name, a, i)
	case a.at(i, "EXCLUDE"):
		rc.add(s, "RL127", Finding{
			Message: fmt.Sprintf("adding exclusion constraint %s on %s checks every row under ACCESS EXCLUSIVE; it cannot be added NOT VALID", name, table),
			Lock:    "ACCESS EXCLUSIVE", Scan: true,
			Safe: "Add it while the table is small or in a maintenance window; there is no online form.",
		})
	}
}

// pgUniqueConstraint reports a UNIQUE or PRIMARY KEY built under ACCESS
// EXCLUSIVE, with the concurrent index and USING INDEX to use instead.
func pgUniqueConstraint(rc *revCtx, s *stmt, table, name string, a toks, i int) {
	kind := ifs(a.at(i, "UNIQUE"), "UNIQUE", "PRIMARY KEY")
	cols := "(...)"
	if p := a.find(i, "("); p >= 0 {
		inner, _, _ := a.paren(p)
		cols = "(" + inner.text() + ")"
	}
	idx := ifs(name != "", name, table+"_key")
	rc.add(s, "RL109", Finding{
		Message: fmt.Sprintf("adding %s %s on %s builds its index under ACCESS EXCLUSIVE: reads and writes wait for the whole build", kind, name, table),
		Lock:    "ACCESS EXCLUSIVE", Scan: true,
		Safe: fmt.Sprintf("CREATE UNIQUE INDEX CONCURRENTLY %s ON %s %s;  -- revision with \"-- Transaction: none\"\nALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s;  -- next revision: brief lock", idx, table, cols, table, idx, kind, idx),
	})
}

// pendingNotValid remembers a constraint added NOT VALID by this revision.
func (rc *revCtx) pendingNotValid(name string) {
	if rc.notValid == nil {
		rc.notValid = map[string]bool{}
	}
	rc.notValid[name] = true
}

func pgValidate(rc *revCtx, s *stmt, table string, a toks) {
	name, _ := a.name(2)
	if tc, ok := rc.st.checks[name]; ok {
		rc.st.notNull[tc] = true
	}
	if rc.notValid[name] && rc.transactional() {
		rc.add(s, "RL105", Finding{
			Message: fmt.Sprintf("VALIDATE CONSTRAINT %s runs in the transaction that added it NOT VALID: the ADD's lock is held for the whole validation scan, as if NOT VALID was not there", name),
			Lock:    "held from the ADD CONSTRAINT (ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE)", Scan: true,
			Safe: fmt.Sprintf("Move ALTER TABLE %s VALIDATE CONSTRAINT %s; to the next revision (or use \"-- Transaction: none\").", table, name),
		})
	}
}

func pgAlterColumn(rc *revCtx, s *stmt, table string, a toks) {
	i := a.skip(1, "COLUMN")
	col, i := a.name(i)
	switch {
	case a.at(i, "TYPE") || a.at(i, "SET", "DATA", "TYPE"):
		i = a.skip(a.skip(i, "SET", "DATA"), "TYPE")
		newType, j := a.columnType(i)
		pgTypeChange(rc, s, table, col, newType, a[j:].has("USING"))
		rc.st.setColumn(table, col, newType)
	case a.at(i, "SET", "NOT", "NULL"):
		if rc.st.notNull[table+"."+col] {
			return
		}
		rc.add(s, "RL106", Finding{
			Message: fmt.Sprintf("SET NOT NULL on %s.%s scans the whole table under ACCESS EXCLUSIVE to check for NULLs: reads and writes wait", table, col),
			Lock:    "ACCESS EXCLUSIVE", Scan: true,
			Safe: fmt.Sprintf("ALTER TABLE %[1]s ADD CONSTRAINT %[1]s_%[2]s_not_null CHECK (%[2]s IS NOT NULL) NOT VALID;\n-- next revision:\nALTER TABLE %[1]s VALIDATE CONSTRAINT %[1]s_%[2]s_not_null;\n"+
				"ALTER TABLE %[1]s ALTER COLUMN %[2]s SET NOT NULL;  -- PostgreSQL 12+ uses the validated CHECK: no scan\nALTER TABLE %[1]s DROP CONSTRAINT %[1]s_%[2]s_not_null;", table, col),
		})
	case a.at(i, "DROP", "NOT", "NULL"):
		rc.add(s, "RL121", Finding{
			Message: fmt.Sprintf("DROP NOT NULL on %s.%s lets NULLs reach the application version still running, which may not expect them", table, col),
			Lock:    "ACCESS EXCLUSIVE",
			Safe:    "Deploy code that handles NULL first, then drop the constraint.",
		})
	}
}

// pgTypeChange reports a column type change unless it is one the
// PostgreSQL documentation names as needing no rewrite: varchar(n)
// widened or unbounded, varchar to text, numeric precision raised with
// the same scale, varbit widened, cidr to inet.
func pgTypeChange(rc *revCtx, s *stmt, table, col, newType string, using bool) {
	old := rc.st.columnType(table, col)
	if old != "" && !using && pgNoRewrite(old, newType) {
		return
	}
	f := Finding{
		Lock: "ACCESS EXCLUSIVE", Rewrite: true,
		Safe: fmt.Sprintf("Add a new column %[2]s_new %[3]s, write to both (trigger or application), backfill %[2]s_new in batches, move reads to it, then drop %[2]s and rename in later revisions.", table, col, newType),
	}
	if old == "" {
		f.Severity = Warning
		f.Message = fmt.Sprintf("changing %s.%s to %s rewrites the table under ACCESS EXCLUSIVE unless it is a no-rewrite case (varchar widening, varchar to text, numeric precision increase); the old type is not known from the revisions", table, col, newType)
	} else {
		f.Message = fmt.Sprintf("changing %s.%s from %s to %s rewrites the table (and its indexes) under ACCESS EXCLUSIVE: reads and writes wait", table, col, old, newType)
		if using {
			f.Message += " (USING forces the rewrite)"
		}
	}
	rc.add(s, "RL108", f)
}

// splitType splits a normalised type into its base name and its numeric
// arguments: "varchar(10)" is ("varchar", [10]).
func splitType(typ string) (string, []int) {
	base, args, _ := strings.Cut(typ, "(")
	base = strings.TrimSpace(base)
	switch base {
	case "character varying":
		base = "varchar"
	case "decimal":
		base = "numeric"
	case "bit varying":
		base = "varbit"
	}
	var out []int
	args = strings.TrimSuffix(strings.TrimSpace(args), ")")
	for _, a := range strings.Split(args, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(a)); err == nil {
			out = append(out, n)
		}
	}
	return base, out
}

// pgNoRewrite reports a type change PostgreSQL makes without a rewrite:
// the same type with wider bounds (pgWidened), or one of the binary
// coercible pairs (pgRelabels).
func pgNoRewrite(old, typ string) bool {
	ob, oa := splitType(old)
	nb, na := splitType(typ)
	if ob == nb {
		return intsEqual(oa, na) || pgWidened(ob, oa, na)
	}
	return pgRelabels[[2]string{ob, nb}] || ob == "text" && nb == "varchar" && len(na) == 0
}

// pgRelabels are the type changes between different types that need no
// rewrite (besides text to an unbounded varchar).
var pgRelabels = map[[2]string]bool{{"varchar", "text"}: true, {"cidr", "inet"}: true}

// pgWidened reports arguments na that widen oa for the base type: a
// varchar or varbit length raised or removed, a numeric precision raised
// (or removed) with the same scale.
func pgWidened(base string, oa, na []int) bool {
	switch base {
	case "varchar", "varbit":
		return len(na) == 0 || len(oa) == 1 && na[0] >= oa[0]
	case "numeric":
		return len(na) == 0 || len(oa) >= 1 && na[0] >= oa[0] && scale(na) == scale(oa)
	}
	return false
}

func scale(a []int) int {
	if len(a) > 1 {
		return a[1]
	}
	return 0
}

func intsEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (pgRules) finish(rc *revCtx) {
	timeoutRules(rc, true)
	if rc.transactional() && rc.ddl != nil && rc.backfill != nil {
		rc.add(rc.backfill, "RL118", Finding{
			Message: fmt.Sprintf("this data change runs in the same transaction as the DDL of statement %d: the DDL's lock is held until the whole backfill commits", rc.ddl.index),
			Lock:    "ROW EXCLUSIVE, with statement " + strconv.Itoa(rc.ddl.index) + "'s lock held until commit", Scan: true,
			Safe: "Put the backfill in a revision of its own (\"-- Transaction: none\" to commit batch by batch), updating in batches: UPDATE t SET ... WHERE id BETWEEN $lo AND $hi;",
		})
	}
}

// timeoutRules reports DDL on an existing table before the revision set
// its lock timeout, and, with stmtTimeout, the first such DDL (long ones
// by design aside) that runs with no non-zero statement_timeout in force.
func timeoutRules(rc *revCtx, stmtTimeout bool) {
	if rc.firstDDL == nil {
		return
	}
	set, name := rc.rules.lockTimeout()
	if !rc.lockTimeout {
		rc.add(rc.firstDDL, "RL116", Finding{
			Message: fmt.Sprintf("DDL on an existing table with no %s set before it: while it waits for a running query's lock, every query on the table queues behind it", name),
			Safe:    set + "  -- first statement of the revision; retry the revision if it times out",
		})
	}
	if stmtTimeout && rc.untimedDDL != nil {
		rc.add(rc.untimedDDL, "RL117", Finding{
			Message: "DDL on an existing table with no statement_timeout in force: a statement that runs long holds its lock without bound",
			Safe:    "SET statement_timeout = '1min';  -- before it, longer than lock_timeout; SET statement_timeout = 0 only around CONCURRENTLY and VALIDATE CONSTRAINT, which run long by design without blocking writes",
		})
	}
}
