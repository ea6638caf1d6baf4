package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/testdb"
)

// restartServer restarts the database server of dialect d and waits until
// tg's database answers again.
func restartServer(t *testing.T, d string, tg *target) {
	t.Helper()
	var cmds [][]string
	switch d {
	case "postgres":
		cmds = [][]string{{"sh", "-c", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"}}
	case "mysql":
		cmds = [][]string{
			{"mariadb-admin", "-uroot", "shutdown"},
			{"start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"},
		}
	}
	for _, c := range cmds {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := tg.db.PingContext(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s server did not answer within 60s of its restart: %v", d, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// connectionError is what a clear report of a lost server looks like: the
// error line names the revision and the connection or server going away.
var connectionError = regexp.MustCompile(`(?mi)^error: .*(connection|server|terminat|shut ?down|broken pipe|EOF|gone away|refused|bad connection|invalid connection)`)

// TestServerRestart restarts the database server while `retort upgrade`
// runs a long chain. retort must fail with a clear connection error, and a
// second upgrade must finish the chain with nothing applied twice.
//
// It restarts a shared server, so it runs only with RETORT_TEST_RESTART=1.
func TestServerRestart(t *testing.T) {
	if os.Getenv("RETORT_TEST_RESTART") != "1" {
		t.Skip("RETORT_TEST_RESTART=1 is not set: this test restarts the PostgreSQL and MariaDB servers")
	}
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) { connectionLost(t, d, restartServer) })
	}
}

// TestSessionKilled is TestServerRestart without the restart: the server
// ends retort's session (pg_terminate_backend, KILL), as an administrator
// or a failover proxy would. It touches only the test's own database.
func TestSessionKilled(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			connectionLost(t, d, killSessions)
		})
	}
}

// killSessions ends every other session on tg's database from the server
// side.
func killSessions(t *testing.T, d string, tg *target) {
	t.Helper()
	if d == "postgres" {
		if _, err := tg.db.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"); err != nil {
			t.Fatalf("terminate sessions: %v", err)
		}
		return
	}
	rows, err := tg.db.Query("SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()")
	if err != nil {
		t.Fatalf("list sessions: %v", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("list sessions: %v", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		// A session may end by itself in between: ignore "unknown thread".
		_, _ = tg.db.Exec(fmt.Sprintf("KILL %d", id))
	}
}

// connectionLost runs a long chain, calls lose once c005 has started, and
// checks the failure, the database, and that a second upgrade finishes
// the chain exactly once.
func connectionLost(t *testing.T, d string, lose func(*testing.T, string, *target)) {
	testdb.ServerURL(t, d) // skips, naming the variable, when unset
	// Every data revision's ledger insert waits a little, so the
	// chain takes seconds and the restart lands inside it; the
	// statement count (and so the traces checked) stays the same.
	c := writeChain(t, t.TempDir(), 30, func(i int, up []string) []string {
		if i == 0 {
			return up
		}
		out := append([]string(nil), up...)
		if d == "mysql" {
			out[1] += " WHERE SLEEP(0.03) = 0"
		} else {
			out[1] += " CROSS JOIN (SELECT pg_sleep(0.15)) AS slow"
		}
		return out
	})
	exp := replayPrefixes(t, d, c)
	tg := newTarget(t, d)
	stderr := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.cmd(ctx, tg.url, "upgrade")
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "-> c005") {
		if time.Now().After(deadline) {
			t.Fatalf("c005 never started:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	lose(t, d, tg)
	err := <-done
	out := stderr.String()
	t.Logf("first upgrade: exit %d, stderr:\n%s", exitCode(err), out)
	if exitCode(err) != 1 {
		t.Errorf("first upgrade exited %d, want 1", exitCode(err))
	}
	if !connectionError.MatchString(out) {
		t.Errorf("stderr has no clear connection error line:\n%s", out)
	}
	st, cerr := tg.check(t, c, exp)
	if cerr != nil {
		t.Fatalf("after the connection was lost: %v", cerr)
	}
	t.Logf("after the connection was lost the database is %v", st)
	if strings.Contains(out, "fix the file") {
		// The file is fine: the server or the connection went away.
		t.Errorf("stderr tells the user to fix the file after the connection was lost:\n%s", out)
	}
	if st.inFlight > 0 {
		// retort cannot know whether the statement ran: it must say so,
		// not claim that nothing ran. Where the connection was lost while
		// the statement's "started" record was being written, the
		// statement did not run but the record may have been written: the
		// error must say how to settle that.
		maybeRan := strings.Contains(out, fmt.Sprintf("statement %d may or may not have run", st.inFlight))
		recordCut := strings.Contains(out, fmt.Sprintf("shows statement %d in flight: settle it with `retort resolve %s --statement-not-run`", st.inFlight, revID(st.applied)))
		if !maybeRan && !recordCut || strings.Contains(out, "nothing of it ran") {
			t.Errorf("statement %d is recorded in flight but stderr does not say it may or may not have run:\n%s", st.inFlight, out)
		}
		flag, _ := tg.settleInFlight(t, c, exp, st)
		t.Logf("settled statement %d of %s with resolve %s", st.inFlight, revID(st.applied), flag)
	}
	c.mustRun(t, tg.url, "upgrade")
	st, cerr = tg.check(t, c, exp)
	if cerr != nil || st.applied != len(c.ids) {
		t.Fatalf("second upgrade: %v (%v)", st, cerr)
	}
}
