package runner

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
)

// progress is how far a step run statement by statement got, as its row
// records it: done statements ran; with inFlight, statement done+1 was
// started and may or may not have run (it commits by itself: MySQL DDL).
// The table stores it as one integer (encode); only encode and
// decodeProgress know that encoding.
type progress struct {
	done     int
	inFlight bool
}

// encode returns the statements_done value stored for p: done, or
// -(done+1) while statement done+1 is in flight (docs/decisions.md: a
// negative count needs no new column or state value in old tables).
func (p progress) encode() int {
	if p.inFlight {
		return -(p.done + 1)
	}
	return p.done
}

// decodeProgress reads a stored statements_done.
func decodeProgress(stored int) progress {
	if stored < 0 {
		return progress{done: -stored - 1, inFlight: true}
	}
	return progress{done: stored}
}

// inFlightStatement is the 1-based statement in flight (Row.InFlight), 0
// when none.
func (p progress) inFlightStatement() int {
	if p.inFlight {
		return p.done + 1
	}
	return 0
}

// started reports whether the record says 0-based statement i was
// started and not known to have run.
func (p progress) started(i int) bool { return p.inFlight && p.done == i }

// stepRun is one step run statement by statement outside a transaction
// (MySQL/MariaDB, and "Transaction: none" revisions): its row records its
// progress as it goes, so that a failed or interrupted step resumes where
// it stopped.
type stepRun struct {
	*session
	st        *step
	state     *State
	dec       decision
	startedAt time.Time
	n         int
	// track: statements that commit by themselves get a "started"
	// record before they run (see tracksInFlight).
	track bool
	// at is what the row records now.
	at progress
	// result is the step's result once its last statement's own
	// transaction recorded it done.
	result *StepResult
	// sums are the statements' checksums (statementSum), made on first
	// use.
	sums []string
}

// runSteps runs one step statement by statement outside a transaction,
// recording progress after each statement.
func (s *session) runSteps(ctx context.Context, st *step, state *State) (StepResult, error) {
	// Statements that commit by themselves cannot share a transaction
	// with the table's upgrade: it commits first.
	if err := s.upgradePending(ctx, s.conn); err != nil {
		return StepResult{}, err
	}
	s.sumsPending = false
	r := &stepRun{session: s, st: st, state: state, startedAt: time.Now(), n: st.count(), track: s.tracksInFlight(st)}
	dec, err := r.decide(ctx)
	if err != nil {
		return StepResult{}, err
	}
	if dec.skip {
		return s.skipped(st), nil
	}
	r.dec = dec
	s.started(st, dec)
	if err := r.markStart(ctx); err != nil {
		return StepResult{}, err
	}
	if err := r.restoreSession(ctx, dec.start); err != nil {
		return StepResult{}, s.logFailure(ctx, st, r.startedAt, err)
	}
	for i := dec.start; i < r.n; i++ {
		if err := r.statement(ctx, i); err != nil {
			return StepResult{}, s.logFailure(ctx, st, r.startedAt, err)
		}
		if r.result != nil {
			return *r.result, nil
		}
	}
	return r.finish(ctx)
}

// decide reads the step's row (again where Begin is the lock: no lock is
// held between steps) and decides whether and where the step starts.
func (r *stepRun) decide(ctx context.Context) (decision, error) {
	row, has := r.state.Row(r.st.id())
	if r.beginLocks {
		var err error
		if row, has, err = r.readRow(ctx, r.conn, r.st.id()); err != nil {
			return decision{}, err
		}
	}
	dec, err := decide(r.d, r.st, row, has)
	if err != nil || dec.start == 0 || r.st.isGo() {
		return dec, err
	}
	return dec, r.checkRan(ctx, dec.start)
}

// statementSum is the checksum recorded for a statement that ran: 16 hex
// digits of the SHA-256 of its text, enough to tell an edit.
func statementSum(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:8])
}

// sumsFor is the statement_checksums value recorded with p: the checksums
// of the statements it says ran or started, comma-separated.
func (r *stepRun) sumsFor(p progress) string {
	if r.sums == nil {
		r.sums = make([]string, len(r.st.stmts))
		for i, stmt := range r.st.stmts {
			r.sums[i] = statementSum(stmt.Text)
		}
	}
	k := p.done
	if p.inFlight {
		k++
	}
	return strings.Join(r.sums[:min(k, len(r.sums))], ",")
}

// checkRan refuses to resume a step whose file changed in one of the
// first done statements, which ran in an earlier run: what the database
// holds is the old statement's effect. Rows recorded before
// statement_checksums existed (NULL) are not checked.
func (r *stepRun) checkRan(ctx context.Context, done int) error {
	var stored sql.NullString
	if err := r.conn.QueryRowContext(ctx, r.q.selectSums, r.st.id()).Scan(&stored); err != nil {
		return fmt.Errorf("read the statement checksums of revision %s in %s: %w", r.st.id(), r.opts.Tables.Revisions, err)
	}
	if !stored.Valid || stored.String == "" {
		return nil
	}
	ran := strings.Split(stored.String, ",")
	for i := range min(done, len(ran)) {
		e := &EditedStatementError{Revision: r.st.id(), Path: r.st.rev.Path, Direction: r.st.Direction, Index: i + 1, Done: done, Count: len(r.st.stmts)}
		if i >= len(r.st.stmts) {
			return e
		}
		if statementSum(r.st.stmts[i].Text) != ran[i] {
			e.Line, e.SQL = r.st.line(i), shown(r.d, r.st.stmts[i].Text)
			return e
		}
	}
	return nil
}

// startsNext reports whether statement i gets a "started" record before
// it runs. That record also says that every statement before it ran, so
// it stands in for the "done" record of the one before: one write per
// statement, as without it.
func (r *stepRun) startsNext(i int) bool {
	return r.track && i < r.n && !r.atomicProgress(r.st, i)
}

// mark is the state of a step under way.
func (r *stepRun) mark() string {
	if r.st.Direction == revision.Down {
		return StateReverting
	}
	return StatePartial
}

// set records p in memory, as the row now holds it.
func (r *stepRun) set(p progress) {
	r.at = p
	r.state.set(Row{Revision: r.st.id(), Checksum: r.st.rev.Checksum, AppliedAt: r.startedAt.UTC(), State: r.mark(),
		StatementsDone: p.done, InFlight: p.inFlightStatement()})
}

// markStart writes the row that says the step is under way (unless it
// resumes, when the row says so already).
func (r *stepRun) markStart(ctx context.Context) error {
	first := progress{done: r.dec.start}
	if r.dec.start == 0 && r.startsNext(0) {
		first.inFlight = true
	}
	var err error
	switch {
	case r.dec.start > 0:
	case r.dec.had:
		err = r.exec(ctx, r.q.updateMarkSums, r.mark(), first.encode(), r.sumsFor(first), r.st.id())
	default:
		err = r.exec(ctx, r.q.insertRowSums, r.st.id(), r.st.rev.Checksum, r.startedAt.UTC(), 0, StatePartial, first.encode(), r.sumsFor(first))
	}
	if err != nil {
		what := "no statement of it ran"
		if first.inFlight {
			what += "; " + notRunButMaybeRecorded(r.st, 0)
		}
		return fmt.Errorf("record the start of %s of revision %s in %s (%s): %w", r.st.Direction, r.st.id(), r.opts.Tables.Revisions, what, err)
	}
	r.set(first)
	return nil
}

// notRunButMaybeRecorded is the advice for a "started" record of
// statement i (0-based) whose write failed: the statement did not run,
// but a write cut off with its connection may have committed, leaving it
// recorded in flight.
func notRunButMaybeRecorded(st *step, i int) string {
	return fmt.Sprintf("if the record was written before the connection was lost, `retort status` shows statement %d in flight: settle it with `retort resolve %s --statement-not-run`, since it did not run", i+1, st.id())
}

// record writes p outside any transaction, then in memory. It is not cut
// short by an interrupt: the record must match what ran.
func (r *stepRun) record(ctx context.Context, p progress) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.recordTimeout())
	defer cancel()
	if err := r.exec(rctx, r.q.updateProgressSums, p.encode(), r.sumsFor(p), r.st.id()); err != nil {
		return err
	}
	r.set(p)
	return nil
}

// statement runs statement i (0-based), or stops before it when the run is
// interrupted. A data change commits with its record; a statement that
// commits by itself is recorded as started first where the dialect
// tracks that.
func (r *stepRun) statement(ctx context.Context, i int) error {
	if ctx.Err() != nil {
		return r.interruptedBefore(ctx, i)
	}
	if r.atomicProgress(r.st, i) {
		return r.atomicStatement(ctx, i)
	}
	ran, err := r.execRetrying(ctx, i)
	if !ran {
		return err
	}
	return r.statementRan(ctx, i)
}

// markStarted records that statement i, which commits by itself, starts,
// where the dialect tracks that and the record does not say so already:
// a crash while it runs is then never taken for "not run".
func (r *stepRun) markStarted(ctx context.Context, i int) error {
	if !r.track || r.at.started(i) {
		return nil
	}
	if err := r.record(ctx, progress{done: i, inFlight: true}); err != nil {
		return fmt.Errorf("record the start of statement %d of %d of revision %s in %s (the statement did not run; %s; %s): %w",
			i+1, r.n, r.st.id(), r.opts.Tables.Revisions, statementsRecorded(r.st, i), notRunButMaybeRecorded(r.st, i), err)
	}
	return nil
}

// where says "before statement k of n" or "during statement k of n".
func (r *stepRun) where(when string, i int) string {
	return fmt.Sprintf("%s statement %d of %d", when, i+1, r.n)
}

// interruptedBefore is the error of a run interrupted before statement i,
// whose "started" record, when written already, is set back.
func (r *stepRun) interruptedBefore(ctx context.Context, i int) error {
	if r.at.started(i) {
		// Its "started" record is written, but it never ran.
		if err := r.record(ctx, progress{done: i}); err != nil {
			return r.stepsInterrupted(ctx, r.st, i, r.where("before", i),
				fmt.Sprintf("statement %d did not run, but its record still says it was started (resetting it failed: %v); %s", i+1, err, beforeRecorded(i+1)), true)
		}
	}
	return r.stepsInterrupted(ctx, r.st, i, r.where("before", i), statementsRecorded(r.st, i), false)
}

// atomicStatement runs statement i, a data change, in one transaction with
// its progress record: a crash leaves both or neither. The last
// statement's transaction also records the step done, with its log row
// (one commit less), and sets r.result.
func (r *stepRun) atomicStatement(ctx context.Context, i int) error {
	var final func(*sql.Tx) error
	var finishedAt time.Time
	if i+1 == r.n {
		final = func(tx *sql.Tx) error {
			finishedAt = time.Now()
			d := r.dec
			d.had = true
			return r.recordDone(context.WithoutCancel(ctx), tx, r.st, d, r.startedAt, finishedAt)
		}
	}
	if err := r.runWithProgress(ctx, i, final); err != nil {
		if ctx.Err() != nil {
			return r.stepsInterrupted(ctx, r.st, i, r.where("during", i),
				fmt.Sprintf("statement %d was stopped and rolled back together with its record; %s", i+1, statementsRecorded(r.st, i)), false)
		}
		return r.stepError(ctx, r.st, i, err, r.resumeNote(r.st, i, err))
	}
	if final == nil {
		r.set(progress{done: i + 1})
		return nil
	}
	dur := finishedAt.Sub(r.startedAt)
	r.dec.had = true
	r.settle(r.state, r.st, r.startedAt, dur)
	sr := r.finished(r.st, dur, r.dec)
	r.result = &sr
	return nil
}

// runWithProgress runs statement i and records it done in one transaction
// on the session's connection; with final, final writes the record
// instead (the step's own end, for its last statement).
func (r *stepRun) runWithProgress(ctx context.Context, i int, final func(*sql.Tx) error) error {
	// Not ctx: database/sql would roll back and drop the session's
	// connection on cancel. execStatement stops the statement instead.
	bctx := context.WithoutCancel(ctx)
	tx, err := r.conn.BeginTx(bctx, nil)
	if err != nil {
		return err
	}
	if err := r.execStatement(ctx, r.st, i, tx, tx); err != nil {
		tx.Rollback()
		return err
	}
	if final != nil {
		if err := final(tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("%w (rolled back with statement %d)", err, i+1)
		}
		return tx.Commit()
	}
	p := progress{done: i + 1}
	if _, err := tx.ExecContext(bctx, r.q.updateProgressSums, p.encode(), r.sumsFor(p), r.st.id()); err != nil {
		tx.Rollback()
		return fmt.Errorf("record statement %d of revision %s in %s (rolled back with it): %w", i+1, r.st.id(), r.opts.Tables.Revisions, err)
	}
	return tx.Commit()
}

// statementFailed is the error of statement i, which failed with err
// outside a transaction. Where the server refused it, it did not run and
// its "started" record is set back; where the outcome is unknown (a lost
// connection, an interrupt) of a statement whose start is recorded, the
// record stays and the error asks for resolve.
func (r *stepRun) statementFailed(ctx context.Context, i int, err error) error {
	started := r.at.started(i)
	if started && (ctx.Err() != nil || !r.rejecter.Rejected(err)) {
		// It may have committed before the error: keep the in-flight
		// record and say so.
		if ctx.Err() != nil {
			return r.stepsInterrupted(ctx, r.st, i, r.where("during", i), inFlightState(r.st, i, err), true)
		}
		return r.stepError(ctx, r.st, i, err, inFlightNote(r.st, i))
	}
	if ctx.Err() != nil {
		return r.failedInterrupted(ctx, i, err)
	}
	note := r.resumeNote(r.st, i, err)
	if started {
		// The server refused it: it did not run.
		if rerr := r.record(ctx, progress{done: i}); rerr != nil {
			note = fmt.Sprintf("the statement did not run, but its record still says it was started (%v): check that nothing of it is in the database, then run `retort resolve %s --statement-not-run` and rerun %s", rerr, r.st.id(), r.st.Direction)
		}
	}
	return r.stepError(ctx, r.st, i, err, note)
}

// failedInterrupted is the error of a run interrupted while statement i
// failed with err, or while it waited to retry it after a lock timeout:
// either way it did not run, and the record says so.
func (r *stepRun) failedInterrupted(ctx context.Context, i int, err error) error {
	where, what := r.where("during", i), fmt.Sprintf("statement %d was stopped (%v)", i+1, err)
	if r.lockTimedOut(err) {
		where = fmt.Sprintf("while waiting to retry statement %d of %d after a lock timeout", i+1, r.n)
		what = fmt.Sprintf("statement %d did not run (it gave up waiting for a lock)", i+1)
	}
	return r.stepsInterrupted(ctx, r.st, i, where, what+"; "+statementsRecorded(r.st, i), false)
}

// statementRan records statement i, run outside a transaction, done; where
// the next statement gets a "started" record, in the same write.
func (r *stepRun) statementRan(ctx context.Context, i int) error {
	if r.track && i+1 == r.n {
		// The last statement: the final record (finish) says it ran; its
		// row still says it was started until then.
		return nil
	}
	next := progress{done: i + 1}
	if r.startsNext(i + 1) {
		// "Statement i+1 ran, statement i+2 starts", in one write.
		next.inFlight = true
	}
	if err := r.record(ctx, next); err != nil {
		advice := "rerun to resume"
		if r.track {
			advice = fmt.Sprintf("its record says it was started and may or may not have run: run `retort resolve %s --statement-ran`, then rerun %s", r.st.id(), r.st.Direction)
		}
		return fmt.Errorf("record statement %d of %d of revision %s in %s (the statement ran; %s): %w", i+1, r.n, r.st.id(), r.opts.Tables.Revisions, advice, err)
	}
	return nil
}

// finish records the step done once every statement ran, even when the
// run is being interrupted now (the caller stops before the next step).
func (r *stepRun) finish(ctx context.Context) (StepResult, error) {
	st := r.st
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.recordTimeout())
	defer cancel()
	// Where the last statement's record still says "started", settling
	// it takes resolve; else a rerun records it.
	next := fmt.Sprintf("rerun %s to record it", st.Direction)
	if r.at.started(r.n - 1) {
		next = fmt.Sprintf("its record says statement %d was started and may or may not have run: run `retort resolve %s --statement-ran`, then rerun %s", r.n, st.id(), st.Direction)
	}
	tx, err := r.begin(fctx)
	if err != nil {
		return StepResult{}, fmt.Errorf("%s %s: every statement ran, but recording it failed (%s): %w", st.Direction, st.id(), next, err)
	}
	now := time.Now()
	dur := now.Sub(r.startedAt)
	r.dec.had = true
	if err := r.recordDone(fctx, tx, st, r.dec, r.startedAt, now); err != nil {
		tx.Rollback()
		return StepResult{}, fmt.Errorf("%w (every statement ran; %s)", err, next)
	}
	if err := tx.Commit(); err != nil {
		return StepResult{}, fmt.Errorf("commit the record of %s of revision %s (every statement ran; %s): %w", st.Direction, st.id(), next, err)
	}
	r.settle(r.state, st, r.startedAt, dur)
	return r.finished(st, dur, r.dec), nil
}

// atomicProgress reports whether statement i of st can run in one
// transaction with its progress record: a SQL statement that the dialect
// says does not commit by itself.
func (s *session) atomicProgress(st *step, i int) bool {
	ic, ok := s.d.(dialect.ImplicitCommitter)
	return ok && !st.isGo() && i < len(st.stmts) && !ic.CommitsImplicitly(st.stmts[i].Text)
}
