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

// OnlineOptions are the settings an online rewrite writes into the
// revision.
type OnlineOptions struct {
	// LockTimeout is how long each statement waits for its lock:
	// PostgreSQL's lock_timeout, MySQL's lock_wait_timeout (whole seconds,
	// rounded up).
	LockTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout for the
	// statements that hold their lock briefly; the statements long by
	// design that block no writes (longByDesign) run with 0. Zero writes
	// no statement_timeout at all. MySQL and MariaDB get none: their
	// online statements are INSTANT, or INPLACE with LOCK=NONE, which
	// block no writes while they run.
	StatementTimeout time.Duration
	// NoTransaction asks for the statement-by-statement form even when
	// nothing needs it (the other section of the revision does).
	NoTransaction bool
}

// OnlineRewrite rewrites generated statements for dialect into their
// online forms, with the timeouts of o set first, judging them as the
// first revision of a project (every table they do not create is taken
// as existing); Linter.Online judges them after the revisions it read.
// PostgreSQL:
// CREATE/DROP INDEX CONCURRENTLY; foreign keys and checks NOT VALID, then
// VALIDATE as a statement of its own; SET NOT NULL through a validated
// CHECK; UNIQUE and PRIMARY KEY through a concurrently built unique index
// and ADD CONSTRAINT ... USING INDEX. Tables the statements create
// themselves are left alone: they are empty. SQLite has no concurrent
// writers to protect: its statements come back unchanged, with a note
// saying so. MySQL/MariaDB: see Linter.Online.
func OnlineRewrite(dialect sqlsplit.Dialect, stmts []string, o OnlineOptions) (Online, error) {
	l, err := New(Options{Dialect: dialect})
	if err != nil {
		return Online{}, err
	}
	return l.Online(stmts, o)
}

// Online rewrites the statements of a new revision, which applies after
// the revisions l read, into their online forms (see OnlineRewrite).
// MySQL and MariaDB: ALGORITHM=INSTANT where every change of an ALTER
// TABLE is instant on the target, else ALGORITHM=INPLACE, LOCK=NONE (the
// server refuses it rather than lock if that is wrong), the same for
// CREATE and DROP INDEX, lock_wait_timeout set; a statement that can
// only run as COPY (or with LOCK=SHARED) is an *OnlineRefusedError.
func (l *Linter) Online(stmts []string, o OnlineOptions) (Online, error) {
	return l.rules.online(l, stmts, o)
}

func pgOnlineRewrite(stmts []string, opts OnlineOptions) (Online, error) {
	o := Online{NoTransaction: opts.NoTransaction}
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
	o.Statements = pgTimeouts(body, opts, o.NoTransaction)
	return o, nil
}

// pgTimeouts puts the timeouts around body: lock_timeout first, then
// statement_timeout before each run of statements that hold their lock
// briefly and 0 before each run of statements long by design
// (longByDesign), so that it never cuts a CONCURRENTLY build or a
// VALIDATE short. In one transaction SET LOCAL ends with it; statement
// by statement (noTx) the settings last the session, so they are reset
// at the end.
func pgTimeouts(body []string, opts OnlineOptions, noTx bool) []string {
	set := "SET LOCAL "
	if noTx {
		set = "SET "
	}
	out := []string{set + "lock_timeout = " + pgMillis(opts.LockTimeout)}
	cur := ""
	for _, s := range body {
		if opts.StatementTimeout > 0 {
			want := pgMillis(opts.StatementTimeout)
			if t, err := sqlsplit.Tokens(s, sqlsplit.Postgres); err == nil && longByDesign(toks(t)) {
				want = "0"
			}
			if want != cur {
				out = append(out, set+"statement_timeout = "+want)
				cur = want
			}
		}
		out = append(out, s)
	}
	if !noTx {
		return out
	}
	if cur != "" {
		out = append(out, "RESET statement_timeout")
	}
	return append(out, "RESET lock_timeout")
}

// pgMillis is d as a PostgreSQL setting value: '5000ms'.
func pgMillis(d time.Duration) string {
	return fmt.Sprintf("'%dms'", d.Milliseconds())
}

// pgOnline rewrites one statement; note is "" when it is kept as it is.
// Tables the statements create are left alone (they are empty); index
// statements go to pgOnlineIndex, a one-action ALTER TABLE to
// pgOnlineAlter.
func pgOnline(t toks, s string, created map[string]bool) ([]string, string) {
	if createTable(&revCtx{rules: pgRules{}, newTables: created, st: newState()}, t) {
		return []string{s}, ""
	}
	if out, note, ok := pgOnlineIndex(t, s, created); ok {
		return out, note
	}
	at, ok := parseAlterTable(t)
	if !ok || created[at.table] || len(at.actions) != 1 || len(at.actions[0]) == 0 {
		return []string{s}, ""
	}
	return pgOnlineAlter(t, s, at.actions[0])
}

// pgOnlineIndex adds CONCURRENTLY to a CREATE INDEX on an existing table
// and to a DROP INDEX of one index without CASCADE (which CONCURRENTLY
// refuses); ok is false for other statements.
func pgOnlineIndex(t toks, s string, created map[string]bool) (out []string, note string, ok bool) {
	switch {
	case (t.at(0, "CREATE", "INDEX") || t.at(0, "CREATE", "UNIQUE", "INDEX")) && !t.has("CONCURRENTLY"):
		if created[onTable(t)] {
			return []string{s}, "", true
		}
		k := t.find(0, "INDEX")
		return []string{s[:t[k].End()] + " CONCURRENTLY" + s[t[k].End():]}, "CREATE INDEX → CREATE INDEX CONCURRENTLY", true
	case t.at(0, "DROP", "INDEX") && !t.has("CONCURRENTLY") && !t.has("CASCADE") && len(t[2:].splitTop()) == 1:
		return []string{s[:t[1].End()] + " CONCURRENTLY" + s[t[1].End():]}, "DROP INDEX → DROP INDEX CONCURRENTLY", true
	}
	return nil, "", false
}

// pgOnlineAlter rewrites the one action of an ALTER TABLE: a constraint
// added (pgOnlineConstraint) or a SET NOT NULL (pgOnlineNotNull).
func pgOnlineAlter(t toks, s string, a toks) ([]string, string) {
	head := s[:a[0].Pos] // "ALTER TABLE name "
	switch {
	case a.at(0, "ADD", "CONSTRAINT") && len(a) > 3 && !a.has("NOT", "VALID"):
		return pgOnlineConstraint(t, s, a, head)
	case a.at(0, "ALTER"):
		return pgOnlineNotNull(t, s, a, head)
	}
	return []string{s}, ""
}

// pgOnlineConstraint adds a foreign key or check NOT VALID and validates
// it in a statement of its own, and builds a UNIQUE or PRIMARY KEY's
// index concurrently before adding the constraint USING INDEX.
func pgOnlineConstraint(t toks, s string, a toks, head string) ([]string, string) {
	name := a[2].Text
	const i = 3
	switch {
	case a.at(i, "FOREIGN") || a.at(i, "CHECK"):
		return []string{s + " NOT VALID", head + "VALIDATE CONSTRAINT " + name},
			"ADD CONSTRAINT " + name + " → NOT VALID, then VALIDATE CONSTRAINT outside the adding transaction"
	case (a.at(i, "UNIQUE") || a.at(i, "PRIMARY", "KEY")) && !a.has("USING", "INDEX"):
		kind := ifs(a.at(i, "PRIMARY"), "PRIMARY KEY", "UNIQUE")
		p := a.find(i, "(")
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
	return []string{s}, ""
}

// pgOnlineNotNull turns ALTER COLUMN ... SET NOT NULL into a CHECK added
// NOT VALID and validated, the SET NOT NULL (which uses the check: no
// scan under ACCESS EXCLUSIVE), and the check dropped.
func pgOnlineNotNull(t toks, s string, a toks, head string) ([]string, string) {
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
