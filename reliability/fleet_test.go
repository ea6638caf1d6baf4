package reliability

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFleetKill runs `retort upgrade --fleet` over four databases with
// --parallel 2 and kills it with SIGKILL at random moments. After every
// kill each target must be at a revision boundary or hold one partial
// revision that is resumable (TestCrashInjection's check on each; a
// statement left in flight on MariaDB is settled with `retort resolve`
// as a user would); after all the kills one more fleet run must bring
// every target to head, each revision applied exactly once. The kill
// times come from RETORT_CRASH_SEED as in TestCrashInjection.
func TestFleetKill(t *testing.T) {
	kills, chainLen, n := 12, 10, 4
	if testing.Short() {
		kills = 4
	}
	seed := crashSeed(t)
	forEachDialect(t, func(t *testing.T, d string) {
		rng := rand.New(rand.NewPCG(seed, uint64(len(d))+7))
		c := writeChain(t, t.TempDir(), chainLen, nil)
		exp := replayPrefixes(t, d, c)

		// How long an unkilled fleet run takes, on targets of its own.
		probes := fleetTargets(t, d, n)
		writeFleet(t, c, "probe.txt", probes)
		start := time.Now()
		c.mustRun(t, "", "--quiet", "upgrade", "--fleet", "probe.txt", "--parallel", "2")
		full := time.Since(start)
		for _, tg := range probes {
			tg.release()
		}

		var tgs []*target
		hist := map[string]int{}
		killed, fleets := 0, 0
		for range kills {
			if tgs == nil {
				// A fleet all at head has nothing left to kill: a new one.
				tgs = fleetTargets(t, d, n)
				writeFleet(t, c, "fleet.txt", tgs)
				fleets++
			}
			delay := time.Duration(rng.Int64N(int64(full) + 1))
			r := killAfter(t, c, &target{url: ""}, delay, "upgrade", "--fleet", "fleet.txt", "--parallel", "2")
			if r.killed {
				killed++
			} else if r.err != nil {
				t.Fatalf("fleet upgrade failed without a kill: %v\n%s", r.err, r.stderr)
			}
			atHead := 0
			for i, tg := range tgs {
				st, err := tg.check(t, c, exp)
				if err != nil {
					t.Fatalf("after a kill at %s (seed %d), target %d: %v\nchild stderr:\n%s", delay, seed, i+1, err, r.stderr)
				}
				if flag, _ := tg.settleInFlight(t, c, exp, st); flag != "" {
					hist["statement in flight, resolved "+flag]++
				}
				switch {
				case st.partial >= 0:
					hist["partial"]++
				case st.applied == len(c.ids):
					hist["at head"]++
					atHead++
				default:
					hist["at a boundary below head"]++
				}
			}
			if atHead == n {
				for _, tg := range tgs {
					tg.release()
				}
				tgs = nil
			}
		}
		if tgs == nil {
			tgs = fleetTargets(t, d, n)
			writeFleet(t, c, "fleet.txt", tgs)
		}
		c.mustRun(t, "", "--quiet", "upgrade", "--fleet", "fleet.txt", "--parallel", "2")
		for i, tg := range tgs {
			st, err := tg.check(t, c, exp)
			if err != nil || st.applied != len(c.ids) {
				t.Fatalf("final fleet run, target %d: %v (%v)", i+1, st, err)
			}
			tg.release()
		}
		t.Logf("%s: %d kills over %d fleet(s) of %d databases (an unkilled run took %s); targets after the kills: %v", d, killed, fleets, n, full.Round(time.Millisecond), hist)
	})
}

// fleetTargets makes n fresh databases.
func fleetTargets(t *testing.T, d string, n int) []*target {
	var out []*target
	for range n {
		out = append(out, newTarget(t, d))
	}
	return out
}

// writeFleet writes the fleet file name in the chain's directory.
func writeFleet(t *testing.T, c *chain, name string, tgs []*target) {
	var b strings.Builder
	for _, tg := range tgs {
		b.WriteString(tg.url + "\n")
	}
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
