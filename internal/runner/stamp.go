package runner

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/retortdb/retort/dialect"
)

// settleTx runs fn in one locked transaction with the version tables
// present: on PostgreSQL and MySQL under the session lock, on SQLite in
// BEGIN IMMEDIATE.
func (r *Runner) settleTx(ctx context.Context, fn func(s *session, tx dialect.Tx, state *State) error) error {
	return r.settle(ctx, settleSteps{write: fn})
}

// settleSteps are the parts of one locked change of the version tables.
type settleSteps struct {
	// look, when set, runs under the migration lock before anything is
	// written, on the session's connection: outside any transaction
	// where the lock is the session's (PostgreSQL, MySQL), before the
	// version tables are created; inside the locked transaction where
	// Begin is the lock (SQLite). It reads the database and decides.
	look func(ctx context.Context, conn *sql.Conn, state *State) error
	// write runs in the transaction, after look.
	write func(s *session, tx dialect.Tx, state *State) error
	// after, when set, runs once the transaction has committed, still
	// under the lock where the lock is the session's.
	after func(s *session) error
}

// settle runs steps under the migration lock: look, then write in one
// transaction with the version tables present, then after.
func (r *Runner) settle(ctx context.Context, steps settleSteps) error {
	s, err := r.newSession(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if !s.beginLocks {
		if err := s.lookOutside(ctx, steps.look); err != nil {
			return err
		}
	}
	s.who = s.whoAmI(ctx, s.conn)
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if err := s.settleIn(ctx, tx, steps); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if steps.after != nil {
		return steps.after(s)
	}
	return nil
}

// lookOutside runs look, where the lock is the session's, on the
// connection under the lock, then creates the version tables: before
// Begin, as MySQL's DDL would commit the transaction, and after look, so
// that a refusal leaves no new table behind.
func (s *session) lookOutside(ctx context.Context, look func(context.Context, *sql.Conn, *State) error) error {
	if look != nil {
		state, err := s.readState(ctx, s.conn)
		if err != nil {
			return err
		}
		if err := look(ctx, s.conn, state); err != nil {
			return err
		}
	}
	return s.createTables(ctx, s.conn, false)
}

// settleIn is the transaction's part of settle: where Begin is the lock,
// the version tables are created in it and look runs in it.
func (s *session) settleIn(ctx context.Context, tx dialect.Tx, steps settleSteps) error {
	if s.beginLocks {
		if err := s.createTables(ctx, tx, false); err != nil {
			return err
		}
	}
	state, err := s.readState(ctx, tx)
	if err != nil {
		return err
	}
	if s.beginLocks && steps.look != nil {
		if err := steps.look(ctx, s.conn, state); err != nil {
			return err
		}
	}
	return steps.write(s, tx, state)
}

// Stamp sets the revisions table to exactly the applied set that want
// returns, without running any revision's SQL: rows of revisions not in
// the set are deleted, revisions of the set without a row get one (with an
// empty checksum), and each change is logged with direction "stamp" (the
// log's error column says what was set). A revision left part-way
// (partial or reverting) makes Stamp refuse unless purge is set; with
// purge, every row not in the set is removed and every partial row of the
// set is marked applied.
func (r *Runner) Stamp(ctx context.Context, want func(*State) ([]string, error), purge bool) error {
	return r.settleTx(ctx, func(s *session, tx dialect.Tx, state *State) error {
		ids, err := want(state)
		if err != nil {
			return err
		}
		if !purge {
			if err := refusePartial(state); err != nil {
				return err
			}
		}
		_, err = s.stampRows(ctx, tx, state, ids, "stamped as applied")
		return err
	})
}

// refusePartial refuses to stamp over a revision left part-way.
func refusePartial(state *State) error {
	p := state.Partial()
	if len(p) == 0 {
		return nil
	}
	inFlight := ""
	if p[0].InFlight > 0 {
		inFlight = fmt.Sprintf(", statement %d started and may or may not have run", p[0].InFlight)
	}
	return fmt.Errorf("revision %s is %s (%d statements done%s): settle it first with `retort resolve %s --applied` or `--rolled-back`, or stamp with --purge",
		p[0].Revision, p[0].State, p[0].StatementsDone, inFlight, p[0].Revision)
}

// stampRows makes the revisions table hold exactly ids, logging each row
// it deletes ("stamped as not applied", unstampOthers) and each it
// writes (note, stampRow), and returns the revisions it recorded as
// applied.
func (s *session) stampRows(ctx context.Context, tx dialect.Tx, state *State, ids []string, note string) ([]string, error) {
	now := time.Now().UTC()
	if err := s.unstampOthers(ctx, tx, state, ids, now); err != nil {
		return nil, err
	}
	var recorded []string
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		wrote, err := s.stampRow(ctx, tx, state, id, note, now)
		if err != nil {
			return nil, err
		}
		if wrote {
			recorded = append(recorded, id)
		}
	}
	return recorded, nil
}

// unstampOthers deletes and logs the rows of the revisions not in ids.
func (s *session) unstampOthers(ctx context.Context, tx dialect.Tx, state *State, ids []string, now time.Time) error {
	for _, row := range state.Rows {
		if slices.Contains(ids, row.Revision) {
			continue
		}
		if _, err := tx.ExecContext(ctx, s.q.deleteRow, row.Revision); err != nil {
			return fmt.Errorf("stamp: delete the row of %s: %w", row.Revision, err)
		}
		if _, err := tx.ExecContext(ctx, s.q.insertLog, row.Revision, "stamp", now, now, true, "stamped as not applied", s.who, s.opts.Version); err != nil {
			return fmt.Errorf("stamp: log %s: %w", row.Revision, err)
		}
	}
	return nil
}

// stampRow records id as applied, inserting its row or marking a partial
// one applied, and logs it with note; wrote is false when its row
// already said applied.
func (s *session) stampRow(ctx context.Context, tx dialect.Tx, state *State, id, note string, now time.Time) (wrote bool, err error) {
	row, has := state.Row(id)
	switch {
	case !has:
		_, err = tx.ExecContext(ctx, s.q.insertRow, id, "", now, 0, StateApplied, 0)
	case row.State != StateApplied:
		_, err = tx.ExecContext(ctx, s.q.updateMark, StateApplied, row.StatementsDone, id)
	default:
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stamp: write the row of %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, s.q.insertLog, id, "stamp", now, now, true, note, s.who, s.opts.Version); err != nil {
		return false, fmt.Errorf("stamp: log %s: %w", id, err)
	}
	return true, nil
}

// Resolve settles by hand a revision that an earlier run left part-way
// (state partial or reverting): applied marks it applied, otherwise its
// row is deleted (rolled back). The user has made the database match
// first. It is logged with direction "resolve".
func (r *Runner) Resolve(ctx context.Context, rev string, applied bool) error {
	return r.settleTx(ctx, func(s *session, tx dialect.Tx, state *State) error {
		row, has := state.Row(rev)
		if !has {
			return fmt.Errorf("resolve %s: it has no row in %s, so it is not partially applied: nothing to resolve", rev, s.opts.Tables.Revisions)
		}
		if row.State == StateApplied {
			return fmt.Errorf("resolve %s: it is fully applied, not partially: nothing to resolve", rev)
		}
		var err error
		note := "resolved as rolled back"
		if applied {
			note = "resolved as applied"
			_, err = tx.ExecContext(ctx, s.q.updateMark, StateApplied, row.StatementsDone, rev)
		} else {
			_, err = tx.ExecContext(ctx, s.q.deleteRow, rev)
		}
		if err != nil {
			return fmt.Errorf("resolve %s: %w", rev, err)
		}
		now := time.Now().UTC()
		was := fmt.Sprintf("was %s after %d statements", row.State, row.StatementsDone)
		if row.InFlight > 0 {
			was += fmt.Sprintf(", statement %d in flight", row.InFlight)
		}
		if _, err := tx.ExecContext(ctx, s.q.insertLog, rev, "resolve", now, now, true, fmt.Sprintf("%s (%s)", note, was), s.who, s.opts.Version); err != nil {
			return fmt.Errorf("resolve %s: log: %w", rev, err)
		}
		return nil
	})
}

// ResolveStatement settles a statement that an earlier run started but
// could not record as done or not (Row.InFlight: it commits by itself and
// the run was interrupted or lost its connection while it ran). The user
// has checked the database: ran records it done, so that the next run in
// the same direction continues after it; otherwise it is recorded not run,
// and the next run runs it again. The revision stays partial (or
// reverting). It is logged with direction "resolve".
func (r *Runner) ResolveStatement(ctx context.Context, rev string, ran bool) error {
	return r.settleTx(ctx, func(s *session, tx dialect.Tx, state *State) error {
		row, has := state.Row(rev)
		if !has {
			return fmt.Errorf("resolve %s: it has no row in %s, so no statement of it is in flight: nothing to resolve", rev, s.opts.Tables.Revisions)
		}
		if row.InFlight == 0 {
			if row.State == StateApplied {
				return fmt.Errorf("resolve %s: it is fully applied, and no statement of it is in flight: nothing to resolve", rev)
			}
			return fmt.Errorf("resolve %s: no statement of it is recorded as started (it is %s after %d statement(s), which is exact): rerun the command that stopped to resume, or settle the whole revision with `retort resolve %s --applied` or `--rolled-back`", rev, row.State, row.StatementsDone, rev)
		}
		done, note := row.InFlight-1, fmt.Sprintf("resolved statement %d as not run", row.InFlight)
		if ran {
			done, note = row.InFlight, fmt.Sprintf("resolved statement %d as run", row.InFlight)
		}
		if _, err := tx.ExecContext(ctx, s.q.updateProgress, done, rev); err != nil {
			return fmt.Errorf("resolve %s: record statement %d: %w", rev, row.InFlight, err)
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, s.q.insertLog, rev, "resolve", now, now, true, fmt.Sprintf("%s (was %s after %d statements, statement %d in flight)", note, row.State, row.StatementsDone, row.InFlight), s.who, s.opts.Version); err != nil {
			return fmt.Errorf("resolve %s: log: %w", rev, err)
		}
		return nil
	})
}

// AcceptChecksum records checksum as the one of applied revision rev, whose
// file was edited after it was applied and whose edit the user accepts as
// what the database holds: `retort verify` and `upgrade` stop reporting
// it. It is logged with direction "stamp" (the log's direction column
// allows no other value for a change of the record alone), the old and new
// checksums in its message.
func (r *Runner) AcceptChecksum(ctx context.Context, rev, checksum string) error {
	return r.settleTx(ctx, func(s *session, tx dialect.Tx, state *State) error {
		row, has := state.Row(rev)
		if !has {
			return fmt.Errorf("accept %s: it is not applied (no row in %s): there is no recorded checksum to accept the file over", rev, s.opts.Tables.Revisions)
		}
		if row.State != StateApplied {
			return fmt.Errorf("accept %s: it is %s after %d statement(s), not applied: finish it with upgrade (the statements still to run are taken from the file as it is) or settle it with `retort resolve %s --applied` or `--rolled-back`", rev, row.State, row.StatementsDone, rev)
		}
		if row.Checksum == checksum {
			return fmt.Errorf("accept %s: its file has not changed since it was applied: nothing to accept", rev)
		}
		if _, err := tx.ExecContext(ctx, s.q.updateChecksum, checksum, rev); err != nil {
			return fmt.Errorf("accept %s: record the checksum: %w", rev, err)
		}
		was := row.Checksum
		if was == "" {
			was = "none"
		}
		now := time.Now().UTC()
		msg := fmt.Sprintf("accepted the edited file as applied (checksum %s, was %s)", checksum, was)
		if _, err := tx.ExecContext(ctx, s.q.insertLog, rev, "stamp", now, now, true, msg, s.who, s.opts.Version); err != nil {
			return fmt.Errorf("accept %s: log: %w", rev, err)
		}
		return nil
	})
}
