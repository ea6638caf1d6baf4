package revision

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Target
	}{
		{"head", Target{Kind: TargetHead}},
		{"heads", Target{Kind: TargetHeads}},
		{"base", Target{Kind: TargetBase}},
		{"ae1027a6acf", Target{Kind: TargetRevision, Rev: "ae1027a6acf"}},
		{"ae1", Target{Kind: TargetRevision, Rev: "ae1"}},
		{"+1", Target{Kind: TargetRelative, Steps: 1}},
		{"-3", Target{Kind: TargetRelative, Steps: -3}},
		{"ae10+2", Target{Kind: TargetRevision, Rev: "ae10", Steps: 2}},
		{"ae10-12", Target{Kind: TargetRevision, Rev: "ae10", Steps: -12}},
		{"head-2", Target{Kind: TargetHead, Steps: -2}},
		{"cart@head", Target{Kind: TargetHead, Label: "cart"}},
		{"shop-cart@heads", Target{Kind: TargetHeads, Label: "shop-cart"}},
		{"cart@base", Target{Kind: TargetBase, Label: "cart"}},
		{"cart@head-1", Target{Kind: TargetHead, Label: "cart", Steps: -1}},
		{"cart@+2", Target{Kind: TargetRelative, Label: "cart", Steps: 2}},
		{"cart@-1", Target{Kind: TargetRelative, Label: "cart", Steps: -1}},
		{"a1:b2", Target{Kind: TargetRange, From: &Target{Kind: TargetRevision, Rev: "a1"}, To: &Target{Kind: TargetRevision, Rev: "b2"}}},
		{"base:head", Target{Kind: TargetRange, From: &Target{Kind: TargetBase}, To: &Target{Kind: TargetHead}}},
		{":cart@head-2", Target{Kind: TargetRange, To: &Target{Kind: TargetHead, Label: "cart", Steps: -2}}},
		{"-3:", Target{Kind: TargetRange, From: &Target{Kind: TargetRelative, Steps: -3}}},
		{":", Target{Kind: TargetRange}},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if err != nil {
			t.Errorf("ParseTarget(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseTarget(%q) (-want +got):\n%s", tt.in, diff)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("ParseTarget(%q).String() = %q", tt.in, s)
		}
	}
	// Leading zeros parse; String writes the number plainly.
	if got, err := ParseTarget("+007"); err != nil || got.String() != "+7" {
		t.Errorf(`ParseTarget("+007") = %v, %v`, got, err)
	}
}

func TestParseTargetErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 65)
	tests := []struct{ in, want string }{
		{"", `invalid target "": empty; use head, heads, base, a revision id or prefix, +N, -N, REV+N, REV-N, LABEL@head or A:B`},
		{"x+", `invalid target "x+": missing number after "+"`},
		{"-", `invalid target "-": missing number after "-"`},
		{"+x", `invalid target "+x": "x" after "+" is not a number of steps`},
		{"a-1-2", `invalid target "a-1-2": "1-2" after "-" is not a number of steps`},
		{"+0", `invalid target "+0": zero steps; use +1 or more`},
		{"a-0", `invalid target "a-0": zero steps; use -1 or more`},
		{"+99999999999999999999", `invalid target "+99999999999999999999": 99999999999999999999 steps is too many (at most 1000000)`},
		{"+1000001", `invalid target "+1000001": 1000001 steps is too many (at most 1000000)`},
		{"head+1", `invalid target "head+1": there is nothing above head; use "+N" to go up from the current revision`},
		{"heads-1", `invalid target "heads-1": "heads" takes no steps; use "REV-1" or "LABEL@head-N"`},
		{"base+2", `invalid target "base+2": "base" takes no steps; use "REV+2" or "LABEL@head-N"`},
		{"a.b", `invalid target "a.b": revision id "a.b": ids use only letters, digits and '_'; use head, heads, base, a revision id or prefix, +N, -N, REV+N, REV-N, LABEL@head or A:B`},
		{long, `invalid target "` + long + `": revision id "` + long + `": longer than 64 bytes; use head, heads, base, a revision id or prefix, +N, -N, REV+N, REV-N, LABEL@head or A:B`},
		{"a b+1", `invalid target "a b+1": revision id "a b": ids use only letters, digits and '_'`},
		{"@head", `invalid target "@head": no branch label before "@"`},
		{"x y@head", `invalid target "x y@head": branch label "x y": branch labels use only letters, digits, '_' and '-'`},
		{"base@head", `invalid target "base@head": branch label "base": "base" is a reserved target name`},
		{"cart@", `invalid target "cart@": after "cart@" write head, heads, base, head-N, +N or -N`},
		{"cart@ae10", `invalid target "cart@ae10": after "cart@" write head, heads, base, head-N, +N or -N`},
		{"cart@head+1", `invalid target "cart@head+1": after "cart@" write head, heads, base, head-N, +N or -N`},
		{"cart@+x", `invalid target "cart@+x": "x" after "+" is not a number of steps`},
		{"current", `invalid target "current": "current" is the database's state, not a revision; name a revision, head or base`},
		{"a:b:c", `invalid target "a:b:c": a range has one ":"`},
		{"a:x+", `invalid target "a:x+": missing number after "+" in "x+"`},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if err == nil {
			t.Errorf("ParseTarget(%q) = %+v, want error", tt.in, got)
			continue
		}
		var te *TargetError
		if !errors.As(err, &te) || te.Input != tt.in {
			t.Errorf("ParseTarget(%q) error %#v is not a *TargetError for the input", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("ParseTarget(%q) error\n got: %s\nwant: %s", tt.in, err, tt.want)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"head", "heads", "base", "ae10", "+1", "-2", "ae10+2", "ae10-1", "head-3",
		"cart@head", "cart@heads", "cart@base", "cart@head-1", "cart@+1", "cart@-2", "a:b", ":head", "base:", "x+", "a@b@c", "+007"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("ParseTarget(%q) error %T is not a *TargetError", s, err)
			}
			return
		}
		again, err := ParseTarget(tg.String())
		if err != nil {
			t.Fatalf("ParseTarget(%q).String() = %q does not parse: %v", s, tg.String(), err)
		}
		if diff := cmp.Diff(tg, again); diff != "" {
			t.Fatalf("ParseTarget(%q) round trip (-first +second):\n%s", s, diff)
		}
	})
}
