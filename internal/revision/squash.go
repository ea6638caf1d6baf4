package revision

import (
	"slices"

	"github.com/retortdb/retort/internal/script"
)

// A squashed revision (one with Replaces, written by retort squash) stands
// for a linear range of revisions: its upgrade gives the schema theirs
// give together. The graph holds it in their place, and an edge to any of
// them leads to it. The replaced revisions' files may still be there
// (until squash --delete-originals), for the databases that applied part
// of the range: a database's applied set picks the view it is planned in
// (Graph.state):
//
//   - nothing of the range applied: the squashed revision runs;
//   - all of it applied: the database is at the squashed revision, and
//     its version rows are rewritten so (Plan.Rewrites) by the next run;
//   - part of it applied: the view expands the squash, so the rest of the
//     range runs revision by revision, and then its rows are rewritten.
//
// This is Django's squashmigrations model ("Squashing migrations" in its
// documentation): the squashed migration is used for new installs, and
// databases part-way through the replaced ones finish them first.

// squash is a squashed revision of a view.
type squash struct {
	rev *script.Revision
	// originals are the revisions it replaces, in Replaces order; nil
	// when their files are deleted.
	originals []*script.Revision
}

// last is the last revision the squash replaces: its upgrade ends where
// the squashed revision's does.
func (s *squash) last() string { return s.rev.Replaces[len(s.rev.Replaces)-1] }

// Rewrite records a squashed revision as applied in place of the
// revisions it replaces, which the database applied all of: their version
// rows give way to its row.
type Rewrite struct {
	// Revision is the squashed revision.
	Revision *script.Revision
	// Replaces are the ids whose rows the database has, in Replaces order.
	Replaces []string
	// Recorded is set when the database has a row for the squashed
	// revision already: only the rows of Replaces go.
	Recorded bool
}

// squashViews reads the squashed revisions of g.files for the view that
// expands those in expand: it fills g.squashes, g.replacedBy and
// g.redirect and returns the ids that are no revision of the view.
func (g *Graph) squashViews(expand map[string]bool) (map[string]bool, error) {
	hidden := map[string]bool{}
	by := map[string]*script.Revision{} // replaced id -> the squashed revision
	var all []*squash
	for _, r := range g.all {
		if len(r.Replaces) == 0 {
			continue
		}
		s, err := g.newSquash(r, by)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	for _, s := range all {
		if err := s.checkLine(g.files, by); err != nil {
			return nil, err
		}
		r := s.rev
		if expand[r.ID] {
			hidden[r.ID] = true
			g.redirect[r.ID] = s.last()
			continue
		}
		g.squashes = append(g.squashes, s)
		for _, id := range r.Replaces {
			hidden[id] = true
			g.redirect[id] = r.ID
			g.replacedBy[id] = s
		}
	}
	return hidden, g.checkReplaced(by)
}

// newSquash reads r's Replaces: every id replaced once, and the replaced
// files all there or all gone, in a line that starts where r does.
func (g *Graph) newSquash(r *script.Revision, by map[string]*script.Revision) (*squash, error) {
	s := &squash{rev: r}
	var missing []string
	for _, id := range r.Replaces {
		if id == r.ID {
			return nil, &SelfReferenceError{ID: id, Path: r.Path, Field: "Replaces"}
		}
		if other, ok := by[id]; ok {
			return nil, &SquashError{Revision: r.ID, Path: r.Path, Msg: "Replaces names " + id + ", which " + other.ID + " (" + other.Path + ") replaces too: a revision is squashed into one revision; remove it from one of the Replaces lines"}
		}
		by[id] = r
		if o, ok := g.files[id]; ok {
			s.originals = append(s.originals, o)
		} else {
			missing = append(missing, id)
		}
	}
	switch {
	case len(missing) == len(r.Replaces):
		s.originals = nil
		return s, nil
	case len(missing) > 0:
		return nil, &SquashError{Revision: r.ID, Path: r.Path, Msg: "Replaces lists " + list(r.Replaces) + ", but the files of " + list(missing) + " are gone while the others are there: restore them, or delete all of them (retort squash --delete-originals " + r.ID + ")"}
	}
	return s, nil
}

// checkLine checks that the originals form the line that Replaces says:
// the first revises what the squashed revision revises, each next one the
// one before (where the last revision of another squashed range and its
// squashed revision are the same parent: by maps replaced ids to their
// squashed revisions).
func (s *squash) checkLine(files map[string]*script.Revision, by map[string]*script.Revision) error {
	canon := func(ids []string) []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			for k := 0; k <= len(by); k++ {
				sq, ok := by[id]
				if !ok || id != sq.Replaces[len(sq.Replaces)-1] {
					break
				}
				id = sq.ID
			}
			out[i] = id
		}
		return out
	}
	for i, o := range s.originals {
		want := s.rev.Revises
		if i > 0 {
			want = []string{s.originals[i-1].ID}
		}
		if !sameIDs(canon(o.Revises), canon(want)) {
			return &SquashError{Revision: s.rev.ID, Path: s.rev.Path, Msg: "Replaces lists " + o.ID + " (" + o.Path + ") as revising " + orBase(want) + ", but it revises " + orBase(o.Revises) + ": Replaces lists a line of revisions, oldest first, starting where the squashed revision's Revises points"}
		}
		if slices.ContainsFunc(o.Replaces, func(id string) bool { return files[id] != nil }) {
			return &SquashError{Revision: s.rev.ID, Path: s.rev.Path, Msg: "Replaces names " + o.ID + ", itself a squashed revision whose originals are still there: delete them first (retort squash --delete-originals " + o.ID + ")"}
		}
	}
	return nil
}

// checkReplaced refuses a revision outside a squashed range that revises
// one of its revisions other than the last: the squashed revision has
// no such point to branch from.
func (g *Graph) checkReplaced(by map[string]*script.Revision) error {
	for _, r := range g.all {
		for _, p := range r.Revises {
			sq, ok := by[p]
			if !ok || p == sq.Replaces[len(sq.Replaces)-1] || by[r.ID] == sq {
				continue
			}
			return &SquashError{Revision: r.ID, Path: r.Path, Msg: "Revises names " + p + ", which " + sq.ID + " (" + sq.Path + ") squashes with the revisions after it: only the last revision of a squashed range, " + sq.Replaces[len(sq.Replaces)-1] + ", can have children; revise " + sq.ID + " instead"}
		}
	}
	return nil
}

// follow returns the revision of the view that id stands for.
func (g *Graph) follow(id string) string {
	for range len(g.redirect) + 1 {
		to, ok := g.redirect[id]
		if !ok {
			return id
		}
		id = to
	}
	return id
}

// position is where a plan starts: the applied revisions, those whose
// downgrade stopped part-way (unfinished: planned as applied, they keep
// the originals of their squash in use, so that the downgrade finishes
// them), and into, the squashed revision whose range an upgrade's target
// is inside (its originals run up to the target).
type position struct {
	applied, unfinished []string
	into                string
}

// state returns the view of g that a plan from position p is made in,
// the applied set marked in it, and the version rows to rewrite.
func (g *Graph) state(p position) (*Graph, []bool, []Rewrite, error) {
	if len(g.squashes) == 0 {
		mark, err := g.appliedSet(append(slices.Clip(p.applied), p.unfinished...))
		return g, mark, nil, err
	}
	set := make(map[string]bool, len(p.applied)+len(p.unfinished))
	for _, id := range p.applied {
		set[id] = true
	}
	rewrites, expand, err := g.settle(set, p)
	if err != nil {
		return nil, nil, nil, err
	}
	v := g
	if len(expand) > 0 {
		if v, err = buildView(g.all, expand); err != nil {
			return nil, nil, nil, err
		}
	}
	ids := make([]string, 0, len(set)+len(p.unfinished))
	for _, id := range slices.Concat(p.applied, idsOf(rewrites)) {
		if set[id] {
			ids = append(ids, id)
			delete(set, id)
		}
	}
	mark, err := v.appliedSet(append(ids, p.unfinished...))
	return v, mark, rewrites, err
}

// settle replaces, in set, the revisions of every squash that set holds
// all of by the squashed revision, and returns those rewrites and the
// squashes to expand: those that set holds part of, that p.unfinished
// touches, or that p.into names while set holds none of it. A squash part
// of whose range is applied but whose files are gone is an
// *OriginalsGoneError.
func (g *Graph) settle(set map[string]bool, p position) ([]Rewrite, map[string]bool, error) {
	var rewrites []Rewrite
	expand := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, s := range g.squashes {
			if expand[s.rev.ID] {
				continue
			}
			had, act := s.place(set, p)
			switch {
			case act == keepSquash:
			case act == recordSquash:
				for _, id := range had {
					delete(set, id)
				}
				rewrites = append(rewrites, Rewrite{Revision: s.rev, Replaces: had, Recorded: set[s.rev.ID]})
				set[s.rev.ID] = true
				changed = true
			case s.originals == nil:
				return nil, nil, &OriginalsGoneError{Squash: s.rev.ID, Path: s.rev.Path, Applied: had, Replaces: s.rev.Replaces}
			default:
				expand[s.rev.ID] = true
			}
		}
	}
	return rewrites, expand, nil
}

// What a plan does with a squash (squash.place).
const (
	keepSquash   = iota // nothing of the range applied: the squashed revision stands
	recordSquash        // all of it applied: record the squashed revision
	expandSquash        // part of it: plan through the originals
)

// place returns the revisions of s's range that set holds and what a plan
// from p does with s: keep it when nothing of the range is applied,
// unfinished or planned into (intoOriginals); record it when all of it
// is applied and nothing unfinished; else plan through the originals.
func (s *squash) place(set map[string]bool, p position) (had []string, act int) {
	for _, id := range s.rev.Replaces {
		if set[id] {
			had = append(had, id)
		}
	}
	open := s.unfinished(p)
	switch {
	case len(had) == 0 && !open && !s.intoOriginals(set, p):
		return nil, keepSquash
	case !open && (set[s.rev.ID] || len(had) == len(s.rev.Replaces)):
		return had, recordSquash
	}
	return had, expandSquash
}

// unfinished reports a revision of s's range that p says stopped
// part-way.
func (s *squash) unfinished(p position) bool {
	return slices.ContainsFunc(p.unfinished, func(id string) bool { return slices.Contains(s.rev.Replaces, id) })
}

// intoOriginals reports a plan to the squashed revision itself, not
// applied, when its originals are there to plan through.
func (s *squash) intoOriginals(set map[string]bool, p position) bool {
	return p.into == s.rev.ID && !set[s.rev.ID] && s.originals != nil
}

// inside returns the squashed revision whose range target t names a
// revision inside of (not its last, which stands for the squashed
// revision), or "".
func (g *Graph) inside(t Target) string {
	if t.Kind != TargetRevision || t.Label != "" {
		return ""
	}
	if sq, ok := g.replacedBy[t.Rev]; ok && t.Rev != sq.last() {
		return sq.rev.ID
	}
	return ""
}

func idsOf(rw []Rewrite) []string {
	out := make([]string, len(rw))
	for i, r := range rw {
		out[i] = r.Revision.ID
	}
	return out
}

// ReplacedBy returns the squashed revision that stands for id, or nil.
func (g *Graph) ReplacedBy(id string) *script.Revision {
	if s, ok := g.replacedBy[id]; ok {
		return s.rev
	}
	return nil
}

// Originals returns the revisions that squashed revision id replaces, in
// upgrade order; nil when id is not a squashed revision or their files
// are deleted.
func (g *Graph) Originals(id string) []*script.Revision {
	for _, s := range g.squashes {
		if s.rev.ID == id {
			return s.originals
		}
	}
	return nil
}

// Parents returns the ids of the revisions that revision id revises in
// the graph: its Revises, with a revision that a squashed revision stands
// for replaced by it. Nil for a base or an unknown id.
func (g *Graph) Parents(id string) []string {
	if n, ok := g.byID[id]; ok && len(n.parents) > 0 {
		return ids(n.parents)
	}
	return nil
}

// Dependencies returns the ids of the revisions that revision id depends
// on in the graph without revising them (its Depends-On, as Parents
// reads Revises). Nil when there are none or id is unknown.
func (g *Graph) Dependencies(id string) []string {
	if n, ok := g.byID[id]; ok && len(n.deps) > 0 {
		return ids(n.deps)
	}
	return nil
}

// Range returns the revisions from from to to, in upgrade order, when
// they form a line that one revision can replace (retort squash): each
// one but the first revises the one before it and no other, each one but
// the last has no other child, and no revision outside the range depends
// on one of them but the last. from and to are targets that name one
// revision (ids, prefixes, "head", "REV-N", ...). Errors: the targets',
// *NonLinearError.
func (g *Graph) Range(from, to string) ([]*script.Revision, error) {
	ends := [2]*node{}
	for i, s := range []string{from, to} {
		n, err := g.oneTarget(s)
		if err != nil {
			return nil, err
		}
		ends[i] = n
	}
	chain, err := g.line(ends[0], ends[1], from+":"+to)
	if err != nil {
		return nil, err
	}
	if err := g.checkInside(chain, from+":"+to); err != nil {
		return nil, err
	}
	return revs(chain), nil
}

// oneTarget resolves a target that names exactly one revision.
func (g *Graph) oneTarget(s string) (*node, error) {
	t, err := ParseTarget(s)
	if err != nil {
		return nil, err
	}
	nodes, _, err := g.staticTargets(t)
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 {
		return nil, &TargetError{Input: s, Msg: "name one revision"}
	}
	return nodes[0], nil
}

// line walks down from to through single parents to from.
func (g *Graph) line(from, to *node, rng string) ([]*node, error) {
	if from == to {
		return nil, &NonLinearError{Range: rng, At: from.rev.ID, Msg: "the range is one revision: there is nothing to squash"}
	}
	chain := []*node{to}
	for n := to; n != from; {
		switch len(n.parents) {
		case 0:
			return nil, &NonLinearError{Range: rng, At: from.rev.ID, Msg: "it is not below " + to.rev.ID + ": name the older revision first, as FROM:TO"}
		case 1:
		default:
			return nil, &NonLinearError{Range: rng, At: n.rev.ID, Msg: "it merges " + list(ids(n.parents)) + ": squash the line above the merge or the one below it"}
		}
		n = n.parents[0]
		chain = append(chain, n)
	}
	slices.Reverse(chain)
	return chain, nil
}

// checkInside refuses branches, dependencies from outside and squashed
// revisions with their originals inside the chain.
func (g *Graph) checkInside(chain []*node, rng string) error {
	in := map[*node]bool{}
	for _, n := range chain {
		in[n] = true
	}
	for i, n := range chain {
		if g.Originals(n.rev.ID) != nil {
			return &NonLinearError{Range: rng, At: n.rev.ID, Msg: "it is a squashed revision whose originals are still there: delete them first (retort squash --delete-originals " + n.rev.ID + ")"}
		}
		if i == len(chain)-1 {
			break
		}
		if len(n.children) > 1 {
			return &NonLinearError{Range: rng, At: n.rev.ID, Msg: "it is a branch point, with children " + list(ids(n.children)) + ": squash a range that ends at it, or one of the branches above it"}
		}
		for _, d := range n.dependents {
			if !in[d] {
				return &NonLinearError{Range: rng, At: n.rev.ID, Msg: "revision " + d.rev.ID + " (" + d.rev.Path + ") depends on it (Depends-On): squash a range that ends at it"}
			}
		}
	}
	return nil
}

// sameIDs reports whether a and b hold the same ids, in any order.
func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func orBase(ids []string) string {
	if len(ids) == 0 {
		return "nothing (a base)"
	}
	return list(ids)
}
