package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashInjection starts `retort upgrade` over a chain of data
// migrations and kills it with SIGKILL at a random moment, again and again.
// After every kill the database must be exactly at a revision boundary
// (PostgreSQL, SQLite) or hold one partial revision whose recorded
// statement count is what visibly ran, or whose record says that statement
// k was started and may or may not have run, and k-1 or k visibly ran
// (MariaDB; the test then settles it as a user would, with `retort
// resolve --statement-ran` or `--statement-not-run` after looking at the
// database); every ledger row of an applied revision is there exactly
// once; and the next upgrade goes on from there. When a chain reaches head a fresh database starts the next.
//
// The kill times come from math/rand/v2 seeded by RETORT_CRASH_SEED, or by
// the clock when it is unset; the seed is logged so a run can be repeated.
func TestCrashInjection(t *testing.T) {
	kills, chainLen := 50, 30
	if testing.Short() {
		kills, chainLen = 10, 10
	}
	seed := crashSeed(t)
	forEachDialect(t, func(t *testing.T, d string) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(d))))
		c := writeChain(t, t.TempDir(), chainLen, nil)
		exp := replayPrefixes(t, d, c)

		// How long an unkilled upgrade takes (only to spread the kill
		// times over it, never asserted).
		probe := newTarget(t, d)
		start := time.Now()
		c.mustRun(t, probe.url, "--quiet", "upgrade")
		full := time.Since(start)
		measured := full
		if st, err := probe.check(t, c, exp); err != nil || st.applied != len(c.ids) {
			t.Fatalf("unkilled upgrade: %v (%v)", st, err)
		}
		probe.release()

		var (
			tg        *target
			killed    int
			completed int                // upgrades that finished before their kill
			hist      = map[string]int{} // where the kills left the database
			chains    int
			streak    int // kills in a row on the current database
			broken    int // kills after which a check failed
			// after such a kill: the next upgrade failed, or it exited 0
			// but the database is still wrong
			resumeFailed, resumeWrong int
			// kills that left a statement in flight, and how many of those
			// statements had run
			inFlight, ran int
		)
		for killed < kills {
			if tg == nil {
				tg = newTarget(t, d)
				chains++
				streak = 0
			}
			delay := time.Duration(rng.Int64N(int64(full) + 1))
			r := killAfter(t, c, tg, delay, "upgrade")
			if !r.killed {
				if r.err != nil {
					t.Fatalf("chain %d: upgrade failed without a kill: %v\n%s", chains, r.err, r.stderr)
				}
				completed++
				// It outran its kill from an empty database: spread later
				// kills over that shorter span.
				if streak == 0 && r.elapsed < full {
					full = r.elapsed
				}
			} else {
				killed++
				streak++
			}
			st, err := tg.check(t, c, exp)
			if err != nil {
				// Record it, and go on with a fresh database so that the
				// run also counts how often it happens.
				broken++
				// What does the next upgrade make of it?
				rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Minute)
				out, rerr := c.cmd(rctx, tg.url, "--quiet", "upgrade").CombinedOutput()
				rcancel()
				next := "the next upgrade finished the chain exactly once"
				if rerr != nil {
					resumeFailed++
					next = "the next upgrade failed: " + string(out)
				} else if st, cerr := tg.check(t, c, exp); cerr != nil || st.applied != len(c.ids) {
					resumeWrong++
					next = fmt.Sprintf("the next upgrade exited 0 but left the database %v: %v", st, cerr)
				}
				if broken <= 3 {
					t.Errorf("chain %d, kill %d after %s (seed %d): %v\nchild stderr:\n%s\n%s", chains, killed, delay, seed, err, r.stderr, next)
				}
				tg.release()
				tg = nil
				continue
			}
			if !r.killed {
				if st.applied != len(c.ids) {
					t.Fatalf("chain %d: upgrade exited 0 but the database is %v", chains, st)
				}
				tg.release()
				tg = nil
				continue
			}
			if flag, after := tg.settleInFlight(t, c, exp, st); flag != "" {
				hist["statement in flight, resolved "+flag]++
				st = after
				if flag == "--statement-ran" {
					ran++
				}
				inFlight++
			}
			switch {
			case st.partial >= 0:
				hist["partial"]++
			case startedRev(r.stderr) == st.applied:
				// It had announced the next revision, which left no trace.
				hist["inside a revision, rolled back"]++
			case st.applied == 0:
				hist["nothing applied"]++
			case st.applied == len(c.ids):
				hist["all applied"]++
			default:
				hist["between revisions"]++
			}
			if st.applied == len(c.ids) {
				tg.release()
				tg = nil
				continue
			}
			// Too many kills in a row on one database: let the next upgrade
			// run to the end, and check it finished the chain exactly once.
			if streak >= 5 {
				c.mustRun(t, tg.url, "--quiet", "upgrade")
				st, err := tg.check(t, c, exp)
				if err != nil || st.applied != len(c.ids) {
					t.Fatalf("chain %d: upgrade after %d kills: %v (%v)", chains, streak, st, err)
				}
				tg.release()
				tg = nil
			}
		}
		if tg != nil {
			c.mustRun(t, tg.url, "--quiet", "upgrade")
			st, err := tg.check(t, c, exp)
			if err != nil || st.applied != len(c.ids) {
				t.Fatalf("final upgrade: %v (%v)", st, err)
			}
			tg.release()
		}
		if broken > 0 {
			t.Errorf("%s: %d of %d kills left the database other than its version rows say; after them the next upgrade failed %d time(s) and finished with wrong data %d time(s)", d, broken, killed, resumeFailed, resumeWrong)
		}
		t.Logf("%s: %d kills, %d survived, over %d chain(s) of %d revisions (an unkilled upgrade took %s, kills were spread over the first %s; %d upgrade(s) finished before their kill); %d left a statement in flight (%d of them had run), each resolved by looking at the database; kills left the database: %v",
			d, killed, killed-broken, chains, len(c.ids), measured.Round(time.Millisecond), full.Round(time.Millisecond), completed, inFlight, ran, hist)
	})
}

// crashSeed is RETORT_CRASH_SEED, or the clock when it is unset; it is
// logged so that a run can be repeated.
func crashSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RETORT_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RETORT_CRASH_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (repeat with RETORT_CRASH_SEED=%d)", seed, seed)
	return seed
}

// startedRev returns the index of the last revision a child announced
// ("Running upgrade c004 -> c005, ..." announces 5), or -1.
func startedRev(stderr string) int {
	i := strings.LastIndex(stderr, "-> c")
	if i < 0 || len(stderr) < i+7 {
		return -1
	}
	n, err := strconv.Atoi(stderr[i+4 : i+7])
	if err != nil {
		return -1
	}
	return n
}

// childRun is how one child process ended.
type childRun struct {
	// killed is set when the SIGKILL ended the child (not its own exit).
	killed  bool
	err     error
	stderr  string
	elapsed time.Duration
}

// killAfter runs retort with args on tg and sends SIGKILL after delay
// unless the child has ended by then.
func killAfter(t *testing.T, c *chain, tg *target, delay time.Duration, args ...string) childRun {
	t.Helper()
	buf := &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.cmd(ctx, tg.url, args...)
	cmd.Stderr = buf
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var r childRun
	select {
	case r.err = <-done:
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		r.err = <-done
		r.killed = exitCode(r.err) == -1
	}
	r.elapsed = time.Since(began)
	r.stderr = buf.String()
	return r
}

// TestCrashInjectionDowngrade is TestCrashInjection for `retort downgrade
// base` over the same data migrations (each downgrade deletes its ledger
// rows, then drops its table): after every kill the database must be at a
// revision boundary (PostgreSQL, SQLite) or hold one `reverting` row whose
// count matches what visibly ran, or that says statement k may or may not
// have run (MariaDB, settled with `retort resolve` as a user would), and
// the next downgrade goes on from there. 25 kills per database (5 under -short).
func TestCrashInjectionDowngrade(t *testing.T) {
	kills, chainLen := 25, 30
	if testing.Short() {
		kills, chainLen = 5, 10
	}
	seed := crashSeed(t)
	forEachDialect(t, func(t *testing.T, d string) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(d))+100))
		c := writeChain(t, t.TempDir(), chainLen, nil)
		exp := replayPrefixes(t, d, c)

		probe := newTarget(t, d)
		c.mustRun(t, probe.url, "--quiet", "upgrade")
		start := time.Now()
		c.mustRun(t, probe.url, "--quiet", "downgrade", "base")
		full := time.Since(start)
		if st, err := probe.check(t, c, exp); err != nil || st.applied != 0 {
			t.Fatalf("unkilled downgrade: %v (%v)", st, err)
		}
		probe.release()

		var tg *target
		var killed, broken, completed, streak, chains, inFlight int
		unfinished := 0 // downgrades that exited 0 short of base
		hist := map[string]int{}
		for killed < kills {
			if tg == nil {
				tg = newTarget(t, d)
				c.mustRun(t, tg.url, "--quiet", "upgrade")
				chains++
				streak = 0
			}
			delay := time.Duration(rng.Int64N(int64(full) + 1))
			r := killAfter(t, c, tg, delay, "downgrade", "base")
			if !r.killed {
				if r.err != nil {
					t.Fatalf("chain %d: downgrade failed without a kill: %v\n%s", chains, r.err, r.stderr)
				}
				completed++
			} else {
				killed++
				streak++
			}
			st, cerr := tg.check(t, c, exp)
			if cerr != nil {
				broken++
				if broken <= 3 {
					t.Errorf("chain %d, kill %d after %s (seed %d): %v\nchild stderr:\n%s", chains, killed, delay, seed, cerr, r.stderr)
				}
				tg.release()
				tg = nil
				continue
			}
			if !r.killed {
				if st.applied != 0 || st.reverting >= 0 {
					unfinished++
					if unfinished <= 3 {
						t.Errorf("chain %d: downgrade base exited 0 but the database is %v\nchild stderr:\n%s", chains, st, r.stderr)
					}
				}
				tg.release()
				tg = nil
				continue
			}
			if flag, after := tg.settleInFlight(t, c, exp, st); flag != "" {
				hist["statement in flight, resolved "+flag]++
				st = after
				inFlight++
			}
			switch {
			case st.reverting >= 0:
				hist["reverting"]++
			case st.applied == len(c.ids):
				hist["nothing reverted"]++
			case st.applied == 0:
				hist["all reverted"]++
			default:
				hist["between revisions"]++
			}
			if st.applied == 0 && st.reverting < 0 {
				tg.release()
				tg = nil
				continue
			}
			if streak >= 5 {
				c.mustRun(t, tg.url, "--quiet", "downgrade", "base")
				if st, err := tg.check(t, c, exp); err != nil || st.applied != 0 || st.reverting >= 0 {
					unfinished++
					if unfinished <= 3 {
						t.Errorf("chain %d: downgrade after %d kills: %v (%v)", chains, streak, st, err)
					}
				}
				tg.release()
				tg = nil
			}
		}
		if broken > 0 || unfinished > 0 {
			t.Errorf("%s: %d of %d downgrade kills left the database other than its version rows say; %d downgrade(s) exited 0 short of base", d, broken, killed, unfinished)
		}
		t.Logf("%s: %d downgrade kills, %d survived, over %d chain(s) of %d revisions (an unkilled downgrade took %s; %d finished before their kill; %d left a statement in flight, resolved by looking at the database); kills left the database: %v",
			d, killed, killed-broken, chains, len(c.ids), full.Round(time.Millisecond), completed, inFlight, hist)
	})
}
