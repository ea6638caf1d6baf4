package revision

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/retortdb/retort/internal/script"
)

// randomGraph builds n revisions where each revises 0-2 earlier ones and
// sometimes depends on another, shuffled so file order differs from the
// graph's order.
func randomGraph(rng *rand.Rand, n int) []*script.Revision {
	revs := make([]*script.Revision, n)
	for i := range n {
		r := &script.Revision{ID: fmt.Sprintf("r%03d", i), Path: fmt.Sprintf("r%03d.sql", i)}
		if i > 0 && rng.IntN(8) != 0 {
			r.Revises = []string{revs[rng.IntN(i)].ID}
			if i > 1 && rng.IntN(5) == 0 {
				if p := revs[rng.IntN(i)].ID; p != r.Revises[0] {
					r.Revises = append(r.Revises, p)
				}
			}
		}
		if i > 0 && rng.IntN(6) == 0 {
			r.DependsOn = []string{revs[rng.IntN(i)].ID}
		}
		revs[i] = r
	}
	rng.Shuffle(n, func(i, j int) { revs[i], revs[j] = revs[j], revs[i] })
	return revs
}

// needs returns r's parents and dependencies.
func needs(r *script.Revision) []string { return slices.Concat(r.Revises, r.DependsOn) }

// closed reports whether every revision in set has what it needs in set.
func closed(g *Graph, set map[string]bool) error {
	for id := range set {
		for _, p := range needs(g.Get(id)) {
			if !set[p] {
				return fmt.Errorf("%s is applied without %s", id, p)
			}
		}
	}
	return nil
}

// TestRandomGraphs checks the planner's invariants on random DAGs:
// upgrades apply prerequisites first and reach the target; downgrades
// leave a consistent state that still holds the target and nothing that
// needs it.
func TestRandomGraphs(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		revs := randomGraph(rng, 2+rng.IntN(40))
		g, err := New(revs)
		if err != nil {
			t.Fatalf("round %d: New: %v", round, err)
		}
		// Start from a random consistent state: the closure of a few.
		var start []string
		for range rng.IntN(3) {
			r := revs[rng.IntN(len(revs))]
			start = append(start, r.ID)
			for _, a := range g.Ancestors(r.ID) {
				start = append(start, a.ID)
			}
		}
		applied := map[string]bool{}
		for _, id := range start {
			applied[id] = true
		}
		target := revs[rng.IntN(len(revs))]
		p, err := g.Upgrade(start, Target{Kind: TargetRevision, Rev: target.ID})
		if err != nil {
			t.Fatalf("round %d: Upgrade: %v", round, err)
		}
		after := map[string]bool{}
		for id := range applied {
			after[id] = true
		}
		for _, s := range p.Steps {
			id := s.Revision.ID
			if after[id] {
				t.Fatalf("round %d: upgrade applies %s twice", round, id)
			}
			for _, need := range needs(s.Revision) {
				if !after[need] {
					t.Fatalf("round %d: upgrade applies %s before %s", round, id, need)
				}
			}
			after[id] = true
		}
		if !after[target.ID] {
			t.Fatalf("round %d: upgrade to %s does not apply it", round, target.ID)
		}
		// Everything applied is needed by the target or was there before.
		wanted := map[string]bool{target.ID: true}
		for _, a := range g.Ancestors(target.ID) {
			wanted[a.ID] = true
		}
		for _, s := range p.Steps {
			if !wanted[s.Revision.ID] {
				t.Fatalf("round %d: upgrade to %s applies unneeded %s", round, target.ID, s.Revision.ID)
			}
		}

		// Apply everything, then downgrade to a random revision.
		all, err := g.Upgrade(nil, Target{Kind: TargetHeads})
		if err != nil || len(all.Steps) != g.Len() {
			t.Fatalf("round %d: upgrade heads: %v (%d of %d)", round, err, len(all.Steps), g.Len())
		}
		down := revs[rng.IntN(len(revs))]
		d, err := g.Downgrade(all.IDs(), Target{Kind: TargetRevision, Rev: down.ID})
		if err != nil {
			t.Fatalf("round %d: Downgrade: %v", round, err)
		}
		left := map[string]bool{}
		for _, id := range all.IDs() {
			left[id] = true
		}
		for _, s := range d.Steps {
			// Nothing still applied may need the revision being reverted.
			for id := range left {
				if id != s.Revision.ID && slices.Contains(needs(g.Get(id)), s.Revision.ID) {
					t.Fatalf("round %d: downgrade reverts %s while %s still needs it", round, s.Revision.ID, id)
				}
			}
			delete(left, s.Revision.ID)
		}
		if !left[down.ID] {
			t.Fatalf("round %d: downgrade to %s reverts it", round, down.ID)
		}
		if err := closed(g, left); err != nil {
			t.Fatalf("round %d: after downgrade to %s: %v", round, down.ID, err)
		}
		for id := range left {
			if id == down.ID {
				continue
			}
			for _, a := range g.Ancestors(id) {
				if a.ID == down.ID {
					t.Fatalf("round %d: %s needs %s and survived the downgrade", round, id, down.ID)
				}
			}
		}
		if got := g.Current(all.IDs()); !slices.Equal(got, sortedIDs(g.Heads())) {
			t.Fatalf("round %d: Current(all) = %v, heads %v", round, got, sortedIDs(g.Heads()))
		}
	}
}

func sortedIDs(rs []*script.Revision) []string {
	out := revIDs(rs)
	slices.Sort(out)
	return out
}
