package revision

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// TargetKind is the form of a Target.
type TargetKind int

const (
	// TargetHead is "head", "head-N", "LABEL@head" or "LABEL@head-N".
	TargetHead TargetKind = iota + 1
	// TargetHeads is "heads" or "LABEL@heads".
	TargetHeads
	// TargetBase is "base" or "LABEL@base".
	TargetBase
	// TargetRevision is a revision id or prefix, "REV+N" or "REV-N".
	TargetRevision
	// TargetRelative is "+N" or "-N" (or "LABEL@+N", "LABEL@-N"): steps
	// from the database's current head.
	TargetRelative
	// TargetRange is "A:B", for offline SQL and history; either end may be
	// empty.
	TargetRange
)

// Target is a parsed target expression (DESIGN.md section 7). Build one
// with ParseTarget.
type Target struct {
	Kind TargetKind
	// Rev is the revision id or prefix of a TargetRevision.
	Rev string
	// Label is the branch label of a "LABEL@..." target, else "".
	Label string
	// Steps counts relative steps: positive up, negative down, 0 for none.
	Steps int
	// From and To are the ends of a TargetRange; nil for an open end.
	From, To *Target
}

// maxSteps bounds N in relative targets.
const maxSteps = 1_000_000

// TargetError reports a target expression that does not parse.
type TargetError struct {
	// Input is the expression as given.
	Input string
	// Msg says what is wrong.
	Msg string
}

// Error returns `invalid target "x+": msg`.
func (e *TargetError) Error() string {
	return fmt.Sprintf("invalid target %q: %s", e.Input, e.Msg)
}

const targetForms = `use head, heads, base, a revision id or prefix, +N, -N, REV+N, REV-N, LABEL@head or A:B`

// ParseTarget parses a target: "head", "heads", "base", a revision id or
// unique prefix, "+N", "-N", "REV+N", "REV-N", "head-N", "LABEL@head",
// "LABEL@heads", "LABEL@base", "LABEL@head-N", "LABEL@+N", "LABEL@-N", or a
// range "A:B" of two of those (either may be empty). Errors are
// *TargetError.
func ParseTarget(s string) (Target, error) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if strings.IndexByte(s[i+1:], ':') >= 0 {
			return Target{}, &TargetError{Input: s, Msg: `a range has one ":"`}
		}
		t := Target{Kind: TargetRange}
		for k, part := range [2]string{s[:i], s[i+1:]} {
			if part == "" {
				continue
			}
			end, msg := parseSingle(part)
			if msg != "" {
				return Target{}, &TargetError{Input: s, Msg: fmt.Sprintf("%s in %q", msg, part)}
			}
			if k == 0 {
				t.From = &end
			} else {
				t.To = &end
			}
		}
		return t, nil
	}
	t, msg := parseSingle(s)
	if msg != "" {
		return Target{}, &TargetError{Input: s, Msg: msg}
	}
	return t, nil
}

// parseSingle parses a target that is not a range; it returns a message
// when s is invalid.
func parseSingle(s string) (Target, string) {
	if s == "" {
		return Target{}, "empty; " + targetForms
	}
	if at := strings.IndexByte(s, '@'); at >= 0 {
		return parseLabeled(s[:at], s[at+1:])
	}
	switch s {
	case "head":
		return Target{Kind: TargetHead}, ""
	case "heads":
		return Target{Kind: TargetHeads}, ""
	case "base":
		return Target{Kind: TargetBase}, ""
	case "current":
		return Target{}, `"current" is the database's state, not a revision; name a revision, head or base`
	}
	i := strings.IndexAny(s, "+-")
	if i < 0 {
		if err := script.CheckID(s); err != nil {
			return Target{}, err.Error() + "; " + targetForms
		}
		return Target{Kind: TargetRevision, Rev: s}, ""
	}
	return parseRelative(s[:i], s[i], s[i+1:])
}

// parseLabeled parses LABEL@rest, where rest is head, heads, base,
// head-N, +N or -N.
func parseLabeled(label, rest string) (Target, string) {
	if label == "" {
		return Target{}, `no branch label before "@"`
	}
	if err := script.CheckLabel(label); err != nil {
		return Target{}, err.Error()
	}
	switch {
	case rest == "head", rest == "heads", rest == "base":
	case strings.HasPrefix(rest, "head-"), strings.HasPrefix(rest, "+"), strings.HasPrefix(rest, "-"):
	default:
		return Target{}, fmt.Sprintf(`after %q write head, heads, base, head-N, +N or -N`, label+"@")
	}
	t, msg := parseSingle(rest)
	if msg != "" {
		return Target{}, msg
	}
	t.Label = label
	return t, ""
}

// parseRelative parses base followed by sign and num: +N or -N from the
// current revision (base ""), head-N, or REV+N / REV-N.
func parseRelative(base string, sign byte, num string) (Target, string) {
	n, msg := parseSteps(sign, num)
	if msg != "" {
		return Target{}, msg
	}
	if sign == '-' {
		n = -n
	}
	switch base {
	case "":
		return Target{Kind: TargetRelative, Steps: n}, ""
	case "head":
		if n > 0 {
			return Target{}, `there is nothing above head; use "+N" to go up from the current revision`
		}
		return Target{Kind: TargetHead, Steps: n}, ""
	case "heads", "base":
		return Target{}, fmt.Sprintf(`%q takes no steps; use "REV%c%d" or "LABEL@head-N"`, base, sign, abs(n))
	}
	if err := script.CheckID(base); err != nil {
		return Target{}, err.Error()
	}
	return Target{Kind: TargetRevision, Rev: base, Steps: n}, ""
}

// parseSteps reads N after a sign.
func parseSteps(sign byte, num string) (int, string) {
	if num == "" {
		return 0, fmt.Sprintf("missing number after %q", string(sign))
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, fmt.Sprintf("%q after %q is not a number of steps", num, string(sign))
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > maxSteps {
		return 0, fmt.Sprintf("%s steps is too many (at most %d)", num, maxSteps)
	}
	if n == 0 {
		return 0, fmt.Sprintf("zero steps; use %s1 or more", string(sign))
	}
	return n, ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// String returns the canonical text of t, which ParseTarget reads back:
// a range as its two ends (rangeString), else the label, the target's
// word or revision, and the steps.
func (t Target) String() string {
	if t.Kind == TargetRange {
		return t.rangeString()
	}
	var b strings.Builder
	if t.Label != "" {
		b.WriteString(t.Label)
		b.WriteByte('@')
	}
	if w, ok := targetWords[t.Kind]; ok {
		b.WriteString(w)
	} else if t.Kind == TargetRevision {
		b.WriteString(t.Rev)
	}
	if t.Steps > 0 {
		b.WriteByte('+')
	}
	if t.Steps != 0 {
		b.WriteString(strconv.Itoa(t.Steps))
	}
	return b.String()
}

// targetWords are the targets written as a word.
var targetWords = map[TargetKind]string{TargetHead: "head", TargetHeads: "heads", TargetBase: "base"}

// rangeString writes a range "FROM:TO", either end possibly empty.
func (t Target) rangeString() string {
	var b strings.Builder
	if t.From != nil {
		b.WriteString(t.From.String())
	}
	b.WriteByte(':')
	if t.To != nil {
		b.WriteString(t.To.String())
	}
	return b.String()
}
