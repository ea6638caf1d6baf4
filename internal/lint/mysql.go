package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// Target is the server a project's revisions run on: what MySQL and
// MariaDB can do INSTANT or INPLACE depends on the version.
type Target struct {
	// Flavor is "postgres", "mysql", "mariadb" or "sqlite".
	Flavor string
	// Version is major, minor, patch.
	Version [3]int
}

// String writes the target as ParseTarget reads it: "mariadb-10.11.0".
func (t Target) String() string {
	return fmt.Sprintf("%s-%d.%d.%d", t.Flavor, t.Version[0], t.Version[1], t.Version[2])
}

// atLeast reports whether the target's version is at least v.
func (t Target) atLeast(v ...int) bool {
	for i := range 3 {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		if t.Version[i] != x {
			return t.Version[i] > x
		}
	}
	return true
}

// ParseTarget reads "mysql-8.0.29", "mariadb-10.11" or "postgres-15".
func ParseTarget(s string) (Target, error) {
	flavor, ver, ok := strings.Cut(s, "-")
	var t Target
	switch flavor {
	case "postgres", "mysql", "mariadb", "sqlite":
		t.Flavor = flavor
	default:
		return t, fmt.Errorf("lint target %q: expected postgres-N, mysql-X.Y.Z or mariadb-X.Y.Z", s)
	}
	if !ok {
		return t, fmt.Errorf("lint target %q: the version is missing (for example %s-8.0.29)", s, flavor)
	}
	for i, p := range strings.SplitN(ver, ".", 3) {
		n, err := strconv.Atoi(p)
		if err != nil {
			return t, fmt.Errorf("lint target %q: bad version %q", s, ver)
		}
		t.Version[i] = n
	}
	return t, nil
}

// myRules are MySQL's and MariaDB's checks: which ALTER TABLE changes run
// INSTANT, INPLACE (with or without a rebuild) or only as COPY, from the
// MySQL "Online DDL Operations" and MariaDB "InnoDB Online DDL" pages.
type myRules struct{}

func (myRules) splitter() sqlsplit.Dialect { return sqlsplit.MySQL }

func (myRules) schemaIsDatabase() bool { return true }

func (myRules) target() Target { return Target{Flavor: "mysql", Version: [3]int{8, 0, 0}} }

func (myRules) exclusiveLock() string { return "metadata lock (exclusive, brief)" }

func (myRules) lockTimeout() (set, name string) {
	return "SET SESSION lock_wait_timeout = 5;", "lock_wait_timeout"
}

func (myRules) online(l *Linter, stmts []string, o OnlineOptions) (Online, error) {
	return l.myOnline(stmts, o.LockTimeout)
}

const (
	myInstant = "ALGORITHM=INSTANT"
	myInplace = "ALGORITHM=INPLACE, LOCK=NONE"
	myRebuild = "ALGORITHM=INPLACE, LOCK=NONE (rebuilds the table)"
	myCopy    = "ALGORITHM=COPY, LOCK=SHARED"
)

// check picks the rule for one statement by its kind; ALTER TABLE and
// the statements every dialect shares go to myAlterTable and
// commonStatement. Data changes run no rule on MySQL.
func (myRules) check(rc *revCtx, s *stmt) {
	t := toks(s.toks)
	switch {
	case t.at(0, "SET"):
		mySet(rc, t)
	case t.at(0, "RENAME", "TABLE"):
		myRenameTables(rc, s, t)
	case t.at(0, "CREATE") && t.has("INDEX"):
		myCreateIndex(rc, s, t)
	case t.at(0, "UPDATE") || t.at(0, "DELETE"):
	default:
		alterOrCommon(rc, s, t, myAlterTable)
	}
}

// myRenameTables reports each rename of a RENAME TABLE a TO b, c TO d.
func myRenameTables(rc *revCtx, s *stmt, t toks) {
	rc.noteDDL(s)
	for _, p := range t[2:].splitTop() {
		from, i := p.name(0)
		to, _ := p.name(p.skip(i, "TO"))
		renameTable(rc, s, from, to)
	}
}

// myCreateIndex reports a FULLTEXT or SPATIAL index on an existing
// table, the kinds MySQL cannot build with LOCK=NONE.
func myCreateIndex(rc *revCtx, s *stmt, t toks) {
	if (t.at(1, "FULLTEXT") || t.at(1, "SPATIAL")) && rc.existing(onTable(t)) {
		rc.noteDDL(s)
		myShared(rc, s, onTable(t))
	}
}

func onTable(t toks) string {
	on := t.find(0, "ON")
	if on < 0 {
		return ""
	}
	name, _ := t.name(on + 1)
	return name
}

func mySet(rc *revCtx, t toks) {
	i := t.skip(1, "SESSION")
	i = t.skip(i, "@@SESSION")
	name, i := t.name(i)
	switch name {
	case "lock_wait_timeout":
		if rc.firstDDL == nil {
			rc.lockTimeout = true // 0 is NOWAIT on MariaDB, and MySQL's least is 1
		}
	case "foreign_key_checks":
		v := strings.ToUpper(strings.Join([]string{wordOrText(t, i+1)}, ""))
		rc.fkChecksOff = v == "0" || v == "OFF"
	}
}

func wordOrText(t toks, i int) string {
	if i < len(t) {
		return t[i].Text
	}
	return ""
}

func myShared(rc *revCtx, s *stmt, table string) {
	rc.add(s, "RL203", Finding{
		Message: fmt.Sprintf("a FULLTEXT or SPATIAL index on %s is built INPLACE with LOCK=SHARED: writes wait for the whole build", table),
		Lock:    "ALGORITHM=INPLACE, LOCK=SHARED", Scan: true,
		Safe: myOnlineTool(table, "ADD FULLTEXT INDEX ..."),
	})
}

// myOnlineTool writes the online schema change tools' command lines,
// each argument quoted for a POSIX shell: the ALTER text holds backticks
// and may hold $, which double quotes would let the shell run or expand.
func myOnlineTool(table, alter string) string {
	return fmt.Sprintf("Run it in a maintenance window, or with an online schema change tool:\n  gh-ost --database=DB --table=%s --alter=%s --execute\n  pt-online-schema-change --alter %s D=DB,t=%s --execute",
		shellQuote(table), shellQuote(alter), shellQuote(alter), shellQuote(table))
}

// shellQuote quotes s as one word for a POSIX shell: plain words (only
// shellPlain's characters) as they are, anything else in single quotes
// (a ' inside as '\”).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, shellPlain) == "" { // every character is plain
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellPlain are the characters a shell word may hold unquoted.
const shellPlain = "_-.,=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// myAlterTable checks an ALTER TABLE. On a table the revision created it
// only records the new columns; on an existing one each action goes to
// myColumnAction, and the table-level rules run unless the statement
// declares its algorithm (myDeclaresOnline), where the server refuses
// what it cannot do that way instead of locking.
func myAlterTable(rc *revCtx, s *stmt, at alterTable) {
	if !rc.existing(at.table) {
		myRecordNewColumns(rc, at)
		return
	}
	rc.noteDDL(s)
	declared := myDeclaresOnline(at)
	for _, a := range at.actions {
		if myColumnAction(rc, s, at, a, declared) || declared {
			continue
		}
		myTableAction(rc, s, at, a)
	}
}

// myRecordNewColumns records the columns an ALTER TABLE adds to a table
// the revision created: nothing to report, but later changes need them.
func myRecordNewColumns(rc *revCtx, at alterTable) {
	for _, a := range at.actions {
		if a.at(0, "ADD") && !myAddsIndex(a) {
			myRecordColumn(rc, at.table, a)
		}
	}
}

// myDeclaresOnline reports an ALTER TABLE with an explicit ALGORITHM
// other than COPY, or LOCK=NONE.
func myDeclaresOnline(at alterTable) bool {
	for _, a := range at.actions {
		if a.at(0, "ALGORITHM") && !a.has("COPY") || a.at(0, "LOCK") && a.has("NONE") {
			return true
		}
	}
	return false
}

// myColumnAction checks column changes; it reports whether a was one.
func myColumnAction(rc *revCtx, s *stmt, at alterTable, a toks, declared bool) bool {
	switch {
	case a.at(0, "DROP") && !dropsNonColumn(a):
		myDropColumn(rc, s, at, a, declared)
		return true
	case a.at(0, "RENAME"):
		return renameAndDrop(rc, s, at, a)
	case a.at(0, "ADD") && !myAddsIndex(a):
		myAddColumn(rc, s, at.table, a, declared)
		return true
	case a.at(0, "MODIFY") || a.at(0, "CHANGE"):
		myModify(rc, s, at, a, declared)
		return true
	}
	return false
}

// myDropColumn reports a dropped column, as a rebuild on servers that
// cannot drop one INSTANT (before MySQL 8.0.29 and MariaDB 10.4).
func myDropColumn(rc *revCtx, s *stmt, at alterTable, a toks, declared bool) {
	renameAndDrop(rc, s, at, a)
	if !declared && !rc.opts.Target.instantDrop() {
		rc.findings[len(rc.findings)-1].Lock = myRebuild
		rc.findings[len(rc.findings)-1].Rewrite = true
	}
}

// instantDrop reports a server that drops a column INSTANT.
func (t Target) instantDrop() bool {
	return t.Flavor == "mysql" && t.atLeast(8, 0, 29) || t.Flavor == "mariadb" && t.atLeast(10, 4)
}

// instantAdd reports a server that adds a column INSTANT, anywhere or,
// when positioned (FIRST/AFTER) is false, last.
func (t Target) instantAdd(positioned bool) bool {
	return t.Flavor == "mysql" && (t.atLeast(8, 0, 29) || t.atLeast(8, 0, 12) && !positioned) ||
		t.Flavor == "mariadb" && (t.atLeast(10, 4) || t.atLeast(10, 3, 2) && !positioned)
}

// myAddsIndex reports an ADD action that adds an index or constraint.
func myAddsIndex(a toks) bool {
	switch a.word(1) {
	case "INDEX", "KEY", "UNIQUE", "PRIMARY", "FULLTEXT", "SPATIAL", "CONSTRAINT", "FOREIGN", "CHECK", "PARTITION":
		return true
	}
	return false
}

func myRecordColumn(rc *revCtx, table string, a toks) (string, string, toks) {
	i := a.skip(1, "COLUMN")
	i = a.skip(i, "IF", "NOT", "EXISTS")
	col, i := a.name(i)
	typ, j := a.columnType(i)
	rc.st.setColumn(table, col, typ)
	return col, typ, a[j:]
}

// myAddColumn records a new column and, unless the statement declares
// its algorithm, reports a column that fills every row (a copy) or that
// the target cannot add INSTANT (a rebuild).
func myAddColumn(rc *revCtx, s *stmt, table string, a toks, declared bool) {
	col, _, rest := myRecordColumn(rc, table, a)
	if declared {
		return
	}
	if rest.has("AUTO_INCREMENT") || rest.has("STORED") {
		rc.add(s, "RL107", Finding{
			Message: fmt.Sprintf("adding column %s.%s with %s fills every row: the table is rebuilt and concurrent writes are not allowed", table, col, ifs(rest.has("STORED"), "a STORED generated expression (ALGORITHM=COPY)", "AUTO_INCREMENT")),
			Lock:    myCopy, Rewrite: true,
			Safe: myOnlineTool(table, a.text()),
		})
		return
	}
	tg := rc.opts.Target
	positioned := rest.has("FIRST") || rest.has("AFTER")
	if tg.instantAdd(positioned) {
		return
	}
	rc.add(s, "RL202", Finding{
		Message: fmt.Sprintf("on %s, adding column %s.%s%s rebuilds the table INPLACE: writes go on, but the rebuild takes as long as a copy and replicas lag behind it", tg, table, col, ifs(positioned, " with FIRST/AFTER", "")),
		Lock:    myRebuild, Rewrite: true,
		Safe: "Add the column last (no FIRST/AFTER), which MySQL 8.0.12+ and MariaDB 10.3.2+ do INSTANT; state the target with --target; or use " + myOnlineTool(table, a.text()),
	})
}

func myModify(rc *revCtx, s *stmt, at alterTable, a toks, declared bool) {
	i := a.skip(1, "COLUMN")
	old, i := a.name(i)
	newName := old
	if a.at(0, "CHANGE") {
		newName, i = a.name(i)
	}
	typ, _ := a.columnType(i)
	prev := rc.st.columnType(at.table, old)
	if newName != old {
		renameColumn(rc, s, at.table, old, newName)
	}
	rc.st.setColumn(at.table, newName, typ)
	if declared || prev == typ {
		return
	}
	lock, enum := myTypeChange(prev, typ)
	if lock != myCopy {
		return
	}
	f := Finding{
		Lock: myCopy, Rewrite: true,
		Safe: myOnlineTool(at.table, a.text()) + "\nor add a new column, write to both, backfill in batches, move reads, drop the old column later.",
	}
	code := "RL108"
	switch {
	case prev == "":
		f.Severity = Warning
		f.Message = fmt.Sprintf("changing %s.%s to %s copies the table (ALGORITHM=COPY, writes blocked) unless it is a varchar widening within the same length-byte size or an enum/set member appended; the old type is not known from the revisions", at.table, old, typ)
	case enum:
		code = "RL115"
		f.Severity = Error
		f.Message = fmt.Sprintf("changing the members of %s.%s from %s to %s other than by appending copies the table (ALGORITHM=COPY, writes blocked), and rows with a removed value break", at.table, old, prev, typ)
	default:
		f.Message = fmt.Sprintf("changing %s.%s from %s to %s copies the table (ALGORITHM=COPY): writes wait for the whole copy", at.table, old, prev, typ)
	}
	rc.add(s, code, f)
}

// myTypeChange returns the algorithm of a column type change (utf8mb4
// assumed) and whether it is an enum or set change. Only a varchar
// widening (myVarcharWidening) and an enum or set with members appended
// (myMembersChange) avoid a copy.
func myTypeChange(prev, typ string) (string, bool) {
	ob, oa := splitType(prev)
	nb, na := splitType(typ)
	switch {
	case prev == "":
		return myCopy, false
	case ob == "varchar" && nb == "varchar":
		return myVarcharWidening(oa, na), false
	case (ob == "enum" || ob == "set") && nb == ob:
		return myMembersChange(prev, typ), true
	}
	return myCopy, false
}

// myVarcharWidening is the algorithm of varchar(oa) to varchar(na):
// INPLACE when it widens within the same length-byte size (utf8mb4 takes
// 4 bytes a character, so varchar(63) is the longest with a one-byte
// length), else COPY.
func myVarcharWidening(oa, na []int) string {
	if len(oa) == 1 && len(na) == 1 && na[0] >= oa[0] && (oa[0]*4 < 256) == (na[0]*4 < 256) {
		return myInplace
	}
	return myCopy
}

// myMembersChange is the algorithm of an enum or set change: INSTANT when
// members are only appended, else COPY.
func myMembersChange(prev, typ string) string {
	if strings.HasPrefix(strings.TrimSuffix(typ, ")"), strings.TrimSuffix(prev, ")")) {
		return myInstant
	}
	return myCopy
}

// myTableAction reports the table-level changes of an ALTER TABLE that
// block writes, or rebuild or copy the table: FULLTEXT and SPATIAL
// indexes, a primary key added or dropped, a character set conversion,
// a foreign key (myForeignKey).
func myTableAction(rc *revCtx, s *stmt, at alterTable, a toks) {
	switch {
	case a.at(0, "ADD", "FULLTEXT") || a.at(0, "ADD", "SPATIAL"):
		myShared(rc, s, at.table)
	case a.at(0, "ADD", "PRIMARY", "KEY"):
		rc.add(s, "RL202", Finding{
			Message: fmt.Sprintf("adding a primary key to %s rebuilds the table INPLACE: writes go on, but the rebuild takes as long as a copy and replicas lag", at.table),
			Lock:    myRebuild, Rewrite: true, Safe: myOnlineTool(at.table, a.text()),
		})
	case a.at(0, "DROP", "PRIMARY", "KEY") && !hasAction(at, "ADD", "PRIMARY", "KEY"):
		rc.add(s, "RL201", Finding{
			Message: fmt.Sprintf("dropping the primary key of %s without adding another copies the table (ALGORITHM=COPY): writes wait", at.table),
			Lock:    myCopy, Rewrite: true, Safe: myOnlineTool(at.table, a.text()),
		})
	case a.at(0, "CONVERT", "TO"):
		rc.add(s, "RL201", Finding{
			Message: fmt.Sprintf("converting %s to another character set copies the table (ALGORITHM=COPY): writes wait", at.table),
			Lock:    myCopy, Rewrite: true, Safe: myOnlineTool(at.table, a.text()),
		})
	case a.at(0, "ADD") && a.has("FOREIGN", "KEY"):
		myForeignKey(rc, s, at, a)
	}
}

// myForeignKey reports a foreign key added with foreign_key_checks on,
// which MySQL adds only as a COPY.
func myForeignKey(rc *revCtx, s *stmt, at alterTable, a toks) {
	if rc.fkChecksOff {
		return
	}
	rc.add(s, "RL104", Finding{
		Severity: Error,
		Message:  fmt.Sprintf("adding a foreign key to %s with foreign_key_checks on runs as ALGORITHM=COPY: writes wait for the copy and the check of every row", at.table),
		Lock:     myCopy, Rewrite: true, Scan: true,
		Safe: "SET foreign_key_checks = 0;  -- INPLACE, no copy; existing rows are not checked, so check them first:\n-- SELECT ... FROM child LEFT JOIN parent ... WHERE parent.id IS NULL;\nALTER TABLE " + at.table + " " + a.text() + ", ALGORITHM=INPLACE, LOCK=NONE;\nSET foreign_key_checks = 1;",
	})
}

func hasAction(at alterTable, words ...string) bool {
	for _, a := range at.actions {
		if a.at(0, words...) {
			return true
		}
	}
	return false
}

func (myRules) finish(rc *revCtx) { timeoutRules(rc, false) }
