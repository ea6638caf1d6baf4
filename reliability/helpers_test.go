package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
)

// retortBin is the retort binary built once by TestMain.
var retortBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "retort-reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	retortBin = filepath.Join(dir, "retort")
	build := exec.Command("go", "build", "-o", retortBin, "github.com/retortdb/retort/cmd/retort")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build retort: %v\n", err)
		return 1
	}
	return m.Run()
}

// seeds is how many rows every data revision writes into the ledger.
const seeds = 5

// chain is a linear chain of revision files in a project directory.
type chain struct {
	dir string
	ids []string
	// up holds each revision's upgrade statements.
	up [][]string
}

// revID names the i-th revision of a chain.
func revID(i int) string { return fmt.Sprintf("c%03d", i) }

// upStatements returns the upgrade statements of revision i: revision 0
// creates the seeds and ledger tables; every later one creates its own
// table and writes exactly `seeds` ledger rows tagged with its id, then
// fills its table and marks its ledger rows, so that every statement
// leaves a trace that can be checked.
func upStatements(i int) []string {
	if i == 0 {
		return []string{
			"CREATE TABLE seeds (seq INTEGER NOT NULL PRIMARY KEY)",
			"INSERT INTO seeds (seq) VALUES (1), (2), (3), (4), (5)",
			"CREATE TABLE ledger (rev VARCHAR(8) NOT NULL, seq INTEGER NOT NULL, bumped INTEGER NOT NULL DEFAULT 0)",
		}
	}
	id := revID(i)
	return []string{
		fmt.Sprintf("CREATE TABLE t%s (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(20) NOT NULL)", id),
		fmt.Sprintf("INSERT INTO ledger (rev, seq) SELECT '%s', seq FROM seeds", id),
		fmt.Sprintf("INSERT INTO t%s (id, note) SELECT seq, 'row' FROM seeds", id),
		fmt.Sprintf("UPDATE ledger SET bumped = bumped + 1 WHERE rev = '%s'", id),
	}
}

// downStatements returns the downgrade statements of revision i.
func downStatements(i int) []string {
	if i == 0 {
		return []string{"DROP TABLE ledger", "DROP TABLE seeds"}
	}
	id := revID(i)
	return []string{
		fmt.Sprintf("DELETE FROM ledger WHERE rev = '%s'", id),
		fmt.Sprintf("DROP TABLE t%s", id),
	}
}

// writeChain writes revisions 0..n into dir/migrations/versions. edit, when
// not nil, may change each revision's upgrade statements.
func writeChain(t testing.TB, dir string, n int, edit func(i int, up []string) []string) *chain {
	t.Helper()
	vdir := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	c := &chain{dir: dir}
	for i := 0; i <= n; i++ {
		id := revID(i)
		up := upStatements(i)
		if edit != nil {
			up = edit(i, up)
		}
		parent := ""
		if i > 0 {
			parent = revID(i - 1)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "-- step %d\n--\n-- Revision: %s\n-- Revises: %s\n\n-- +upgrade\n", i, id, parent)
		for _, s := range up {
			b.WriteString(s + ";\n")
		}
		b.WriteString("\n-- +downgrade\n")
		for _, s := range downStatements(i) {
			b.WriteString(s + ";\n")
		}
		if err := os.WriteFile(filepath.Join(vdir, id+"_step.sql"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		c.ids = append(c.ids, id)
		c.up = append(c.up, up)
	}
	return c
}

// cmd returns an exec.Cmd running retort in the chain's directory on the
// database u (the environment's database variables cleared).
func (c *chain) cmd(ctx context.Context, u string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, retortBin, append([]string{"--database", u}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "RETORT_DATABASE_URL=", "DATABASE_URL=")
	return cmd
}

// mustRun runs retort to completion and fails the test unless it exits 0.
func (c *chain) mustRun(t testing.TB, u string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := c.cmd(ctx, u, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("retort %s: %v\n%s", strings.Join(args, " "), err, dialect.Redact(string(out)))
	}
	return string(out)
}

// target is one test database with the handle the checks read through.
type target struct {
	dialect string
	url     string
	d       dialect.Dialect
	db      *sql.DB
}

// newTarget creates a fresh database for dialect (dropped at the end of
// the test) and opens it with retort's own dialect code.
func newTarget(t testing.TB, dialectName string) *target {
	t.Helper()
	tdb := testdb.New(t, dialectName)
	// testdb's own handle would count as another session in waitQuiet.
	tdb.DB.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, _, db, err := dialects.Open(ctx, tdb.URL)
	if err != nil {
		t.Fatalf("open %s: %v", dialect.Redact(tdb.URL), err)
	}
	// One connection: the quiet check below counts every other session.
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return &target{dialect: dialectName, url: tdb.URL, d: d, db: db}
}

// release closes the target's handle once the test is done with the
// database (the database itself is dropped at the end of the test): a long
// test makes many databases and must not hold a connection to each.
func (tg *target) release() { tg.db.Close() }

// waitQuiet waits until no other session is connected to the database, so
// that a killed child's server-side session has ended (and released its
// lock, rolled back or committed) before the database is checked.
func (tg *target) waitQuiet(t testing.TB) {
	t.Helper()
	var q string
	switch tg.dialect {
	case "postgres":
		q = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
	case "mysql":
		q = "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()"
	default:
		return
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := tg.db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("count sessions: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d other session(s) still connected 30s after the child ended", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// tableExists reports whether the table exists in the database.
func (tg *target) tableExists(t testing.TB, name string) bool {
	t.Helper()
	var q string
	switch tg.dialect {
	case "sqlite":
		q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	case "postgres":
		q = "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = $1"
	case "mysql":
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
	var n int
	if err := tg.db.QueryRow(q, name).Scan(&n); err != nil {
		t.Fatalf("look up table %s: %v", name, err)
	}
	return n > 0
}

// count returns the result of a count query.
func (tg *target) count(t testing.TB, q string) int {
	t.Helper()
	var n int
	if err := tg.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// versionRow is one row of retort_revisions.
type versionRow struct {
	rev, state string
	done       int
}

// versionRows reads retort_revisions ordered by revision (nil when the
// table does not exist yet).
func (tg *target) versionRows(t testing.TB) []versionRow {
	t.Helper()
	if !tg.tableExists(t, "retort_revisions") {
		return nil
	}
	rows, err := tg.db.Query("SELECT revision, state, statements_done FROM retort_revisions ORDER BY revision")
	if err != nil {
		t.Fatalf("read retort_revisions: %v", err)
	}
	defer rows.Close()
	var out []versionRow
	for rows.Next() {
		var r versionRow
		if err := rows.Scan(&r.rev, &r.state, &r.done); err != nil {
			t.Fatalf("read retort_revisions: %v", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read retort_revisions: %v", err)
	}
	return out
}

// schemaText is the canonical text of the database's schema: the
// dialect's Format of its Inspect, version tables left out.
func (tg *target) schemaText(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for attempt := 1; ; attempt++ {
		conn, err := tg.db.Conn(ctx)
		if err != nil {
			t.Fatalf("inspect: %v", err)
		}
		s, err := tg.d.Inspect(ctx, conn, dialect.InspectOptions{VersionTables: dialect.DefaultVersionTables()})
		conn.Close()
		// The servers are shared: another job's huge transaction can
		// fill PostgreSQL's lock table for a moment (SQLSTATE 53200, out
		// of shared memory). That says nothing about retort; try again.
		if err != nil && attempt < 5 && strings.Contains(err.Error(), "SQLSTATE 53200") {
			t.Logf("inspect: %v (shared server busy; retrying)", err)
			time.Sleep(time.Second)
			continue
		}
		if err != nil {
			t.Fatalf("inspect: %v", err)
		}
		return tg.d.Format(s)
	}
}

// state is what the checks found in a database.
type state struct {
	// applied is how many revisions of the chain (a prefix) are applied.
	applied int
	// partial is the statements_done of a partial row of revision
	// `applied`, or -1 when there is none.
	partial int
	// reverting is the statements_done of a row of revision `applied`
	// whose downgrade stopped part-way (MariaDB), or -1 when there is none.
	reverting int
	// inFlight is the 1-based statement of that partial or reverting row
	// recorded as started and not known to have run (MariaDB, DDL), 0
	// when none; partial or reverting is then inFlight-1.
	inFlight int
}

// decodeDone splits a stored statements_done: -k records statements
// 1..k-1 done and statement k started (retort's in-flight record).
func decodeDone(stored int) (done, inFlight int) {
	if stored < 0 {
		return -stored - 1, -stored
	}
	return stored, 0
}

func (s state) String() string {
	if s.inFlight > 0 {
		what, n := "partial", s.partial
		if s.reverting >= 0 {
			what, n = "reverting", s.reverting
		}
		return fmt.Sprintf("at %d revision(s), revision %s %s with %d statement(s) recorded and statement %d in flight", s.applied, revID(s.applied), what, n, s.inFlight)
	}
	if s.reverting >= 0 {
		return fmt.Sprintf("at %d revision(s), revision %s reverting with %d downgrade statement(s) recorded", s.applied, revID(s.applied), s.reverting)
	}
	if s.partial < 0 {
		return fmt.Sprintf("at %d revision(s)", s.applied)
	}
	return fmt.Sprintf("at %d revision(s), revision %s partial with %d statement(s) recorded", s.applied, revID(s.applied), s.partial)
}

// expected holds the schema text of every prefix of a chain, replayed one
// revision at a time on a database of its own.
type expected []string

// replayPrefixes upgrades a fresh database one revision at a time and
// records its schema after each: expected[k] is the schema with k
// revisions applied.
func replayPrefixes(t testing.TB, dialectName string, c *chain) expected {
	t.Helper()
	tg := newTarget(t, dialectName)
	exp := expected{tg.schemaText(t)}
	for _, id := range c.ids {
		c.mustRun(t, tg.url, "--quiet", "upgrade", id)
		exp = append(exp, tg.schemaText(t))
	}
	tg.release()
	return exp
}

// errState is a broken invariant found by check.
type errState struct{ msg string }

func (e *errState) Error() string { return e.msg }

// bad returns an *errState.
func bad(format string, args ...any) error { return &errState{fmt.Sprintf(format, args...)} }

// check reads the database after a child ended and verifies that it is
// exactly where its version rows say: the rows name a prefix of the chain
// (plus, where DDL is not transactional, at most one partial row for the
// next revision whose statement count matches what can be observed), the
// schema equals that prefix replayed elsewhere (at a boundary), and the
// ledger holds exactly the rows of the applied revisions.
func (tg *target) check(t testing.TB, c *chain, exp expected) (state, error) {
	t.Helper()
	tg.waitQuiet(t)
	rows := tg.versionRows(t)
	st := state{partial: -1, reverting: -1}
	for i, r := range rows {
		if i >= len(c.ids) || r.rev != c.ids[i] {
			return st, bad("version rows %v are not a prefix of the chain", rows)
		}
		if r.state == "applied" {
			if st.partial >= 0 {
				return st, bad("version rows %v: an applied row follows a partial one", rows)
			}
			if r.done != len(c.up[i]) {
				return st, bad("revision %s is applied with statements_done %d, want %d", r.rev, r.done, len(c.up[i]))
			}
			st.applied++
			continue
		}
		if r.state == "reverting" && i == len(rows)-1 && !tg.d.Capabilities().TransactionalDDL {
			st.reverting, st.inFlight = decodeDone(r.done)
			continue
		}
		if r.state != "partial" || i != len(rows)-1 {
			return st, bad("version rows %v: row %s has state %q", rows, r.rev, r.state)
		}
		if tg.d.Capabilities().TransactionalDDL {
			return st, bad("version rows %v: a partial row on %s, whose DDL is transactional", rows, tg.dialect)
		}
		st.partial, st.inFlight = decodeDone(r.done)
	}
	// Every applied revision: its ledger rows exactly once, marked once.
	for i := 0; i < st.applied; i++ {
		if err := tg.checkRevision(t, i, len(c.up[i])); err != nil {
			return st, err
		}
	}
	switch {
	case st.reverting >= 0:
		obs, err := tg.observeDown(t, st.applied)
		if err != nil {
			return st, err
		}
		if st.inFlight > 0 && (obs == st.reverting || obs == st.inFlight) {
			break // the record says statement inFlight may or may not have run
		}
		if obs != st.reverting {
			return st, bad("revision %s is recorded reverting with %d downgrade statement(s) done, but %d ran (by what the database shows)", revID(st.applied), st.reverting, obs)
		}
	case st.partial < 0:
		if got := tg.schemaText(t); got != exp[st.applied] {
			return st, bad("schema differs from the chain's first %d revision(s) replayed on a fresh database:\n--- got\n%s\n--- want\n%s", st.applied, got, exp[st.applied])
		}
	default:
		obs, err := tg.observe(t, st.applied)
		if err != nil {
			return st, err
		}
		if st.inFlight > 0 && (obs == st.partial || obs == st.inFlight) {
			// the record says statement inFlight may or may not have run
		} else if obs != st.partial {
			return st, bad("revision %s is recorded partial with %d statement(s) done, but %d statement(s) ran (by what the database shows)", revID(st.applied), st.partial, obs)
		}
		if st.applied+1 < len(c.ids) && tg.tableExists(t, "t"+revID(st.applied+1)) {
			return st, bad("table t%s exists but its revision is not recorded", revID(st.applied+1))
		}
	}
	// Nothing of the later revisions exists.
	next := st.applied
	if st.partial >= 0 || st.reverting >= 0 {
		next++
	}
	if st.applied > 0 || st.partial > 2 {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM ledger WHERE rev >= '%s'", revID(next))
		if err := tg.db.QueryRow(q).Scan(&n); err != nil {
			return st, bad("%s: %v", q, err)
		}
		if n != 0 {
			return st, bad("ledger has %d row(s) of revisions that are not recorded (from %s on)", n, revID(next))
		}
	}
	return st, nil
}

// checkRevision checks that revision i (fully applied) left exactly its
// rows.
func (tg *target) checkRevision(t testing.TB, i, nstmts int) error {
	t.Helper()
	obs, err := tg.observe(t, i)
	if err != nil {
		return err
	}
	if obs != nstmts {
		return bad("revision %s is recorded applied but only %d of its %d statements show", revID(i), obs, nstmts)
	}
	return nil
}

// observe returns how many statements of revision i have run, by what the
// database shows, and an error when the traces are not what any number of
// statements run exactly once would leave (a lost or duplicated row).
func (tg *target) observe(t testing.TB, i int) (int, error) {
	t.Helper()
	if i == 0 {
		n := 0
		if tg.tableExists(t, "seeds") {
			n++
			switch c := tg.count(t, "SELECT count(*) FROM seeds"); c {
			case 0:
			case seeds:
				n++
			default:
				return 0, bad("seeds has %d rows, want 0 or %d", c, seeds)
			}
		}
		if tg.tableExists(t, "ledger") {
			if n != 2 {
				return 0, bad("ledger exists but seeds is not filled")
			}
			n++
		}
		return n, nil
	}
	id := revID(i)
	tbl := "t" + id
	if !tg.tableExists(t, "ledger") {
		return 0, bad("revision %s has traces but the ledger table is missing", id)
	}
	var total, bumped, marks int
	if err := tg.db.QueryRow(fmt.Sprintf("SELECT count(*), COALESCE(SUM(CASE WHEN bumped = 1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(bumped), 0) FROM ledger WHERE rev = '%s'", id)).Scan(&total, &bumped, &marks); err != nil {
		return 0, bad("read the ledger rows of %s: %v", id, err)
	}
	n := 0
	exists := tg.tableExists(t, tbl)
	if exists {
		n = 1
	}
	switch total {
	case 0:
	case seeds:
		if !exists {
			return 0, bad("ledger rows of %s exist but its table %s does not", id, tbl)
		}
		n = 2
	default:
		return 0, bad("ledger has %d rows of %s, want 0 or %d (rows lost or duplicated)", total, id, seeds)
	}
	if exists {
		switch c := tg.count(t, "SELECT count(*) FROM "+tbl); c {
		case 0:
		case seeds:
			if n != 2 {
				return 0, bad("%s is filled but the ledger rows of %s are missing", tbl, id)
			}
			n = 3
		default:
			return 0, bad("%s has %d rows, want 0 or %d", tbl, c, seeds)
		}
	}
	switch {
	case marks == 0:
	case bumped == seeds && marks == seeds:
		if n != 3 {
			return 0, bad("ledger rows of %s are marked before %s was filled", id, tbl)
		}
		n = 4
	default:
		return 0, bad("ledger rows of %s are marked %d times in all (%d marked once), want 0 or once each (an UPDATE ran twice or partly)", id, marks, bumped)
	}
	return n, nil
}

// observeDown returns how many downgrade statements of revision i have run,
// by what the database shows (its downgrade deletes its ledger rows, then
// drops its table; revision 0 drops ledger, then seeds), and an error when
// the traces fit no number of statements run once.
func (tg *target) observeDown(t testing.TB, i int) (int, error) {
	t.Helper()
	if i == 0 {
		ledger, seedsT := tg.tableExists(t, "ledger"), tg.tableExists(t, "seeds")
		switch {
		case ledger && seedsT:
			if n, err := tg.observe(t, 0); err != nil || n != 3 {
				return 0, bad("revision c000 is half reverted without a record (%d statements show, %v)", n, err)
			}
			return 0, nil
		case !ledger && seedsT:
			return 1, nil
		case !ledger && !seedsT:
			return 2, nil
		}
		return 0, bad("seeds is dropped but ledger is not")
	}
	id := revID(i)
	if !tg.tableExists(t, "ledger") {
		return 0, bad("revision %s is reverting but the ledger table is missing", id)
	}
	n := 0
	switch rows := tg.count(t, fmt.Sprintf("SELECT count(*) FROM ledger WHERE rev = '%s'", id)); rows {
	case 0:
		n = 1
	case seeds:
		if up, err := tg.observe(t, i); err != nil || up != 4 {
			return 0, bad("revision %s is reverting with its ledger rows there but only %d upgrade statements show (%v)", id, up, err)
		}
	default:
		return 0, bad("ledger has %d rows of %s, want 0 or %d", rows, id, seeds)
	}
	if !tg.tableExists(t, "t"+id) {
		if n != 1 {
			return 0, bad("t%s is dropped but the ledger rows of %s are there", id, id)
		}
		n = 2
	}
	return n, nil
}

// syncBuffer is a bytes.Buffer safe for a child's writes and the test's
// reads at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exitCode returns the exit code of a finished child, -1 when a signal
// ended it.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// forEachDialect runs f in a subtest per dialect; the server dialects skip
// (naming their variable) when it is unset.
func forEachDialect(t *testing.T, f func(t *testing.T, d string)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d)
			}
			f(t, d)
		})
	}
}

// settleInFlight settles a statement recorded in flight the way a user
// would: it looks at the database for the statement's effect and runs
// `retort resolve REV --statement-ran` or `--statement-not-run`. It
// returns the flag used ("" when nothing was in flight) and the state
// after it.
func (tg *target) settleInFlight(t testing.TB, c *chain, exp expected, st state) (string, state) {
	t.Helper()
	if st.inFlight == 0 {
		return "", st
	}
	var obs int
	var err error
	if st.reverting >= 0 {
		obs, err = tg.observeDown(t, st.applied)
	} else {
		obs, err = tg.observe(t, st.applied)
	}
	if err != nil {
		t.Fatalf("observe %s before resolving it: %v", revID(st.applied), err)
	}
	flag := "--statement-not-run"
	if obs == st.inFlight {
		flag = "--statement-ran"
	}
	c.mustRun(t, tg.url, "--quiet", "resolve", revID(st.applied), flag)
	after, err := tg.check(t, c, exp)
	if err != nil || after.inFlight != 0 {
		t.Fatalf("after resolve %s %s the database is %v (%v)", revID(st.applied), flag, after, err)
	}
	want := obs
	if got := max(after.partial, after.reverting); got != want {
		t.Fatalf("after resolve %s %s the record says %d statement(s), but %d ran", revID(st.applied), flag, got, want)
	}
	return flag, after
}
