package revision

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retortdb/retort/internal/script"
)

type planCase struct {
	name    string
	applied string // space-separated ids
	target  string
	want    string // space-separated ids of the steps, in order
	err     string // exact error, when one is expected
}

func runPlans(t *testing.T, g *Graph, dir Direction, cases []planCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			target, err := ParseTarget(tt.target)
			if err != nil {
				t.Fatalf("ParseTarget(%q): %v", tt.target, err)
			}
			var p *Plan
			if dir == Up {
				p, err = g.Upgrade(strings.Fields(tt.applied), target)
			} else {
				p, err = g.Downgrade(strings.Fields(tt.applied), target)
			}
			if tt.err != "" {
				if err == nil {
					t.Fatalf("%s %s from [%s] = %v, want error %s", dir, tt.target, tt.applied, p.IDs(), tt.err)
				}
				if err.Error() != tt.err {
					t.Fatalf("error\n got: %s\nwant: %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s %s from [%s]: %v", dir, tt.target, tt.applied, err)
			}
			if diff := cmp.Diff(strings.Fields(tt.want), p.IDs()); diff != "" {
				t.Errorf("%s %s from [%s] (-want +got):\n%s", dir, tt.target, tt.applied, diff)
			}
			for _, s := range p.Steps {
				if s.Direction != dir {
					t.Errorf("step %s has direction %s", s.Revision.ID, s.Direction)
				}
			}
		})
	}
}

func TestUpgradeLinear(t *testing.T) {
	t.Parallel()
	g := build(t, "a", "b<a", "c<b", "d<c")
	runPlans(t, g, Up, []planCase{
		{"head from empty", "", "head", "a b c d", ""},
		{"heads from empty", "", "heads", "a b c d", ""},
		{"head from middle", "a b", "head", "c d", ""},
		{"at head", "a b c d", "head", "", ""},
		{"to id", "", "b", "a b", ""},
		{"to prefix", "a", "c", "b c", ""},
		{"already applied", "a b c", "b", "", ""},
		{"+1 from empty", "", "+1", "a", ""},
		{"+2 from empty", "", "+2", "a b", ""},
		{"+2", "a", "+2", "b c", ""},
		{"+1 at head", "a b c d", "+1", "", `target "+1" goes past head d: there is no revision above it`},
		{"+5 too far", "a b", "+5", "", `target "+5" goes past head d: there is no revision above it`},
		{"REV+N", "", "b+2", "a b c d", ""},
		{"REV-N", "", "d-2", "a b", ""},
		{"REV-N to below base", "", "b-2", "", ""},
		{"REV-N too far", "", "b-3", "", `target "b-3" goes past base a: there is no revision below it`},
		{"head-1", "", "head-1", "a b c", ""},
		{"base", "a b", "base", "", ""},
		{"-1 is down", "a b", "-1", "", `target "-1" goes down: use downgrade`},
		{"range", "", "a:b", "", `target "a:b" is a range: ranges are for offline SQL (--sql)`},
		{"unknown", "", "zz", "", `no revision "zz": see "retort history" for the revision ids`},
		{"unknown applied", "a gone", "head", "", "the database records revision gone as applied, but no revision file has that id: restore the file, or correct the record with `retort stamp --purge REV`, REV being the revision the database really is at (--purge drops the row of gone)"},
	})
}

func TestUpgradeBranches(t *testing.T) {
	t.Parallel()
	g := build(t, diamond...)
	runPlans(t, g, Up, []planCase{
		{"head through merge", "", "head", "a b c d m e", ""},
		{"merge applies both parents", "a b", "m", "c d m", ""},
		{"one branch", "", "d", "a b d", ""},
		{"label head", "", "cart@head", "a b c d m e", ""},
		{"label base", "", "cart@base", "a", ""},
		{"+1 at branch point", "a", "+1", "", `target "+1" is ambiguous: a is a branch point with children b and c; name the branch with "REV+N" from one of them`},
		{"REV+N along a branch", "a", "c+1", "b c d m", ""},
		{"+1 with two current heads", "a b c", "+1", "", `target "+1" is ambiguous: the database has 2 current heads, b and c; say which one to step from, as "REV+N", "REV-N", "LABEL@+N" or "LABEL@-N"`},
		{"label +1", "a b c", "cart@+1", "d m", ""},
		{"merge-1 is ambiguous", "", "m-1", "", `target "m-1" is ambiguous: m is a merge of d and c; step down from one of them with "REV-N"`},
	})

	// Two heads before the merge exists.
	g2 := build(t, "a", "b<a", "c<a label=cart", "d<b")
	runPlans(t, g2, Up, []planCase{
		{"head is ambiguous", "", "head", "", `target "head" is ambiguous: there are 2 heads, c and d; name one (a revision id or "LABEL@head"), use "heads" for all of them, or join them with "retort merge"`},
		{"heads", "", "heads", "a b c d", ""},
		{"heads partial", "a c", "heads", "b d", ""},
		{"label head", "", "cart@head", "a c", ""},
		{"label head-1", "", "cart@head-1", "a", ""},
		{"unknown label", "", "shop@head", "", `no branch label "shop": the labels are cart`},
	})
}

func TestUpgradeDependsOn(t *testing.T) {
	t.Parallel()
	// Two independent bases (Alembic's "multiple bases"); y2 needs x2.
	g := build(t, "x1 label=net", "x2<x1", "x3<x2", "y1 label=acct", "y2<y1 dep=x2", "y3<y2")
	runPlans(t, g, Up, []planCase{
		{"dependency first", "", "y2", "x1 x2 y1 y2", ""},
		{"dependency already there", "x1 x2", "acct@head", "y1 y2 y3", ""},
		{"heads", "", "heads", "x1 x2 x3 y1 y2 y3", ""},
		{"+1 from empty with two bases", "", "+1", "", `target "+1" is ambiguous: nothing is applied and there are 2 bases, x1 and y1; upgrade one of them first, or name a revision`},
		{"label +1 from empty", "", "acct@+1", "y1", ""},
		{"label +2 pulls the dependency", "", "acct@+2", "x1 x2 y1 y2", ""},
		{"label +1 with other branch applied", "x1 x2 x3", "acct@+1", "y1", ""},
		{"head is ambiguous", "", "head", "", `target "head" is ambiguous: there are 2 heads, x3 and y3; name one (a revision id or "LABEL@head"), use "heads" for all of them, or join them with "retort merge"`},
	})
}

func TestDowngradeLinear(t *testing.T) {
	t.Parallel()
	g := build(t, "a", "b<a", "c<b", "d<c")
	runPlans(t, g, Down, []planCase{
		{"-1", "a b c d", "-1", "d", ""},
		{"-2", "a b c d", "-2", "d c", ""},
		{"-4 reverts the base", "a b c d", "-4", "d c b a", ""},
		{"-5 too far", "a b c d", "-5", "", `target "-5" goes past base a: there is no revision below it`},
		{"-1 from nothing", "", "-1", "", `target "-1" goes past base: nothing is applied`},
		{"-1 mid-way", "a b", "-1", "b", ""},
		{"base", "a b c", "base", "c b a", ""},
		{"base from nothing", "", "base", "", ""},
		{"to id", "a b c d", "b", "d c", ""},
		{"to prefix", "a b c d", "a", "d c b", ""},
		{"to current", "a b", "b", "", ""},
		{"REV-N", "a b c d", "d-2", "d c", ""},
		{"REV-N below base", "a b c d", "b-2", "d c b a", ""},
		{"head-1", "a b c d", "head-1", "d", ""},
		{"not applied", "a b", "c", "", `cannot downgrade to c: it is not applied (the database is at b); use upgrade to go up to it`},
		{"not applied from nothing", "", "a", "", `cannot downgrade to a: it is not applied (nothing is applied); use upgrade to go up to it`},
		{"+1 is up", "a", "+1", "", `target "+1" goes up: use upgrade`},
	})
}

func TestDowngradeBranches(t *testing.T) {
	t.Parallel()
	g := build(t, diamond...)
	runPlans(t, g, Down, []planCase{
		{"-1 at merge reverts only the merge", "a b c d m", "-1", "m", ""},
		{"-2 from above a merge", "a b c d m e", "-2", "e m", ""},
		{"-3 through a merge is ambiguous", "a b c d m e", "-3", "", `target "-3" is ambiguous: m is a merge of d and c; step down from one of them with "REV-N"`},
		{"to one parent reverts the merge", "a b c d m e", "d", "e m", ""},
		{"to the branch point", "a b c d m e", "a", "e m d c b", ""},
		{"two current heads", "a b c", "-1", "", `target "-1" is ambiguous: the database has 2 current heads, b and c; say which one to step from, as "REV+N", "REV-N", "LABEL@+N" or "LABEL@-N"`},
		{"branch of two heads by label", "a b c", "cart@-1", "c", ""},
		{"label base", "a b c d", "cart@base", "c", ""},
		{"label base with merge", "a b c d m e", "cart@base", "e m c", ""},
		{"REV-N on a branch", "a b c d", "d-1", "d", ""},
		{"REV-N to a branch point reverts only REV's branch", "a b c d", "c-1", "c", ""},
		{"REV-N down one branch from a merge", "a b c d m", "d-2", "m d b", ""},
		{"base", "a b c d m", "base", "m d c b a", ""},
	})
}

func TestDowngradeDependsOn(t *testing.T) {
	t.Parallel()
	g := build(t, "x1 label=net", "x2<x1", "x3<x2", "y1 label=acct", "y2<y1 dep=x2", "y3<y2")
	runPlans(t, g, Down, []planCase{
		{"dependent first", "x1 x2 x3 y1 y2 y3", "x1", "y3 y2 x3 x2", ""},
		{"label base leaves the other branch", "x1 x2 x3 y1 y2 y3", "acct@base", "y3 y2 y1", ""},
		{"net base takes the dependent", "x1 x2 x3 y1 y2 y3", "net@base", "y3 y2 x3 x2 x1", ""},
		{"label -1", "x1 x2 x3 y1 y2 y3", "net@-1", "x3", ""},
		{"label -2 takes dependents", "x1 x2 x3 y1 y2 y3", "net@-2", "y3 y2 x3 x2", ""},
		{"-1 with two heads", "x1 x2 x3 y1 y2 y3", "-1", "", `target "-1" is ambiguous: the database has 2 current heads, x3 and y3; say which one to step from, as "REV+N", "REV-N", "LABEL@+N" or "LABEL@-N"`},
	})
}

func TestRangePlan(t *testing.T) {
	t.Parallel()
	g := build(t, "a", "b<a", "c<b", "d<c")
	tests := []struct {
		from, to string
		dir      Direction
		want     string
		err      string
	}{
		{"", "", Up, "a b c d", ""},
		{"base", "c", Up, "a b c", ""},
		{"b", "head", Up, "c d", ""},
		{"b", "+1", Up, "c", ""},
		{"a", "", Up, "b c d", ""},
		{"d", "b", Down, "d c", ""},
		{"d", "", Down, "d c b a", ""},
		{"c", "-1", Down, "c", ""},
		{"", "a", Down, "", `invalid target ":a": a downgrade range starts from a revision: write REV:TARGET`},
		{"+1", "d", Up, "", `invalid target "+1": steps from the current revision need the database's state, which is not known here; name a revision instead`},
		{"b", "x+", Up, "", `invalid target "x+": missing number after "+"`},
	}
	for _, tt := range tests {
		p, err := g.RangePlan(tt.from, tt.to, tt.dir)
		name := tt.dir.String() + " " + tt.from + ":" + tt.to
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: error %v\nwant %s", name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diff := cmp.Diff(strings.Fields(tt.want), p.IDs()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestCheckReversible(t *testing.T) {
	t.Parallel()
	up := script.Section{SQL: "CREATE TABLE t (a int);\n", Present: true}
	revs := []*script.Revision{
		{ID: "ok", Path: "ok.sql", Up: up, Down: script.Section{SQL: "DROP TABLE t;\n", Present: true}},
		{ID: "merge", Path: "merge.sql", Revises: []string{"ok"}, Up: script.Section{Present: true}, Down: script.Section{Present: true}},
		{ID: "nodown", Path: "nodown.sql", Revises: []string{"merge"}, Up: up},
		{ID: "marked", Path: "marked.sql", Revises: []string{"nodown"}, Up: up, Down: script.Section{Present: true, Irreversible: true}},
		{ID: "empty", Path: "empty.sql", Revises: []string{"marked"}, Up: up, Down: script.Section{SQL: "\n", Present: true}},
	}
	g, err := New(revs)
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"ok", "merge", "nodown", "marked", "empty"}
	tests := []struct{ target, want string }{
		{"marked", `revision empty (empty.sql) has an empty "-- +downgrade" section: add the SQL that reverts its upgrade, write "-- +downgrade none" if its upgrade leaves nothing to revert, or mark it "-- +downgrade irreversible"`},
		{"nodown", `revision marked (marked.sql) is marked "-- +downgrade irreversible": it cannot be reverted; downgrade to a revision above it, or stamp the database after reverting by hand`},
		{"merge", `revision nodown (nodown.sql) has no "-- +downgrade" section: add one with the SQL that reverts its upgrade, or mark it "-- +downgrade irreversible"`},
	}
	for _, tt := range tests {
		p, err := g.Downgrade(all[:indexOf(all, tt.target)+2], mustTarget(t, tt.target))
		if err != nil {
			t.Fatal(err)
		}
		err = p.CheckReversible()
		var ie *IrreversibleError
		if !errors.As(err, &ie) || err.Error() != tt.want {
			t.Errorf("downgrade to %s: CheckReversible = %v\nwant %s", tt.target, err, tt.want)
		}
	}
	// A merge revision with empty sections reverts fine, and so does ok.
	p, err := g.Downgrade([]string{"ok", "merge"}, mustTarget(t, "base"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.CheckReversible(); err != nil {
		t.Errorf("CheckReversible(merge, ok) = %v", err)
	}
	// Upgrade steps are never checked.
	p, _ = g.Upgrade(nil, mustTarget(t, "head"))
	if err := p.CheckReversible(); err != nil {
		t.Errorf("CheckReversible(upgrade) = %v", err)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func mustTarget(t testing.TB, s string) Target {
	t.Helper()
	tg, err := ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestEmptyGraph(t *testing.T) {
	t.Parallel()
	g, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"head", "heads", "base"} {
		p, err := g.Upgrade(nil, mustTarget(t, s))
		if err != nil || len(p.Steps) != 0 {
			t.Errorf("Upgrade(%s) on no revisions = %v, %v", s, p, err)
		}
	}
	if _, err := g.Upgrade(nil, mustTarget(t, "+1")); err == nil || err.Error() != `target "+1" goes past head: there are no revisions` {
		t.Errorf("Upgrade(+1) on no revisions: %v", err)
	}
}
