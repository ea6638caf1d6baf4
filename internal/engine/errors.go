package engine

import (
	"errors"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// Sentinel errors. The Migrator's methods return typed errors (below) that
// carry the details; each typed error matches its sentinel with errors.Is,
// so a caller that only needs to branch can compare with these.
var (
	// ErrMultipleHeads: a target that needs one head ("head", "+1", "-1")
	// met several. The typed error is *MultipleHeadsError.
	ErrMultipleHeads = revision.ErrMultipleHeads
	// ErrUnknownRevision: a target or revision id names no revision. The
	// typed errors are *NotFoundError, *AmbiguousError and
	// *UnknownLabelError.
	ErrUnknownRevision = revision.ErrUnknownRevision
	// ErrIrreversible: a downgrade passes through a revision that cannot be
	// reverted. The typed error is *IrreversibleError.
	ErrIrreversible = revision.ErrIrreversible
	// ErrLockTimeout: another migrator held the migration lock for longer
	// than the lock timeout. The typed error is *LockTimeoutError.
	ErrLockTimeout = dialect.ErrLockTimeout
	// ErrGoRevisionUnavailable: a plan passes through a Go revision known
	// only from its placeholder file, without its functions (see
	// GoRevision). The typed error is *GoUnavailableError.
	ErrGoRevisionUnavailable = runner.ErrGoRevisionUnavailable
	// ErrPartial: a revision stopped part-way by an earlier run blocks the
	// plan. The typed error is *PartialError.
	ErrPartial = runner.ErrPartial
	// ErrNoRevisions: New found no revisions (an empty or wrong fsys, and
	// no Go revisions) and WithAllowEmpty was not given.
	ErrNoRevisions = errors.New("no revisions found: check the fs.FS passed to retort.New (for a project made by retort init: fs.Sub(os.DirFS(\"migrations\"), \"versions\"))")
	// ErrInvalidOption: New was given an option it refuses (a negative
	// lock timeout, an empty version-table name, a source given twice).
	// The typed error is *OptionError.
	ErrInvalidOption = errors.New("invalid option")
)

// OptionError is an option that New refused.
type OptionError struct {
	// Option is the option's name ("WithLockTimeout").
	Option string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the option and the reason.
func (e *OptionError) Error() string { return "retort." + e.Option + ": " + e.Reason }

// Is reports whether target is ErrInvalidOption.
func (e *OptionError) Is(target error) bool { return target == ErrInvalidOption }

func optionError(option, reason string) error { return &OptionError{Option: option, Reason: reason} }

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
	// have run: settle it with Migrator.ResolveStatementRan or
	// ResolveStatementNotRun.
	InFlightError = runner.InFlightError
	// EditedStatementError is a revision stopped part-way whose file
	// changed in a statement that already ran: it is not resumed until the
	// file is put back or the revision is settled with
	// Migrator.ResolveRolledBack or ResolveApplied.
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
	// NonLinearError is a range that Squash cannot replace with one
	// revision: a merge, a branch point or a dependency inside it.
	NonLinearError = revision.NonLinearError
	// ReplacedError is a target that names a revision inside a squashed
	// range, which no database is at on its own.
	ReplacedError = revision.ReplacedError
	// OriginalsGoneError is a database that applied part of a squashed
	// range whose files are deleted.
	OriginalsGoneError = revision.OriginalsGoneError
	// SquashError is a squashed revision (Replaces) the graph cannot hold.
	SquashError = revision.SquashError
	// OnlineRefusedError is a change that GenerateOptions.Online cannot
	// write in a form that keeps writes going (MySQL/MariaDB: a change
	// that only ALGORITHM=COPY or LOCK=SHARED can make), with the
	// alternatives.
	OnlineRefusedError = lint.OnlineRefusedError
)
