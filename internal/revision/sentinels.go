package revision

import "errors"

// Sentinels for the typed errors of this package: each typed error
// matches its sentinel with errors.Is through its Is method, so callers
// that only branch need not know the type.
var (
	// ErrMultipleHeads: a target that needs one head met several
	// (*MultipleHeadsError).
	ErrMultipleHeads = errors.New("multiple heads")
	// ErrUnknownRevision: a target or id names no revision
	// (*NotFoundError, *AmbiguousError, *UnknownLabelError).
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrIrreversible: a downgrade passes through a revision that cannot
	// be reverted (*IrreversibleError).
	ErrIrreversible = errors.New("irreversible revision")
)

// Is reports whether target is ErrMultipleHeads.
func (e *MultipleHeadsError) Is(target error) bool { return target == ErrMultipleHeads }

// Is reports whether target is ErrUnknownRevision.
func (e *NotFoundError) Is(target error) bool { return target == ErrUnknownRevision }

// Is reports whether target is ErrUnknownRevision.
func (e *AmbiguousError) Is(target error) bool { return target == ErrUnknownRevision }

// Is reports whether target is ErrUnknownRevision.
func (e *UnknownLabelError) Is(target error) bool { return target == ErrUnknownRevision }

// Is reports whether target is ErrIrreversible.
func (e *IrreversibleError) Is(target error) bool { return target == ErrIrreversible }
