package runner

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// GoFuncError reports a Go revision's function that failed (or panicked).
type GoFuncError struct {
	// Revision is the revision id.
	Revision string
	// Direction of the step that failed.
	Direction revision.Direction
	// Note says what happened to the database.
	Note string
	// Err is the function's error.
	Err error
}

// Error implements error.
func (e *GoFuncError) Error() string {
	s := fmt.Sprintf("Go revision %s failed in its %s function: %v", e.Revision, e.Direction, e.Err)
	if e.Note != "" {
		s += "\n" + e.Note
	}
	return s
}

// Unwrap returns Err.
func (e *GoFuncError) Unwrap() error { return e.Err }

// GoUnavailableError reports a plan through a Go revision whose functions
// are not there: its placeholder file was loaded without the application
// that registers it (the standalone retort binary).
type GoUnavailableError struct {
	// Revision is the revision id; Path its placeholder file.
	Revision, Path string
	// Direction of the refused step.
	Direction revision.Direction
}

// Error says to run the application's own command.
func (e *GoUnavailableError) Error() string {
	return fmt.Sprintf("revision %s (%s) is written in Go and belongs to the application: this %s needs it, so run the application's own \"db %s\" command; nothing was run", e.Revision, e.Path, e.Direction, e.Direction)
}

// GoOfflineError reports an offline script asked to include a Go revision.
type GoOfflineError struct {
	// Revision is the revision id.
	Revision string
}

// Error implements error.
func (e *GoOfflineError) Error() string {
	return fmt.Sprintf("revision %s is written in Go: an offline SQL script cannot include it; stop the range before it, or run it with the application's \"db upgrade\"", e.Revision)
}

// compileGo checks a step through a Go revision: its functions must be
// there, and its file (a placeholder) must hold no SQL.
func compileGo(d dialect.Dialect, st *step) error {
	rev := st.rev
	for _, sec := range []script.Section{rev.Up, rev.Down} {
		stmts, err := sqlsplit.Split(sec.SQL, d.Splitter())
		if err == nil && len(stmts) > 0 {
			return fmt.Errorf("%s:%d: revision %s is a Go revision (Go: true), so its file holds only its header and comments, no SQL: move the statements into its Go functions or into a revision of their own", rev.Path, sec.Line+stmts[0].Line-1, rev.ID)
		}
	}
	g := rev.GoFuncs
	if g == nil {
		return &GoUnavailableError{Revision: rev.ID, Path: rev.Path, Direction: st.Direction}
	}
	fn := g.Up != nil || g.UpConn != nil
	if st.Direction == revision.Down {
		fn = g.Down != nil || g.DownConn != nil
	}
	if !fn {
		return &revision.IrreversibleError{Revision: rev.ID, Path: rev.Path}
	}
	return nil
}

// isGo reports whether the step runs Go functions.
func (s *step) isGo() bool { return s.rev.Go }

// count is the number of units the step records in statements_done: its
// statements, or 1 for a Go function.
func (s *step) count() int {
	if s.isGo() {
		return 1
	}
	return len(s.stmts)
}

// inTx reports whether the step runs in one transaction with its version
// rows: SQL steps where DDL is transactional and the revision allows it,
// Go steps whose functions take a *sql.Tx (on every dialect).
func (s *step) inTx(d dialect.Dialect) bool {
	if s.isGo() {
		g := s.rev.GoFuncs
		if s.Direction == revision.Down {
			return g.Down != nil
		}
		return g.Up != nil
	}
	return d.Capabilities().TransactionalDDL && !s.rev.NoTransaction
}

// beginStep begins a step's transaction. A Go step gets a *sql.Tx: the
// dialect's Begin where it returns one (PostgreSQL, MySQL), else the
// dialect's BeginSQLTx (SQLite).
func (s *session) beginStep(ctx context.Context, st *step) (dialect.Tx, *sql.Tx, error) {
	if !st.isGo() {
		tx, err := s.begin(ctx)
		return tx, nil, err
	}
	if b, ok := s.d.(dialect.SQLTxBeginner); ok {
		tx, err := b.BeginSQLTx(ctx, s.conn, s.opts.Tables.Revisions, s.opts.LockTimeout, s.onLockWait)
		if err != nil {
			return nil, nil, err
		}
		return tx, tx.SQL(), nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	if stx, ok := tx.(*sql.Tx); ok {
		return tx, stx, nil
	}
	tx.Rollback()
	return nil, nil, fmt.Errorf("%s: the dialect cannot give Go revision %s a *sql.Tx", s.d.Name(), st.id())
}

// callGo runs a Go step's function in tx (nil for the connection form),
// turning a panic into an error.
func (s *session) callGo(ctx context.Context, st *step, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	g := st.rev.GoFuncs
	switch {
	case st.Direction == revision.Down && tx != nil:
		return g.Down(ctx, tx)
	case st.Direction == revision.Down:
		return g.DownConn(ctx, s.conn)
	case tx != nil:
		return g.Up(ctx, tx)
	default:
		return g.UpConn(ctx, s.conn)
	}
}

// stepError builds the error of unit i of a step: a *StatementError for
// SQL, a *GoFuncError for a Go function.
func (s *session) stepError(ctx context.Context, st *step, i int, err error, note string) error {
	if st.isGo() {
		return &GoFuncError{Revision: st.id(), Direction: st.Direction, Note: strings.TrimSpace(note), Err: err}
	}
	return s.statementError(ctx, st, i, err, note)
}

// runUnit runs unit i of a step: a statement, or the Go function.
func (s *session) runUnit(ctx context.Context, st *step, i int, q execer, tx *sql.Tx) error {
	if st.isGo() {
		return s.callGo(ctx, st, tx)
	}
	_, err := q.ExecContext(ctx, st.stmts[i].Text)
	return err
}
