package retort

import (
	"context"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/runner"
)

// Event reports progress of an upgrade or downgrade to WithProgress's
// function: its Kind, the revision and direction, and for some kinds a
// statement, a count, a duration and a message.
type Event = engine.Event

// EventKind says what an Event reports.
type EventKind = runner.EventKind

// The kinds of Event.
const (
	// EventLockWait: another migrator holds the lock; waiting for it.
	EventLockWait = runner.EventLockWait
	// EventStart: a revision is starting.
	EventStart = runner.EventStart
	// EventDone: a revision finished; Duration is set.
	EventDone = runner.EventDone
	// EventResume: a partial revision resumes at Statement (1-based).
	EventResume = runner.EventResume
	// EventSkip: another process already did the revision.
	EventSkip = runner.EventSkip
	// EventPlan: the plan is made and checked; Count is its steps.
	EventPlan = runner.EventPlan
	// EventReplan: another process moved the database since the plan was
	// made, and the run plans again from where it now is.
	EventReplan = runner.EventReplan
	// EventRetry: statement Statement gave up waiting for a lock and runs
	// again after Duration.
	EventRetry = runner.EventRetry
	// EventInvalidIndex: on resume, an invalid index an interrupted
	// concurrent build left was dropped, to be built again.
	EventInvalidIndex = runner.EventInvalidIndex
	// EventSessionRestored: on resume, the earlier statements that set the
	// session ran again first.
	EventSessionRestored = runner.EventSessionRestored
	// EventSquash: the database is now recorded at a squashed revision in
	// place of the revisions it replaces; no SQL ran.
	EventSquash = runner.EventSquash
)

// Result reports what an upgrade or downgrade did: its steps, in order.
type Result = engine.Result

// StepResult is one step of a Result.
type StepResult = runner.StepResult

// StampOptions configure Stamp.
type StampOptions = engine.StampOptions

// Mismatch is an applied revision whose file is missing or changed.
type Mismatch = engine.Mismatch

// AdoptOptions configure Adopt.
type AdoptOptions = engine.AdoptOptions

// Adoption says what Adopt read, compared, recorded and dropped.
type Adoption = engine.Adoption

// Adopt takes over a database that another tool migrated (tool as "retort
// import" names it: goose, golang-migrate, dbmate, flyway, sql-migrate,
// atlas, alembic), after its migrations were imported: under the migration
// lock, and before anything is written, it compares the live schema with
// what the other tool's applied revisions produce, then records them as
// applied without running their SQL. A difference is an *AdoptDriftError
// unless opts.AcceptDrift.
func (m *Migrator) Adopt(ctx context.Context, tool string, opts AdoptOptions) (*Adoption, error) {
	return m.e.Adopt(ctx, tool, opts)
}

// BaselineOptions configure Baseline.
type BaselineOptions = engine.BaselineOptions

// Baseline is the schema of a live database as revisions that build it.
type Baseline = engine.Baseline

// BaselinePart is one revision of a Baseline.
type BaselinePart = engine.BaselinePart

// BaselineSplitTables is the number of tables above which Baseline splits
// the schema into several revisions.
const BaselineSplitTables = engine.BaselineSplitTables

// Baseline reads the live schema and returns revisions that build it from
// nothing, proved on a scratch database. Nothing is written.
func (m *Migrator) Baseline(ctx context.Context, opts BaselineOptions) (*Baseline, error) {
	return m.e.Baseline(ctx, opts)
}

// SquashOptions configure Squash.
type SquashOptions = engine.SquashOptions

// Squash computes one revision that stands for the linear range from:to,
// proved both ways on a scratch database; data statements are kept as
// written. A revision it cannot put into it is a *SquashRefusedError.
// Nothing is written: Squashed.File gives the file.
func (m *Migrator) Squash(ctx context.Context, from, to string, opts SquashOptions) (*Squashed, error) {
	s, err := m.e.Squash(ctx, from, to, opts)
	if err != nil {
		return nil, err
	}
	return squashedOf(s), nil
}

// CheckDeleteOriginals reports whether the files of the revisions that
// squashed revision id replaces may be deleted as far as the Migrator's
// database is concerned: an *InsideRangeError when it applied part of
// them.
func (m *Migrator) CheckDeleteOriginals(ctx context.Context, id string) error {
	return m.e.CheckDeleteOriginals(ctx, id)
}

// TestOptions configure Test.
type TestOptions = engine.TestOptions

// TestReport is what Test checked and where it failed.
type TestReport = engine.TestReport

// TestResult is one check of a TestReport.
type TestResult = engine.TestResult

// TestFailure is the failure that stopped a Test.
type TestFailure = engine.TestFailure

// TestCheck names one of Test's checks.
type TestCheck = engine.TestCheck

// The checks of Test, in the order they run.
const (
	CheckHeads     = engine.CheckHeads
	CheckLint      = engine.CheckLint
	CheckUpgrade   = engine.CheckUpgrade
	CheckStairway  = engine.CheckStairway
	CheckDesired   = engine.CheckDesired
	CheckDowngrade = engine.CheckDowngrade
	CheckBase      = engine.CheckBase
)

// Test proves the migrations on scratch databases: one head, every
// revision upgraded from base, the stairway (each revision upgraded,
// downgraded and upgraded again, the schema compared each time), the head
// against the desired schema, and everything downgraded back to base.
func (m *Migrator) Test(ctx context.Context, opts TestOptions) (*TestReport, error) {
	return m.e.Test(ctx, opts)
}
