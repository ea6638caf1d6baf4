package retort

import (
	"errors"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/revision"
	"github.com/retortdb/retort/runner"
	"github.com/retortdb/retort/script"
)

// Sentinel errors. The Migrator's methods return typed errors (below) that
// carry the details; errors.Is finds the matching sentinel in them, so a
// caller that only needs to branch can compare with these.
var (
	// ErrMultipleHeads: a target that needs one head ("head", "+1", "-1")
	// met several. The typed error is *MultipleHeadsError.
	ErrMultipleHeads = errors.New("multiple heads")
	// ErrUnknownRevision: a target or revision id names no revision. The
	// typed errors are *revision.NotFoundError, *revision.AmbiguousError and
	// *revision.UnknownLabelError.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrIrreversible: a downgrade passes through a revision that cannot be
	// reverted. The typed error is *IrreversibleError.
	ErrIrreversible = errors.New("irreversible revision")
	// ErrLockTimeout: another migrator held the migration lock for longer
	// than the lock timeout. The typed error is *LockTimeoutError.
	ErrLockTimeout = dialect.ErrLockTimeout
	// ErrGoRevisionUnavailable: a plan passes through a Go revision known
	// only from its placeholder file, without its functions (see
	// GoRevision). The typed error is *GoUnavailableError.
	ErrGoRevisionUnavailable = errors.New("Go revision not available")
	// ErrPartial: a revision stopped part-way by an earlier run blocks the
	// plan. The typed error is *PartialError.
	ErrPartial = errors.New("revision partially applied")
)

// Typed errors, found with errors.As.
type (
	// MultipleHeadsError is a target that needs one head where there are
	// several.
	MultipleHeadsError = revision.MultipleHeadsError
	// IrreversibleError is a downgrade through a revision without a usable
	// downgrade.
	IrreversibleError = revision.IrreversibleError
	// LockTimeoutError is a migration lock not taken in time.
	LockTimeoutError = dialect.LockTimeoutError
	// PartialError is a revision left part-way that blocks the plan.
	PartialError = runner.PartialError
	// InFlightError is a revision whose record says a statement that
	// commits by itself (MySQL/MariaDB DDL) was started and may or may not
	// have run: settle it with Migrator.ResolveStatement.
	InFlightError = runner.InFlightError
	// EditedStatementError is a revision stopped part-way whose file
	// changed in a statement that already ran: it is not resumed until the
	// file is put back or the revision is settled with Migrator.Resolve.
	EditedStatementError = runner.EditedStatementError
	// InterruptedError is a run stopped by its context (a signal), with
	// where it stopped and what the database holds.
	InterruptedError = runner.InterruptedError
	// GoFuncError is a Go revision's function that failed or panicked.
	GoFuncError = runner.GoFuncError
	// GoUnavailableError is a plan through a Go revision whose functions
	// are not registered with this Migrator.
	GoUnavailableError = runner.GoUnavailableError
	// ParseError is a malformed revision file.
	ParseError = script.ParseError
)

// sentinelError adds a sentinel to an error's chain, keeping its text and
// its typed error.
type sentinelError struct {
	err      error
	sentinel error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.err, e.sentinel} }

// classify returns err with the sentinel of its typed error added, so that
// both errors.Is(err, ErrX) and errors.As(err, &typed) work.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var (
		mh *revision.MultipleHeadsError
		nf *revision.NotFoundError
		am *revision.AmbiguousError
		ul *revision.UnknownLabelError
		ir *revision.IrreversibleError
		gu *runner.GoUnavailableError
		pe *runner.PartialError
	)
	var s error
	switch {
	case errors.As(err, &mh):
		s = ErrMultipleHeads
	case errors.As(err, &nf), errors.As(err, &am), errors.As(err, &ul):
		s = ErrUnknownRevision
	case errors.As(err, &ir):
		s = ErrIrreversible
	case errors.As(err, &gu):
		s = ErrGoRevisionUnavailable
	case errors.As(err, &pe):
		s = ErrPartial
	default:
		return err
	}
	if errors.Is(err, s) {
		return err
	}
	return &sentinelError{err: err, sentinel: s}
}
