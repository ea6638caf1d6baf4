package revision

import "github.com/retortdb/retort/internal/script"

// Branch returns the revisions the branch label covers, in topological
// order (parents first): the labelled revision, its descendants through
// Revises, and its ancestors down to the preceding branch point or merge,
// as "LABEL@head" and "LABEL@base" see the branch. An unknown label is an
// *UnknownLabelError.
func (g *Graph) Branch(label string) ([]*script.Revision, error) {
	mark, _, err := g.branch(label)
	if err != nil {
		return nil, err
	}
	return revs(g.collect(mark, false)), nil
}
