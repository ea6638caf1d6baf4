package runner

import "errors"

// Sentinels for the typed errors of this package, matched with errors.Is
// through each type's Is method.
var (
	// ErrPartial: a revision stopped part-way by an earlier run blocks the
	// plan (*PartialError).
	ErrPartial = errors.New("revision partially applied")
	// ErrGoRevisionUnavailable: a plan passes through a Go revision whose
	// functions are not registered (*GoUnavailableError).
	ErrGoRevisionUnavailable = errors.New("Go revision not available")
)

// Is reports whether target is ErrPartial.
func (e *PartialError) Is(target error) bool { return target == ErrPartial }

// Is reports whether target is ErrGoRevisionUnavailable.
func (e *GoUnavailableError) Is(target error) bool { return target == ErrGoRevisionUnavailable }
