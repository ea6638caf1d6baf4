package lint

import (
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// OnlineRefusedError is a statement that MySQL or MariaDB can only run
// with writes blocked (ALGORITHM=COPY, or LOCK=SHARED): --online refuses
// to write it and says what to do instead.
type OnlineRefusedError struct {
	// SQL is the statement; Finding is the lint finding that refuses it.
	SQL     string
	Finding Finding
	// Target is the server version lint judged for.
	Target Target
}

func (e *OnlineRefusedError) Error() string {
	alt := e.Finding.Safe
	if !strings.Contains(alt, "gh-ost") {
		t, _ := sqlsplit.Tokens(e.SQL, sqlsplit.MySQL)
		if at, ok := parseAlterTable(toks(t)); ok && len(at.actions) > 0 {
			alt = myOnlineTool(at.table, toks(t)[len(toks(t))-lenActions(at):].text()) + "\nor, for this change: " + alt
		}
	}
	return fmt.Sprintf("--online: this statement cannot run online on %s:\n    %s\n%s (%s %s).\nAlternatives (write the revision without --online): %s",
		e.Target, e.SQL, e.Finding.Message, e.Finding.Code, e.Finding.Rule, alt)
}

// lenActions is the number of tokens of an ALTER TABLE's actions.
func lenActions(at alterTable) int {
	n := len(at.actions) - 1 // the commas
	for _, a := range at.actions {
		n += len(a)
	}
	return n
}

// myOnline is Linter.Online for MySQL and MariaDB.
func (l *Linter) myOnline(stmts []string, lockTimeout time.Duration) (Online, error) {
	secs := int((lockTimeout + time.Second - 1) / time.Second)
	o := Online{Statements: []string{fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs)}}
	rc := &revCtx{rev: &script.Revision{ID: "(new)", Path: "(generated)"}, opts: l.opts, rules: l.rules, st: l.state, newTables: map[string]bool{}}
	for i, s := range stmts {
		t, err := sqlsplit.Tokens(s, sqlsplit.MySQL)
		if err != nil {
			return Online{}, fmt.Errorf("online form of %q: %w", firstLineOf(s), err)
		}
		st := &stmt{text: s, toks: t, index: i + 1, line: 1, secLine: 1}
		before := len(rc.findings)
		l.rules.check(rc, st)
		found := rc.findings[before:]
		for _, f := range found {
			if f.Severity == Error && f.Lock == myCopy || f.Code == "RL203" {
				return Online{}, &OnlineRefusedError{SQL: s, Finding: f, Target: l.opts.Target}
			}
		}
		out, note := myOnlineStatement(rc, toks(t), s, found)
		if note != "" {
			o.Notes = append(o.Notes, note)
		}
		o.Statements = append(o.Statements, out)
	}
	o.Statements = append(o.Statements, "SET SESSION lock_wait_timeout = DEFAULT")
	return o, nil
}

// myOnlineStatement adds the ALGORITHM and LOCK clauses to one
// statement, unless it states them itself: index statements in
// myOnlineIndex, ALTER TABLE in myOnlineAlter.
func myOnlineStatement(rc *revCtx, t toks, s string, found []Finding) (string, string) {
	if t.has("ALGORITHM") || t.has("LOCK") {
		return s, ""
	}
	if out, note, ok := myOnlineIndex(rc, t, s); ok {
		return out, note
	}
	return myOnlineAlter(rc, t, s, found)
}

// myOnlineIndex makes CREATE INDEX and DROP INDEX ... ON on an existing
// table INPLACE with LOCK=NONE; ok is false for other statements.
func myOnlineIndex(rc *revCtx, t toks, s string) (out, note string, ok bool) {
	if (t.at(0, "CREATE", "INDEX") || t.at(0, "CREATE", "UNIQUE", "INDEX")) && rc.existing(onTable(t)) {
		kw := ifs(t.at(0, "CREATE", "UNIQUE", "INDEX"), "CREATE UNIQUE INDEX", "CREATE INDEX")
		return s + " ALGORITHM=INPLACE LOCK=NONE", kw + " → ALGORITHM=INPLACE LOCK=NONE", true
	}
	if on := t.find(0, "ON"); t.at(0, "DROP", "INDEX") && on == 3 && rc.existing(onTable(t)) {
		// MariaDB's DROP INDEX takes no ALGORITHM or LOCK; ALTER TABLE
		// does, on both servers.
		return "ALTER TABLE " + s[t[on+1].Pos:] + " DROP INDEX " + t[2].Text + ", ALGORITHM=INPLACE, LOCK=NONE",
			"DROP INDEX → ALTER TABLE ... DROP INDEX, ALGORITHM=INPLACE, LOCK=NONE", true
	}
	return "", "", false
}

// myOnlineAlter adds the algorithm to an ALTER TABLE on an existing
// table: INPLACE, LOCK=NONE when lint found a rebuild, INSTANT when every
// action adds or drops a column (myAllInstant), else INPLACE, LOCK=NONE.
func myOnlineAlter(rc *revCtx, t toks, s string, found []Finding) (string, string) {
	at, ok := parseAlterTable(t)
	if !ok || !rc.existing(at.table) {
		return s, ""
	}
	for _, f := range found {
		if f.Lock == myRebuild {
			return s + ", ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE " + at.table + " → ALGORITHM=INPLACE, LOCK=NONE (rebuilds the table)"
		}
	}
	if myAllInstant(at) {
		return s + ", ALGORITHM=INSTANT", "ALTER TABLE " + at.table + " → ALGORITHM=INSTANT"
	}
	return s + ", ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE " + at.table + " → ALGORITHM=INPLACE, LOCK=NONE"
}

// myAllInstant reports an ALTER TABLE whose every action adds or drops a
// column (no rebuild found): those the target does INSTANT.
func myAllInstant(at alterTable) bool {
	for _, a := range at.actions {
		adds := a.at(0, "ADD") && !myAddsIndex(a)
		drops := a.at(0, "DROP") && !dropsNonColumn(a)
		if !adds && !drops {
			return false
		}
	}
	return true
}
