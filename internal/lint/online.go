package lint

import (
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// Online is a section rewritten into the forms that keep a live database
// serving reads and writes.
type Online struct {
	// Statements are the rewritten statements, without terminators.
	Statements []string
	// NoTransaction is set when the statements must run one by one
	// outside a transaction (CONCURRENTLY; a VALIDATE that must not hold
	// the lock of the ADD before it): the revision gets "Transaction:
	// none".
	NoTransaction bool
	// Notes say what was rewritten, for the user.
	Notes []string
}

// OnlineRewrite rewrites generated statements for dialect into their
// online forms, with lockTimeout set first, judging them as the first
// revision of a project (every table they do not create is taken as
// existing); Linter.Online judges them after the revisions it read.
// PostgreSQL:
// CREATE/DROP INDEX CONCURRENTLY; foreign keys and checks NOT VALID, then
// VALIDATE as a statement of its own; SET NOT NULL through a validated
// CHECK; UNIQUE and PRIMARY KEY through a concurrently built unique index
// and ADD CONSTRAINT ... USING INDEX. Tables the statements create
// themselves are left alone: they are empty. noTx asks for the
// statement-by-statement form even when nothing needs it (the other
// section of the revision does). SQLite has no concurrent writers to
// protect: its statements come back unchanged, with a note saying so.
// MySQL/MariaDB: see Linter.Online.
func OnlineRewrite(dialect string, stmts []string, lockTimeout time.Duration, noTx bool) (Online, error) {
	l, err := New(Options{Dialect: dialect})
	if err != nil {
		return Online{}, err
	}
	return l.Online(stmts, lockTimeout, noTx)
}

// Online rewrites the statements of a new revision, which applies after
// the revisions l read, into their online forms (see OnlineRewrite).
// MySQL and MariaDB: ALGORITHM=INSTANT where every change of an ALTER
// TABLE is instant on the target, else ALGORITHM=INPLACE, LOCK=NONE (the
// server refuses it rather than lock if that is wrong), the same for
// CREATE and DROP INDEX, lock_wait_timeout set; a statement that can
// only run as COPY (or with LOCK=SHARED) is an *OnlineRefusedError.
func (l *Linter) Online(stmts []string, lockTimeout time.Duration, noTx bool) (Online, error) {
	switch l.opts.Dialect {
	case "sqlite":
		return Online{Statements: stmts, Notes: []string{"SQLite has no concurrent writers to protect: --online changes nothing"}}, nil
	case "mysql":
		return l.myOnline(stmts, lockTimeout)
	}
	return pgOnlineRewrite(stmts, fmt.Sprintf("%dms", lockTimeout.Milliseconds()), noTx)
}

func pgOnlineRewrite(stmts []string, lockTimeout string, noTx bool) (Online, error) {
	o := Online{NoTransaction: noTx}
	created := map[string]bool{}
	var body []string
	for _, s := range stmts {
		t, err := sqlsplit.Tokens(s, sqlsplit.Postgres)
		if err != nil {
			return Online{}, fmt.Errorf("online form of %q: %w", firstLineOf(s), err)
		}
		out, note := pgOnline(toks(t), s, created)
		if note != "" {
			o.Notes = append(o.Notes, note)
			o.NoTransaction = true
		}
		body = append(body, out...)
	}
	if !o.NoTransaction {
		// One transaction: SET LOCAL ends with it.
		o.Statements = append([]string{"SET LOCAL lock_timeout = '" + lockTimeout + "'"}, body...)
		return o, nil
	}
	// Statement by statement on the migration's connection: the setting
	// lasts the session, so it is reset at the end.
	o.Statements = append(append([]string{"SET lock_timeout = '" + lockTimeout + "'"}, body...), "RESET lock_timeout")
	return o, nil
}

// pgOnline rewrites one statement; note is "" when it is kept as it is.
func pgOnline(t toks, s string, created map[string]bool) ([]string, string) {
	if createTable(&revCtx{newTables: created, st: newState()}, t) {
		return []string{s}, ""
	}
	switch {
	case (t.at(0, "CREATE", "INDEX") || t.at(0, "CREATE", "UNIQUE", "INDEX")) && !t.has("CONCURRENTLY"):
		if created[onTable(t)] {
			return []string{s}, ""
		}
		k := t.find(0, "INDEX")
		return []string{s[:t[k].End()] + " CONCURRENTLY" + s[t[k].End():]}, "CREATE INDEX → CREATE INDEX CONCURRENTLY"
	case t.at(0, "DROP", "INDEX") && !t.has("CONCURRENTLY") && !t.has("CASCADE") && len(t[2:].splitTop()) == 1:
		return []string{s[:t[1].End()] + " CONCURRENTLY" + s[t[1].End():]}, "DROP INDEX → DROP INDEX CONCURRENTLY"
	}
	at, ok := parseAlterTable(t)
	if !ok || created[at.table] || len(at.actions) != 1 || len(at.actions[0]) == 0 {
		return []string{s}, ""
	}
	return pgOnlineAlter(t, s, at.actions[0])
}

func pgOnlineAlter(t toks, s string, a toks) ([]string, string) {
	head := s[:a[0].Pos] // "ALTER TABLE name "
	switch {
	case a.at(0, "ADD", "CONSTRAINT") && len(a) > 3 && !a.has("NOT", "VALID"):
		name := a[2].Text
		i := 3
		switch {
		case a.at(i, "FOREIGN") || a.at(i, "CHECK"):
			return []string{s + " NOT VALID", head + "VALIDATE CONSTRAINT " + name},
				"ADD CONSTRAINT " + name + " → NOT VALID, then VALIDATE CONSTRAINT outside the adding transaction"
		case (a.at(i, "UNIQUE") || a.at(i, "PRIMARY", "KEY")) && !a.has("USING", "INDEX"):
			kind := "UNIQUE"
			p := a.find(i, "(")
			if a.at(i, "PRIMARY") {
				kind = "PRIMARY KEY"
			}
			if p < 0 {
				return []string{s}, ""
			}
			tail := s[a[p].Pos:]
			table := strings.TrimSpace(s[t[2].Pos:a[0].Pos])
			return []string{
				"CREATE UNIQUE INDEX CONCURRENTLY " + name + " ON " + table + " " + tail,
				head + "ADD CONSTRAINT " + name + " " + kind + " USING INDEX " + name,
			}, "ADD CONSTRAINT " + name + " " + kind + " → CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX"
		}
	case a.at(0, "ALTER"):
		i := a.skip(1, "COLUMN")
		if !a.at(i+1, "SET", "NOT", "NULL") {
			return []string{s}, ""
		}
		col := a[i]
		table, _ := t.name(2)
		chk := notNullCheckName(table, ident(col))
		return []string{
			head + "ADD CONSTRAINT " + chk + " CHECK (" + col.Text + " IS NOT NULL) NOT VALID",
			head + "VALIDATE CONSTRAINT " + chk,
			s,
			head + "DROP CONSTRAINT " + chk,
		}, "SET NOT NULL on " + table + "." + ident(col) + " → through a validated CHECK (no scan under ACCESS EXCLUSIVE)"
	}
	return []string{s}, ""
}

// notNullCheckName is the name of the temporary CHECK behind a SET NOT
// NULL: readable, and within PostgreSQL's 63 bytes.
func notNullCheckName(table, col string) string {
	name := table + "_" + col + "_not_null"
	if len(name) > 63 {
		name = fmt.Sprintf("%.40s_%08x_not_null", table+"_"+col, crc32.ChecksumIEEE([]byte(table+"."+col)))
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
