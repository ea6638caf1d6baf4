package revision

import (
	"fmt"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/internal/script"
)

// generate returns n revision files: a chain where every 50th revision
// opens two branches that the next revision merges, and every 97th
// depends on a revision 10 back. Ids are scrambled so that file-name order
// is not the graph's order.
func generate(n int) (fstest.MapFS, []string) {
	fsys := make(fstest.MapFS, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("%012x", (uint64(i)*0x9E3779B97F4A7C15)>>16)
	}
	heads := []string{}
	for i := range n {
		var revises []string
		switch {
		case i == 0:
		case i%50 == 1 && i+1 < n:
			// First side of a branch: revises the head, like the next one.
			revises = heads
		case i%50 == 2:
			revises = []string{ids[i-2]} // second side: same parent as i-1
		default:
			revises = heads
		}
		var deps []string
		if i%97 == 0 && i >= 10 {
			deps = []string{ids[i-10]}
		}
		switch {
		case i%50 == 1 && i+1 < n:
			heads = []string{ids[i]}
		case i%50 == 2:
			heads = []string{ids[i-1], ids[i]} // next one merges
		default:
			heads = []string{ids[i]}
		}
		r := &script.Revision{
			ID: ids[i], Revises: revises, DependsOn: deps, Message: fmt.Sprintf("step %d", i),
			Up:   script.Section{SQL: fmt.Sprintf("CREATE TABLE t%d (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(80) NOT NULL\n);\n", i), Present: true},
			Down: script.Section{SQL: fmt.Sprintf("DROP TABLE t%d;\n", i), Present: true},
		}
		fsys[script.FileName(r)] = &fstest.MapFile{Data: script.Format(r)}
	}
	return fsys, ids
}

func TestGenerated(t *testing.T) {
	t.Parallel()
	fsys, ids := generate(1000)
	revs, err := script.LoadDir(fsys)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(revs)
	if err != nil {
		t.Fatal(err)
	}
	if h := g.Heads(); len(h) != 1 || h[0].ID != ids[999] {
		t.Fatalf("Heads = %v", revIDs(h))
	}
	if n := len(g.BranchPoints()); n != 20 {
		t.Errorf("%d branch points, want 20", n)
	}
	p, err := g.Upgrade(nil, mustTarget(t, "head"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1000 {
		t.Fatalf("plan has %d steps, want 1000", len(p.Steps))
	}
	// Every step comes after everything it needs.
	pos := map[string]int{}
	for i, s := range p.Steps {
		pos[s.Revision.ID] = i
	}
	for i, s := range p.Steps {
		for _, need := range append(append([]string{}, s.Revision.Revises...), s.Revision.DependsOn...) {
			if pos[need] >= i {
				t.Fatalf("step %d %s comes before %s it needs", i, s.Revision.ID, need)
			}
		}
	}
	// Downgrade to base reverts in exactly the reverse order.
	d, err := g.Downgrade(p.IDs(), mustTarget(t, "base"))
	if err != nil {
		t.Fatal(err)
	}
	up, down := p.IDs(), d.IDs()
	for i := range up {
		if up[i] != down[len(down)-1-i] {
			t.Fatalf("downgrade step %d is %s, want %s", len(down)-1-i, down[len(down)-1-i], up[i])
		}
	}
	h, err := g.History("", "")
	if err != nil || len(h) != 1000 || h[0].ID != ids[999] || h[999].ID != ids[0] {
		t.Fatalf("History: %d revisions, err %v", len(h), err)
	}
}

func BenchmarkLoadAndPlan(b *testing.B) {
	fsys, _ := generate(10000)
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		revs, err := script.LoadDir(fsys)
		if err != nil {
			b.Fatal(err)
		}
		g, err := New(revs)
		if err != nil {
			b.Fatal(err)
		}
		p, err := g.Upgrade(nil, Target{Kind: TargetHead})
		if err != nil || len(p.Steps) != 10000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewAndPlan(b *testing.B) {
	fsys, _ := generate(10000)
	revs, err := script.LoadDir(fsys)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		g, err := New(revs)
		if err != nil {
			b.Fatal(err)
		}
		p, err := g.Upgrade(nil, Target{Kind: TargetHead})
		if err != nil || len(p.Steps) != 10000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkHistory(b *testing.B) {
	fsys, ids := generate(10000)
	revs, err := script.LoadDir(fsys)
	if err != nil {
		b.Fatal(err)
	}
	g, err := New(revs)
	if err != nil {
		b.Fatal(err)
	}
	mid := ids[5000][:8]
	b.ReportAllocs()
	defer reportCPU(b, cpuTime())
	for b.Loop() {
		all, err := g.History("", "")
		if err != nil || len(all) != 10000 {
			b.Fatal(err, len(all))
		}
		part, err := g.History(mid, "head")
		if err != nil || len(part) != 5000 {
			b.Fatal(err, len(part))
		}
	}
}
