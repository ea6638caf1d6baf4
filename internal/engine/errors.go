package engine

import (
	"errors"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// Sentinel errors, each matched by its typed error's Is method. The root
// package names them for applications and documents each one there
// (retort.ErrMultipleHeads, ...); this block only says where they come
// from, so that the two lists cannot say different things.
var (
	ErrMultipleHeads         = revision.ErrMultipleHeads       // *MultipleHeadsError
	ErrUnknownRevision       = revision.ErrUnknownRevision     // *NotFoundError, *AmbiguousError, *UnknownLabelError
	ErrIrreversible          = revision.ErrIrreversible        // *IrreversibleError
	ErrLockTimeout           = dialect.ErrLockTimeout          // *LockTimeoutError
	ErrGoRevisionUnavailable = runner.ErrGoRevisionUnavailable // *GoUnavailableError
	ErrPartial               = runner.ErrPartial               // *PartialError
	ErrInvalidOption         = errors.New("invalid option")    // *OptionError
	ErrNoRevisions           = errors.New("no revisions found: check the fs.FS passed to retort.New (for a project made by retort init: fs.Sub(os.DirFS(\"migrations\"), \"versions\"))")
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
