package revision

import (
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// appliedSet marks the applied revisions. An id no revision has is an
// *UnknownAppliedError.
func (g *Graph) appliedSet(applied []string) ([]bool, error) {
	mark := make([]bool, len(g.nodes))
	for _, id := range applied {
		n, ok := g.byID[id]
		if !ok {
			return nil, &UnknownAppliedError{ID: id}
		}
		mark[n.index] = true
	}
	return mark, nil
}

// Current returns the heads of the applied set: the applied revisions that
// no applied revision revises, sorted. Ids that no revision has are
// returned too (they have no known children).
func (g *Graph) Current(applied []string) []string {
	if v, mark, _, err := g.state(position{applied: applied}); err == nil {
		return ids(sortedByID(v.currentHeads(mark, nil)))
	}
	mark := make([]bool, len(g.nodes))
	var out []string
	for _, id := range applied {
		if n, ok := g.byID[id]; ok {
			mark[n.index] = true
		} else {
			out = append(out, id)
		}
	}
	out = append(out, ids(g.currentHeads(mark, nil))...)
	sort.Strings(out)
	return slicesCompact(out)
}

func slicesCompact(s []string) []string {
	if len(s) < 2 {
		return s
	}
	j := 1
	for i := 1; i < len(s); i++ {
		if s[i] != s[j-1] {
			s[j] = s[i]
			j++
		}
	}
	return s[:j]
}

// currentHeads returns the applied revisions (within the marked branch,
// when within is not nil) that no applied revision revises, in
// topological order.
func (g *Graph) currentHeads(applied, within []bool) []*node {
	var out []*node
	for i, n := range g.nodes {
		if !applied[i] || within != nil && !within[i] {
			continue
		}
		head := true
		for _, c := range n.children {
			if applied[c.index] {
				head = false
				break
			}
		}
		if head {
			out = append(out, n)
		}
	}
	return out
}

// Upgrade plans the steps that apply target and everything it needs
// (through Revises and Depends-On) that is not in applied, parents and
// dependencies first, ties in file order. A target already applied gives
// an empty plan. "head" with several heads is a *MultipleHeadsError;
// "+N" steps up from the single current head (from the single base when
// nothing is applied).
//
// A squashed revision's range is planned as the applied set needs (see
// squash.go): the plan's Rewrites record the squashed revision for a
// database that applied the whole range.
func (g *Graph) Upgrade(applied []string, target Target) (*Plan, error) {
	v, mark, rw, err := g.state(position{applied: applied, into: g.inside(target)})
	if err != nil {
		return nil, err
	}
	p, err := v.upgrade(mark, target)
	if err != nil {
		return nil, err
	}
	p.Rewrites = rw
	return p, nil
}

// upgrade plans the steps that apply what the targets of t need
// (upgradeTargets) and is not applied, in topological order.
func (g *Graph) upgrade(applied []bool, t Target) (*Plan, error) {
	targets, err := g.upgradeTargets(applied, t)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	if len(targets) == 0 {
		return plan, nil
	}
	need := g.ancestors(targets)
	for i, n := range g.nodes {
		if need[i] && !applied[i] {
			plan.Steps = append(plan.Steps, Step{Revision: n.rev, Direction: Up, Needs: ids(slices.Concat(n.parents, n.deps))})
		}
	}
	return plan, nil
}

// upgradeTargets resolves an upgrade's target into the revisions that
// must end up applied: "+N" from the current head, a static target, or
// for a target just below a revision what that revision needs. A range,
// or steps down, is no upgrade target.
func (g *Graph) upgradeTargets(applied []bool, t Target) ([]*node, error) {
	switch {
	case t.Kind == TargetRange, t.Kind == TargetRelative && t.Steps < 0:
		return nil, &DirectionError{Target: t.String(), Dir: Up}
	case t.Kind == TargetRelative:
		n, err := g.stepUpFromCurrent(applied, t)
		if err != nil {
			return nil, err
		}
		return []*node{n}, nil
	}
	nodes, below, err := g.staticTargets(t)
	if err != nil {
		return nil, err
	}
	if below != nil {
		// The state just before below: what it needs, not itself.
		nodes = append(append(nodes, below.parents...), below.deps...)
	}
	return nodes, nil
}

// stepUpFromCurrent resolves "+N" and "LABEL@+N": N steps up from the
// current head (of the branch), or from the base when nothing is applied
// (stepUpFromBase).
func (g *Graph) stepUpFromCurrent(applied []bool, t Target) (*node, error) {
	var within []bool
	var root *node
	if t.Label != "" {
		var err error
		if within, root, err = g.branch(t.Label); err != nil {
			return nil, err
		}
	}
	cur := g.currentHeads(applied, within)
	switch len(cur) {
	case 0:
		return g.stepUpFromBase(t, root)
	case 1:
		n, _, err := g.walk(t, cur[0], t.Steps, false)
		return n, err
	}
	return nil, &MultipleHeadsError{Target: t.String(), Heads: ids(cur), Current: true}
}

// stepUpFromBase resolves "+N" when nothing (of the branch whose lowest
// revision is root) is applied: the first step applies the one base.
func (g *Graph) stepUpFromBase(t Target, root *node) (*node, error) {
	var bases []*node
	if root != nil {
		bases = []*node{root}
	} else {
		for _, n := range g.nodes {
			if len(n.parents) == 0 {
				bases = append(bases, n)
			}
		}
	}
	switch len(bases) {
	case 0:
		return nil, &StepError{Target: t.String(), Up: true}
	case 1:
		n, _, err := g.walk(t, bases[0], t.Steps-1, false)
		return n, err
	}
	return nil, &StepError{Target: t.String(), Up: true, Candidates: ids(bases)}
}

// ResolveTarget returns the revisions a target names without looking at
// the database: one for "head" (a *MultipleHeadsError when there are
// several), an id or prefix, "REV+N", "REV-N", "head-N" and "LABEL@head";
// all the heads for "heads" and "LABEL@heads"; none for "base". For
// "LABEL@base" it returns the lowest revision of the branch. "REV-N" that
// goes one step past a base returns none. Targets relative to the current
// revision ("+N", "-N") and ranges are a *TargetError.
func (g *Graph) ResolveTarget(t Target) ([]*script.Revision, error) {
	if t.Kind == TargetRange {
		return nil, &TargetError{Input: t.String(), Msg: "a range names no single target"}
	}
	nodes, below, err := g.staticTargets(t)
	if err != nil {
		return nil, err
	}
	if t.Kind == TargetBase && below != nil {
		nodes = []*node{below}
	}
	return revs(nodes), nil
}

// staticTargets resolves a target that does not depend on the database's
// state. below is set for a target just below a revision ("LABEL@base",
// "REV-N" one step past a base): the state where below is not applied
// but what it needs may be. Plain "base" gives neither nodes nor below.
// Heads and revisions with steps are resolved by headTarget and
// revisionTarget.
func (g *Graph) staticTargets(t Target) (nodes []*node, below *node, err error) {
	var within []bool
	var root *node
	if t.Label != "" {
		if within, root, err = g.branch(t.Label); err != nil {
			return nil, nil, err
		}
	}
	switch t.Kind {
	case TargetHead:
		return g.headTarget(t, within)
	case TargetHeads:
		return g.heads(within), nil, nil
	case TargetBase:
		return nil, root, nil
	case TargetRevision:
		return g.revisionTarget(t)
	case TargetRelative:
		return nil, nil, &TargetError{Input: t.String(), Msg: "steps from the current revision need the database's state, which is not known here; name a revision instead"}
	}
	return nil, nil, &TargetError{Input: t.String(), Msg: "not a single target; " + targetForms}
}

// headTarget resolves "head", "head-N" and their labelled forms: the one
// head (of the revisions within, all when nil), N steps down from it.
func (g *Graph) headTarget(t Target, within []bool) ([]*node, *node, error) {
	hs := g.heads(within)
	if len(hs) == 0 {
		return nil, nil, nil
	}
	if len(hs) > 1 {
		name := t
		name.Steps = 0
		return nil, nil, &MultipleHeadsError{Target: name.String(), Heads: ids(hs)}
	}
	if t.Steps == 0 {
		return hs, nil, nil
	}
	n, below, err := g.walk(t, hs[0], t.Steps, true)
	return one(n), below, err
}

// revisionTarget resolves "REV", "REV+N" and "REV-N".
func (g *Graph) revisionTarget(t Target) ([]*node, *node, error) {
	n, err := g.resolve(t.Rev)
	if err != nil {
		return nil, nil, err
	}
	if t.Steps == 0 {
		return []*node{n}, nil, nil
	}
	n, below, err := g.walk(t, n, t.Steps, true)
	return one(n), below, err
}

func one(n *node) []*node {
	if n == nil {
		return nil
	}
	return []*node{n}
}

// walk takes steps from n along Revises: up through single children, down
// through single parents. With allowBelow, the last step down may go past
// a base; the result is then (nil, that base).
func (g *Graph) walk(t Target, n *node, steps int, allowBelow bool) (*node, *node, error) {
	for ; steps > 0; steps-- {
		if len(n.children) != 1 {
			return nil, nil, &StepError{Target: t.String(), At: n.rev.ID, Up: true, Candidates: ids(n.children)}
		}
		n = n.children[0]
	}
	for ; steps < 0; steps++ {
		switch len(n.parents) {
		case 1:
			n = n.parents[0]
		case 0:
			if allowBelow && steps == -1 {
				return nil, n, nil
			}
			return nil, nil, &StepError{Target: t.String(), At: n.rev.ID}
		default:
			return nil, nil, &StepError{Target: t.String(), At: n.rev.ID, Candidates: ids(n.parents)}
		}
	}
	return n, nil, nil
}

// Downgrade plans the steps that revert every applied revision that needs
// the target (through Revises or Depends-On), children and dependents
// first; the target itself stays applied. "REV-N" instead reverts REV and
// the N-1 revisions below it on its own line, with whatever needs them, so
// that stepping down one branch leaves its siblings applied. "base" reverts
// everything;
// "LABEL@base" reverts the labelled branch. "-N" reverts the current
// single head and the N-1 revisions below it (so "-1" at a merge reverts
// just the merge); several current heads are a *MultipleHeadsError. A
// target that is not applied is a *NotAppliedError. Missing or
// irreversible downgrade sections are not checked here: see
// Plan.CheckReversible.
func (g *Graph) Downgrade(applied []string, target Target) (*Plan, error) {
	return g.DowngradeReverting(applied, nil, target)
}

// DowngradeReverting is Downgrade for a database where the revisions in
// reverting stopped part-way through their downgrade: they are planned as
// applied, so that the downgrade finishes them, and a squashed range one
// of them belongs to is planned through its revisions.
func (g *Graph) DowngradeReverting(applied, reverting []string, target Target) (*Plan, error) {
	v, mark, rw, err := g.state(position{applied: applied, unfinished: reverting})
	if err != nil {
		return nil, err
	}
	p, err := v.downgrade(mark, target)
	if err != nil {
		return nil, err
	}
	p.Rewrites = rw
	return p, nil
}

// downgrade plans the steps that revert the applied revisions t calls
// for (toRevert), children and dependents first.
func (g *Graph) downgrade(applied []bool, t Target) (*Plan, error) {
	revert, err := g.toRevert(applied, t)
	if err != nil {
		return nil, err
	}
	plan := &Plan{}
	for i := len(g.nodes) - 1; i >= 0; i-- {
		if revert != nil && revert[i] && applied[i] {
			plan.Steps = append(plan.Steps, Step{Revision: g.nodes[i].rev, Direction: Down})
		}
	}
	return plan, nil
}

// toRevert picks the revisions a downgrade to t reverts, by the kind of
// target: "-N" (revertFromCurrent), "REV-N" (revertFromRevision), or a
// static target (downgradeTo). A range, or steps up, is no downgrade
// target.
func (g *Graph) toRevert(applied []bool, t Target) ([]bool, error) {
	switch {
	case t.Kind == TargetRange, t.Kind == TargetRelative && t.Steps > 0:
		return nil, &DirectionError{Target: t.String(), Dir: Down}
	case t.Kind == TargetRelative:
		return g.revertFromCurrent(applied, t)
	case t.Kind == TargetRevision && t.Steps < 0:
		return g.revertFromRevision(applied, t)
	}
	return g.downgradeTo(applied, t)
}

// revertFromCurrent resolves "-N" and "LABEL@-N": the one current head
// (of the branch) and the N-1 revisions below it, with what needs them.
func (g *Graph) revertFromCurrent(applied []bool, t Target) ([]bool, error) {
	var within []bool
	if t.Label != "" {
		var err error
		if within, _, err = g.branch(t.Label); err != nil {
			return nil, err
		}
	}
	cur := g.currentHeads(applied, within)
	switch len(cur) {
	case 0:
		return nil, &StepError{Target: t.String()}
	case 1:
	default:
		return nil, &MultipleHeadsError{Target: t.String(), Heads: ids(cur), Current: true}
	}
	// -N reverts N revisions: the head and N-1 below it.
	low, _, err := g.walk(t, cur[0], t.Steps+1, false)
	if err != nil {
		return nil, err
	}
	return g.descendants([]*node{low}), nil
}

// revertFromRevision resolves "REV-N": REV and the N-1 revisions below
// it on REV's own line, and whatever needs them; a sibling branch that
// shares an ancestor further down is left alone. REV must be applied.
func (g *Graph) revertFromRevision(applied []bool, t Target) ([]bool, error) {
	n, err := g.resolve(t.Rev)
	if err != nil {
		return nil, err
	}
	if !applied[n.index] {
		return nil, &NotAppliedError{ID: n.rev.ID, Current: ids(g.currentHeads(applied, nil))}
	}
	low, _, err := g.walk(t, n, t.Steps+1, false)
	if err != nil {
		return nil, err
	}
	return g.descendants([]*node{low}), nil
}

// downgradeTo returns the revisions to revert so that the database is at a
// static target: everything that needs it, the target itself excluded.
// A nil result with a nil error means nothing to revert.
func (g *Graph) downgradeTo(applied []bool, t Target) ([]bool, error) {
	var revert []bool
	{
		nodes, below, err := g.staticTargets(t)
		if err != nil {
			return nil, err
		}
		switch {
		case below != nil:
			revert = g.descendants([]*node{below})
		case t.Kind == TargetBase:
			revert = applied
		case len(nodes) == 0:
			return nil, nil
		default:
			for _, n := range nodes {
				if !applied[n.index] {
					return nil, &NotAppliedError{ID: n.rev.ID, Current: ids(g.currentHeads(applied, nil))}
				}
			}
			revert = g.descendants(nodes)
			for _, n := range nodes {
				revert[n.index] = false
			}
		}
	}
	return revert, nil
}

// RangePlan plans offline SQL for "upgrade --sql A:B" (dir Up) and
// "downgrade --sql A:B" (dir Down). The starting state is from and
// everything it needs applied ("" or "base": nothing applied, upgrade
// only; rangeStart); to is a target as for Upgrade and Downgrade,
// counted from that state ("" means "head" for Up and "base" for Down).
func (g *Graph) RangePlan(from, to string, dir Direction) (*Plan, error) {
	if (from == "" || from == "base") && dir == Down {
		return nil, &TargetError{Input: from + ":" + to, Msg: "a downgrade range starts from a revision: write REV:TARGET"}
	}
	applied, err := g.rangeStart(from)
	if err != nil {
		return nil, err
	}
	if to == "" {
		to = "head"
		if dir == Down {
			to = "base"
		}
	}
	tt, err := ParseTarget(to)
	if err != nil {
		return nil, err
	}
	if dir == Down {
		return g.downgrade(applied, tt)
	}
	return g.upgrade(applied, tt)
}

// rangeStart is the state a range starts from: from and everything it
// needs applied; nothing for "" and "base".
func (g *Graph) rangeStart(from string) ([]bool, error) {
	applied := make([]bool, len(g.nodes))
	if from == "" || from == "base" {
		return applied, nil
	}
	ft, err := ParseTarget(from)
	if err != nil {
		return nil, err
	}
	nodes, below, err := g.staticTargets(ft)
	if err != nil {
		return nil, err
	}
	if below != nil {
		nodes = append(append(nodes, below.parents...), below.deps...)
	}
	if len(nodes) > 0 {
		applied = g.ancestors(nodes)
	}
	return applied, nil
}

// History returns the revisions from "from" up to "to", newest first
// (reverse topological order, ties in reverse file order), as
// "history -r FROM:TO" lists them: the revisions that need from (and from
// itself, historyFrom) and that to needs (and to itself, historyTo).
// Either end may be empty for an open end; from may be "base", to may be
// "head" or "heads"; both may be ids, prefixes, "REV+N", "REV-N",
// "LABEL@head" and so on, but not steps from the current revision ("+N"),
// which need the database.
func (g *Graph) History(from, to string) ([]*script.Revision, error) {
	lower, err := g.historyFrom(from)
	if err != nil {
		return nil, err
	}
	if to == "base" {
		return nil, nil
	}
	upper, err := g.historyTo(to)
	if err != nil {
		return nil, err
	}
	var out []*script.Revision
	for i := len(g.nodes) - 1; i >= 0; i-- {
		if (lower == nil || lower[i]) && (upper == nil || upper[i]) {
			out = append(out, g.nodes[i].rev)
		}
	}
	return out, nil
}

// historyFrom is the lower end of a history: from and what needs it (and,
// for a target just below a revision, that revision); nil for an open
// end.
func (g *Graph) historyFrom(from string) ([]bool, error) {
	if from == "" || from == "base" {
		return nil, nil
	}
	nodes, below, err := g.historyEnd(from)
	if err != nil {
		return nil, err
	}
	if below != nil {
		nodes = append(nodes, below)
	}
	return g.descendants(nodes), nil
}

// historyTo is the upper end of a history: to and what it needs; nil for
// an open end ("" or "heads").
func (g *Graph) historyTo(to string) ([]bool, error) {
	if to == "" || to == "heads" {
		return nil, nil
	}
	nodes, below, err := g.historyEnd(to)
	if err != nil {
		return nil, err
	}
	if below != nil {
		nodes = append(append(nodes, below.parents...), below.deps...)
	}
	return g.ancestors(nodes), nil
}

// historyEnd resolves one end of a history range, a static target.
func (g *Graph) historyEnd(s string) ([]*node, *node, error) {
	t, err := ParseTarget(s)
	if err != nil {
		return nil, nil, err
	}
	if t.Kind == TargetRange {
		return nil, nil, &TargetError{Input: s, Msg: "one end of a range cannot be a range"}
	}
	return g.staticTargets(t)
}

// IDs returns the revision ids of the plan's steps, in order.
func (p *Plan) IDs() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Revision.ID
	}
	return out
}

// CheckReversible returns an *IrreversibleError for the first downgrade
// step whose revision cannot be reverted: no "-- +downgrade" section, one
// marked "irreversible", or an empty one while the upgrade section has
// SQL (unless it is marked "-- +downgrade none": nothing to revert). It returns nil when every downgrade step can run.
func (p *Plan) CheckReversible() error {
	for _, s := range p.Steps {
		if s.Direction != Down {
			continue
		}
		if err := Reversible(s.Revision); err != nil {
			return err
		}
	}
	return nil
}

// Reversible returns an *IrreversibleError when revision r cannot be
// reverted (see CheckReversible), nil when it can.
func Reversible(r *script.Revision) error {
	switch {
	case !r.Down.Present:
		return &IrreversibleError{Revision: r.ID, Path: r.Path}
	case r.Down.Irreversible:
		return &IrreversibleError{Revision: r.ID, Path: r.Path, Marked: true}
	case !r.Down.None && strings.TrimSpace(r.Down.SQL) == "" && strings.TrimSpace(r.Up.SQL) != "":
		return &IrreversibleError{Revision: r.ID, Path: r.Path, Empty: true}
	}
	return nil
}

// sortedByID sorts ns by id.
func sortedByID(ns []*node) []*node {
	slices.SortFunc(ns, func(a, b *node) int { return strings.Compare(a.rev.ID, b.rev.ID) })
	return ns
}
