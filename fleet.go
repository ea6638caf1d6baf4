package retort

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

// FleetTarget is one database of a fleet: a tenant's database, or a
// tenant's schema opened with its own search_path.
type FleetTarget struct {
	// Name identifies the target in results and progress: a redacted URL
	// or a schema name. It must never hold a password.
	Name string
	// Open connects to the target. The fleet closes the handle when the
	// target is done, so that a fleet of thousands holds at most Parallel
	// connections at a time.
	Open func(ctx context.Context) (dialect.Dialect, *sql.DB, error)
}

// FleetAction is what the fleet does on one target, with a Migrator over
// the target's database. It returns whether it changed the database
// (false: the target was already where it had to be).
type FleetAction func(ctx context.Context, t FleetTarget, m *Migrator) (changed bool, err error)

// FleetOptions configures RunFleet.
type FleetOptions struct {
	// Parallel bounds how many targets run at once (default: the number of
	// CPUs).
	Parallel int
	// ContinueOnError keeps scheduling targets after failures. Without it
	// (and without MaxFailures) the first failure stops scheduling; the
	// targets already running finish.
	ContinueOnError bool
	// Canary runs the first Canary targets first, and stops the fleet
	// when any of them fails, whatever the other settings.
	Canary int
	// MaxFailures stops scheduling once this many targets failed (0: 1,
	// or unlimited with ContinueOnError).
	MaxFailures int
	// Progress is called after every target starts and finishes, one call
	// at a time.
	Progress func(FleetProgress)
	// Options are given to every target's Migrator (version tables, lock
	// timeout, ...). Revisions are loaded once, from fsys, not per target.
	Options []Option
	// Action is what runs on each target; UpgradeAction("head") when nil.
	Action FleetAction
}

// FleetResult is what happened on one target.
type FleetResult struct {
	// Name is the target's Name.
	Name string `json:"target"`
	// Start and End are the revisions the target was at before and after
	// (empty: base).
	Start []string `json:"start"`
	End   []string `json:"end"`
	// Duration is the time spent on the target, connection included.
	Duration time.Duration `json:"-"`
	// Ran: the target was scheduled (false when the fleet stopped first).
	Ran bool `json:"ran"`
	// Changed: the action changed the database; false for a target that
	// was already at the target revision (skipped).
	Changed bool `json:"changed"`
	// Err is the target's error; nil on success.
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

// FleetError is returned by RunFleet when targets failed or were not run
// because the fleet stopped.
type FleetError struct {
	// Failed and NotRun count targets.
	Failed, NotRun int
	// First is the first failure, with its target's name.
	First error
}

// Error counts the failed and unrun targets and quotes the first failure.
func (e *FleetError) Error() string {
	s := fmt.Sprintf("%d target(s) failed", e.Failed)
	if e.NotRun > 0 {
		s += fmt.Sprintf(", %d not run (the fleet stopped scheduling: rerun to resume, or set ContinueOnError, --continue-on-error on the command line)", e.NotRun)
	}
	if e.First != nil {
		s += "; first: " + e.First.Error()
	}
	return s
}

// Unwrap returns the first failure.
func (e *FleetError) Unwrap() error { return e.First }

// UpgradeAction upgrades each target to target ("head" when empty),
// skipping without taking the lock a target that has nothing to apply.
func UpgradeAction(target string) FleetAction {
	return migrateAction(revision.Up, target)
}

// DowngradeAction downgrades each target to target ("-1" when empty).
func DowngradeAction(target string) FleetAction {
	return migrateAction(revision.Down, target)
}

func migrateAction(dir revision.Direction, target string) FleetAction {
	if target == "" {
		target = "head"
		if dir == revision.Down {
			target = "-1"
		}
	}
	return func(ctx context.Context, _ FleetTarget, m *Migrator) (bool, error) {
		p, err := m.Plan(ctx, dir, target)
		if err != nil {
			return false, err
		}
		if len(p.Steps) == 0 {
			return false, nil
		}
		run := m.Upgrade
		if dir == revision.Down {
			run = m.Downgrade
		}
		res, err := run(ctx, target)
		return res != nil && len(res.Steps) > 0, err
	}
}

// RunFleet runs opts.Action (an upgrade to head by default) on every
// target, at most opts.Parallel at a time, each with its own connection
// (opened when the target starts, closed when it ends) and its own
// migration lock. It returns one result per target, in the targets' order,
// and a *FleetError when any failed or was not run. A rerun after a stop
// resumes: targets already at the target revision are skipped.
func RunFleet(ctx context.Context, targets []FleetTarget, fsys fs.FS, opts FleetOptions) ([]FleetResult, error) {
	if fsys != nil {
		revs, err := script.LoadDir(fsys)
		if err != nil {
			return nil, err
		}
		opts.Options = append([]Option{WithRevisions(revs...)}, opts.Options...)
	}
	// The options are checked, and no revisions refused, once for the
	// fleet rather than once per target: a wrong fsys must not report
	// every target as already at head.
	var o options
	for _, opt := range opts.Options {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if len(o.revisions) == 0 && len(o.goRevisions) == 0 && !o.allowEmpty {
		return nil, ErrNoRevisions
	}
	f := newFleet(targets, opts)
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

	mu      sync.Mutex
	results []FleetResult
	running map[int]time.Time
	done    int
	failed  int
	stopped bool
	first   error
}

func newFleet(targets []FleetTarget, opts FleetOptions) *fleet {
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.NumCPU()
	}
	if opts.Action == nil {
		opts.Action = UpgradeAction("head")
	}
	maxFail := opts.MaxFailures
	if maxFail <= 0 {
		maxFail = 1
		if opts.ContinueOnError {
			maxFail = len(targets) + 1
		}
	}
	f := &fleet{targets: targets, opts: opts, maxFail: maxFail, start: time.Now(), running: map[int]time.Time{}}
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
	res.Start, res.End, res.Changed, res.Err = f.do(ctx, t)
	res.Duration = time.Since(start)
	if res.Err != nil {
		res.Err = fmt.Errorf("%s: %w", t.Name, res.Err)
	}
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

// do opens the target, runs the action and closes the target.
func (f *fleet) do(ctx context.Context, t FleetTarget) (start, end []string, changed bool, err error) {
	d, db, err := t.Open(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	defer db.Close()
	m, err := New(d, db, nil, f.opts.Options...)
	if err != nil {
		return nil, nil, false, err
	}
	if start, err = m.Current(ctx); err != nil {
		return nil, nil, false, err
	}
	changed, err = f.opts.Action(ctx, t, m)
	end, cerr := m.Current(ctx)
	if cerr != nil && err == nil {
		err = cerr
	}
	return start, end, changed, err
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

func (f *fleet) err() error {
	notRun := 0
	for _, r := range f.results {
		if !r.Ran {
			notRun++
		}
	}
	if f.failed == 0 && notRun == 0 {
		return nil
	}
	first := f.first
	if first == nil {
		first = errors.New("the run was interrupted before every target started")
	}
	return &FleetError{Failed: f.failed, NotRun: notRun, First: first}
}
