package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/change"

	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/schema"
)

// TestCheck names one of the checks of Migrator.Test.
type TestCheck string

// The checks of Migrator.Test, in the order they run.
const (
	// CheckHeads: the graph has a single head, or exactly the heads named
	// in TestOptions.Heads.
	CheckHeads TestCheck = "heads"
	// CheckLint: no revision has a lint error (internal/lint's rules,
	// as retort lint reports them); warnings pass, as notes. Only with
	// TestOptions.Lint.
	CheckLint TestCheck = "lint"
	// CheckUpgrade: each revision upgrades, one at a time from base.
	CheckUpgrade TestCheck = "upgrade"
	// CheckStairway: each revision, once upgraded, downgrades to exactly
	// the schema before it and upgrades again to exactly the schema after
	// it.
	CheckStairway TestCheck = "stairway"
	// CheckDesired: the head's schema equals the desired schema.
	CheckDesired TestCheck = "desired"
	// CheckDowngrade: each revision downgrades, one at a time from the
	// heads to base.
	CheckDowngrade TestCheck = "downgrade"
	// CheckBase: after downgrading to base only retort's tables are left.
	CheckBase TestCheck = "base"
)

// TestOptions configure Migrator.Test. Desired, Scratch, DevDatabase and
// Ignore are as for Generate; with no Desired files and no DesiredSource
// the desired check is skipped.
type TestOptions struct {
	GenerateOptions
	// Heads are the heads the graph must have; empty means exactly one.
	Heads []string
	// Data inserts a row into every table before each downgrade, built
	// from the columns' types, so that downgrades that fail on tables with
	// rows fail in the test.
	Data bool
	// Lint runs retort lint's rules over every revision (the lint
	// check): a revision with errors fails the test, warnings are notes.
	Lint bool
	// OnResult, when set, is called with each result as it is known.
	OnResult func(TestResult)
}

// TestResult is one check, on one revision or on the whole graph.
type TestResult struct {
	Check TestCheck `json:"check"`
	// Revision is the revision checked; "" for heads, desired and base.
	Revision string `json:"revision,omitempty"`
	// Detail says what was found when it passed ("1 head: ae1f...").
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"-"`
	// Skipped says why the check did not run ("" when it ran).
	Skipped string `json:"skipped,omitempty"`
	// Failure is set when the check failed.
	Failure *TestFailure `json:"failure,omitempty"`
	// Notes are things the check could not do that are not failures
	// (a table --data could not insert a row into).
	Notes []string `json:"notes,omitempty"`
}

// TestFailure is a failed check: where, which statement, and how the
// schema differs from what was expected.
type TestFailure struct {
	Check TestCheck `json:"check"`
	// Revision and Path are the revision that failed and its file.
	Revision string `json:"revision,omitempty"`
	Path     string `json:"path,omitempty"`
	// Message says what went wrong.
	Message string `json:"message"`
	// Statement is the failing statement's SQL, Line its line in Path.
	Statement string `json:"statement,omitempty"`
	Line      int    `json:"line,omitempty"`
	// Differences describe the schema found against the one expected,
	// as the changes that would take the expected schema to it.
	Differences []string `json:"differences,omitempty"`
	// Err is the underlying error, if any.
	Err error `json:"-"`
}

// Error is the message with the revision, statement and differences.
func (f *TestFailure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s check failed", f.Check)
	if f.Revision != "" {
		fmt.Fprintf(&b, " at revision %s", f.Revision)
		if f.Path != "" {
			fmt.Fprintf(&b, " (%s)", f.Path)
		}
	}
	fmt.Fprintf(&b, ": %s", f.Message)
	for _, d := range f.Differences {
		fmt.Fprintf(&b, "\n    %s", d)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (f *TestFailure) Unwrap() error { return f.Err }

// TestReport is what Migrator.Test found.
type TestReport struct {
	Results []TestResult `json:"results"`
	// Failure is the first failure; nil when every check passed.
	Failure *TestFailure `json:"failure,omitempty"`
}

// Test checks the migrations on scratch databases, as migrate makes them
// (SQLite in memory; retort_scratch_* databases on a server, or
// DevDatabase): the heads; every revision upgraded from base one at a
// time; the stairway (each revision upgraded, downgraded and upgraded
// again, with the schema inspected and compared each time); the head
// against the desired schema, on a second scratch database at the same
// time; and every revision downgraded back to base, which must leave only
// retort's tables. It stops at the first failure, which the report holds;
// the error is for what kept the test from running at all.
func (m *Migrator) Test(ctx context.Context, opts TestOptions) (*TestReport, error) {
	t := &tester{m: m, opts: opts, report: &TestReport{}}
	if !t.checkHeads() {
		return t.report, nil
	}
	if ok, err := t.checkLint(); !ok || err != nil {
		return t.report, err
	}
	steps, err := m.graph.Upgrade(nil, revision.Target{Kind: revision.TargetHeads})
	if err != nil {
		return nil, err
	}
	desired := t.startDesired(ctx)
	defer desired.settle()
	sc, err := m.newScratch(ctx, opts.GenerateOptions)
	if err != nil {
		return nil, err
	}
	head, err := t.stairway(ctx, sc.db, steps.Steps)
	// With a dev database the desired schema needs the database the
	// stairway holds: compare after the downgrades, once it is free.
	shared := opts.DevDatabase != nil
	if err == nil && head != nil && !shared {
		err = t.checkDesired(head, desired)
	}
	if err == nil && head != nil && t.report.Failure == nil {
		err = t.downgradeToBase(ctx, sc.db)
	}
	sc.close()
	if err == nil && head != nil && shared && t.report.Failure == nil {
		err = t.checkDesired(head, desired)
	}
	return t.report, err
}

// tester runs one Test.
type tester struct {
	m      *Migrator
	opts   TestOptions
	report *TestReport
	rows   *rowMaker
}

// add records a result (and a failure as the report's first).
func (t *tester) add(r TestResult) {
	t.report.Results = append(t.report.Results, r)
	if r.Failure != nil && t.report.Failure == nil {
		t.report.Failure = r.Failure
	}
	if t.opts.OnResult != nil {
		t.opts.OnResult(r)
	}
}

func (t *tester) checkHeads() bool {
	var heads []string
	for _, h := range t.m.graph.Heads() {
		heads = append(heads, h.ID)
	}
	r := TestResult{Check: CheckHeads}
	var want []string
	for _, h := range t.opts.Heads {
		// Prefixes are fine, as everywhere a revision is named.
		if rev, err := t.m.graph.Resolve(h); err == nil {
			h = rev.ID
		}
		want = append(want, h)
	}
	switch {
	case len(want) == 0 && len(heads) > 1:
		r.Failure = &TestFailure{Check: CheckHeads, Message: fmt.Sprintf("%d heads (%s): join them with `retort merge -m MESSAGE heads`, or name the heads you mean to keep with --heads", len(heads), strings.Join(heads, ", "))}
	case len(want) > 0 && !sameSet(want, heads):
		r.Failure = &TestFailure{Check: CheckHeads, Message: fmt.Sprintf("the heads are %s, not the %s named", strings.Join(heads, ", "), strings.Join(want, ", "))}
	case len(heads) == 0:
		r.Detail = "no revisions yet"
	default:
		r.Detail = fmt.Sprintf("%d head(s): %s", len(heads), strings.Join(heads, ", "))
	}
	t.add(r)
	return r.Failure == nil
}

// run applies one step on db.
func (t *tester) run(ctx context.Context, db *sql.DB, r *script.Revision, dir revision.Direction) error {
	rn := runner.New(db, t.m.dialect, runner.Options{Tables: t.m.o.tables, Version: t.m.o.version})
	_, err := rn.Run(ctx, func(*runner.State) (*revision.Plan, error) {
		return &revision.Plan{Steps: []revision.Step{{Revision: r, Direction: dir}}}, nil
	})
	return err
}

// stepFailure describes a failed step, with its statement when the runner
// names one.
func stepFailure(check TestCheck, r *script.Revision, dir revision.Direction, err error) *TestFailure {
	f := &TestFailure{Check: check, Revision: r.ID, Path: r.Path, Err: err, Message: fmt.Sprintf("its %s failed: %v", dir, err)}
	var se *runner.StatementError
	if errors.As(err, &se) {
		f.Statement, f.Line = se.SQL, se.Line
		f.Message = fmt.Sprintf("its %s failed at statement %d of %d (line %d): %v", dir, se.Index, se.Count, se.Line, se.Err)
	}
	return f
}

// differences lists how got differs from want, or nil.
func differences(want, got *schema.Schema) ([]string, error) {
	changes, err := diff.Compare(want, got, diff.Options{})
	if err != nil {
		return nil, err
	}
	return describeAll(changes), nil
}

// describeAll says each change in words, in order.
func describeAll(changes []change.Change) []string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Describe())
	}
	return out
}

// stairway upgrades each revision (the upgrade check), then downgrades
// and upgrades it again comparing the schema each time (the stairway
// check). It returns the head's schema, nil after a failure.
func (t *tester) stairway(ctx context.Context, db *sql.DB, steps []revision.Step) (*schema.Schema, error) {
	before, err := t.m.inspect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("inspect the empty scratch database: %w", err)
	}
	t.rows = newRowMaker(t.m)
	for _, st := range steps {
		r := st.Revision
		start := time.Now()
		if err := t.run(ctx, db, r, revision.Up); err != nil {
			t.add(TestResult{Check: CheckUpgrade, Revision: r.ID, Duration: time.Since(start), Failure: stepFailure(CheckUpgrade, r, revision.Up, err)})
			return nil, nil
		}
		t.add(TestResult{Check: CheckUpgrade, Revision: r.ID, Duration: time.Since(start)})
		after, ok, err := t.stair(ctx, db, r, before)
		if err != nil || !ok {
			return nil, err
		}
		before = after
	}
	return before, nil
}

// stair is the stairway on one revision, just upgraded from before. It
// returns the schema after the revision and whether the check passed.
func (t *tester) stair(ctx context.Context, db *sql.DB, r *script.Revision, before *schema.Schema) (*schema.Schema, bool, error) {
	start := time.Now()
	res := TestResult{Check: CheckStairway, Revision: r.ID}
	fail := func(f *TestFailure) (*schema.Schema, bool, error) {
		res.Duration, res.Failure = time.Since(start), f
		t.add(res)
		return nil, false, nil
	}
	after, err := t.m.inspect(ctx, db)
	if err != nil {
		return nil, false, fmt.Errorf("inspect after %s: %w", r.ID, err)
	}
	if r.Down.Irreversible {
		res.Skipped = "its downgrade is irreversible"
		t.add(res)
		return after, true, nil
	}
	if t.opts.Data {
		res.Notes = t.rows.fill(ctx, db, after)
	}
	if err := t.run(ctx, db, r, revision.Down); err != nil {
		return fail(stepFailure(CheckStairway, r, revision.Down, err))
	}
	if ok, err := t.same(ctx, db, r, before, "its downgrade did not restore the schema from before its upgrade", fail); !ok || err != nil {
		return nil, false, err
	}
	if err := t.run(ctx, db, r, revision.Up); err != nil {
		return fail(stepFailure(CheckStairway, r, revision.Up, fmt.Errorf("upgrade again after the downgrade: %w", err)))
	}
	if ok, err := t.same(ctx, db, r, after, "its upgrade after the downgrade made a different schema than the first time", fail); !ok || err != nil {
		return nil, false, err
	}
	res.Duration = time.Since(start)
	t.add(res)
	return after, true, nil
}

// same inspects db and compares it with want, failing through fail with
// msg when they differ.
func (t *tester) same(ctx context.Context, db *sql.DB, r *script.Revision, want *schema.Schema, msg string, fail func(*TestFailure) (*schema.Schema, bool, error)) (bool, error) {
	got, err := t.m.inspect(ctx, db)
	if err != nil {
		return false, fmt.Errorf("inspect at %s: %w", r.ID, err)
	}
	d, err := differences(want, got)
	if err != nil {
		return false, err
	}
	if len(d) > 0 {
		fail(&TestFailure{Check: CheckStairway, Revision: r.ID, Path: r.Path, Message: msg + " (expected -> found):", Differences: d})
		return false, nil
	}
	return true, nil
}

// downgradeToBase reverts every revision, one at a time, and checks that
// nothing but retort's tables is left.
func (t *tester) downgradeToBase(ctx context.Context, db *sql.DB) error {
	all := make([]string, 0, t.m.graph.Len())
	for _, r := range t.m.graph.Revisions() {
		all = append(all, r.ID)
	}
	plan, err := t.m.graph.Downgrade(all, revision.Target{Kind: revision.TargetBase})
	if err != nil {
		return err
	}
	for _, st := range plan.Steps {
		r := st.Revision
		if r.Down.Irreversible {
			t.add(TestResult{Check: CheckDowngrade, Revision: r.ID, Skipped: "its downgrade is irreversible"})
			t.add(TestResult{Check: CheckBase, Skipped: fmt.Sprintf("revision %s cannot be downgraded", r.ID)})
			return nil
		}
		res := TestResult{Check: CheckDowngrade, Revision: r.ID}
		start := time.Now()
		if t.opts.Data {
			s, err := t.m.inspect(ctx, db)
			if err != nil {
				return err
			}
			res.Notes = t.rows.fill(ctx, db, s)
		}
		if err := t.run(ctx, db, r, revision.Down); err != nil {
			res.Failure = stepFailure(CheckDowngrade, r, revision.Down, err)
		}
		res.Duration = time.Since(start)
		t.add(res)
		if res.Failure != nil {
			return nil
		}
	}
	start := time.Now()
	left, err := t.m.inspect(ctx, db)
	if err != nil {
		return err
	}
	res := TestResult{Check: CheckBase, Detail: "only retort's tables are left"}
	d, err := differences(&schema.Schema{Dialect: left.Dialect}, left)
	if err != nil {
		return err
	}
	for _, u := range left.Unrepresented {
		d = append(d, fmt.Sprintf("%s %s (not represented by retort)", u.Kind, u.Name))
	}
	if len(d) > 0 {
		res.Failure = &TestFailure{Check: CheckBase, Message: "downgrading every revision left objects behind (expected nothing -> found):", Differences: d}
	}
	res.Duration = time.Since(start)
	t.add(res)
	return nil
}

// pendingDesired is the desired schema, loaded on its own scratch
// database while the stairway runs.
type pendingDesired struct {
	done chan struct{}
	s    *schema.Schema
	err  error
	took time.Duration
	// load is set until the load has started.
	load func()
}

// get waits for the desired schema, loading it now if it was not
// started.
func (p *pendingDesired) get() (*schema.Schema, time.Duration, error) {
	if l := p.load; l != nil {
		p.load = nil
		l()
	}
	<-p.done
	return p.s, p.took, p.err
}

// settle waits for a load under way, so that its scratch database is
// dropped before Test returns.
func (p *pendingDesired) settle() {
	if p != nil && p.load == nil {
		<-p.done
	}
}

// startDesired starts loading the desired schema; nil when there is
// none. With a dev database, which the stairway uses too, the load waits
// until get.
func (t *tester) startDesired(ctx context.Context) *pendingDesired {
	if len(t.opts.Desired) == 0 && t.m.o.desired == nil {
		return nil
	}
	p := &pendingDesired{done: make(chan struct{})}
	p.load = func() {
		defer close(p.done)
		start := time.Now()
		s, sc, err := t.m.loadDesired(ctx, t.opts.GenerateOptions)
		if err == nil {
			sc.close()
		}
		p.s, p.err, p.took = s, err, time.Since(start)
	}
	if t.opts.DevDatabase == nil {
		l := p.load
		p.load = nil
		go l()
	}
	return p
}

// checkDesired compares the head's schema with the desired one.
func (t *tester) checkDesired(head *schema.Schema, p *pendingDesired) error {
	if p == nil {
		t.add(TestResult{Check: CheckDesired, Skipped: "no desired schema (schema.sql or models) to compare with"})
		return nil
	}
	desired, took, err := p.get()
	if err != nil {
		return fmt.Errorf("load the desired schema: %w", err)
	}
	res := TestResult{Check: CheckDesired, Duration: took, Detail: "the head's schema is the desired schema"}
	if err := checkUnrepresented(t.opts.GenerateOptions, schemaSide{"the desired schema", desired}, schemaSide{"the migrations' head", head}); err != nil {
		res.Failure = &TestFailure{Check: CheckDesired, Message: err.Error(), Err: err}
	} else if d, err := differences(head, desired); err != nil {
		return err
	} else if len(d) > 0 {
		res.Failure = &TestFailure{Check: CheckDesired, Message: "the head's schema differs from the desired schema (head -> desired): run `retort migrate -m MESSAGE` to write the revision", Differences: d}
	}
	t.add(res)
	return nil
}
