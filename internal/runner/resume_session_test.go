package runner_test

import (
	"testing"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// TestResumeRestoresSession: a "Transaction: none" revision that sets its
// lock timeout first and stops at a later statement is resumed on a new
// connection with that setting in force again (the statement it resumes
// at reads the setting back), and the run says so.
func TestResumeRestoresSession(t *testing.T) {
	for _, c := range []struct{ dialect, set, read string }{
		{"postgres", "SET lock_timeout = '7s'", "SELECT current_setting('lock_timeout') AS v"},
		{"mysql", "SET SESSION lock_wait_timeout = 7", "SELECT @@SESSION.lock_wait_timeout AS v"},
	} {
		t.Run(c.dialect, func(t *testing.T) {
			tg := newTarget(t, c.dialect)
			ctx := ctxT(t)
			mk := func(third string) []*script.Revision {
				r := rev("s1", "", c.set+";\nCREATE TABLE a (id integer);\n"+third+";\n", "DROP TABLE b;\nDROP TABLE a;\n")
				r.NoTransaction = true
				return []*script.Revision{r}
			}
			if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(mk("INSERT INTO nosuchtable VALUES (1)"))); err == nil {
				t.Fatal("the broken revision ran")
			}
			var log eventLog
			// A new handle: the resume runs on a connection that never saw
			// the SET.
			_, db := openURL(t, tg.url)
			if _, err := runner.New(db, tg.d, runner.Options{OnEvent: log.add}).Run(ctx, upgradeAll(mk("CREATE TABLE b AS "+c.read))); err != nil {
				t.Fatal(err)
			}
			var v string
			if err := tg.db.QueryRowContext(ctx, "SELECT v FROM b").Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != "7s" && v != "7" {
				t.Errorf("the resumed statement ran with the setting %q, want the revision's 7s", v)
			}
			if ev := log.of(runner.EventSessionRestored); len(ev) != 1 || ev[0].Statement != 3 {
				t.Errorf("session-restored events: %+v, want one at statement 3", ev)
			}
		})
	}
}
