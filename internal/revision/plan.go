package revision

import "github.com/retortdb/retort/internal/script"

// Direction says whether a step applies or reverts its revision.
type Direction int

const (
	// Up applies the revision's upgrade section.
	Up Direction = iota + 1
	// Down applies the revision's downgrade section.
	Down
)

// String returns "upgrade" or "downgrade".
func (d Direction) String() string {
	if d == Down {
		return "downgrade"
	}
	return "upgrade"
}

// Step is one revision applied or reverted.
type Step struct {
	// Revision is the revision to apply or revert.
	Revision *script.Revision
	// Direction says which of its sections runs.
	Direction Direction
}

// Plan is the ordered steps from one state of the database to another.
type Plan struct {
	// Steps run in order: for an upgrade, parents and dependencies first;
	// for a downgrade, children and dependents first.
	Steps []Step
}
