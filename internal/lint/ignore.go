package lint

import (
	"fmt"
	"sort"
	"strings"
)

// ignoreMarker starts a silencing comment.
const ignoreMarker = "retort:lint-ignore"

// ignoreComment is one retort:lint-ignore comment above a statement.
type ignoreComment struct {
	codes  []string // rule codes (names resolved)
	reason string
	line   int // line in the file
	used   bool
}

// ignoresAbove reads the retort:lint-ignore comments on the comment lines
// directly above section line secLine (1-based). A malformed comment is
// returned as an RL001 finding on s.
func ignoresAbove(rc *revCtx, s *stmt, lines []string) []*ignoreComment {
	var out []*ignoreComment
	for ln := s.secLine - 1; ln >= 1 && ln <= len(lines); ln-- {
		text := strings.TrimSpace(lines[ln-1])
		if !strings.HasPrefix(text, "--") {
			break
		}
		body := strings.TrimSpace(strings.TrimPrefix(text, "--"))
		if !strings.HasPrefix(body, ignoreMarker) {
			continue
		}
		fileLine := rc.rev.Up.Line + ln - 1
		ic, err := parseIgnore(strings.TrimSpace(strings.TrimPrefix(body, ignoreMarker)))
		if err != nil {
			f := Finding{Message: fmt.Sprintf("%s:%d: %v", rc.rev.Path, fileLine, err),
				Safe: "Write it as: -- retort:lint-ignore RL101 why this is safe here (one or more codes, comma-separated, then the reason)"}
			rc.add(s, "RL001", f)
			continue
		}
		ic.line = fileLine
		out = append(out, ic)
	}
	return out
}

// parseIgnore reads "CODE[,CODE...] reason".
func parseIgnore(rest string) (*ignoreComment, error) {
	list, reason, _ := strings.Cut(rest, " ")
	reason = strings.TrimSpace(reason)
	if list == "" {
		return nil, fmt.Errorf("%s names no rule", ignoreMarker)
	}
	ic := &ignoreComment{reason: reason}
	for _, c := range strings.Split(list, ",") {
		r, ok := Lookup(strings.TrimSpace(c))
		if !ok {
			return nil, fmt.Errorf("%s: unknown rule %q (retort lint --rules lists them)", ignoreMarker, c)
		}
		ic.codes = append(ic.codes, r.Code)
	}
	if reason == "" {
		return nil, fmt.Errorf("%s %s: the reason is required (say why the statement is safe here)", ignoreMarker, list)
	}
	return ic, nil
}

// applyIgnores marks the findings that comments silence and reports
// comments that silence nothing; the result is in statement order.
func applyIgnores(rc *revCtx, lines []string) []Finding {
	byStmt := map[int][]*ignoreComment{}
	for _, s := range rc.stmts {
		byStmt[s.index] = ignoresAbove(rc, s, lines)
	}
	silence(rc.findings, byStmt)
	reportUnusedIgnores(rc, byStmt)
	sort.SliceStable(rc.findings, func(i, j int) bool { return rc.findings[i].Statement < rc.findings[j].Statement })
	return rc.findings
}

// silence marks each finding an ignore comment above its statement names,
// and the comment as used. The findings about the comments themselves
// (RL001, RL002) cannot be silenced.
func silence(findings []Finding, byStmt map[int][]*ignoreComment) {
	for i := range findings {
		f := &findings[i]
		if f.Code == "RL001" || f.Code == "RL002" {
			continue
		}
		for _, ic := range byStmt[f.Statement] {
			if contains(ic.codes, f.Code) {
				f.Ignored, f.Reason, ic.used = true, ic.reason, true
			}
		}
	}
}

// reportUnusedIgnores reports each ignore comment that silenced nothing
// (RL002): it is above the wrong statement, or the rule no longer fires.
func reportUnusedIgnores(rc *revCtx, byStmt map[int][]*ignoreComment) {
	for _, s := range rc.stmts {
		for _, ic := range byStmt[s.index] {
			if !ic.used {
				rc.add(s, "RL002", Finding{
					Message: fmt.Sprintf("%s:%d: retort:lint-ignore %s silences nothing on this statement", rc.rev.Path, ic.line, strings.Join(ic.codes, ",")),
					Safe:    "Remove the comment, or move it to the line above the statement it is meant for.",
				})
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
