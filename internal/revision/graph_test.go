package revision

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retortdb/retort/internal/script"
)

// spec describes a revision compactly: "id" or "id<parent,parent" with
// optional " dep=a,b", " label=x" and " rep=a,b" (Replaces).
func parseSpec(s string) *script.Revision {
	fields := strings.Fields(s)
	r := &script.Revision{Up: script.Section{SQL: "SELECT 1;\n", Present: true}, Down: script.Section{SQL: "SELECT 2;\n", Present: true}}
	id, parents, _ := strings.Cut(fields[0], "<")
	r.ID = id
	r.Path = id + ".sql"
	if parents != "" {
		r.Revises = strings.Split(parents, ",")
	}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "dep":
			r.DependsOn = strings.Split(v, ",")
		case "label":
			r.Branches = strings.Split(v, ",")
		case "rep":
			r.Replaces = strings.Split(v, ",")
		}
	}
	return r
}

func build(t testing.TB, specs ...string) *Graph {
	t.Helper()
	revs := make([]*script.Revision, len(specs))
	for i, s := range specs {
		revs[i] = parseSpec(s)
	}
	g, err := New(revs)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func revIDs(rs []*script.Revision) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// diamond is Alembic's branches example: a base, two branches, a merge
// and one more revision on top.
//
//	a -> b -> d --\
//	 \             m -> e
//	  -> c -------/
var diamond = []string{"a", "b<a", "c<a label=cart", "d<b", "m<d,c", "e<m"}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		specs []string
		want  string
		as    any
	}{
		{"missing parent", []string{"a", "b<zz"}, `b.sql: revision b: Revises names zz, but no revision has that id; restore the missing file or correct the id (ids in revision files must be written in full, not as prefixes)`, new(*MissingError)},
		{"missing dependency", []string{"a", "b<a dep=q"}, `b.sql: revision b: Depends-On names q, but no revision has that id; restore the missing file or correct the id (ids in revision files must be written in full, not as prefixes)`, new(*MissingError)},
		{"prefix parent", []string{"abc1", "abc2", "b<abc"}, `b.sql: revision b: Revises names abc, but no revision has that id (it is a prefix of abc1 and abc2; ids in revision files must be written in full)`, new(*MissingError)},
		{"self", []string{"a<a"}, `a.sql: revision a names itself in Revises; a revision's Revises lists other revisions`, new(*SelfReferenceError)},
		{"self dep", []string{"a dep=a"}, `a.sql: revision a names itself in Depends-On; a revision's Depends-On lists other revisions`, new(*SelfReferenceError)},
		{"cycle", []string{"b0", "x<z", "y<x", "z<y"}, `revisions form a cycle: x -> z -> y -> x (each revises or depends on the next); remove one of these links from its Revises or Depends-On line`, new(*CycleError)},
		{"cycle through depends-on", []string{"a", "b<a dep=c", "c<b"}, `revisions form a cycle: b -> c -> b (each revises or depends on the next); remove one of these links from its Revises or Depends-On line`, new(*CycleError)},
		{"duplicate id", []string{"a", "a"}, `revision a is declared by two files, a.sql and a.sql: every revision needs its own id; give one of them a new id ("retort revision" makes one) and fix the Revises lines that name it`, new(*script.DuplicateIDError)},
		{"duplicate label", []string{"a label=x", "b<a label=x"}, `branch label "x" is declared by both a.sql and b.sql; a label names one branch: remove it from one of the Branch lines`, new(*DuplicateLabelError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			revs := make([]*script.Revision, len(tt.specs))
			for i, s := range tt.specs {
				revs[i] = parseSpec(s)
			}
			g, err := New(revs)
			if err == nil {
				t.Fatalf("New succeeded with %d revisions", g.Len())
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if !errors.As(err, tt.as) {
				t.Errorf("error is %T, want %T", err, tt.as)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	t.Parallel()
	g := build(t, append(diamond, "f<c", "z2 label=other")...)
	check := func(name string, got, want []string) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check("Revisions", revIDs(g.Revisions()), []string{"a", "b", "c", "d", "m", "e", "f", "z2"})
	check("Heads", revIDs(g.Heads()), []string{"e", "f", "z2"})
	check("Bases", revIDs(g.Bases()), []string{"a", "z2"})
	check("BranchPoints", revIDs(g.BranchPoints()), []string{"a", "c"})
	check("Children(a)", revIDs(g.Children("a")), []string{"b", "c"})
	check("Children(c)", revIDs(g.Children("c")), []string{"m", "f"})
	check("Children(e)", revIDs(g.Children("e")), []string{})
	check("Ancestors(e)", revIDs(g.Ancestors("e")), []string{"a", "b", "c", "d", "m"})
	check("Ancestors(a)", revIDs(g.Ancestors("a")), []string{})
	check("Current", g.Current([]string{"a", "b", "c", "z2"}), []string{"b", "c", "z2"})
	check("Current unknown", g.Current([]string{"a", "gone"}), []string{"a", "gone"})
	if g.Len() != 8 {
		t.Errorf("Len = %d", g.Len())
	}
	if r := g.Get("m"); r == nil || r.ID != "m" {
		t.Errorf("Get(m) = %v", r)
	}
	if r := g.Get("zz"); r != nil {
		t.Errorf("Get(zz) = %v", r)
	}
	if r := g.ByLabel("cart"); r == nil || r.ID != "c" {
		t.Errorf("ByLabel(cart) = %v", r)
	}
	if r := g.ByLabel("nope"); r != nil {
		t.Errorf("ByLabel(nope) = %v", r)
	}
}

func TestDependsOnAncestors(t *testing.T) {
	t.Parallel()
	g := build(t, "x1 label=net", "x2<x1", "y1 label=acct", "y2<y1 dep=x2")
	if diff := cmp.Diff([]string{"x1", "x2", "y1"}, revIDs(g.Ancestors("y2"))); diff != "" {
		t.Errorf("Ancestors(y2) (-want +got):\n%s", diff)
	}
	// Depends-On does not make a parent: x2 stays a head.
	if diff := cmp.Diff([]string{"x2", "y2"}, revIDs(g.Heads())); diff != "" {
		t.Errorf("Heads (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"y2"}, revIDs(g.Dependents("x2"))); diff != "" {
		t.Errorf("Dependents (-want +got):\n%s", diff)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	g := build(t, "ab12", "ab34<ab12", "ab<ab34", "cd<ab")
	tests := []struct{ in, want, err string }{
		{"ab12", "ab12", ""},
		{"ab", "ab", ""}, // an exact id wins over a longer id it starts
		{"ab3", "ab34", ""},
		{"c", "cd", ""},
		{"a", "", `revision prefix "a" is ambiguous: it matches ab, ab12 and ab34; give more characters`},
		{"zz", "", `no revision "zz": see "retort history" for the revision ids`},
		{"", "", `no revision "": see "retort history" for the revision ids`},
	}
	for _, tt := range tests {
		r, err := g.Resolve(tt.in)
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("Resolve(%q) error = %v, want %s", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("Resolve(%q): %v", tt.in, err)
		case r.ID != tt.want:
			t.Errorf("Resolve(%q) = %s, want %s", tt.in, r.ID, tt.want)
		}
	}
	_, err := g.Resolve("a")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || amb.Prefix != "a" || len(amb.Candidates) != 3 {
		t.Errorf("Resolve(a) = %#v", err)
	}
	_, err = g.Resolve("q")
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.ID != "q" {
		t.Errorf("Resolve(q) = %#v", err)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	g := build(t, append(diamond, "f<c")...)
	tests := []struct{ from, to, want, err string }{
		{"", "", "f e m d c b a", ""},
		{"base", "heads", "f e m d c b a", ""},
		{"c", "", "f e m c", ""},
		{"", "d", "d b a", ""},
		{"b", "m", "m d b", ""},
		{"cart@base", "", "f e m c", ""},
		{"", "cart@head", "", `target "cart@head" is ambiguous: there are 2 heads, e and f; name one (a revision id or "LABEL@head"), use "heads" for all of them, or join them with "retort merge"`},
		{"", "head", "", `target "head" is ambiguous: there are 2 heads, e and f; name one (a revision id or "LABEL@head"), use "heads" for all of them, or join them with "retort merge"`},
		{"d", "e-1", "m d", ""},
		{"", "base", "", ""},
		{"+1", "", "", `invalid target "+1": steps from the current revision need the database's state, which is not known here; name a revision instead`},
		{"a:b", "", "", `invalid target "a:b": one end of a range cannot be a range`},
		{"x", "", "", `no revision "x": see "retort history" for the revision ids`},
	}
	for _, tt := range tests {
		got, err := g.History(tt.from, tt.to)
		name := tt.from + ":" + tt.to
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("History(%s) error = %v\nwant %s", name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("History(%s): %v", name, err)
			continue
		}
		if diff := cmp.Diff(strings.Fields(tt.want), revIDs(got)); diff != "" {
			t.Errorf("History(%s) (-want +got):\n%s", name, diff)
		}
	}
}

func TestResolveTarget(t *testing.T) {
	t.Parallel()
	g := build(t, append(diamond, "f<c")...)
	tests := []struct{ in, want, err string }{
		{"heads", "e f", ""},
		{"base", "", ""},
		{"e", "e", ""},
		{"d-1", "b", ""},
		{"e-1", "m", ""},
		{"a-1", "", ""},
		{"b+1", "d", ""},
		{"cart@base", "c", ""},
		{"cart@heads", "e f", ""},
		{"head", "", `target "head" is ambiguous: there are 2 heads, e and f; name one (a revision id or "LABEL@head"), use "heads" for all of them, or join them with "retort merge"`},
		{"a+1", "", `target "a+1" is ambiguous: a is a branch point with children b and c; name the branch with "REV+N" from one of them`},
		{"f+1", "", `target "f+1" goes past head f: there is no revision above it`},
		{"a-2", "", `target "a-2" goes past base a: there is no revision below it`},
		{"-1", "", `invalid target "-1": steps from the current revision need the database's state, which is not known here; name a revision instead`},
		{"a:b", "", `invalid target "a:b": a range names no single target`},
	}
	for _, tt := range tests {
		target, err := ParseTarget(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.ResolveTarget(target)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ResolveTarget(%s) error = %v\nwant %s", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ResolveTarget(%s): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(strings.Fields(tt.want), revIDs(got)); diff != "" {
			t.Errorf("ResolveTarget(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
	if err := (&MultipleHeadsError{Heads: []string{"a", "b"}}).Error(); !strings.HasPrefix(err, `target "head" is ambiguous: there are 2 heads, a and b;`) {
		t.Errorf("MultipleHeadsError without Target: %s", err)
	}
}
