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
	// Needs are, for an upgrade step, the revisions that must be applied
	// before it: its parents and dependencies in the graph, where a
	// squashed revision stands for the revisions it replaces (so they may
	// differ from the ids its header names).
	Needs []string
}

// Plan is the ordered steps from one state of the database to another.
type Plan struct {
	// Steps run in order: for an upgrade, parents and dependencies first;
	// for a downgrade, children and dependents first.
	Steps []Step
	// Rewrites are squashed revisions to record in place of the
	// revisions they replace, all applied, before the steps run.
	Rewrites []Rewrite
}
