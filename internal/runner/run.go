package runner

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
)

// Result reports what Run did.
type Result struct {
	// Steps lists the steps in the order they ran, skipped ones included.
	Steps []StepResult
	// state is the version table as the run left it: read under the lock
	// when the run planned, then updated by every step it recorded.
	state *State
}

// Applied returns the ids of the revisions fully applied when the run
// ended, as the run recorded them (read under the migration lock, then
// updated step by step), without a query. Run returns no Result when it
// stops before it has read the version table.
func (r *Result) Applied() []string {
	if r == nil || r.state == nil {
		return nil
	}
	return r.state.Applied()
}

// StepResult is one step of a run.
type StepResult struct {
	Revision  string
	Direction revision.Direction
	// Duration of the step.
	Duration time.Duration
	// Skipped is set when another process had already done the step.
	Skipped bool
	// ResumedAt is the 1-based statement a partial revision resumed at,
	// 0 when it ran from the start.
	ResumedAt int
}

// session is the state of one Run, Stamp or Resolve call on its
// connection.
type session struct {
	*Runner
	conn       *sql.Conn
	beginLocks bool // Begin is the lock (SQLite): re-check per step
	// changeCount is the dialect.ChangeCounter value read in the previous
	// step's transaction, when counted.
	changeCount int64
	counted     bool
	who         string
	stmts       map[string]*sql.Stmt // statements prepared on conn
	// killer and sessionID stop a statement the server would otherwise
	// finish after a cancel (MySQL); rejecter tells a refused statement
	// from one whose outcome is unknown. Both nil elsewhere.
	killer    dialect.QueryKiller
	sessionID int64
	rejecter  dialect.StatementRejecter
	// sumsPending: the revisions table lacks statement_checksums and the
	// first step adds it (createTables, upgradePending).
	sumsPending bool
}

// killWait bounds the wait for a statement stopped with KILL QUERY.
const killWait = 10 * time.Second

// minRecordTimeout is the least time a version-table write that must
// match what ran gets, however short the lock timeout: a lock timeout of
// 100ms (a deploy that would rather give up than wait for another
// migrator) says nothing about how long one UPDATE may take on a busy
// server, and a record cut short leaves a statement "started".
const minRecordTimeout = 10 * time.Second

// recordTimeout bounds a version-table write that is not cut short by an
// interrupt (see minRecordTimeout).
func (s *session) recordTimeout() time.Duration {
	return max(s.opts.LockTimeout, minRecordTimeout)
}

func (r *Runner) newSession(ctx context.Context) (*session, error) {
	conn, err := r.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take a connection: %w", err)
	}
	s := &session{Runner: r, conn: conn, stmts: map[string]*sql.Stmt{}}
	s.beginLocks = r.d.Capabilities().BeginLocks
	if rj, ok := r.d.(dialect.StatementRejecter); ok {
		s.rejecter = rj
	}
	if k, ok := r.d.(dialect.QueryKiller); ok {
		id, err := k.SessionID(ctx, conn)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("read the session id (to stop a statement on interrupt): %w", err)
		}
		s.killer, s.sessionID = k, id
	}
	return s, nil
}

func (s *session) close() {
	for _, st := range s.stmts {
		st.Close()
	}
	s.conn.Close()
}

// exec runs a version-table statement on the connection outside any
// transaction, prepared once per session.
func (s *session) exec(ctx context.Context, query string, args ...any) error {
	st, ok := s.stmts[query]
	if !ok {
		var err error
		st, err = s.conn.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		s.stmts[query] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

// execIn runs a version-table statement in q, the step's transaction.
// Where the transaction is a BEGIN on the session's own connection
// (SQLite), the statement prepared once per session on that connection
// runs inside it, instead of being prepared again for every revision.
// There the transaction holds the write lock, so the statement cannot
// wait: it runs without ctx's cancellation, which would cost the driver a
// goroutine per statement.
func (s *session) execIn(ctx context.Context, q execer, query string, args ...any) error {
	if _, isTx := q.(*sql.Tx); s.beginLocks && !isTx {
		return s.exec(context.WithoutCancel(ctx), query, args...)
	}
	_, err := q.ExecContext(ctx, query, args...)
	return err
}

func (s *session) onLockWait() {
	s.emit(Event{Kind: EventLockWait, Message: fmt.Sprintf("waiting for the migration lock (another retort is migrating this database; giving up after %s)", s.opts.LockTimeout)})
}

// begin starts a transaction with the dialect, reporting a lock wait.
func (s *session) begin(ctx context.Context) (dialect.Tx, error) {
	return s.d.Begin(ctx, s.conn, s.opts.LockTimeout, s.onLockWait)
}

// lock takes the session lock (a no-op where Begin locks).
func (s *session) lock(ctx context.Context) (func(), error) {
	if s.beginLocks {
		return func() {}, nil
	}
	unlock, err := s.d.Lock(ctx, s.conn, s.opts.Tables.Revisions, s.opts.LockTimeout, s.onLockWait)
	if err != nil {
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := unlock(ctx); err != nil {
			// The lock may still be held by the session: discard the
			// connection rather than return it to the pool.
			_ = s.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// createTables creates the version tables when they are missing and
// upgrades them in place: a revisions table made before
// statement_checksums existed gets that column (NULL in its rows, which
// the resume check takes for "not recorded"). With deferUpgrade the
// column is added by the first step that runs, in its own transaction
// (upgradePending), so that an old table is left exactly as it was
// unless a revision commits with its upgrade (issue 14, decision 2). q is
// the session's connection, or SQLite's transaction: a failed probe does
// not end a transaction there (it would on PostgreSQL, where q is never
// one).
func (s *session) createTables(ctx context.Context, q interface {
	execer
	querier
}, deferUpgrade bool) error {
	for _, stmt := range s.d.VersionTableDDL(s.opts.Tables) {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create version tables %s and %s: %w", s.opts.Tables.Revisions, s.opts.Tables.Log, err)
		}
	}
	rows, err := q.QueryContext(ctx, s.q.probeSums)
	if err == nil {
		return rows.Close()
	}
	if deferUpgrade {
		s.sumsPending = true
		return nil
	}
	if _, aerr := q.ExecContext(ctx, s.q.addSums); aerr != nil {
		return fmt.Errorf("upgrade version table %s: add column statement_checksums (it was missing: %v): %w", s.opts.Tables.Revisions, err, aerr)
	}
	return nil
}

// upgradePending adds statement_checksums to an old revisions table when
// createTables left that to the first step: on the step's transaction,
// where it commits or rolls back with the revision, or on the session's
// connection before a step that runs outside one. The caller clears
// sumsPending once that is committed. Where Begin is the lock (SQLite)
// another process may have added the column since createTables looked:
// look again in this transaction (a failed query does not end a
// transaction there; on PostgreSQL it would, and the session's lock keeps
// others out).
func (s *session) upgradePending(ctx context.Context, q interface {
	execer
	querier
}) error {
	if !s.sumsPending {
		return nil
	}
	if s.beginLocks {
		if rows, err := q.QueryContext(ctx, s.q.probeSums); err == nil {
			s.sumsPending = false
			return rows.Close()
		}
	}
	if _, err := q.ExecContext(ctx, s.q.addSums); err != nil {
		return fmt.Errorf("upgrade version table %s: add column statement_checksums: %w", s.opts.Tables.Revisions, err)
	}
	return nil
}

// Run applies a plan. It takes the migration lock, reads the revisions
// table, calls plan with what it read, checks and splits every statement
// of the plan (nothing runs when one is bad), creates the version tables
// when they are missing, and applies the steps in order.
//
// Where the dialect's DDL is transactional each revision runs in one
// transaction together with its version rows: a failure rolls it back
// whole and is logged. Elsewhere (MySQL, and revisions marked
// "Transaction: none") progress is recorded after every statement and a
// failed revision resumes where it stopped on the next run. A failed
// statement is a *StatementError; a lock that cannot be taken in time a
// *dialect.LockTimeoutError.
func (r *Runner) Run(ctx context.Context, plan func(*State) (*revision.Plan, error), opts ...RunOption) (*Result, error) {
	var cfg runConfig
	for _, o := range opts {
		o(&cfg)
	}
	s, err := r.newSession(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	res := &Result{}
	for replans := 0; ; replans++ {
		out, err := s.run(ctx, plan, res)
		if replans < cfg.replans && s.replanning(err) {
			continue
		}
		if out == nil && replans > 0 {
			out = res
		}
		return out, err
	}
}

// replanning reports whether a run that failed with err plans again: only
// where Begin is the lock, when another process made the plan stale. It
// forgets the change count, so that the next plan reads the table.
func (s *session) replanning(err error) bool {
	var se *staleError
	if err == nil || !s.beginLocks || !errors.As(err, &se) {
		return false
	}
	s.counted = false
	s.emit(Event{Kind: EventReplan, Message: se.Error()})
	return true
}

// run plans from the database's state and runs the plan, appending each
// step's result to res, which it returns; nil when it fails before the
// plan is made. Planning takes the lock first (plan), or in the
// transaction that is the lock (prepareInTx); runPlan runs the steps.
func (s *session) run(ctx context.Context, plan func(*State) (*revision.Plan, error), res *Result) (*Result, error) {
	var pr *prepared
	var err error
	if s.beginLocks {
		pr, err = s.prepareInTx(ctx, plan)
	} else {
		var unlock func()
		pr, unlock, err = s.planLocked(ctx, plan)
		if unlock != nil {
			defer unlock()
		}
	}
	if err != nil {
		return nil, err
	}
	res.state = pr.state
	return s.runPlan(ctx, pr, res)
}

// planLocked takes the migration lock, which the caller releases with
// unlock (nil when it was not taken), and plans under it. Squashed
// revisions are recorded first, in a transaction of their own: the steps
// were planned from the rows they leave; then the version tables are
// created when there are steps to run.
func (s *session) planLocked(ctx context.Context, plan func(*State) (*revision.Plan, error)) (pr *prepared, unlock func(), err error) {
	unlock, err = s.lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	if pr, err = s.prepare(ctx, s.conn, plan); err != nil {
		return nil, unlock, err
	}
	if err := s.rewriteAlone(ctx, pr.rewrites, pr.state); err != nil {
		return nil, unlock, err
	}
	if len(pr.steps) > 0 {
		if err := s.createTables(ctx, s.conn, s.d.Capabilities().TransactionalDDL); err != nil {
			return nil, unlock, err
		}
	}
	return pr, unlock, nil
}

// runPlan runs the plan's steps in order, each in one transaction with
// its version rows where it can, else statement by statement; an
// interrupted run stops between steps.
func (s *session) runPlan(ctx context.Context, pr *prepared, res *Result) (*Result, error) {
	if len(pr.steps) == 0 {
		return res, nil
	}
	state, steps := pr.state, pr.steps
	if s.who == "" {
		s.who = s.whoAmI(ctx, s.conn)
	}
	s.emit(Event{Kind: EventPlan, Count: len(steps), Message: fmt.Sprintf("%d step(s) to run", len(steps))})
	for i, st := range steps {
		if ctx.Err() != nil {
			return res, &InterruptedError{Cause: context.Cause(ctx), Direction: st.Direction, Revision: st.id(), Path: st.rev.Path,
				Where: fmt.Sprintf("before it started (step %d of %d)", i+1, len(steps)),
				State: "nothing of it ran; the revisions before it are done and recorded", Next: fmt.Sprintf("rerun %s to continue", st.Direction)}
		}
		run := s.runSteps
		if st.inTx(s.d) {
			run = s.runTxRetrying
		}
		sr, err := run(ctx, st, state)
		if err != nil {
			return res, err
		}
		res.Steps = append(res.Steps, sr)
	}
	return res, nil
}

// prepared is a run's plan: the state it was made from, its steps,
// checked and split, and the squashed revisions to record first.
type prepared struct {
	state    *State
	steps    []*step
	rewrites []revision.Rewrite
}

// prepare reads the state through q and plans from it.
func (s *session) prepare(ctx context.Context, q querier, plan func(*State) (*revision.Plan, error)) (*prepared, error) {
	state, err := s.readState(ctx, q)
	if err != nil {
		return nil, err
	}
	p, err := plan(state)
	if err != nil {
		return nil, err
	}
	steps, err := compile(s.d, p)
	if err != nil {
		return nil, err
	}
	pr := &prepared{state: state, steps: steps}
	if p != nil {
		pr.rewrites = p.Rewrites
	}
	return pr, nil
}

// prepareInTx plans where Begin is the lock (SQLite): in one
// transaction it reads the state and plans, records the plan's squashed
// revisions, and creates the version tables when there are steps to run
// (settleInTx). A plan with nothing to do rolls the transaction back.
func (s *session) prepareInTx(ctx context.Context, plan func(*State) (*revision.Plan, error)) (*prepared, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	pr, err := s.prepare(ctx, tx, plan)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	if len(pr.steps) == 0 && len(pr.rewrites) == 0 {
		return pr, tx.Rollback()
	}
	if err := s.settleInTx(ctx, tx, pr); err != nil {
		tx.Rollback()
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit the version tables and squashed revisions' rows: %w", err)
	}
	return pr, nil
}

// settleInTx records pr's squashed revisions in tx and, when there are
// steps, counts changes from here and creates the version tables.
func (s *session) settleInTx(ctx context.Context, tx dialect.Tx, pr *prepared) error {
	if len(pr.rewrites) > 0 && s.who == "" {
		s.who = s.whoAmI(ctx, s.conn)
	}
	if err := s.rewrite(ctx, tx, pr.rewrites, pr.state); err != nil {
		return err
	}
	if len(pr.steps) == 0 {
		return nil
	}
	// The state just read is the table's, under the lock: count from
	// here, so that the first step reads it again only when another
	// connection committed since.
	if _, err := s.movedSinceLastStep(ctx, tx); err != nil {
		return err
	}
	return s.createTables(ctx, tx, true)
}

// decision is what to do with a step given its row.
type decision struct {
	skip  bool
	start int  // 0-based statement to start at
	had   bool // a row existed
	// resumed: the row says an earlier run stopped this step part-way,
	// and statement start is the one it stopped at.
	resumed bool
}

// decide says what to do with step st given its row: refuse a row that
// says a statement of it was in flight, else decideDown or decideUp by
// the step's direction.
func decide(d dialect.Dialect, st *step, row Row, has bool) (decision, error) {
	if has && row.InFlight > 0 && (st.Direction == revision.Down) == (row.State == StateReverting) && row.State != StateApplied {
		return decision{}, inFlightError(d, st, row.InFlight)
	}
	if st.Direction == revision.Down {
		return decideDown(st, row, has)
	}
	return decideUp(st, row, has)
}

// decideDown: a downgrade skips a revision with no row, reverts an
// applied one, and resumes one it stopped reverting part-way.
func decideDown(st *step, row Row, has bool) (decision, error) {
	switch {
	case !has:
		return decision{skip: true}, nil
	case row.State == StateApplied:
		return decision{had: true}, nil
	case row.State == StateReverting:
		return decision{had: true, start: row.StatementsDone, resumed: true}, nil
	}
	return decision{}, partialError(st, row)
}

// decideUp: an upgrade runs a revision with no row, skips an applied
// one, and resumes one it stopped applying part-way.
func decideUp(st *step, row Row, has bool) (decision, error) {
	switch {
	case !has:
		return decision{}, nil
	case row.State == StateApplied:
		return decision{skip: true, had: true}, nil
	case row.State == StatePartial:
		return decision{had: true, start: row.StatementsDone, resumed: true}, nil
	}
	return decision{}, partialError(st, row)
}

// partialError is the error of a row left part-way by a step of the other
// direction.
func partialError(st *step, row Row) *PartialError {
	return &PartialError{Revision: st.id(), Path: st.rev.Path, State: row.State, StatementsDone: row.StatementsDone, InFlight: row.InFlight, Direction: st.Direction}
}

// inFlightError describes 1-based statement k of st, recorded in flight.
func inFlightError(d dialect.Dialect, st *step, k int) *InFlightError {
	e := &InFlightError{Revision: st.id(), Path: st.rev.Path, Direction: st.Direction, Index: k, Count: st.count()}
	if !st.isGo() && k-1 < len(st.stmts) {
		e.Line, e.SQL = st.line(k-1), shown(d, st.stmts[k-1].Text)
	}
	return e
}

// readRow reads one revision's row (the per-step re-check where Begin is
// the lock).
func (s *session) readRow(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (Row, bool, error) {
	row := Row{Revision: id}
	err := q.QueryRowContext(ctx, s.q.selectRow, id).Scan(&row.State, &row.StatementsDone)
	if errors.Is(err, sql.ErrNoRows) {
		return Row{}, false, nil
	}
	if err != nil {
		return Row{}, false, fmt.Errorf("read the row of revision %s: %w", id, err)
	}
	p := decodeProgress(row.StatementsDone)
	row.StatementsDone, row.InFlight = p.done, p.inFlightStatement()
	return row, true, nil
}

func (s *session) skipped(st *step) StepResult {
	s.emit(Event{Kind: EventSkip, Revision: st.id(), Direction: st.Direction,
		Message: fmt.Sprintf("skipping %s of %s: another process already did it", st.Direction, st.id())})
	return StepResult{Revision: st.id(), Direction: st.Direction, Skipped: true}
}

func (s *session) started(st *step, dec decision) {
	s.emit(Event{Kind: EventStart, Revision: st.id(), Direction: st.Direction, Count: st.count(),
		Message: fmt.Sprintf("running %s %s (%s)", st.Direction, st.id(), st.rev.Message)})
	if dec.start > 0 {
		s.emit(Event{Kind: EventResume, Revision: st.id(), Direction: st.Direction, Statement: dec.start + 1, Count: st.count(),
			Message: fmt.Sprintf("resuming %s of %s at statement %d of %d (%s ran before)", st.Direction, st.id(), dec.start+1, len(st.stmts), statementsDone(dec.start))})
	}
}

func (s *session) finished(st *step, d time.Duration, dec decision) StepResult {
	s.emit(Event{Kind: EventDone, Revision: st.id(), Direction: st.Direction, Count: st.count(), Duration: d,
		Message: fmt.Sprintf("%s %s done in %s", st.Direction, st.id(), d.Round(time.Millisecond))})
	sr := StepResult{Revision: st.id(), Direction: st.Direction, Duration: d}
	if dec.start > 0 {
		sr.ResumedAt = dec.start + 1
	}
	return sr
}

// runTx runs one step in one transaction with its version rows: it
// begins (beginStepTx), reads the step's row (stepRow) and decides from
// it, runs the statements (statementsTx), and writes the rows and commits
// (commitStep); every failure rolls the whole step back.
func (s *session) runTx(ctx context.Context, st *step, state *State) (StepResult, error) {
	startedAt := time.Now()
	tx, stx, err := s.beginStepTx(ctx, st)
	if err != nil {
		return StepResult{}, err
	}
	row, has, err := s.stepRow(ctx, tx, st, state)
	if err != nil {
		tx.Rollback()
		return StepResult{}, err
	}
	dec, err := decide(s.d, st, row, has)
	if err != nil {
		tx.Rollback()
		return StepResult{}, err
	}
	if dec.skip {
		return s.skipTx(tx, st, state, row)
	}
	s.started(st, dec)
	if err := s.statementsTx(ctx, st, dec, tx, stx, startedAt); err != nil {
		return StepResult{}, err
	}
	dur, err := s.commitStep(ctx, tx, st, dec, startedAt)
	if err != nil {
		return StepResult{}, err
	}
	s.settle(state, st, startedAt, dur)
	return s.finished(st, dur, dec), nil
}

// beginStepTx begins st's transaction and brings the version tables up
// to date in it. A lock timeout keeps its own words, the same as where
// the lock is taken once per run.
func (s *session) beginStepTx(ctx context.Context, st *step) (dialect.Tx, *sql.Tx, error) {
	tx, stx, err := s.beginStep(ctx, st)
	if err != nil {
		var lt *dialect.LockTimeoutError
		if errors.As(err, &lt) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%s %s: %w", st.Direction, st.id(), err)
	}
	if err := s.upgradePending(ctx, tx); err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	return tx, stx, nil
}

// stepRow is st's row in state. Where Begin is the lock (SQLite) this
// transaction is the lock, and another process may have moved the
// database since the plan was made: then the table is read again, and a
// step the graph no longer allows is refused (raced) rather than run.
func (s *session) stepRow(ctx context.Context, tx dialect.Tx, st *step, state *State) (Row, bool, error) {
	row, has := state.Row(st.id())
	if !s.beginLocks {
		return row, has, nil
	}
	moved, err := s.movedSinceLastStep(ctx, tx)
	if err != nil || !moved {
		return row, has, err
	}
	fresh, err := s.readState(ctx, tx)
	if err != nil {
		return Row{}, false, err
	}
	if err := raced(st, fresh, state); err != nil {
		return Row{}, false, err
	}
	// From here on the state in memory is the table's, kept up to date by
	// this session's own steps: movedSinceLastStep relies on that.
	state.Rows = fresh.Rows
	row, has = fresh.Row(st.id())
	return row, has, nil
}

// skipTx ends the transaction of a step another process already did,
// and follows its row in state.
func (s *session) skipTx(tx dialect.Tx, st *step, state *State, row Row) (StepResult, error) {
	if err := tx.Rollback(); err != nil {
		return StepResult{}, err
	}
	if st.Direction == revision.Down {
		state.remove(st.id())
	} else {
		state.set(row)
	}
	return s.skipped(st), nil
}

// statementsTx runs st's statements from dec.start in tx. On failure it
// rolls tx back before anything else (the hint of a failed statement is
// read on the session's connection) and returns the error, logged.
func (s *session) statementsTx(ctx context.Context, st *step, dec decision, tx dialect.Tx, stx *sql.Tx, startedAt time.Time) error {
	n := st.count()
	for i := dec.start; i < n; i++ {
		if ctx.Err() != nil {
			tx.Rollback()
			return s.logFailure(ctx, st, startedAt, s.txInterrupted(ctx, st, fmt.Sprintf("before statement %d of %d", i+1, n)))
		}
		if err := s.runUnit(ctx, st, i, tx, stx); err != nil {
			tx.Rollback()
			return s.logFailure(ctx, st, startedAt, s.txStatementFailed(ctx, st, i, err))
		}
	}
	return nil
}

// txStatementFailed is the error of statement i of a step run in one
// transaction, after the rollback: an interruption, or the statement's
// error.
func (s *session) txStatementFailed(ctx context.Context, st *step, i int, err error) error {
	if ctx.Err() != nil {
		return s.txInterrupted(ctx, st, fmt.Sprintf("during statement %d of %d", i+1, st.count()))
	}
	return s.stepError(ctx, st, i, err, "the revision's transaction was rolled back: the database is at the revision before it")
}

// commitStep writes st's row and log entry in tx and commits; it returns
// how long the step took.
func (s *session) commitStep(ctx context.Context, tx dialect.Tx, st *step, dec decision, startedAt time.Time) (time.Duration, error) {
	now := time.Now()
	if err := s.recordDone(ctx, tx, st, dec, startedAt, now); err != nil {
		tx.Rollback()
		return 0, s.logFailure(ctx, st, startedAt, err)
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("commit %s of revision %s: %w", st.Direction, st.id(), err)
		return 0, s.logFailure(ctx, st, startedAt, err)
	}
	s.sumsPending = false
	return now.Sub(startedAt), nil
}

// txInterrupted is the error of a step whose transaction was rolled back
// because the run was interrupted.
func (s *session) txInterrupted(ctx context.Context, st *step, where string) error {
	return &InterruptedError{Cause: context.Cause(ctx), Direction: st.Direction, Revision: st.id(), Path: st.rev.Path, Where: where,
		State: "its transaction was rolled back, so nothing of it is in the database, which is at the revision before it",
		Next:  fmt.Sprintf("rerun %s to run it again", st.Direction)}
}

// recordDone writes the row and the log entry of a finished step in q.
func (s *session) recordDone(ctx context.Context, q execer, st *step, dec decision, startedAt, now time.Time) error {
	var err error
	ms := now.Sub(startedAt).Milliseconds()
	if s.q.recordInsert != "" {
		// One statement, one round trip, for both rows.
		dir := st.Direction.String()
		switch {
		case st.Direction == revision.Down:
			err = s.execIn(ctx, q, s.q.recordDelete, st.id(), dir, startedAt.UTC(), now.UTC(), s.who, s.opts.Version)
		case dec.had:
			err = s.execIn(ctx, q, s.q.recordUpdate, st.id(), st.rev.Checksum, now.UTC(), ms, StateApplied, st.count(), dir, startedAt.UTC(), s.who, s.opts.Version)
		default:
			err = s.execIn(ctx, q, s.q.recordInsert, st.id(), st.rev.Checksum, now.UTC(), ms, StateApplied, st.count(), dir, startedAt.UTC(), s.who, s.opts.Version)
		}
		if err != nil {
			return fmt.Errorf("record %s of revision %s in %s and %s: %w", st.Direction, st.id(), s.opts.Tables.Revisions, s.opts.Tables.Log, err)
		}
		return nil
	}
	switch {
	case st.Direction == revision.Down:
		err = s.execIn(ctx, q, s.q.deleteRow, st.id())
	case dec.had:
		err = s.execIn(ctx, q, s.q.updateRow, st.rev.Checksum, now.UTC(), ms, StateApplied, st.count(), st.id())
	default:
		err = s.execIn(ctx, q, s.q.insertRow, st.id(), st.rev.Checksum, now.UTC(), ms, StateApplied, st.count())
	}
	if err != nil {
		return fmt.Errorf("record %s of revision %s in %s: %w", st.Direction, st.id(), s.opts.Tables.Revisions, err)
	}
	if err := s.execIn(ctx, q, s.q.insertLog, st.id(), st.Direction.String(), startedAt.UTC(), now.UTC(), true, nil, s.who, s.opts.Version); err != nil {
		return fmt.Errorf("record %s of revision %s in %s: %w", st.Direction, st.id(), s.opts.Tables.Log, err)
	}
	return nil
}

// settle updates the in-memory state after a step.
func (s *session) settle(state *State, st *step, startedAt time.Time, dur time.Duration) {
	if st.Direction == revision.Down {
		state.remove(st.id())
		return
	}
	state.set(Row{Revision: st.id(), Checksum: st.rev.Checksum, AppliedAt: startedAt.Add(dur).UTC(), DurationMS: dur.Milliseconds(), State: StateApplied, StatementsDone: st.count()})
}

// movedSinceLastStep reports, inside a step's transaction that holds the
// lock, whether any other connection may have changed the database since
// the previous step's transaction (or the one the run planned in) began.
// Without a dialect.ChangeCounter, or with nothing counted yet, the
// answer is yes. When it is no, the state in
// memory is exactly what the version table holds, and reading the table
// again (which grows with every revision: quadratic over a long chain)
// would only confirm it.
func (s *session) movedSinceLastStep(ctx context.Context, tx dialect.Tx) (bool, error) {
	cc, ok := s.d.(dialect.ChangeCounter)
	if !ok {
		return true, nil
	}
	n, err := cc.ChangeCount(ctx, tx)
	if err != nil {
		return false, err
	}
	moved := !s.counted || n != s.changeCount
	s.changeCount, s.counted = n, true
	return moved, nil
}

// resumeNote tells what to do after statement i of st failed with err and
// had no effect: fix the file when the server refused the statement, or
// find out what happened to the server or the connection when it did not
// (the file may well be right).
func (s *session) resumeNote(st *step, i int, err error) string {
	// When nothing ran, the revision is where it was before: not applied
	// for an upgrade (settle it as rolled back), still applied for a
	// downgrade (settle it as applied).
	what, flag := "upgrade", "--rolled-back"
	if st.Direction == revision.Down {
		what, flag = "downgrade", "--applied"
	}
	fix := "fix the file and rerun " + what
	switch {
	case s.lockTimedOut(err):
		fix = "the file is fine: another session held a lock the statement needs; once it is done, rerun " + what
	case errors.Is(err, driver.ErrBadConn) || s.rejecter != nil && !s.rejecter.Rejected(err):
		fix = "the server did not refuse the statement (the connection was lost, the server stopped, or the statement was killed or timed out), so the file may be fine: once the database is back and the cause is clear, rerun " + what
	}
	if i == 0 {
		return fmt.Sprintf("nothing of it ran; %s, or settle it with `retort resolve %s %s`", fix, st.id(), flag)
	}
	return fmt.Sprintf("%s ran and recorded; %s to resume at statement %d, or settle it by hand with `retort resolve %s --applied` or `--rolled-back`", statementsDone(i), fix, i+1, st.id())
}

// statementError builds the error of statement i, with the dialect's hint.
func (s *session) statementError(ctx context.Context, st *step, i int, err error, note string) *StatementError {
	e := &StatementError{Revision: st.id(), Path: st.rev.Path, Direction: st.Direction, Index: i + 1, Count: len(st.stmts),
		Line: st.line(i), SQL: shown(s.d, st.stmts[i].Text), Err: scrubbed(s.d, st.stmts[i].Text, err)}
	if h, ok := s.d.(dialect.ErrorHinter); ok {
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		e.Hint = h.Hint(hctx, s.conn, st.stmts[i].Text, err)
		cancel()
	}
	if note != "" {
		if e.Hint != "" {
			e.Hint += "\n"
		}
		e.Hint += note
	}
	return e
}

// logFailure writes a failed step's log row outside any transaction and
// returns err. The row is written even when the run was interrupted, on a
// fresh connection when the session's is unusable (a cancelled query
// closes it on PostgreSQL); when it cannot be written at all, err says so.
func (s *session) logFailure(ctx context.Context, st *step, startedAt time.Time, err error) error {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.recordTimeout())
	defer cancel()
	lerr := s.log(lctx, s.conn, st.id(), st.Direction.String(), startedAt, false, err.Error())
	if lerr == nil {
		return err
	}
	conn, cerr := s.db.Conn(lctx)
	if cerr != nil {
		return fmt.Errorf("%w\n(the log row of this run could not be written to %s: %v; on a new connection: %v)", err, s.opts.Tables.Log, lerr, cerr)
	}
	defer conn.Close()
	if ferr := s.log(lctx, conn, st.id(), st.Direction.String(), startedAt, false, err.Error()); ferr != nil {
		return fmt.Errorf("%w\n(the log row of this run could not be written to %s: %v; on a new connection: %v)", err, s.opts.Tables.Log, lerr, ferr)
	}
	return err
}

// log writes one row to the log table on conn, in a transaction of its
// own where Begin is the lock.
func (s *session) log(ctx context.Context, conn *sql.Conn, rev, direction string, startedAt time.Time, ok bool, msg string) error {
	var m any
	if msg != "" {
		m = msg
	}
	now := time.Now().UTC()
	args := []any{rev, direction, startedAt.UTC(), now, ok, m, s.who, s.opts.Version}
	if !s.beginLocks {
		if conn == s.conn {
			return s.exec(ctx, s.q.insertLog, args...)
		}
		_, err := conn.ExecContext(ctx, s.q.insertLog, args...)
		return err
	}
	tx, err := s.d.Begin(ctx, conn, s.opts.LockTimeout, s.onLockWait)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.insertLog, args...); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// tracksInFlight reports whether the statements of st that commit by
// themselves get a "started" record before they run: where the dialect
// can tell a refused statement from one whose outcome is unknown (MySQL).
func (s *session) tracksInFlight(st *step) bool {
	return s.rejecter != nil && !st.isGo()
}

// execStatement runs unit i of st on q. Where the server would finish a
// statement whose client gave up (MySQL), a cancelled ctx does not drop
// the connection: the statement is stopped with KILL QUERY from another
// connection, and awaited at most killWait, so that nothing runs on after
// retort exits. It returns the statement's own outcome (nil when it
// finished before the kill).
func (s *session) execStatement(ctx context.Context, st *step, i int, q execer, tx *sql.Tx) error {
	if s.killer == nil || st.isGo() {
		return s.runUnit(ctx, st, i, q, tx)
	}
	ectx, ecancel := context.WithCancel(context.WithoutCancel(ctx))
	defer ecancel()
	done := make(chan error, 1)
	go func() { done <- s.runUnit(ectx, st, i, q, tx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done: // it finished as the cancel came: nothing to stop
		return err
	default:
	}
	kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), killWait)
	defer kcancel()
	kerr := s.killer.KillQuery(kctx, s.db, s.sessionID)
	select {
	case err := <-done:
		return err
	case <-kctx.Done():
		ecancel()
		err := <-done
		if kerr != nil {
			return fmt.Errorf("%w (and stopping it failed: %v)", err, kerr)
		}
		return fmt.Errorf("%w (it did not stop within %s of KILL QUERY %d; the server may still be running it)", err, killWait, s.sessionID)
	}
}

// stepsInterrupted is the error of a step run statement by statement that
// was interrupted at statement i (0-based).
func (s *session) stepsInterrupted(ctx context.Context, st *step, i int, where, state string, inFlight bool) error {
	next := fmt.Sprintf("rerun %s to resume at statement %d", st.Direction, i+1)
	if inFlight {
		next = fmt.Sprintf("check the database, then run `retort resolve %s --statement-ran` if the statement's effect is there or `retort resolve %s --statement-not-run` if it is not, and rerun %s", st.id(), st.id(), st.Direction)
	}
	return &InterruptedError{Cause: context.Cause(ctx), Direction: st.Direction, Revision: st.id(), Path: st.rev.Path, Where: where, State: state, Next: next}
}

// statementsRecorded says what the record of a step run statement by
// statement holds after i statements.
func statementsRecorded(st *step, i int) string {
	mark := StatePartial
	if st.Direction == revision.Down {
		mark = StateReverting
	}
	if i == 0 {
		return fmt.Sprintf("no statement of it has run (it is recorded %s with 0 statements done)", mark)
	}
	verb := "are"
	if i == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s ran and %s recorded (%s with %d done)", statementsDone(i), verb, mark, i)
}

// inFlightState says what the record holds after statement i (0-based)
// was started and its outcome is unknown.
func inFlightState(st *step, i int, err error) string {
	return fmt.Sprintf("statement %d was stopped (%v), but MySQL/MariaDB commit it by themselves, so it may or may not have run; %s, and statement %d is recorded as started", i+1, err, beforeRecorded(i+1), i+1)
}

// inFlightNote is the advice after statement i (0-based) failed in a way
// that does not tell whether it ran (a lost connection).
func inFlightNote(st *step, i int) string {
	return fmt.Sprintf("statement %d may or may not have run: the error (a lost connection or an interrupted statement) does not tell, and MySQL/MariaDB commit it by themselves; %s, and the record says statement %d was started.\nCheck the database: if the statement's effect is there, run `retort resolve %s --statement-ran`; if it is not, run `retort resolve %s --statement-not-run`; then rerun %s.",
		i+1, beforeRecorded(i+1), i+1, st.id(), st.id(), st.Direction)
}

// statementsDone names the first n statements: "statement 1" or
// "statements 1-3".
func statementsDone(n int) string {
	if n == 1 {
		return "statement 1"
	}
	return fmt.Sprintf("statements 1-%d", n)
}

// staleError is raced's error: the plan no longer fits the database.
type staleError struct{ err error }

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

// RunOption changes one Run.
type RunOption func(*runConfig)

type runConfig struct{ replans int }

// Replan lets a run whose plan another process made stale meanwhile plan
// again, from the database as it now is, and go on (at most n times),
// instead of stopping before the step the plan no longer allows. That can
// only happen where Begin is the lock (SQLite: no lock is held between
// revisions). It is right when the plan's target names a state (head,
// base, a revision), not when it counts steps from where the run began
// (+1, -2).
func Replan(n int) RunOption { return func(c *runConfig) { c.replans = n } }

// raced reports a step that another process has made wrong since the
// plan was made (SQLite, where each revision's BEGIN IMMEDIATE is the
// lock): an upgrade whose revision needs one that is no longer applied,
// or a downgrade while revisions it did not plan for have been applied
// meanwhile (they may need what it is about to revert).
func raced(st *step, fresh, planned *State) error {
	applied := map[string]bool{}
	for _, id := range fresh.Applied() {
		applied[id] = true
	}
	if st.Direction == revision.Up {
		needs := st.Needs
		if needs == nil {
			needs = slices.Concat(st.rev.Revises, st.rev.DependsOn)
		}
		for _, p := range needs {
			if !applied[p] {
				return &staleError{fmt.Errorf("upgrade stopped before revision %s: it needs %s, which another retort reverted while this one ran; nothing of %s ran: run upgrade again", st.id(), p, st.id())}
			}
		}
		return nil
	}
	known := map[string]bool{}
	for _, r := range planned.Rows {
		known[r.Revision] = true
	}
	for _, id := range fresh.Applied() {
		if !known[id] {
			return &staleError{fmt.Errorf("downgrade stopped before revision %s: another retort applied %s while this one ran, and it may need what the downgrade would revert; nothing of %s ran: run downgrade again", st.id(), id, st.id())}
		}
	}
	return nil
}
