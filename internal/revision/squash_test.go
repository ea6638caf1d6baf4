package revision

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/script"
)

// squashed is a line a <- b <- c <- d <- e where s squashes b, c and d,
// their files still there; e still names d, its parent before the squash.
var squashed = []string{"a", "b<a", "c<b", "d<c", "e<d", "s<a rep=b,c,d"}

func planOf(t *testing.T, p *Plan, err error) (steps []string, rewrites []string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, rw := range p.Rewrites {
		rewrites = append(rewrites, rw.Revision.ID+"="+strings.Join(rw.Replaces, ","))
	}
	return p.IDs(), rewrites
}

func TestSquashGraph(t *testing.T) {
	g := build(t, squashed...)
	if got := revIDs(g.Heads()); !slices.Equal(got, []string{"e"}) {
		t.Errorf("Heads = %v, want [e]", got)
	}
	h, _ := g.History("", "")
	if got := revIDs(h); !slices.Equal(got, []string{"e", "s", "a"}) {
		t.Errorf("History = %v, want [e s a]: the squashed revision in place of the range", got)
	}
	if got := g.Parents("e"); !slices.Equal(got, []string{"s"}) {
		t.Errorf("Parents(e) = %v, want [s]", got)
	}
	if g.Get("c") == nil || g.ReplacedBy("c").ID != "s" || g.ReplacedBy("e") != nil {
		t.Errorf("Get(c), ReplacedBy(c), ReplacedBy(e): %v %v %v", g.Get("c"), g.ReplacedBy("c"), g.ReplacedBy("e"))
	}
	if got := revIDs(g.Originals("s")); !slices.Equal(got, []string{"b", "c", "d"}) {
		t.Errorf("Originals(s) = %v", got)
	}
	if r, err := g.Resolve("c"); err != nil || r.ID != "c" {
		t.Errorf("Resolve(c) = %v, %v: show must find an original", r, err)
	}
}

// TestSquashPlans plans from each place a database can be: before the
// range (the squashed revision runs), in the middle (the originals run),
// at its end (recorded as the squashed revision, no SQL).
func TestSquashPlans(t *testing.T) {
	g := build(t, squashed...)
	head := mustTarget(t, "head")
	for _, c := range []struct {
		name             string
		applied          []string
		steps, rewrites  []string
		current          []string
		needsOfLastSteps []string
	}{
		{"fresh", nil, []string{"a", "s", "e"}, nil, nil, []string{"s"}},
		{"at the start", []string{"a"}, []string{"s", "e"}, nil, []string{"a"}, []string{"s"}},
		{"in the middle", []string{"a", "b"}, []string{"c", "d", "e"}, nil, []string{"b"}, []string{"d"}},
		{"at the end", []string{"a", "b", "c", "d"}, []string{"e"}, []string{"s=b,c,d"}, []string{"s"}, []string{"s"}},
		{"past the end", []string{"a", "b", "c", "d", "e"}, nil, []string{"s=b,c,d"}, []string{"e"}, nil},
		{"recorded", []string{"a", "s"}, []string{"e"}, nil, []string{"s"}, []string{"s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := g.Upgrade(c.applied, head)
			steps, rw := planOf(t, p, err)
			if !slices.Equal(steps, c.steps) || !slices.Equal(rw, c.rewrites) {
				t.Errorf("Upgrade: steps %v rewrites %v, want %v %v", steps, rw, c.steps, c.rewrites)
			}
			if n := len(p.Steps); n > 0 && !slices.Equal(p.Steps[n-1].Needs, c.needsOfLastSteps) {
				t.Errorf("Needs of %s = %v, want %v", p.Steps[n-1].Revision.ID, p.Steps[n-1].Needs, c.needsOfLastSteps)
			}
			if c.current != nil {
				if got := g.Current(c.applied); !slices.Equal(got, c.current) {
					t.Errorf("Current = %v, want %v", got, c.current)
				}
			}
		})
	}
}

// TestSquashDowngrades: through the squashed revision from the end of its
// range, through the originals from the middle, and the originals again
// when one stopped part-way reverting (the rows then hold all of them).
func TestSquashDowngrades(t *testing.T) {
	g := build(t, squashed...)
	p, err := g.Downgrade([]string{"a", "b", "c", "d", "e"}, mustTarget(t, "base"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"e", "s", "a"}) || !slices.Equal(rw, []string{"s=b,c,d"}) {
		t.Errorf("Downgrade from the end: %v %v", steps, rw)
	}
	p, err = g.Downgrade([]string{"a", "b", "c"}, mustTarget(t, "a"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"c", "b"}) || rw != nil {
		t.Errorf("Downgrade from the middle: %v %v", steps, rw)
	}
	p, err = g.DowngradeReverting([]string{"a", "b", "c"}, []string{"d"}, mustTarget(t, "a"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"d", "c", "b"}) || rw != nil {
		t.Errorf("DowngradeReverting: %v %v", steps, rw)
	}
	p, err = g.Downgrade([]string{"a", "b"}, mustTarget(t, "-1"))
	if steps, _ := planOf(t, p, err); !slices.Equal(steps, []string{"b"}) {
		t.Errorf("Downgrade -1 from the middle: %v", steps)
	}
}

// TestSquashTargets: the last replaced revision names the squashed one
// (the same schema); one inside the range is an upgrade target only for a
// database before or inside the range (the originals run up to it), and
// no target for one at or past its end.
func TestSquashTargets(t *testing.T) {
	g := build(t, squashed...)
	p, err := g.Upgrade([]string{"a"}, mustTarget(t, "d"))
	if steps, _ := planOf(t, p, err); !slices.Equal(steps, []string{"s"}) {
		t.Errorf("upgrade d from a: %v", steps)
	}
	p, err = g.Upgrade([]string{"a"}, mustTarget(t, "c"))
	if steps, _ := planOf(t, p, err); !slices.Equal(steps, []string{"b", "c"}) {
		t.Errorf("upgrade c from a: %v", steps)
	}
	p, err = g.Upgrade([]string{"a", "b"}, mustTarget(t, "c"))
	if steps, _ := planOf(t, p, err); !slices.Equal(steps, []string{"c"}) {
		t.Errorf("upgrade c from the middle: %v", steps)
	}
	var re *ReplacedError
	for _, applied := range [][]string{{"a", "s"}, {"a", "b", "c", "d"}} {
		if _, err := g.Upgrade(applied, mustTarget(t, "c")); !errors.As(err, &re) || re.ID != "c" || re.By != "s" {
			t.Errorf("upgrade c from %v: %v, want a ReplacedError", applied, err)
		}
	}
	if _, err := g.Downgrade([]string{"a", "s", "e"}, mustTarget(t, "c")); !errors.As(err, &re) {
		t.Errorf("downgrade c from the end: %v, want a ReplacedError", err)
	}
	if !strings.Contains(re.Error(), "name s, or a revision outside the squashed range") {
		t.Errorf("message: %v", re)
	}
}

// TestSquashOriginalsDeleted: once the files are gone, e's parent d still
// leads to s, a database at the end is recorded at s, and one in the
// middle is stopped with how to restore the files.
func TestSquashOriginalsDeleted(t *testing.T) {
	g := build(t, "a", "e<d", "s<a rep=b,c,d")
	if got := g.Parents("e"); !slices.Equal(got, []string{"s"}) {
		t.Errorf("Parents(e) = %v", got)
	}
	p, err := g.Upgrade([]string{"a", "b", "c", "d"}, mustTarget(t, "head"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"e"}) || !slices.Equal(rw, []string{"s=b,c,d"}) {
		t.Errorf("from the end: %v %v", steps, rw)
	}
	if got := g.Current([]string{"a", "b", "c", "d"}); !slices.Equal(got, []string{"s"}) {
		t.Errorf("Current = %v", got)
	}
	_, err = g.Upgrade([]string{"a", "b"}, mustTarget(t, "head"))
	var oe *OriginalsGoneError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "applied b, 1 of the 3 revisions that s (s.sql) squashes") || !strings.Contains(err.Error(), "restore them") {
		t.Errorf("from the middle: %v", err)
	}
	if g.Originals("s") != nil {
		t.Errorf("Originals of deleted files: %v", g.Originals("s"))
	}
}

// TestSquashNested: a squash of a squash whose originals are deleted
// records a database that applied the first range and the rest of the
// second at the outer one, in two rewrites.
func TestSquashNested(t *testing.T) {
	g := build(t, "a", "s1<a rep=b,c,d", "e<d", "f<e", "s2<a rep=s1,e")
	p, err := g.Upgrade([]string{"a", "b", "c", "d", "e"}, mustTarget(t, "head"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"f"}) || !slices.Equal(rw, []string{"s1=b,c,d", "s2=s1,e"}) {
		t.Errorf("nested: %v %v", steps, rw)
	}
	p, err = g.Upgrade([]string{"a", "b", "c", "d"}, mustTarget(t, "head"))
	if steps, rw := planOf(t, p, err); !slices.Equal(steps, []string{"e", "f"}) || !slices.Equal(rw, []string{"s1=b,c,d"}) {
		t.Errorf("inside the outer squash: %v %v", steps, rw)
	}
}

func TestSquashGraphErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		specs []string
		want  string
	}{
		{"some files gone", []string{"a", "b<a", "s<a rep=b,c"}, "the files of c are gone while the others are there"},
		{"branch from the middle", append(slices.Clone(squashed), "x<c"), "x.sql: revision x: Revises names c, which s (s.sql) squashes"},
		{"not a line", []string{"a", "b<a", "c<a", "s<a rep=b,c"}, "Replaces lists c (c.sql) as revising b, but it revises a"},
		{"wrong start", []string{"a", "b<a", "c<b", "s rep=b,c"}, "as revising nothing (a base), but it revises a"},
		{"replaced twice", []string{"a", "s<a rep=b,c", "t<a rep=c,d"}, "Replaces names c, which s (s.sql) replaces too"},
		{"itself", []string{"a", "s<a rep=b,s"}, "names itself in Replaces"},
		{"nested with originals", []string{"a", "b<a", "c<b", "s1<a rep=b,c", "d<c", "s2<a rep=s1,d"}, "itself a squashed revision whose originals are still there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var revs []*script.Revision
			for _, sp := range c.specs {
				revs = append(revs, parseSpec(sp))
			}
			_, err := New(revs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
}

func TestRange(t *testing.T) {
	g := build(t, "a", "b<a", "c<b", "d<c", "e<d", "x<a", "m<e,x", "n<m", "k<n", "o<n", "z dep=d")
	got, err := g.Range("b", "d")
	if err != nil || !slices.Equal(revIDs(got), []string{"b", "c", "d"}) {
		t.Errorf("Range(b, d) = %v, %v", revIDs(got), err)
	}
	for _, c := range []struct{ from, to, want string }{
		{"d", "n", "cannot squash d:n: revision m: it merges e and x"},
		{"a", "c", "cannot squash a:c: revision a: it is a branch point, with children b and x"},
		{"c", "e", "cannot squash c:e: revision d: revision z (z.sql) depends on it (Depends-On)"},
		{"d", "b", "revision d: it is not below b: name the older revision first"},
		{"b", "b", "the range is one revision"},
		{"m", "k", "cannot squash m:k: revision n: it is a branch point, with children k and o"},
	} {
		if _, err := g.Range(c.from, c.to); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Range(%s, %s) = %v, want %q", c.from, c.to, err, c.want)
		}
	}
	if _, err := g.Range("b", "zz"); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("unknown end: %v", err)
	}
	if _, err := build(t, squashed...).Range("a", "e"); err == nil || !strings.Contains(err.Error(), "revision s: it is a squashed revision whose originals are still there") {
		t.Errorf("a range over a squash with its originals: %v", err)
	}
}
