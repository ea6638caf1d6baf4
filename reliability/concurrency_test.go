package reliability

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockTimeoutLine is the one error line a migrator that lost the race for
// the lock may print (dialect.LockTimeoutError), the same on every dialect
// and whether the wait was before the first revision or between two.
var lockTimeoutLine = regexp.MustCompile(`(?m)^error: timed out after [0-9.]+m?s waiting for the migration lock: another retort is migrating this database \(raise --lock-timeout to wait longer\)$`)

// outcome is how one child process ended.
type outcome struct {
	args   []string
	code   int
	stderr string
}

// runAll starts one child per argument list at once and waits for all.
func runAll(t *testing.T, c *chain, u string, argss [][]string) []outcome {
	t.Helper()
	out := make([]outcome, len(argss))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, args := range argss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := c.cmd(ctx, u, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			<-start
			err := cmd.Run()
			out[i] = outcome{args: args, code: exitCode(err), stderr: stderr.String()}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// checkOutcomes fails the test for any child that neither succeeded nor
// failed with the lock-timeout error, and returns how many did each.
func checkOutcomes(t *testing.T, round int, outs []outcome) (ok, timedOut int) {
	ok, timedOut, _ = checkRaceOutcomes(t, round, outs, false)
	return ok, timedOut
}

// racedLine is the error of a SQLite migrator that finds, inside a
// revision's transaction (its lock), that another process moved the
// database in a way its plan did not allow: it stops before that revision
// and says to run the command again.
var racedLine = regexp.MustCompile(`(?m)^error: (upgrade|downgrade) stopped before revision \S+: .*another retort .* while this one ran.*: run (upgrade|downgrade) again$`)

// checkRaceOutcomes is checkOutcomes that, with allowRaced, also accepts
// racedLine. That is the ending on SQLite for upgrade racing downgrade:
// SQLite has no session lock, only each revision's BEGIN IMMEDIATE, so a
// process planned before another changed the database stops at the first
// step its plan no longer allows (PostgreSQL and MariaDB hold a session
// lock across the whole run and never get there).
func checkRaceOutcomes(t *testing.T, round int, outs []outcome, allowRaced bool) (ok, timedOut, raced int) {
	t.Helper()
	for _, o := range outs {
		switch {
		case o.code == 0:
			ok++
		case o.code == 1 && lockTimeoutLine.MatchString(o.stderr) && strings.Count(o.stderr, "error:") == 1:
			timedOut++
		case allowRaced && o.code == 1 && racedLine.MatchString(o.stderr) && strings.Count(o.stderr, "error:") == 1:
			raced++
		default:
			t.Errorf("round %d: retort %s exited %d, want 0 or the lock-timeout error:\n%s", round, strings.Join(o.args, " "), o.code, o.stderr)
		}
	}
	return ok, timedOut, raced
}

// TestConcurrentUpgrades runs 16 `retort upgrade` processes on one fresh
// database at once, round after round: every revision must be applied
// exactly once (each writes its ledger rows once; a second run would
// duplicate them), and every process must exit 0 or with the lock-timeout
// error. Every other round uses a short --lock-timeout so that both
// endings occur. A second part races `upgrade` against `downgrade base`
// and checks that the version rows agree with the schema at the end.
func TestConcurrentUpgrades(t *testing.T) {
	const procs = 16
	rounds, races := 20, 5
	if testing.Short() {
		rounds, races = 3, 2
	}
	forEachDialect(t, func(t *testing.T, d string) {
		c := writeChain(t, t.TempDir(), 10, nil)
		exp := replayPrefixes(t, d, c)
		var ran, ok, timedOut int
		for round := 1; round <= rounds; round++ {
			tg := newTarget(t, d)
			args := []string{"upgrade"}
			if round%2 == 0 {
				args = []string{"--lock-timeout", "100ms", "upgrade"}
			}
			argss := make([][]string, procs)
			for i := range argss {
				argss[i] = args
			}
			outs := runAll(t, c, tg.url, argss)
			ran += len(outs)
			o, to := checkOutcomes(t, round, outs)
			ok += o
			timedOut += to
			if o == 0 {
				t.Errorf("round %d: no process succeeded", round)
			}
			st, err := tg.check(t, c, exp)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if st.applied != len(c.ids) {
				t.Fatalf("round %d: every process ended but the database is %v", round, st)
			}
			tg.release()
		}
		t.Logf("%s: %d rounds, %d processes: %d exited 0, %d with the lock-timeout error; every revision applied exactly once", d, rounds, ran, ok, timedOut)

		// upgrade racing downgrade.
		var raceOK, raceTO, raceStopped int
		ends := map[int]int{}
		for round := 1; round <= races; round++ {
			tg := newTarget(t, d)
			c.mustRun(t, tg.url, "--quiet", "upgrade", revID(5))
			var argss [][]string
			for i := 0; i < procs/2; i++ {
				argss = append(argss, []string{"--lock-timeout", "30s", "upgrade"}, []string{"--lock-timeout", "30s", "downgrade", "base"})
			}
			outs := runAll(t, c, tg.url, argss)
			o, to, rc := checkRaceOutcomes(t, round, outs, d == "sqlite")
			raceOK += o
			raceTO += to
			raceStopped += rc
			st, err := tg.check(t, c, exp)
			switch {
			case err != nil:
				t.Errorf("race round %d: %v", round, err)
				ends[-1]++
			case st.partial >= 0:
				t.Errorf("race round %d: every process ended but the database is %v", round, st)
				ends[-1]++
			default:
				ends[st.applied]++
			}
			tg.release()
		}
		t.Logf("%s: %d upgrade/downgrade race rounds of %d processes: %d exited 0, %d timed out, %d stopped because another process moved the database first (SQLite only); end states (revisions applied: rounds; -1 inconsistent) %s", d, races, procs, raceOK, raceTO, raceStopped, fmt.Sprint(ends))
	})
}
