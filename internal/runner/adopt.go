package runner

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/retortdb/retort/dialect"
)

// AdoptPlan is what an adoption writes, as its check decided it.
type AdoptPlan struct {
	// IDs is the applied set the revisions table is to hold, as Stamp's.
	IDs []string
	// Note is the log message of each revision recorded.
	Note string
	// Drop are the statements that remove the other tool's version
	// table; none leaves it in place.
	Drop []string
	// DropNote is the log message of the drop, written against each
	// revision of DropLogAt once the statements ran.
	DropNote  string
	DropLogAt []string
}

// AdoptCheck looks at the database under the migration lock, before
// anything is written, and returns what to write; nil writes nothing. It
// runs on the session's connection: outside any transaction where the
// lock is the session's (PostgreSQL, MySQL), inside the locked
// transaction where Begin is the lock (SQLite). st is retort's record.
type AdoptCheck func(ctx context.Context, conn *sql.Conn, st *State) (*AdoptPlan, error)

// Adopt records what another tool's version table says is applied, as
// check decides it, in one locked transaction, without running any
// revision's SQL: the rows are written as Stamp writes them, logged with
// direction "stamp" and the plan's note. A revision of retort's record
// left part-way is refused. The plan's Drop statements run in the same
// transaction where the dialect's DDL is transactional (PostgreSQL,
// SQLite: a failure after them undoes them and the record); elsewhere
// (MySQL, whose DDL commits by itself) they run once the record has
// committed, still under the lock, and a failure of theirs leaves the
// record in place. Adopt returns the revisions it recorded.
func (r *Runner) Adopt(ctx context.Context, check AdoptCheck) ([]string, error) {
	var (
		plan     *AdoptPlan
		recorded []string
	)
	inTx := r.d.Capabilities().TransactionalDDL
	err := r.settle(ctx, settleSteps{
		look: func(ctx context.Context, conn *sql.Conn, st *State) error {
			if err := refusePartial(st); err != nil {
				return err
			}
			var err error
			plan, err = check(ctx, conn, st)
			return err
		},
		write: func(s *session, tx dialect.Tx, st *State) error {
			if plan == nil {
				return nil
			}
			var err error
			if recorded, err = s.stampRows(ctx, tx, st, plan.IDs, plan.Note); err != nil || !inTx {
				return err
			}
			return s.dropOld(ctx, tx, plan)
		},
		after: func(s *session) error {
			if plan == nil || inTx {
				return nil
			}
			return s.dropOld(ctx, s.conn, plan)
		},
	})
	return recorded, err
}

// dropOld runs the plan's Drop statements on q and logs them.
func (s *session) dropOld(ctx context.Context, q execer, plan *AdoptPlan) error {
	if len(plan.Drop) == 0 {
		return nil
	}
	for _, stmt := range plan.Drop {
		if _, err := q.ExecContext(ctx, stmt); err != nil {
			return &DropError{Statement: stmt, Committed: !s.d.Capabilities().TransactionalDDL, Err: err}
		}
	}
	now := time.Now().UTC()
	for _, id := range plan.DropLogAt {
		if _, err := q.ExecContext(ctx, s.q.insertLog, id, "stamp", now, now, true, plan.DropNote, s.who, s.opts.Version); err != nil {
			return &DropError{Statement: "log the drop", Committed: !s.d.Capabilities().TransactionalDDL, Err: err}
		}
	}
	return nil
}

// DropError is a failure while dropping another tool's version table
// after adopting it, or logging that drop.
type DropError struct {
	// Statement is the statement that failed.
	Statement string
	// Committed is set when the adoption's record had committed before
	// (MySQL): the record stays. Otherwise the whole adoption was undone.
	Committed bool
	Err       error
}

// Error says what failed and what was kept.
func (e *DropError) Error() string {
	if e.Committed {
		return fmt.Sprintf("the adoption is recorded, but %s failed: %v", e.Statement, e.Err)
	}
	return fmt.Sprintf("%s failed: %v; the adoption was undone with it (nothing was recorded or dropped)", e.Statement, e.Err)
}

// Unwrap returns the database's error.
func (e *DropError) Unwrap() error { return e.Err }
