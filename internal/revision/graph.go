// Package revision is the revision graph: heads, bases, branches, target
// expressions ("head", "-1", "ae1f+2", "LABEL@head") and plans that take a
// database from its set of applied revisions to a target.
//
// Edges: a revision's Revises are its parents; its Depends-On are
// dependencies, which must be applied first but do not make it part of
// their branch (as Alembic's depends_on). Heads, bases, branch points,
// children and steps of relative targets follow Revises only; ancestors,
// plans and history follow both.
//
// The database's state is the set of applied revision ids. Upgrade to a
// target applies the target and everything it needs that is not applied,
// parents first. Downgrade to a target reverts every applied revision that
// needs the target, children first, and keeps the target; "-N" reverts the
// current head and the N-1 revisions below it, so "-1" at a merge reverts
// only the merge, as in Alembic. A branch label covers the revision that
// declares it, its descendants, and its ancestors down to the preceding
// branch point, as in Alembic: "LABEL@head" is the head of that branch and
// "LABEL@base" its lowest revision.
package revision

import (
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// Graph is a validated revision DAG. It is immutable and safe for
// concurrent use.
type Graph struct {
	nodes  []*node          // in topological order: parents before children
	byID   map[string]*node //
	ids    []string         // all ids, sorted, for prefix lookup
	labels map[string]*node // branch label -> the revision that declares it
	// all are the revisions given to New, in their order: the views that
	// expand a squashed revision are built from them (squash.go).
	all []*script.Revision
	// files holds every revision by id, the ones that a squashed
	// revision stands in for included, and fileIDs their sorted ids.
	files   map[string]*script.Revision
	fileIDs []string
	// squashes are the squashed revisions of this view, in input order,
	// and replacedBy maps every id they replace to its squash.
	squashes   []*squash
	replacedBy map[string]*squash
	// redirect maps an id that is no revision of this view to the one
	// that stands for it there: a replaced revision to its squashed
	// revision or, in a view that expands a squash, the squashed
	// revision to the last revision it replaces.
	redirect map[string]string
}

type node struct {
	rev        *script.Revision
	index      int     // position in Graph.nodes
	file       int     // position in the slice given to New
	parents    []*node // Revises, in header order
	deps       []*node // Depends-On not already in Revises, in header order
	children   []*node // revisions that revise this one, topological order
	dependents []*node // revisions that depend on this one, topological order
}

// New builds and validates the graph of revs. The order of revs (file-name
// order from script.LoadDir) breaks ties in the topological order, so plans
// and listings are deterministic. Errors: *script.DuplicateIDError,
// *MissingError, *SelfReferenceError, *CycleError, *DuplicateLabelError,
// *SquashError.
//
// A revision with Replaces (a squashed revision) stands for the linear
// range of revisions it lists: the graph holds it in their place, and an
// edge to any of them leads to it (see squash.go for the databases that
// applied part of the range).
func New(revs []*script.Revision) (*Graph, error) {
	return buildView(revs, nil)
}

// buildView makes the view of revs in which the squashed revisions named in
// expand give way to the revisions they replace (nil: none). The files
// are indexed (indexFiles), the visible revisions become nodes
// (addNodes), linked (link), sorted (sort), and given their reverse
// edges (linkChildren).
func buildView(revs []*script.Revision, expand map[string]bool) (*Graph, error) {
	g := &Graph{
		byID:       make(map[string]*node, len(revs)),
		labels:     make(map[string]*node),
		all:        revs,
		files:      make(map[string]*script.Revision, len(revs)),
		fileIDs:    make([]string, 0, len(revs)),
		replacedBy: map[string]*squash{},
		redirect:   map[string]string{},
	}
	if err := g.indexFiles(revs); err != nil {
		return nil, err
	}
	hidden, err := g.squashViews(expand)
	if err != nil {
		return nil, err
	}
	all := g.addNodes(revs, hidden)
	if err := g.link(all); err != nil {
		return nil, err
	}
	if err := g.sort(all); err != nil {
		return nil, err
	}
	linkChildren(g.nodes)
	return g, nil
}

// indexFiles indexes every revision file by id, refusing a bad or
// duplicate id.
func (g *Graph) indexFiles(revs []*script.Revision) error {
	for _, r := range revs {
		if err := script.CheckID(r.ID); err != nil {
			return fmt.Errorf("%s: %w", r.Path, err)
		}
		if prev, ok := g.files[r.ID]; ok {
			return &script.DuplicateIDError{ID: r.ID, Paths: [2]string{prev.Path, r.Path}}
		}
		g.files[r.ID] = r
		g.fileIDs = append(g.fileIDs, r.ID)
	}
	sort.Strings(g.fileIDs)
	return nil
}

// addNodes makes a node of each revision not hidden by a squash, in file
// order, and returns them.
func (g *Graph) addNodes(revs []*script.Revision, hidden map[string]bool) []*node {
	all := make([]*node, 0, len(revs))
	for _, r := range revs {
		if hidden[r.ID] {
			continue
		}
		n := &node{rev: r, file: len(all)}
		all = append(all, n)
		g.byID[r.ID] = n
	}
	g.ids = make([]string, 0, len(all))
	for _, n := range all {
		g.ids = append(g.ids, n.rev.ID)
	}
	sort.Strings(g.ids)
	return all
}

// linkChildren gives each node its children and dependents, in
// topological order.
func linkChildren(nodes []*node) {
	for _, n := range nodes {
		for _, p := range n.parents {
			p.children = append(p.children, n)
		}
		for _, d := range n.deps {
			d.dependents = append(d.dependents, n)
		}
	}
}

// link resolves the parents (Revises), dependencies (linkDeps) and
// branch labels (linkLabels) of all.
func (g *Graph) link(all []*node) error {
	for _, n := range all {
		for _, id := range n.rev.Revises {
			p, err := g.edge(n.rev, id, "Revises")
			if err != nil {
				return err
			}
			n.parents = append(n.parents, p)
		}
		if err := g.linkDeps(n); err != nil {
			return err
		}
		if err := g.linkLabels(n); err != nil {
			return err
		}
	}
	return nil
}

// linkDeps resolves n's Depends-On, leaving out what is also a parent
// and repeats.
func (g *Graph) linkDeps(n *node) error {
	r := n.rev
	for _, id := range r.DependsOn {
		if slices.Contains(r.Revises, id) {
			continue
		}
		d, err := g.edge(r, id, "Depends-On")
		if err != nil {
			return err
		}
		if !slices.Contains(n.parents, d) && !slices.Contains(n.deps, d) {
			n.deps = append(n.deps, d)
		}
	}
	return nil
}

// linkLabels records n's branch labels, each of which one revision may
// carry.
func (g *Graph) linkLabels(n *node) error {
	for _, l := range n.rev.Branches {
		if prev, ok := g.labels[l]; ok {
			return &DuplicateLabelError{Label: l, Paths: [2]string{prev.rev.Path, n.rev.Path}}
		}
		g.labels[l] = n
	}
	return nil
}

// edge resolves an id named in r's header field.
func (g *Graph) edge(r *script.Revision, id, field string) (*node, error) {
	if id == r.ID {
		return nil, &SelfReferenceError{ID: id, Path: r.Path, Field: field}
	}
	if n, ok := g.byID[g.follow(id)]; ok {
		return n, nil
	}
	return nil, &MissingError{ID: id, Revision: r.ID, Path: r.Path, Field: field, Matches: g.prefixMatches(id)}
}

// indexHeap orders ready nodes by their position in the input.
type indexHeap []*node

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i].file < h[j].file }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(*node)) }
func (h *indexHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// sort fills g.nodes in topological order (Kahn's algorithm, ties by input
// order) or returns a *CycleError (findCycle).
func (g *Graph) sort(all []*node) error {
	pending, out, ready := kahnStart(all)
	g.nodes = make([]*node, 0, len(all))
	for ready.Len() > 0 {
		n := heap.Pop(&ready).(*node)
		n.index = len(g.nodes)
		g.nodes = append(g.nodes, n)
		for _, c := range out[n.file] {
			pending[c.file]--
			if pending[c.file] == 0 {
				heap.Push(&ready, c)
			}
		}
	}
	if len(g.nodes) == len(all) {
		return nil
	}
	return findCycle(all, pending)
}

// kahnStart returns, by file index, each node's number of unmet parents
// and dependencies and its reverse edges, and the nodes ready at once.
func kahnStart(all []*node) (pending []int, out [][]*node, ready indexHeap) {
	pending = make([]int, len(all))
	out = make([][]*node, len(all))
	for _, n := range all {
		pending[n.file] = len(n.parents) + len(n.deps)
		for _, p := range n.parents {
			out[p.file] = append(out[p.file], n)
		}
		for _, d := range n.deps {
			out[d.file] = append(out[d.file], n)
		}
		if pending[n.file] == 0 {
			ready = append(ready, n)
		}
	}
	heap.Init(&ready)
	return pending, out, ready
}

// findCycle returns the cycle among the nodes sort could not place
// (pending above 0): every one of them has a parent or dependency that is
// also left, so walking those links from the first one repeats a node.
func findCycle(all []*node, pending []int) error {
	var start *node
	for _, n := range all {
		if pending[n.file] > 0 {
			start = n
			break
		}
	}
	seen := make(map[*node]int)
	var path []*node
	for n := start; ; n = nextPending(n, pending) {
		if at, ok := seen[n]; ok {
			cycle := make([]string, 0, len(path)-at)
			for _, c := range path[at:] {
				cycle = append(cycle, c.rev.ID)
			}
			return &CycleError{IDs: cycle}
		}
		seen[n] = len(path)
		path = append(path, n)
	}
}

// nextPending is n's first parent or dependency left unplaced.
func nextPending(n *node, pending []int) *node {
	for _, p := range slices.Concat(n.parents, n.deps) {
		if pending[p.file] > 0 {
			return p
		}
	}
	return nil
}

// Len returns the number of revisions.
func (g *Graph) Len() int { return len(g.nodes) }

// Revisions returns all revisions in topological order: parents and
// dependencies before the revisions that name them, ties in file order.
func (g *Graph) Revisions() []*script.Revision { return revs(g.nodes) }

// Get returns the revision with exactly this id, or nil. A revision that
// a squashed revision stands in for is found too.
func (g *Graph) Get(id string) *script.Revision {
	return g.files[id]
}

// Resolve returns the revision with this id, or the only one whose id
// starts with it; a revision that a squashed revision stands in for is
// found when no revision of the graph matches. Errors: *NotFoundError,
// *AmbiguousError.
func (g *Graph) Resolve(idOrPrefix string) (*script.Revision, error) {
	n, err := g.resolve(idOrPrefix)
	if err == nil {
		return n.rev, nil
	}
	var nf *NotFoundError
	var re *ReplacedError
	if !errors.As(err, &nf) && !errors.As(err, &re) {
		return nil, err
	}
	if r, ok := g.files[idOrPrefix]; ok {
		return r, nil
	}
	if m := matches(g.fileIDs, idOrPrefix); len(m) == 1 && idOrPrefix != "" {
		return g.files[m[0]], nil
	}
	return nil, err
}

// resolve finds the revision a target names: an id or a unique prefix of
// one. The last revision a squashed revision replaces names the squashed
// revision (the same schema), the others are a *ReplacedError; in a view
// that expands a squash, the squashed revision names the last revision
// it replaces.
func (g *Graph) resolve(s string) (*node, error) {
	if n, ok := g.byID[s]; ok {
		return n, nil
	}
	if s == "" {
		return nil, &NotFoundError{ID: s}
	}
	if sq, ok := g.replacedBy[s]; ok && s != sq.last() {
		return nil, &ReplacedError{ID: s, By: sq.rev.ID}
	}
	if n, ok := g.byID[g.follow(s)]; ok {
		return n, nil
	}
	m := g.prefixMatches(s)
	switch len(m) {
	case 0:
		return nil, &NotFoundError{ID: s}
	case 1:
		return g.byID[m[0]], nil
	}
	return nil, &AmbiguousError{Prefix: s, Candidates: m}
}

// prefixMatches returns the sorted ids that start with prefix.
func (g *Graph) prefixMatches(prefix string) []string { return matches(g.ids, prefix) }

// matches returns the ids of sorted that start with prefix.
func matches(sorted []string, prefix string) []string {
	i := sort.SearchStrings(sorted, prefix)
	var out []string
	for ; i < len(sorted) && strings.HasPrefix(sorted[i], prefix); i++ {
		out = append(out, sorted[i])
	}
	return out
}

// Heads returns the revisions that no revision revises, in topological
// order.
func (g *Graph) Heads() []*script.Revision { return revs(g.heads(nil)) }

func (g *Graph) heads(within []bool) []*node {
	var out []*node
	for _, n := range g.nodes {
		if len(n.children) == 0 && (within == nil || within[n.index]) {
			out = append(out, n)
		}
	}
	return out
}

// Bases returns the revisions with no Revises, in topological order.
func (g *Graph) Bases() []*script.Revision {
	var out []*script.Revision
	for _, n := range g.nodes {
		if len(n.parents) == 0 {
			out = append(out, n.rev)
		}
	}
	return out
}

// BranchPoints returns the revisions that more than one revision revises,
// in topological order.
func (g *Graph) BranchPoints() []*script.Revision {
	var out []*script.Revision
	for _, n := range g.nodes {
		if len(n.children) > 1 {
			out = append(out, n.rev)
		}
	}
	return out
}

// Children returns the revisions that revise id, in topological order; nil
// when there are none or id is unknown.
func (g *Graph) Children(id string) []*script.Revision {
	if n, ok := g.byID[id]; ok {
		return revs(n.children)
	}
	return nil
}

// Dependents returns the revisions that name id in Depends-On, in
// topological order.
func (g *Graph) Dependents(id string) []*script.Revision {
	if n, ok := g.byID[id]; ok {
		return revs(n.dependents)
	}
	return nil
}

// ByLabel returns the revision that declares the branch label, or nil.
func (g *Graph) ByLabel(label string) *script.Revision {
	if n, ok := g.labels[label]; ok {
		return n.rev
	}
	return nil
}

// Ancestors returns every revision that id needs, through Revises and
// Depends-On, transitively, oldest first (topological order); id itself is
// not included. Nil for an unknown id.
func (g *Graph) Ancestors(id string) []*script.Revision {
	n, ok := g.byID[id]
	if !ok {
		return nil
	}
	mark := g.ancestors([]*node{n})
	mark[n.index] = false
	return revs(g.collect(mark, false))
}

// ancestors marks roots and everything they need.
func (g *Graph) ancestors(roots []*node) []bool {
	return g.reach(roots, func(n *node) [2][]*node { return [2][]*node{n.parents, n.deps} })
}

// descendants marks roots and everything that needs them.
func (g *Graph) descendants(roots []*node) []bool {
	return g.reach(roots, func(n *node) [2][]*node { return [2][]*node{n.children, n.dependents} })
}

// reach marks roots and every node reachable from them along edges.
func (g *Graph) reach(roots []*node, edges func(*node) [2][]*node) []bool {
	mark := make([]bool, len(g.nodes))
	stack := slices.Clone(roots)
	for _, r := range roots {
		mark[r.index] = true
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, list := range edges(n) {
			for _, m := range list {
				if !mark[m.index] {
					mark[m.index] = true
					stack = append(stack, m)
				}
			}
		}
	}
	return mark
}

// collect returns the marked nodes in topological order, or reversed.
func (g *Graph) collect(mark []bool, reverse bool) []*node {
	var out []*node
	if reverse {
		for i := len(g.nodes) - 1; i >= 0; i-- {
			if mark[i] {
				out = append(out, g.nodes[i])
			}
		}
		return out
	}
	for i, n := range g.nodes {
		if mark[i] {
			out = append(out, n)
		}
	}
	return out
}

// branch marks the revisions a branch label covers, as Alembic does: the
// labelled revision, its descendants through Revises, and its ancestors
// down to (not including) the preceding branch point or merge. It returns
// the lowest revision covered as root.
func (g *Graph) branch(label string) (mark []bool, root *node, err error) {
	l, ok := g.labels[label]
	if !ok {
		return nil, nil, &UnknownLabelError{Label: label, Known: g.labelNames()}
	}
	mark = make([]bool, len(g.nodes))
	stack := []*node{l}
	mark[l.index] = true
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, c := range n.children {
			if !mark[c.index] {
				mark[c.index] = true
				stack = append(stack, c)
			}
		}
	}
	root = l
	for len(root.parents) == 1 && len(root.parents[0].children) == 1 {
		root = root.parents[0]
		mark[root.index] = true
	}
	return mark, root, nil
}

func (g *Graph) labelNames() []string {
	out := make([]string, 0, len(g.labels))
	for l := range g.labels {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func revs(ns []*node) []*script.Revision {
	if ns == nil {
		return nil
	}
	out := make([]*script.Revision, len(ns))
	for i, n := range ns {
		out[i] = n.rev
	}
	return out
}

func ids(ns []*node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.rev.ID
	}
	return out
}
