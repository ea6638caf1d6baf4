package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
)

// FleetTarget is one database of a fleet: a tenant's database, or a
// tenant's schema opened with its own search_path. URLTarget and
// TenantSchemaTargets make them.
type FleetTarget struct {
	// Name identifies the target in results and progress: a redacted URL
	// or a schema name. It must never hold a password.
	Name string
	// Open connects to the target. The fleet closes the handle when the
	// target is done, so that a fleet of thousands holds at most Parallel
	// connections at a time.
	Open func(ctx context.Context) (dialect.Dialect, *sql.DB, error)
	// Scratch is the server on which FleetDrift makes this target's
	// scratch databases when its GenerateOptions name neither Scratch nor
	// DevDatabase: the target's own URL, as drift on that one database
	// would. Nil: in memory (SQLite).
	Scratch *dialect.URL
	// Schema is the PostgreSQL schema the target is, for a tenant schema
	// whose URL's search_path names it alone: FleetDrift compares that
	// schema only (GenerateOptions.Schema). Empty: the whole database.
	Schema string
}

// FleetOptions configures RunFleet.
type FleetOptions struct {
	// Parallel bounds how many targets run at once (default: the number of
	// CPUs).
	Parallel int
	// ContinueOnError keeps scheduling targets after failures. Without it
	// (and without MaxFailures) the first failure stops scheduling an
	// upgrade or downgrade (the targets already running finish); the
	// read-only actions (current, status, verify, drift) visit every
	// target unless MaxFailures or Canary stops them.
	ContinueOnError bool
	// Canary runs the first Canary targets first, and stops the fleet
	// when any of them fails, whatever the other settings.
	Canary int
	// MaxFailures stops scheduling once this many targets failed (0: 1,
	// or unlimited with ContinueOnError or a read-only action).
	MaxFailures int
	// Progress is called after every target starts and finishes, one call
	// at a time.
	Progress func(FleetProgress)
	// Options are given to every target's Migrator (version tables, lock
	// timeout, ...). The revisions are loaded and the revision graph is
	// built once for the fleet, not per target.
	Options []Option
	// Action is what runs on each target: FleetUpgrade, FleetDowngrade,
	// FleetCurrent, FleetStatus, FleetVerify or FleetDrift. The zero
	// value upgrades to head.
	Action FleetAction
}

// FleetResult is what happened on one target.
type FleetResult struct {
	// Name is the target's Name.
	Name string `json:"target"`
	// Start and End are the revisions the target was at before and after
	// (empty: base). Both come from the one read of the target's version
	// table and, for an upgrade or downgrade, from what the run recorded.
	Start []string `json:"start"`
	End   []string `json:"end"`
	// Duration is the time spent on the target, connection included.
	Duration time.Duration `json:"-"`
	// Ran: the target was scheduled (false when the fleet stopped first).
	Ran bool `json:"ran"`
	// Changed: the action changed the database; false for a target that
	// was already at the target revision (skipped).
	Changed bool `json:"changed"`
	// Pending and Partial are, for FleetStatus, the revisions an upgrade
	// to the heads would apply and those stopped part-way (which the next
	// upgrade resumes).
	Pending []string `json:"pending,omitempty"`
	Partial []string `json:"partial,omitempty"`
	// Differences are, for FleetVerify, the applied revisions whose file
	// changed or vanished (Mismatch.String), and for FleetDrift the
	// out-of-band changes (Change.Describe), one a line. Text, not the
	// changes themselves: those hold the inspected schemas, which a fleet
	// of thousands must not keep.
	Differences []string `json:"differences,omitempty"`
	// Err is the target's error, prefixed with its Name; nil on success.
	// Differences found are a *DifferencesError (ErrDifferences).
	Err error `json:"-"`
}

// FleetProgress is the state of a fleet run, given to the Progress callback.
type FleetProgress struct {
	// Done, Failed, Running and Pending count targets.
	Done, Failed, Running, Pending int
	// Started names the target that just started ("" otherwise).
	Started string
	// Finished is the target that just finished (nil otherwise).
	Finished *FleetResult
	// Elapsed is the time since the fleet started.
	Elapsed time.Duration
	// Slowest names the running targets, longest running first (at most
	// three), with how long each has been running.
	Slowest []FleetRunning
}

// FleetRunning is a target under way.
type FleetRunning struct {
	// Name is the target's Name.
	Name string
	// Elapsed is how long it has been running.
	Elapsed time.Duration
}

// FleetError is returned by RunFleet when targets failed, differed or
// were not run because the fleet stopped.
type FleetError struct {
	// Failed, Differ and NotRun count targets: those with an error other
	// than ErrDifferences, those whose verify or drift found differences,
	// and those never scheduled.
	Failed, Differ, NotRun int
	// First is the first failure (or difference), with its target's name.
	First error
}

// Error counts the failed, differing and unrun targets and quotes the
// first failure.
func (e *FleetError) Error() string {
	var parts []string
	if e.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d target(s) failed", e.Failed))
	}
	if e.Differ > 0 {
		parts = append(parts, fmt.Sprintf("%d target(s) differ", e.Differ))
	}
	if e.NotRun > 0 {
		parts = append(parts, fmt.Sprintf("%d not run (the fleet stopped scheduling: rerun to resume, or set ContinueOnError, --continue-on-error on the command line)", e.NotRun))
	}
	s := strings.Join(parts, ", ")
	if e.First != nil {
		s += "; first: " + e.First.Error()
	}
	return s
}

// Unwrap returns the first failure.
func (e *FleetError) Unwrap() error { return e.First }

// ErrDifferences: FleetVerify or FleetDrift found differences on a target.
// The typed error is *DifferencesError.
var ErrDifferences = errors.New("differences found")

// DifferencesError is a fleet target whose verify or drift found
// differences (listed in FleetResult.Differences). It is the target's
// error, so that the failure policy counts it.
type DifferencesError struct {
	// Count is the number of differences.
	Count int
}

// Error counts the differences.
func (e *DifferencesError) Error() string { return fmt.Sprintf("%d difference(s)", e.Count) }

// Is reports whether target is ErrDifferences.
func (e *DifferencesError) Is(target error) bool { return target == ErrDifferences }

// RunFleet runs opts.Action (an upgrade to head by default) on every
// target, at most opts.Parallel at a time, each with its own connection
// (opened when the target starts, closed when it ends) and, for an upgrade
// or downgrade, its own migration lock. The revisions are loaded from fsys
// (and opts.Options) and checked once, before any target opens. It returns
// one result per target, in the targets' order, and a *FleetError when any
// failed, differed or was not run. A rerun after a stop resumes: targets
// already at the target revision are skipped, without the lock.
func RunFleet(ctx context.Context, targets []FleetTarget, fsys fs.FS, opts FleetOptions) ([]FleetResult, error) {
	o, g, err := build(fsys, opts.Options)
	if err != nil {
		return nil, err
	}
	f := newFleet(targets, opts, o, g)
	canary := min(max(opts.Canary, 0), len(targets))
	if canary > 0 {
		f.run(ctx, 0, canary)
		if f.failed > 0 {
			f.stopped = true
		}
	}
	f.run(ctx, canary, len(targets))
	return f.results, f.err()
}

// fleet is the state of one RunFleet.
type fleet struct {
	targets []FleetTarget
	opts    FleetOptions
	maxFail int
	start   time.Time
	// o and graph are the options and the revision graph, built once:
	// every target's Migrator shares them.
	o     options
	graph *revision.Graph

	mu      sync.Mutex
	results []FleetResult
	running map[int]time.Time
	done    int
	failed  int
	stopped bool
	first   error
}

func newFleet(targets []FleetTarget, opts FleetOptions, o options, g *revision.Graph) *fleet {
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.NumCPU()
	}
	if opts.Action.run == nil {
		opts.Action = FleetUpgrade("head")
	}
	maxFail := opts.MaxFailures
	if maxFail <= 0 {
		maxFail = 1
		if opts.ContinueOnError || opts.Action.readOnly {
			maxFail = len(targets) + 1
		}
	}
	f := &fleet{targets: targets, opts: opts, maxFail: maxFail, start: time.Now(), running: map[int]time.Time{}, o: o, graph: g}
	f.results = make([]FleetResult, len(targets))
	for i, t := range targets {
		f.results[i] = FleetResult{Name: t.Name}
	}
	return f
}

// run runs targets [from, to) on the pool and waits for them. A target is
// scheduled only once a slot is free, so that a failure that stops the
// fleet is seen before the next target starts.
func (f *fleet) run(ctx context.Context, from, to int) {
	slots := make(chan struct{}, f.opts.Parallel)
	var wg sync.WaitGroup
	for i := from; i < to; i++ {
		slots <- struct{}{}
		if !f.schedule(ctx, i) {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			f.one(ctx, i)
		})
	}
	wg.Wait()
}

// schedule marks target i running, unless the fleet stopped.
func (f *fleet) schedule(ctx context.Context, i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped || ctx.Err() != nil {
		return false
	}
	f.running[i] = time.Now()
	f.results[i].Ran = true
	f.report(f.targets[i].Name, nil)
	return true
}

// one runs the action on target i.
func (f *fleet) one(ctx context.Context, i int) {
	t := f.targets[i]
	start := time.Now()
	res := FleetResult{Name: t.Name, Ran: true}
	if err := f.do(ctx, t, &res); err != nil {
		res.Err = fmt.Errorf("%s: %w", t.Name, err)
	}
	res.Duration = time.Since(start)
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, i)
	f.results[i] = res
	f.done++
	if res.Err != nil {
		f.failed++
		if f.first == nil {
			f.first = res.Err
		}
		if f.failed >= f.maxFail {
			f.stopped = true
		}
	}
	f.report("", &f.results[i])
}

// do opens the target, reads its version table once, runs the action
// from what it read, and closes the target.
func (f *fleet) do(ctx context.Context, t FleetTarget, res *FleetResult) error {
	d, db, err := t.Open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	m := f.o.migrator(d, db, f.graph)
	st, err := m.state(ctx)
	if err != nil {
		return err
	}
	res.Start = m.graph.Current(st.Applied())
	res.End = res.Start
	return f.opts.Action.run(ctx, &fleetCall{m: m, target: t, state: st, res: res})
}

// report calls the Progress callback; f.mu is held.
func (f *fleet) report(started string, finished *FleetResult) {
	if f.opts.Progress == nil {
		return
	}
	p := FleetProgress{Done: f.done - f.failed, Failed: f.failed, Running: len(f.running), Started: started, Finished: finished, Elapsed: time.Since(f.start)}
	p.Pending = len(f.targets) - f.done - p.Running
	for i, at := range f.running {
		p.Slowest = append(p.Slowest, FleetRunning{Name: f.targets[i].Name, Elapsed: time.Since(at)})
	}
	slices.SortFunc(p.Slowest, func(a, b FleetRunning) int { return int(b.Elapsed - a.Elapsed) })
	p.Slowest = p.Slowest[:min(len(p.Slowest), 3)]
	f.opts.Progress(p)
}

// err is RunFleet's error: nil when every target ran and succeeded.
func (f *fleet) err() error {
	e := &FleetError{First: f.first}
	for _, r := range f.results {
		switch {
		case !r.Ran:
			e.NotRun++
		case errors.Is(r.Err, ErrDifferences):
			e.Differ++
		case r.Err != nil:
			e.Failed++
		}
	}
	if e.Failed+e.Differ+e.NotRun == 0 {
		return nil
	}
	if e.First == nil {
		e.First = errors.New("the run was interrupted before every target started")
	}
	return e
}
