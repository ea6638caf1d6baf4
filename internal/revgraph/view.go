// Package revgraph draws the revision graph: as Mermaid and Graphviz DOT
// text for other tools to lay out, and as a self-contained SVG that it
// lays out itself (no Graphviz needed).
//
// Every format draws the newest revisions on top, as "retort history"
// lists them, with edges from a parent (or a Depends-On dependency,
// dashed) to the revision that needs it.
package revgraph

import (
	"slices"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

// Node is one revision in a View.
type Node struct {
	// ID and Message are the revision's.
	ID, Message string
	// Labels are its branch labels.
	Labels []string
	// Head: no revision revises it. Base: it revises none. Merge: it
	// revises two or more.
	Head, Base, Merge bool
	// Applied: the database has it. Current: the database is at it.
	Applied, Current bool
	// Ghost: outside the part drawn (--since, --branch), shown only as
	// the parent or dependency of a revision that is drawn.
	Ghost bool
}

// Edge joins a parent (or dependency) to the revision that needs it.
type Edge struct {
	// From is the parent or dependency, To the revision that names it.
	From, To string
	// DependsOn: a Depends-On edge, not a Revises one.
	DependsOn bool
}

// View is the part of a graph to draw.
type View struct {
	// Nodes are in topological order, parents first.
	Nodes []*Node
	// Edges are in the order of their revision, then header order.
	Edges []Edge
	// Database: applied and current are known (else every revision is
	// drawn alike).
	Database bool
}

// Options select what Build puts in a View.
type Options struct {
	// Only, when not nil, limits the view to these revisions (and their
	// parents and dependencies, as ghosts).
	Only []*script.Revision
	// Applied and Current are the database's applied revisions and the
	// revisions it is at; Database says they were read.
	Applied, Current []string
	Database         bool
}

// Build makes the view of g that opts select: the revisions shown
// (shownSet), the edges into them with the revisions outside the
// selection they reach as ghosts (edgesInto), and a node for each.
func Build(g *revision.Graph, opts Options) *View {
	all := g.Revisions()
	shown := shownSet(all, opts.Only)
	v := &View{Database: opts.Database}
	ghost := v.edgesInto(g, all, shown)
	for _, r := range all {
		if !shown[r.ID] && !ghost[r.ID] {
			continue
		}
		v.Nodes = append(v.Nodes, &Node{
			ID: r.ID, Message: r.Message, Labels: r.Branches,
			Head:    len(g.Children(r.ID)) == 0,
			Base:    len(g.Parents(r.ID)) == 0,
			Merge:   len(g.Parents(r.ID)) > 1,
			Applied: slices.Contains(opts.Applied, r.ID),
			Current: slices.Contains(opts.Current, r.ID),
			Ghost:   ghost[r.ID],
		})
	}
	return v
}

// shownSet is the ids of only, or of all when only is nil.
func shownSet(all, only []*script.Revision) map[string]bool {
	if only == nil {
		only = all
	}
	shown := make(map[string]bool, len(only))
	for _, r := range only {
		shown[r.ID] = true
	}
	return shown
}

// edgesInto adds the graph's edges into each shown revision (a squashed
// revision stands for the revisions it replaces, which a header may still
// name) and returns which of their ends are ghosts: not shown.
func (v *View) edgesInto(g *revision.Graph, all []*script.Revision, shown map[string]bool) map[string]bool {
	ghost := map[string]bool{}
	for _, r := range all {
		if !shown[r.ID] {
			continue
		}
		for _, p := range g.Parents(r.ID) {
			v.Edges = append(v.Edges, Edge{From: p, To: r.ID})
			ghost[p] = !shown[p]
		}
		for _, d := range g.Dependencies(r.ID) {
			v.Edges = append(v.Edges, Edge{From: d, To: r.ID, DependsOn: true})
			ghost[d] = !shown[d]
		}
	}
	return ghost
}

// marks are the words after a revision's message: labels, head, base,
// merge, current.
func (n *Node) marks() []string {
	var m []string
	for _, l := range n.Labels {
		m = append(m, "("+l+")")
	}
	if n.Ghost {
		return append(m, "(not in this part)")
	}
	if n.Head {
		m = append(m, "(head)")
	}
	if n.Base {
		m = append(m, "(base)")
	}
	if n.Merge {
		m = append(m, "(mergepoint)")
	}
	if n.Current {
		m = append(m, "(current)")
	}
	return m
}
