package retort

import "github.com/retortdb/retort/internal/engine"

// Sentinel errors. The Migrator's methods return typed errors (below) that
// carry the details; each typed error matches its sentinel with errors.Is,
// so a caller that only needs to branch can compare with these.
var (
	// ErrMultipleHeads: a target that needs one head ("head", "+1", "-1")
	// met several. The typed error is *MultipleHeadsError.
	ErrMultipleHeads = engine.ErrMultipleHeads
	// ErrUnknownRevision: a target or revision id names no revision. The
	// typed errors are *NotFoundError, *AmbiguousError and
	// *UnknownLabelError.
	ErrUnknownRevision = engine.ErrUnknownRevision
	// ErrIrreversible: a downgrade passes through a revision that cannot be
	// reverted. The typed error is *IrreversibleError.
	ErrIrreversible = engine.ErrIrreversible
	// ErrLockTimeout: another migrator held the migration lock for longer
	// than the lock timeout. The typed error is *LockTimeoutError.
	ErrLockTimeout = engine.ErrLockTimeout
	// ErrGoRevisionUnavailable: a plan passes through a Go revision known
	// only from its placeholder file, without its functions. The typed
	// error is *GoUnavailableError.
	ErrGoRevisionUnavailable = engine.ErrGoRevisionUnavailable
	// ErrPartial: a revision stopped part-way by an earlier run blocks the
	// plan. The typed error is *PartialError.
	ErrPartial = engine.ErrPartial
	// ErrNoRevisions: New found no revisions (an empty or wrong fsys, and
	// no Go revisions) and WithAllowEmpty was not given.
	ErrNoRevisions = engine.ErrNoRevisions
	// ErrInvalidOption: New was given an option it refuses. The typed
	// error is *OptionError.
	ErrInvalidOption = engine.ErrInvalidOption
	// ErrNoDatabase: a method that needs a database was called on a
	// Migrator made without one.
	ErrNoDatabase = engine.ErrNoDatabase
	// ErrAdoptDrift: Adopt found that the live schema differs from what
	// the applied revisions produce, and recorded nothing. The typed error
	// is *AdoptDriftError.
	ErrAdoptDrift = engine.ErrAdoptDrift
	// ErrDifferences: FleetVerify or FleetDrift found differences on a
	// target. The typed error is *DifferencesError.
	ErrDifferences = engine.ErrDifferences
	// ErrInsideRange: a database applied part of the revisions a squashed
	// revision replaces, and needs their files to go on. The typed error
	// is *InsideRangeError.
	ErrInsideRange = engine.ErrInsideRange
	// ErrNoTenantSchemas: TenantSchemaTargets found no schema matching
	// its pattern.
	ErrNoTenantSchemas = engine.ErrNoTenantSchemas
	// ErrSquashRefused: Squash met a revision it cannot put into a
	// squashed revision. The typed error is *SquashRefusedError.
	ErrSquashRefused = engine.ErrSquashRefused
)

// The typed errors. Each is defined where retort raises it and named here;
// their fields hold plain values (ids, paths, line numbers, SQL text,
// Direction), and each matches its sentinel above with errors.Is.
type (
	// OptionError is an option that New refused.
	OptionError = engine.OptionError
	// StatementError is a statement of a revision that failed: the
	// revision, its file, the statement's number and line, the SQL.
	StatementError = engine.StatementError
	// GoFuncError is a Go revision's function that failed.
	GoFuncError = engine.GoFuncError
	// GoUnavailableError is a Go revision known only from its
	// placeholder file (ErrGoRevisionUnavailable).
	GoUnavailableError = engine.GoUnavailableError
	// PartialError is a revision stopped part-way that blocks the plan
	// (ErrPartial).
	PartialError = engine.PartialError
	// InFlightError is a statement an earlier run started without knowing
	// whether it ran (MySQL DDL): resolve it first.
	InFlightError = engine.InFlightError
	// EditedStatementError is a statement that already ran in a partial
	// revision and was edited since.
	EditedStatementError = engine.EditedStatementError
	// InterruptedError is a run stopped by its context between statements.
	InterruptedError = engine.InterruptedError
	// DropError is a table Adopt could not drop after recording.
	DropError = engine.DropError
	// LockTimeoutError is a migration lock wait that timed out
	// (ErrLockTimeout).
	LockTimeoutError = engine.LockTimeoutError
	// MultipleHeadsError is a target that needs one head meeting several
	// (ErrMultipleHeads).
	MultipleHeadsError = engine.MultipleHeadsError
	// NotFoundError is a target or id that names no revision
	// (ErrUnknownRevision).
	NotFoundError = engine.NotFoundError
	// AmbiguousError is an id prefix of several revisions
	// (ErrUnknownRevision).
	AmbiguousError = engine.AmbiguousError
	// UnknownLabelError is a LABEL@... target with no such branch label
	// (ErrUnknownRevision).
	UnknownLabelError = engine.UnknownLabelError
	// IrreversibleError is a downgrade through a revision that cannot be
	// reverted (ErrIrreversible).
	IrreversibleError = engine.IrreversibleError
	// NonLinearError is a range that is not a straight line of revisions.
	NonLinearError = engine.NonLinearError
	// ParseError is a revision file that does not parse: file and line.
	ParseError = engine.ParseError
	// ReplacedError names a revision a squashed revision replaced.
	ReplacedError = engine.ReplacedError
	// OriginalsGoneError is a database inside a squashed range whose
	// original files were deleted.
	OriginalsGoneError = engine.OriginalsGoneError
	// SquashError is a squashed revision whose header is wrong.
	SquashError = engine.SquashError
	// SquashRefusedError is a revision Squash cannot put into a squashed
	// revision (ErrSquashRefused).
	SquashRefusedError = engine.SquashRefusedError
	// SquashVerifyError is a squashed revision that did not prove itself
	// on the scratch database.
	SquashVerifyError = engine.SquashVerifyError
	// InsideRangeError is a database inside a squashed range
	// (ErrInsideRange).
	InsideRangeError = engine.InsideRangeError
	// VerifyError is a generated revision that failed its verification
	// on the scratch database.
	VerifyError = engine.VerifyError
	// BackfillError names columns that need a value for existing rows.
	BackfillError = engine.BackfillError
	// BackfillSQLError is a --backfill value that is not valid SQL.
	BackfillSQLError = engine.BackfillSQLError
	// EmptyDesiredError is an empty desired schema over a non-empty head.
	EmptyDesiredError = engine.EmptyDesiredError
	// UnrepresentedError names objects retort cannot represent, each with
	// its file and line.
	UnrepresentedError = engine.UnrepresentedError
	// OnlineRefusedError is a change GenerateOptions.Online cannot make
	// online.
	OnlineRefusedError = engine.OnlineRefusedError
	// AdoptError is another tool's version table Adopt refuses.
	AdoptError = engine.AdoptError
	// AdoptDriftError is a live schema that differs from what the other
	// tool's applied revisions produce (ErrAdoptDrift).
	AdoptDriftError = engine.AdoptDriftError
	// DifferencesError is a fleet target with differences
	// (ErrDifferences).
	DifferencesError = engine.DifferencesError
	// FleetError is a fleet run that stopped: how many targets failed.
	FleetError = engine.FleetError
)
