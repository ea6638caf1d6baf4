// Package engine is retort's migrator: it loads a migrations source into a
// revision graph, plans and runs upgrades and downgrades through the
// runner, and generates, checks, squashes, adopts and tests revisions on
// scratch databases.
//
// The root package retort is its public face: it wraps the Migrator and
// returns types of its own. The command line (cli) uses this package
// directly, since it needs the revision graph and files as retort's own
// stages hold them (to write files, draw the graph, lint); an application
// uses the root package.
//
// A Migrator holds no mutable state of its own and is safe for concurrent
// use; concurrent migrators, in one process or many, are serialised by the
// database's migration lock.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/source"
)

// Event reports progress of an upgrade or downgrade.
type Event = runner.Event

// Result reports what an upgrade or downgrade did.
type Result = runner.Result

// StatementError is a statement of a revision that failed; errors.As finds
// it in the errors Upgrade and Downgrade return.
type StatementError = runner.StatementError

// ErrNoDatabase is returned by methods that need a database from a
// Migrator made without one.
var ErrNoDatabase = errors.New("no database: this Migrator was made without one (offline use only)")

// Option configures a Migrator. New applies the options in order and
// refuses the first that is invalid.
type Option func(*options) error

type options struct {
	revisions   []*script.Revision
	tables      dialect.VersionTables
	lockTimeout time.Duration
	logger      *slog.Logger
	progress    func(Event)
	version     string
	goRevisions []GoRevision
	desired     DesiredSource
	privileges  bool
	allowEmpty  bool
}

// DesiredSource gives the desired schema as SQL for a dialect: the
// application's models, rendered (models.Desired returns one). Generate,
// Check and the CLI's migrate and check use it when no SQL files are given.
type DesiredSource interface {
	DesiredSQL(d dialect.Dialect) ([]source.File, error)
}

// DesiredFunc adapts a function to a DesiredSource.
type DesiredFunc func(d dialect.Dialect) ([]source.File, error)

// DesiredSQL calls f.
func (f DesiredFunc) DesiredSQL(d dialect.Dialect) ([]source.File, error) { return f(d) }

// WithDesiredSource sets where the desired schema comes from when
// GenerateOptions.Desired is empty: the application's models. It may be
// given once.
func WithDesiredSource(src DesiredSource) Option {
	return func(o *options) error {
		switch {
		case src == nil:
			return optionError("WithDesiredSource", "the source is nil")
		case o.desired != nil:
			return optionError("WithDesiredSource", "given twice: a Migrator has one desired schema")
		}
		o.desired = src
		return nil
	}
}

// WithGoRevisions adds revisions written in Go to the graph. A Go revision
// replaces its placeholder file (same id, "Go: true") when the migrations
// have one. See GoRevision.
func WithGoRevisions(revs ...GoRevision) Option {
	return func(o *options) error {
		o.goRevisions = append(o.goRevisions, revs...)
		return nil
	}
}

// WithPrivileges makes autogenerate (Generate, Check, Drift) compare and
// migrate the privileges granted on the schema's objects (GRANT/REVOKE),
// where the dialect inspects them (PostgreSQL). Without it they are
// ignored: many teams manage grants outside their migrations.
func WithPrivileges() Option {
	return func(o *options) error {
		o.privileges = true
		return nil
	}
}

// WithRevisions adds already loaded revisions to the graph.
func WithRevisions(revs ...*script.Revision) Option {
	return func(o *options) error {
		for _, r := range revs {
			if r == nil {
				return optionError("WithRevisions", "a revision is nil")
			}
		}
		o.revisions = append(o.revisions, revs...)
		return nil
	}
}

// WithAllowEmpty lets New succeed with no revisions at all, for tools
// that write the first one (the CLI's migrate and revision). Without it,
// no revisions is ErrNoRevisions: an application that embedded the wrong
// directory would otherwise report "nothing to do" forever.
func WithAllowEmpty() Option {
	return func(o *options) error {
		o.allowEmpty = true
		return nil
	}
}

// WithVersionTables names the version tables (defaults retort_revisions
// and retort_log). Both names are required and must differ.
func WithVersionTables(revisions, log string) Option {
	return func(o *options) error {
		switch {
		case revisions == "" || log == "":
			return optionError("WithVersionTables", fmt.Sprintf("empty table name (revisions %q, log %q): pass both names", revisions, log))
		case revisions == log:
			return optionError("WithVersionTables", fmt.Sprintf("the revisions and log tables are both %q: they must differ", revisions))
		}
		o.tables.Revisions, o.tables.Log = revisions, log
		return nil
	}
}

// WithLockTimeout bounds the wait for the migration lock (default 60s;
// zero keeps the default). A negative timeout is refused.
func WithLockTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d < 0 {
			return optionError("WithLockTimeout", fmt.Sprintf("negative timeout %s", d))
		}
		o.lockTimeout = d
		return nil
	}
}

// WithLogger logs each revision applied or reverted at Info level, and
// lock waits.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return optionError("WithLogger", "the logger is nil")
		}
		o.logger = l
		return nil
	}
}

// WithProgress calls fn with every progress event. Calls come from the
// goroutine running Upgrade or Downgrade; concurrent calls of those make
// concurrent calls of fn.
func WithProgress(fn func(Event)) Option {
	return func(o *options) error {
		if fn == nil {
			return optionError("WithProgress", "the function is nil")
		}
		o.progress = fn
		return nil
	}
}

// WithVersion sets the version string written to the audit log.
func WithVersion(v string) Option {
	return func(o *options) error {
		if v == "" {
			return optionError("WithVersion", "empty version")
		}
		o.version = v
		return nil
	}
}

// Migrator applies one migrations source to one database.
type Migrator struct {
	db      *sql.DB
	dialect dialect.Dialect
	graph   *revision.Graph
	runner  *runner.Runner
	o       options
}

// New returns a Migrator that applies the revisions in fsys (every *.sql
// file in its root; fs.Sub(os.DirFS("migrations"), "versions") for a
// project laid out as retort init makes it, or an embed.FS) to db, a
// database of dialect d (postgres.New(), mysql.New() or sqlite.New():
// importing this package compiles in no driver; the dialect package the
// application imports does).
//
// fsys may be nil when every revision comes from WithGoRevisions or
// WithRevisions; no revisions at all is ErrNoRevisions unless
// WithAllowEmpty is given. db may be nil for offline work (History, SQL).
// The migrations are loaded and checked now: a malformed file, a duplicate
// id, a missing parent or a cycle is an error, and so is an invalid option.
//
// db is the application's own handle. A SQLite handle used by several
// goroutines or processes needs a busy timeout (DSN parameter
// _pragma=busy_timeout(5000)); an in-memory SQLite database needs
// db.SetMaxOpenConns(1); a MySQL handle needs parseTime=true.
// The dialect's Open method opens a handle with all of that set.
func New(d dialect.Dialect, db *sql.DB, fsys fs.FS, opts ...Option) (*Migrator, error) {
	if d == nil {
		return nil, optionError("New", "the dialect is nil: pass postgres.New(), mysql.New() or sqlite.New()")
	}
	o, g, err := build(fsys, opts)
	if err != nil {
		return nil, err
	}
	return o.migrator(d, db, g), nil
}

// build applies opts and loads and checks the revision graph: the part of
// New that does not depend on the database, done once for a whole fleet.
func build(fsys fs.FS, opts []Option) (options, *revision.Graph, error) {
	o := options{tables: dialect.DefaultVersionTables(), version: "retort"}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, nil, err
		}
	}
	revs, err := o.load(fsys)
	if err != nil {
		return o, nil, err
	}
	if len(revs) == 0 && !o.allowEmpty {
		return o, nil, ErrNoRevisions
	}
	g, err := revision.New(revs)
	return o, g, err
}

// migrator is a Migrator over db with the graph g, which o built.
func (o options) migrator(d dialect.Dialect, db *sql.DB, g *revision.Graph) *Migrator {
	m := &Migrator{db: db, dialect: d, graph: g, o: o}
	if db != nil {
		m.runner = runner.New(db, d, runner.Options{
			Tables:      o.tables,
			LockTimeout: o.lockTimeout,
			OnEvent:     m.onEvent,
			Version:     o.version,
		})
	}
	return m
}

// load gathers the revisions: fsys's files, then WithRevisions', then the
// Go revisions over their placeholders.
func (o *options) load(fsys fs.FS) ([]*script.Revision, error) {
	var revs []*script.Revision
	if fsys != nil {
		loaded, err := script.LoadDir(fsys)
		if err != nil {
			return nil, err
		}
		revs = loaded
	}
	revs = append(revs, o.revisions...)
	return mergeGo(revs, o.goRevisions)
}

func (m *Migrator) onEvent(e Event) {
	if m.o.logger != nil && e.Message != "" {
		m.o.logger.Info(e.Message, "event", e.Kind.String(), "revision", e.Revision)
	}
	if m.o.progress != nil {
		m.o.progress(e)
	}
}

// Dialect returns the Migrator's dialect.
func (m *Migrator) Dialect() dialect.Dialect { return m.dialect }

// Graph returns the revision graph.
func (m *Migrator) Graph() *revision.Graph { return m.graph }

// History returns every revision, newest first.
func (m *Migrator) History() []*script.Revision {
	h, _ := m.graph.History("", "")
	return h
}

// Upgrade applies revisions up to target ("head" when empty). The
// Result lists the steps that ran, in order. A failed statement is a
// *StatementError, a failed Go revision a *GoFuncError; with several heads
// and target "head" the error is a *MultipleHeadsError (ErrMultipleHeads).
func (m *Migrator) Upgrade(ctx context.Context, target string) (*Result, error) {
	if target == "" {
		target = "head"
	}
	t, err := m.target(target)
	if err != nil {
		return nil, err
	}
	if m.runner == nil {
		return nil, ErrNoDatabase
	}
	return m.runner.Run(ctx, func(st *runner.State) (*revision.Plan, error) {
		return m.graph.Upgrade(st.Applied(), t)
	}, replan(t)...)
}

// Downgrade reverts revisions down to target ("-1" when empty; "base"
// reverts everything). A revision that cannot be reverted stops the plan
// before anything runs with an *IrreversibleError (ErrIrreversible).
func (m *Migrator) Downgrade(ctx context.Context, target string) (*Result, error) {
	if target == "" {
		target = "-1"
	}
	t, err := m.target(target)
	if err != nil {
		return nil, err
	}
	if m.runner == nil {
		return nil, ErrNoDatabase
	}
	return m.runner.Run(ctx, func(st *runner.State) (*revision.Plan, error) {
		if err := m.partialBlocksDowngrade(st); err != nil {
			return nil, err
		}
		p, err := m.graph.DowngradeReverting(st.Applied(), reverting(st), t)
		if err != nil {
			return nil, err
		}
		return p, p.CheckReversible()
	}, replan(t)...)
}

// replans bounds how often one run plans again after other processes
// moved the database (SQLite; see runner.Replan).
const replans = 20

// replan lets a run to a target that names a state (head, base, a
// revision) plan again when another process moved the database under it;
// a run of relative steps (+1, -2) stops instead: its steps counted from
// where the database was.
func replan(t revision.Target) []runner.RunOption {
	if t.Steps != 0 {
		return nil
	}
	return []runner.RunOption{runner.Replan(replans)}
}

// reverting are the revisions whose downgrade stopped part-way: a
// downgrade plans them as applied (Graph.DowngradeReverting), so that the
// next downgrade finishes them instead of stepping over them.
func reverting(st *runner.State) []string {
	var ids []string
	for _, r := range st.Partial() {
		if r.State == runner.StateReverting {
			ids = append(ids, r.Revision)
		}
	}
	return ids
}

// partialBlocksDowngrade refuses any downgrade while an upgrade stopped
// part-way: reverting the revisions below it would leave its statements
// behind with nothing recording them.
func (m *Migrator) partialBlocksDowngrade(st *runner.State) error {
	for _, row := range st.Partial() {
		if row.State != runner.StatePartial {
			continue
		}
		path := ""
		if r := m.graph.Get(row.Revision); r != nil {
			path = r.Path
		}
		return &runner.PartialError{Revision: row.Revision, Path: path, State: row.State, StatementsDone: row.StatementsDone, InFlight: row.InFlight, Direction: revision.Down}
	}
	return nil
}

// Plan computes, without changing the database, what Upgrade (dir Up) or
// Downgrade (dir Down) to target would do now.
func (m *Migrator) Plan(ctx context.Context, dir revision.Direction, target string) (*revision.Plan, error) {
	p, err := m.plan(ctx, dir, target)
	return p, err
}

func (m *Migrator) plan(ctx context.Context, dir revision.Direction, target string) (*revision.Plan, error) {
	t, err := m.target(target)
	if err != nil {
		return nil, err
	}
	st, err := m.state(ctx)
	if err != nil {
		return nil, err
	}
	return m.planFrom(st, dir, t)
}

// planFrom is the plan to t from st, the version table read before.
func (m *Migrator) planFrom(st *runner.State, dir revision.Direction, t revision.Target) (*revision.Plan, error) {
	if dir == revision.Down {
		p, err := m.graph.DowngradeReverting(st.Applied(), reverting(st), t)
		if err != nil {
			return nil, err
		}
		return p, p.CheckReversible()
	}
	return m.graph.Upgrade(st.Applied(), t)
}

func (m *Migrator) target(s string) (revision.Target, error) {
	t, err := revision.ParseTarget(s)
	if err != nil {
		return t, err
	}
	if t.Kind == revision.TargetRange {
		return t, &revision.TargetError{Input: s, Msg: "a range A:B is only for offline SQL (--sql)"}
	}
	return t, nil
}

func (m *Migrator) state(ctx context.Context) (*runner.State, error) {
	if m.runner == nil {
		return nil, ErrNoDatabase
	}
	return m.runner.State(ctx)
}

// Current returns the revisions the database is at: the heads of its
// applied revisions, sorted. Empty means base.
func (m *Migrator) Current(ctx context.Context) ([]string, error) {
	st, err := m.state(ctx)
	if err != nil {
		return nil, err
	}
	return m.graph.Current(st.Applied()), nil
}

// AppliedRevision is a row of the version table, with its file.
type AppliedRevision struct {
	runner.Row
	// Revision is the file, nil when no file has this id.
	File *script.Revision `json:"-"`
	// Changed is set when the file's checksum differs from the one stored
	// when it was applied (for an applied revision only: one stopped
	// part-way may be edited after the statements that ran).
	Changed bool
	// Interrupted is set, by Status, for a revision stopped part-way
	// whose last run the log records as interrupted (SIGTERM, Ctrl-C)
	// rather than failed: nothing in its file needs fixing, and upgrade
	// resumes it.
	Interrupted bool
	// ReplacedBy is the squashed revision whose Replaces names this one;
	// when the database applied all of them, it is at the squashed
	// revision, and the next run records it so (no SQL runs).
	ReplacedBy string
	// Statements is, for a revision stopped part-way, the number of
	// statements of the section it stopped in (upgrade for partial,
	// downgrade for reverting), and NextLine the file line of the
	// statement it resumes at; 0 when not known (no file, a Go revision,
	// a section that does not split).
	Statements, NextLine int
}

// Status is where the database stands against the migrations.
type Status struct {
	// Current are the heads of the applied revisions.
	Current []string
	// Heads are the heads of the graph.
	Heads []string
	// Applied lists the version table's rows, in the order applied,
	// partial ones included (their State says so).
	Applied []AppliedRevision
	// Pending lists the revisions an upgrade to heads would apply from
	// scratch, in order; a revision stopped part-way is not among them
	// (it is in Partial), so that no revision is counted twice.
	Pending []*script.Revision
	// Partial lists revisions stopped part-way (MySQL, or Transaction:
	// none revisions), which the next upgrade resumes.
	Partial []runner.Row
	// Missing lists applied revisions whose file is gone.
	Missing []string
	// Changed lists applied revisions whose file changed since.
	Changed []string
}

// Status reports applied, pending, partial, changed and missing revisions.
func (m *Migrator) Status(ctx context.Context) (*Status, error) {
	st, err := m.state(ctx)
	if err != nil {
		return nil, err
	}
	s := m.statusOf(st)
	for i := range s.Applied {
		ar := &s.Applied[i]
		if ar.State == runner.StateApplied || ar.InFlight > 0 {
			continue
		}
		if ar.Interrupted, err = m.runner.Interrupted(ctx, ar.Revision); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// statusOf is the Status of st, the version table read before.
func (m *Migrator) statusOf(st *runner.State) *Status {
	s := &Status{Current: m.graph.Current(st.Applied()), Partial: st.Partial()}
	for _, h := range m.graph.Heads() {
		s.Heads = append(s.Heads, h.ID)
	}
	known := make([]string, 0, len(st.Rows))
	applied := st.Applied()
	for _, row := range st.Rows {
		ar, missing := m.appliedRevision(row, applied)
		switch {
		case missing:
			s.Missing = append(s.Missing, row.Revision)
		case ar.Changed:
			s.Changed = append(s.Changed, row.Revision)
		}
		if row.State == runner.StateApplied && !missing {
			known = append(known, row.Revision)
		}
		s.Applied = append(s.Applied, ar)
	}
	if len(s.Missing) == 0 {
		s.Pending = m.pending(st, known)
	}
	return s
}

// appliedRevision is a version row with its file. missing is set when no
// file has the revision and no squashed revision stands for it with all
// of its range applied.
func (m *Migrator) appliedRevision(row runner.Row, applied []string) (ar AppliedRevision, missing bool) {
	ar = AppliedRevision{Row: row, File: m.graph.Get(row.Revision)}
	squashed := false
	if by := m.graph.ReplacedBy(row.Revision); by != nil {
		ar.ReplacedBy = by.ID
		squashed = row.State == runner.StateApplied && allIn(by.Replaces, applied)
	}
	switch {
	case ar.File == nil:
		return ar, !squashed
	case row.State == runner.StateApplied && row.Checksum != "" && !ar.File.Go && ar.File.Checksum != "" && row.Checksum != ar.File.Checksum:
		// A revision under way is judged statement by statement when it
		// resumes (runner.EditedStatementError): editing the statements
		// it has still to run is how a failure is fixed.
		ar.Changed = true
	}
	if row.State != runner.StateApplied {
		ar.Statements, ar.NextLine = m.resumePoint(ar)
	}
	return ar, false
}

// allIn reports whether every id of ids is in set.
func allIn(ids, set []string) bool {
	for _, id := range ids {
		if !slices.Contains(set, id) {
			return false
		}
	}
	return true
}

// pending lists the revisions an upgrade to heads would run from known,
// the applied revisions, leaving out those stopped part-way (Partial).
func (m *Migrator) pending(st *runner.State, known []string) []*script.Revision {
	heads, _ := revision.ParseTarget("heads")
	p, err := m.graph.Upgrade(known, heads)
	if err != nil {
		return nil
	}
	var out []*script.Revision
	for _, step := range p.Steps {
		if row, ok := st.Row(step.Revision.ID); ok && row.State != runner.StateApplied {
			continue
		}
		out = append(out, step.Revision)
	}
	return out
}

// resumePoint returns the statements of the section a revision stopped
// part-way is in and the file line of the statement it resumes at.
func (m *Migrator) resumePoint(ar AppliedRevision) (statements, line int) {
	if ar.File == nil || ar.File.Go {
		return 0, 0
	}
	sec := ar.File.Up
	if ar.State == runner.StateReverting {
		sec = ar.File.Down
	}
	stmts, err := sqlsplit.Split(sec.SQL, m.dialect.Splitter())
	if err != nil {
		return 0, 0
	}
	if next := ar.StatementsDone; next < len(stmts) {
		line = sec.Line + stmts[next].Line - 1
	}
	return len(stmts), line
}

// Check compares the desired schema of the Migrator's DesiredSource with
// the migrations' head and returns the differences (empty when they
// agree): a test or a CI step can fail when a model changed without a
// revision. Scratch databases are made as GenerateOptions' zero value
// makes them, which suits SQLite (in memory); for PostgreSQL and MySQL,
// call CheckWith with GenerateOptions.Scratch or DevDatabase set.
func (m *Migrator) Check(ctx context.Context) ([]change.Change, error) {
	if m.o.desired == nil {
		return nil, errors.New("check: no desired schema: make the Migrator WithDesiredSource, or call CheckWith with GenerateOptions.Desired")
	}
	return m.CheckWith(ctx, GenerateOptions{})
}

// Mismatch is an applied revision whose file changed or vanished.
type Mismatch struct {
	Revision string
	// Path is the file now holding the revision ("" when missing).
	Path string
	// Missing is set when no file has the revision; otherwise its checksum
	// differs from the one recorded when it was applied.
	Missing bool
}

// String describes the mismatch in one line.
func (x Mismatch) String() string {
	if x.Missing {
		return fmt.Sprintf("revision %s is applied but no file has it any more: restore the file, or correct the record with `retort stamp --purge REV` (REV: the revision the database is at)", x.Revision)
	}
	return fmt.Sprintf("revision %s (%s) changed since it was applied: restore the file, or accept the edit with `retort verify --accept %s`", x.Revision, x.Path, x.Revision)
}

// Verify compares the applied revisions with their files.
func (m *Migrator) Verify(ctx context.Context) ([]Mismatch, error) {
	s, err := m.Status(ctx)
	if err != nil {
		return nil, err
	}
	return s.mismatches(), nil
}

// mismatches are the applied revisions of s whose file changed or vanished.
func (s *Status) mismatches() []Mismatch {
	var out []Mismatch
	for _, a := range s.Applied {
		switch {
		case a.File == nil && slices.Contains(s.Missing, a.Revision):
			out = append(out, Mismatch{Revision: a.Revision, Missing: true})
		case a.Changed:
			out = append(out, Mismatch{Revision: a.Revision, Path: a.File.Path})
		}
	}
	return out
}

// AcceptEdit records the current checksum of applied revision rev's file
// as its own: the file was edited after it was applied, and the user says
// the database holds what the file now says (or that the edit changes
// nothing that matters). Verify stops reporting it. The change is logged.
func (m *Migrator) AcceptEdit(ctx context.Context, rev string) error {
	if m.runner == nil {
		return ErrNoDatabase
	}
	r, err := m.graph.Resolve(rev)
	if err != nil {
		return err
	}
	if r.Go {
		return fmt.Errorf("accept %s: it is written in Go, and retort records no checksum for Go revisions: nothing to accept", r.ID)
	}
	return m.runner.AcceptChecksum(ctx, r.ID, r.Checksum)
}

// StampOptions are the choices of Stamp.
type StampOptions struct {
	// Purge drops version rows that name revisions unknown to the
	// migrations, instead of refusing to stamp while they exist.
	Purge bool
}

// Stamp sets the version table to exactly targets and everything they need,
// running no SQL ("base" empties it). Rows naming revisions unknown to the
// migrations are an error unless opts.Purge drops them.
func (m *Migrator) Stamp(ctx context.Context, targets []string, opts StampOptions) error {
	purge := opts.Purge
	if m.runner == nil {
		return ErrNoDatabase
	}
	ids, err := m.stampSet(targets)
	if err != nil {
		return err
	}
	return m.runner.Stamp(ctx, func(st *runner.State) ([]string, error) {
		if !purge {
			if err := m.knownRows(st); err != nil {
				return nil, err
			}
		}
		return ids, nil
	}, purge)
}

// stampSet is the applied set that targets name: each target and every
// revision it needs, in the graph's order.
func (m *Migrator) stampSet(targets []string) ([]string, error) {
	want := map[string]bool{}
	for _, s := range targets {
		t, err := m.target(s)
		if err != nil {
			return nil, err
		}
		p, err := m.graph.Upgrade(nil, t)
		if err != nil {
			return nil, err
		}
		for _, id := range p.IDs() {
			want[id] = true
		}
	}
	ids := make([]string, 0, len(want))
	for _, r := range m.graph.Revisions() {
		if want[r.ID] {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// knownRows refuses a version table that names a revision no file has.
func (m *Migrator) knownRows(st *runner.State) error {
	for _, row := range st.Rows {
		if m.graph.Get(row.Revision) == nil && m.graph.ReplacedBy(row.Revision) == nil {
			return fmt.Errorf("the version table names revision %s, which no file has: restore the file, or stamp with --purge to drop such rows", row.Revision)
		}
	}
	return nil
}

// SQL writes the SQL of a plan from one revision to another without a
// database: dir Up for "upgrade --sql from:to", Down for "downgrade --sql
// from:to". The output is exactly what the runner would run, version-table
// statements and transaction wrapping included.
func (m *Migrator) SQL(w io.Writer, dir revision.Direction, from, to string) error {
	p, err := m.graph.RangePlan(from, to, dir)
	if err != nil {
		return err
	}
	if dir == revision.Down {
		if err := p.CheckReversible(); err != nil {
			return err
		}
	}
	return runner.WriteSQL(w, m.dialect, m.o.tables, p)
}

// PlanSQL writes the SQL of a plan computed from the database's state.
func (m *Migrator) PlanSQL(ctx context.Context, w io.Writer, dir revision.Direction, target string) error {
	p, err := m.Plan(ctx, dir, target)
	if err != nil {
		return err
	}
	return runner.WriteSQL(w, m.dialect, m.o.tables, p)
}
