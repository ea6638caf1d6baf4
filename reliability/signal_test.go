package reliability

import (
	"context"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowFill makes the third statement of revision 2 (filling its table)
// take seconds, so that a signal arrives while it runs.
func slowFill(d string) func(i int, up []string) []string {
	return func(i int, up []string) []string {
		if i != 2 {
			return up
		}
		out := append([]string(nil), up...)
		id := revID(i)
		switch d {
		case "postgres":
			out[2] = "INSERT INTO t" + id + " (id, note) SELECT seq, 'row' FROM seeds CROSS JOIN (SELECT pg_sleep(4)) AS slow"
		case "mysql":
			out[2] = "INSERT INTO t" + id + " (id, note) SELECT seq, 'row' FROM seeds WHERE SLEEP(0.8) = 0"
		default:
			out[2] = "INSERT INTO t" + id + " (id, note) SELECT seq, 'row' FROM seeds WHERE (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000000) SELECT count(*) FROM n) > 0"
		}
		return out
	}
}

// TestSignalStops sends SIGTERM (and, separately, SIGINT as Ctrl-C does)
// to `retort upgrade` while a slow statement of revision c002 runs. retort
// must stop by itself (not die of the signal), exit 128+N (130, 143), name the
// revision and the statement where it stopped, and leave the database at
// the revision before it (PostgreSQL, SQLite) or recorded partial with
// exactly the statements that ran (MariaDB).
func TestSignalStops(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d string) {
		c := writeChain(t, t.TempDir(), 4, slowFill(d))
		exp := replayPrefixes(t, d, writeChain(t, t.TempDir(), 4, nil))
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(sig.String(), func(t *testing.T) {
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
				// Statements 1 and 2 of c002 take milliseconds; then the
				// slow one runs for seconds.
				deadline := time.Now().Add(30 * time.Second)
				for !strings.Contains(stderr.String(), "-> c002") {
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatalf("c002 never started:\n%s", stderr.String())
					}
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(700 * time.Millisecond)
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				var err error
				select {
				case err = <-done:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("retort did not stop within 20s of %s:\n%s", sig, stderr.String())
				}
				code := exitCode(err)
				out := stderr.String()
				t.Logf("exit %d, stderr:\n%s", code, out)
				switch {
				case code == -1:
					t.Fatalf("retort was ended by %s itself instead of stopping between statements (cmd/retort must cancel its context on SIGINT/SIGTERM)", sig)
				case code == 0:
					t.Fatalf("retort exited 0 after %s", sig)
				case code != 128+int(sig):
					t.Errorf("retort exited %d after %s, want %d (128 + the signal's number, as README's exit codes say)", code, sig, 128+int(sig))
				}
				where := regexp.MustCompile(`(?m)^error: upgrade of revision c002\b.* interrupted \(` + regexp.QuoteMeta(sig.String()) + ` signal received\) during statement 3 of 4: `)
				if !where.MatchString(out) {
					t.Errorf("stderr does not say that revision c002 was interrupted by %s during statement 3 of 4 on its error line:\n%s", sig, out)
				}
				if strings.Contains(out, "log row") {
					t.Errorf("the log row of the interrupted run was not written:\n%s", out)
				}
				if n := tg.count(t, "SELECT count(*) FROM retort_log WHERE revision = 'c002' AND NOT ok AND error LIKE '%interrupted%'"); n != 1 {
					t.Errorf("retort_log has %d row(s) for the interrupted upgrade of c002, want 1", n)
				}
				st, cerr := tg.check(t, c, exp)
				if cerr != nil {
					t.Fatalf("after %s: %v", sig, cerr)
				}
				want := state{applied: 2, partial: -1, reverting: -1}
				if d == "mysql" {
					want.partial = 2
				}
				if st != want {
					t.Errorf("after %s the database is %v, want %v", sig, st, want)
				}
			})
		}
	})
}
