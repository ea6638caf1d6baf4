package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/revision"
)

// rewrite records each squashed revision of rws as applied in place of
// the revisions it replaces, in q (the run's transaction): their rows are
// deleted and one row for the squashed revision takes their place, with
// the latest time they were applied and the sum of their durations. Every
// row deleted or written is logged with direction "stamp" (the log's
// direction column allows no other value for a change of the record
// alone), saying why. state is updated to match.
func (s *session) rewrite(ctx context.Context, q execer, rws []revision.Rewrite, state *State) error {
	now := time.Now().UTC()
	for _, rw := range rws {
		at, ms, err := s.dropReplaced(ctx, q, rw, state, now)
		if err != nil {
			return err
		}
		if _, has := state.Row(rw.Revision.ID); has {
			continue
		}
		if at.IsZero() {
			at = now
		}
		if err := s.recordSquashed(ctx, q, rw, state, at, ms, now); err != nil {
			return err
		}
	}
	return nil
}

// dropReplaced deletes and logs the rows of the revisions rw replaces,
// and returns the latest time they were applied and the sum of their
// durations, which the squashed revision's row takes over.
func (s *session) dropReplaced(ctx context.Context, q execer, rw revision.Rewrite, state *State, now time.Time) (at time.Time, ms int64, err error) {
	id := rw.Revision.ID
	for _, old := range rw.Replaces {
		row, _ := state.Row(old)
		if row.AppliedAt.After(at) {
			at = row.AppliedAt
		}
		ms += row.DurationMS
		if _, err := q.ExecContext(ctx, s.q.deleteRow, old); err != nil {
			return at, ms, fmt.Errorf("record squashed revision %s: delete the row of %s: %w", id, old, err)
		}
		msg := "replaced by squashed revision " + id + ", which records it from now on"
		if _, err := q.ExecContext(ctx, s.q.insertLog, old, "stamp", now, now, true, msg, s.who, s.opts.Version); err != nil {
			return at, ms, fmt.Errorf("record squashed revision %s: log %s: %w", id, old, err)
		}
		state.remove(old)
	}
	return at, ms, nil
}

// recordSquashed writes and logs the squashed revision's row, applied at
// at after ms, and reports it.
func (s *session) recordSquashed(ctx context.Context, q execer, rw revision.Rewrite, state *State, at time.Time, ms int64, now time.Time) error {
	id := rw.Revision.ID
	if _, err := q.ExecContext(ctx, s.q.insertRow, id, rw.Revision.Checksum, at, ms, StateApplied, 0); err != nil {
		return fmt.Errorf("record squashed revision %s: write its row: %w", id, err)
	}
	msg := "recorded as applied: it squashes " + strings.Join(rw.Revision.Replaces, ", ") + ", all applied (no SQL run)"
	if _, err := q.ExecContext(ctx, s.q.insertLog, id, "stamp", now, now, true, msg, s.who, s.opts.Version); err != nil {
		return fmt.Errorf("record squashed revision %s: log it: %w", id, err)
	}
	state.set(Row{Revision: id, Checksum: rw.Revision.Checksum, AppliedAt: at, DurationMS: ms, State: StateApplied})
	s.emit(Event{Kind: EventSquash, Revision: id, Message: fmt.Sprintf("recorded squashed revision %s in place of %s, all applied", id, strings.Join(rw.Replaces, ", "))})
	return nil
}

// rewriteAlone runs rewrite in a transaction of its own, under the
// session's lock (PostgreSQL, MySQL), before a run's steps.
func (s *session) rewriteAlone(ctx context.Context, rws []revision.Rewrite, state *State) error {
	if len(rws) == 0 {
		return nil
	}
	if s.who == "" {
		s.who = s.whoAmI(ctx, s.conn)
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if err := s.rewrite(ctx, tx, rws, state); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record squashed revisions: commit: %w", err)
	}
	return nil
}
