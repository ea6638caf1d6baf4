package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/engine"
)

// fleetLive prints progress: on a terminal one summary line, rewritten;
// otherwise a line per finished target of an upgrade or downgrade.
type fleetLive struct {
	a        *app
	terminal bool
	lines    bool
	last     time.Time
	printed  bool
}

func newFleetLive(a *app, action engine.FleetAction) *fleetLive {
	return &fleetLive{a: a, terminal: a.isTerminal(), lines: !action.ReadOnly()}
}

func (l *fleetLive) update(p engine.FleetProgress) {
	if l.a.quiet {
		return
	}
	if !l.terminal {
		if r := p.Finished; r != nil && l.lines {
			l.a.progressf("%s\n", fleetLine(*r))
		}
		return
	}
	if time.Since(l.last) < 100*time.Millisecond && p.Pending+p.Running > 0 {
		return
	}
	l.last = time.Now()
	l.a.progressf("\r\033[K%s", liveLine(p))
	l.printed = true
}

// liveLine is the terminal's summary line.
func liveLine(p engine.FleetProgress) string {
	line := fmt.Sprintf("fleet: %d done, %d failed, %d running, %d pending; elapsed %s", p.Done, p.Failed, p.Running, p.Pending, p.Elapsed.Round(time.Second))
	if finished := p.Done + p.Failed; finished > 0 && p.Pending+p.Running > 0 {
		// The targets so far took this long each, on average.
		left := p.Elapsed * time.Duration(p.Pending+p.Running) / time.Duration(finished)
		line += fmt.Sprintf("; about %s left", left.Round(time.Second))
	}
	if len(p.Slowest) > 0 {
		line += fmt.Sprintf("; slowest %s (%s)", p.Slowest[0].Name, p.Slowest[0].Elapsed.Round(time.Second))
	}
	return line
}

func (l *fleetLive) end() {
	if l.printed {
		l.a.progressf("\n")
	}
}

// fleetLine is one finished target.
func fleetLine(r engine.FleetResult) string {
	at := describeAt(r.Start)
	switch {
	case !r.Ran:
		return fmt.Sprintf("not run  %s", r.Name)
	case r.Err != nil:
		return fmt.Sprintf("FAILED   %s at %s: %v", r.Name, describeAt(r.End), errors.Unwrap(r.Err))
	case !r.Changed:
		return fmt.Sprintf("ok       %s at %s (nothing to do)", r.Name, at)
	}
	return fmt.Sprintf("ok       %s %s -> %s (%s)", r.Name, at, describeAt(r.End), r.Duration.Round(time.Millisecond))
}

// fleetFailures lists the failed targets with their errors on stderr.
func (a *app) fleetFailures(res []engine.FleetResult) {
	for _, r := range res {
		if r.Err != nil && !errors.Is(r.Err, engine.ErrDifferences) {
			a.progressf("%s\n", fleetLine(r))
		}
	}
}

// fleetText prints the report: the targets of a read-only command in the
// fleet's order, then a summary for upgrade, downgrade and status.
func (a *app) fleetText(action engine.FleetAction, res []engine.FleetResult) {
	counts := map[string]int{}
	for _, r := range res {
		switch {
		case !r.Ran:
			counts["not run"]++
		case r.Err != nil && !errors.Is(r.Err, engine.ErrDifferences):
			counts["failed"]++
		case !action.ReadOnly():
			if r.Changed {
				counts["migrated"]++
			} else {
				counts["already there"]++
			}
		default:
			a.readOnlyLine(action.Name(), r, counts)
		}
	}
	if action.Name() == "current" || action.Name() == "verify" || action.Name() == "drift" {
		return
	}
	var parts []string
	for _, k := range []string{"migrated", "already there", "up to date", "behind", "failed", "not run"} {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	a.progressf("Fleet: %d target(s): %s.\n", len(res), strings.Join(parts, ", "))
}

// readOnlyLine prints what current, status, verify or drift found on r.
func (a *app) readOnlyLine(name string, r engine.FleetResult, counts map[string]int) {
	switch name {
	case "current":
		a.outf("%s: %s\n", r.Name, describeAt(r.End))
	case "status":
		a.outf("%s\n", statusLine(r))
		if len(r.Pending)+len(r.Partial) > 0 {
			counts["behind"]++
		} else {
			counts["up to date"]++
		}
	default:
		a.outf("%s: %d difference(s)\n", r.Name, len(r.Differences))
		for _, d := range r.Differences {
			a.outf("  %s\n", d)
		}
	}
}

// statusLine says whether a target is behind.
func statusLine(r engine.FleetResult) string {
	s := fmt.Sprintf("%s: at %s", r.Name, describeAt(r.End))
	if len(r.Pending) > 0 {
		s += fmt.Sprintf(", behind by %d (pending %s)", len(r.Pending), strings.Join(r.Pending, ", "))
	}
	if len(r.Partial) > 0 {
		// A partial revision may have failed (fix the file first) or been
		// interrupted (resume it): status on the target tells which.
		s += fmt.Sprintf(", partial %s (status on this target says whether to fix or resume it)", strings.Join(r.Partial, ", "))
	}
	if len(r.Pending)+len(r.Partial) == 0 {
		s += ", up to date"
	}
	return s
}

// fleetTargetJSON is one target of the --json report.
type fleetTargetJSON struct {
	Target      string   `json:"target"`
	Status      string   `json:"status"`
	Start       []string `json:"start"`
	End         []string `json:"end"`
	DurationMS  int64    `json:"duration_ms"`
	Error       string   `json:"error,omitempty"`
	Pending     []string `json:"pending,omitempty"`
	Partial     []string `json:"partial,omitempty"`
	Differences []string `json:"differences,omitempty"`
}

func (a *app) fleetJSON(res []engine.FleetResult) map[string]any {
	out := make([]fleetTargetJSON, 0, len(res))
	for _, r := range res {
		j := fleetTargetJSON{Target: r.Name, Status: fleetOutcome(r), Start: nonNil(r.Start), End: nonNil(r.End), DurationMS: r.Duration.Milliseconds(),
			Pending: r.Pending, Partial: r.Partial, Differences: r.Differences}
		if j.Status == "failed" {
			j.Error = a.mask(errors.Unwrap(r.Err).Error())
		}
		out = append(out, j)
	}
	return map[string]any{"targets": out}
}

// fleetOutcome is a target's status in the JSON report.
func fleetOutcome(r engine.FleetResult) string {
	switch {
	case !r.Ran:
		return "not run"
	case errors.Is(r.Err, engine.ErrDifferences):
		return "differs"
	case r.Err != nil:
		return "failed"
	case r.Changed:
		return "migrated"
	}
	return "ok"
}
