package engine

import (
	"context"
	"sync"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/source"
)

// FleetAction is what RunFleet does on each target: FleetUpgrade,
// FleetDowngrade, FleetCurrent, FleetStatus, FleetVerify or FleetDrift.
// Each works from one read of the target's version table, made by the
// fleet when the target opens; FleetResult.Start is what it read.
type FleetAction struct {
	name string
	// readOnly: the action changes no database, and visits every target
	// unless FleetOptions.MaxFailures or Canary says otherwise.
	readOnly bool
	run      func(ctx context.Context, c *fleetCall) error
}

// Name is the action's command: "upgrade", "downgrade", "current",
// "status", "verify" or "drift" ("upgrade" for the zero value).
func (a FleetAction) Name() string {
	if a.run == nil {
		return "upgrade"
	}
	return a.name
}

// ReadOnly reports whether the action only reads the targets (current,
// status, verify, drift).
func (a FleetAction) ReadOnly() bool { return a.readOnly }

// fleetCall is one target's turn: its Migrator (over the fleet's graph),
// the version table as read when it opened, and its result to fill.
type fleetCall struct {
	m      *Migrator
	target FleetTarget
	state  *runner.State
	res    *FleetResult
}

// FleetUpgrade upgrades each target to target ("head" when empty). A
// target with nothing to apply is skipped without taking the lock.
func FleetUpgrade(target string) FleetAction {
	if target == "" {
		target = "head"
	}
	return FleetAction{name: "upgrade", run: func(ctx context.Context, c *fleetCall) error {
		return c.migrate(ctx, revision.Up, target)
	}}
}

// FleetDowngrade downgrades each target to target ("-1" when empty). A
// target with nothing to revert is skipped without taking the lock.
func FleetDowngrade(target string) FleetAction {
	if target == "" {
		target = "-1"
	}
	return FleetAction{name: "downgrade", run: func(ctx context.Context, c *fleetCall) error {
		return c.migrate(ctx, revision.Down, target)
	}}
}

// migrate plans from the version table read when the target opened and,
// when there is anything to do, runs the upgrade or downgrade, which takes
// the lock and reads the table again under it (another migrator may have
// moved the target since). End is what the run recorded, not read again.
func (c *fleetCall) migrate(ctx context.Context, dir revision.Direction, target string) error {
	t, err := c.m.target(target)
	if err != nil {
		return err
	}
	p, err := c.m.planFrom(c.state, dir, t)
	if err != nil || len(p.Steps) == 0 {
		return err
	}
	run := c.m.Upgrade
	if dir == revision.Down {
		run = c.m.Downgrade
	}
	r, err := run(ctx, target)
	if r != nil {
		c.res.End = c.m.graph.Current(r.Applied())
		c.res.Changed = len(r.Steps) > 0
	}
	return err
}

// FleetCurrent reads each target's current revisions (FleetResult.Start
// and End).
func FleetCurrent() FleetAction {
	return FleetAction{name: "current", readOnly: true, run: func(context.Context, *fleetCall) error { return nil }}
}

// FleetStatus finds which targets are behind: FleetResult.Pending and
// Partial.
func FleetStatus() FleetAction {
	return FleetAction{name: "status", readOnly: true, run: func(_ context.Context, c *fleetCall) error {
		st := c.m.statusOf(c.state)
		c.res.Pending = ids(st.Pending)
		for _, p := range st.Partial {
			c.res.Partial = append(c.res.Partial, p.Revision)
		}
		return nil
	}}
}

// FleetVerify compares each target's applied revisions with their files
// (Migrator.Verify): a target with mismatches lists them in
// FleetResult.Differences and fails with a *DifferencesError.
func FleetVerify() FleetAction {
	return FleetAction{name: "verify", readOnly: true, run: func(_ context.Context, c *fleetCall) error {
		for _, x := range c.m.statusOf(c.state).mismatches() {
			c.res.Differences = append(c.res.Differences, x.String())
		}
		return c.differences()
	}}
}

// FleetDrift compares each target with what its applied revisions produce
// (Migrator.Drift): a target with out-of-band changes lists them in
// FleetResult.Differences and fails with a *DifferencesError.
//
// Scratch databases are made where opts says (DevDatabase, else Scratch);
// when it names neither, on each target's own server (FleetTarget.Scratch,
// in memory for SQLite), as drift on that one database would. A target
// with a Schema (a tenant schema) is compared in that schema alone
// (GenerateOptions.Schema). With a DevDatabase, which cannot serve two
// replays at once, the targets' drifts take turns on it. opts.Notify and
// opts.OnIgnored are called one at a time.
func FleetDrift(opts GenerateOptions) FleetAction {
	var dev, notify sync.Mutex
	if n := opts.Notify; n != nil {
		opts.Notify = func(x source.Notice) {
			notify.Lock()
			defer notify.Unlock()
			n(x)
		}
	}
	if ig := opts.OnIgnored; ig != nil {
		opts.OnIgnored = func(objs []UnrepresentedObject) {
			notify.Lock()
			defer notify.Unlock()
			ig(objs)
		}
	}
	return FleetAction{name: "drift", readOnly: true, run: func(ctx context.Context, c *fleetCall) error {
		o := opts
		if o.DevDatabase == nil && o.Scratch == nil {
			o.Scratch = c.target.Scratch
		}
		if c.target.Schema != "" {
			o.Schema = c.target.Schema
		}
		if o.DevDatabase != nil {
			dev.Lock()
			defer dev.Unlock()
		}
		changes, err := c.m.drift(ctx, o, c.res.Start)
		if err != nil {
			return err
		}
		for _, ch := range changes {
			c.res.Differences = append(c.res.Differences, ch.Describe())
		}
		return c.differences()
	}}
}

// differences is the target's error when it has differences.
func (c *fleetCall) differences() error {
	if n := len(c.res.Differences); n > 0 {
		return &DifferencesError{Count: n}
	}
	return nil
}

// ids are the revisions' ids.
func ids(revs []*Revision) []string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = r.ID
	}
	return out
}
