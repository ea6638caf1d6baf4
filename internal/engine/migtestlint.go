package engine

import (
	"fmt"
	"time"

	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/script"
)

// checkLint lints every revision's upgrade section, in topological order
// (each judged against what the revisions before it created), and adds a
// lint result for each revision with findings: warnings pass, as notes;
// errors fail the check at the first revision that has any. It reports
// whether the test goes on.
func (t *tester) checkLint() (bool, error) {
	if !t.opts.Lint {
		return true, nil
	}
	l, err := lint.New(lint.Options{Dialect: t.m.dialect.Splitter()})
	if err != nil {
		return false, fmt.Errorf("lint: %w", err)
	}
	for _, r := range t.m.graph.Revisions() {
		start := time.Now()
		fs, err := l.Revision(r, true)
		if err != nil {
			return false, err
		}
		res, ok := lintResult(r, fs)
		if !ok {
			continue
		}
		res.Duration = time.Since(start)
		t.add(res)
		if res.Failure != nil {
			return false, nil
		}
	}
	return true, nil
}

// lintResult is the lint result for r's findings; false when it has none
// that count (silenced findings are only listed by retort lint).
func lintResult(r *script.Revision, fs []lint.Finding) (TestResult, bool) {
	res := TestResult{Check: CheckLint, Revision: r.ID}
	var errs, warns int
	var first *lint.Finding
	for i, f := range fs {
		if f.Ignored {
			continue
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%s:%d: %s %s %s: %s", f.Path, f.Line, f.Severity, f.Code, f.Rule, f.Message))
		if f.Severity == lint.Error {
			errs++
			if first == nil {
				first = &fs[i]
			}
		} else {
			warns++
		}
	}
	if errs+warns == 0 {
		return res, false
	}
	res.Detail = fmt.Sprintf("%d warning(s); run retort lint %s for the safe alternatives", warns, r.ID)
	if first != nil {
		res.Failure = &TestFailure{
			Check: CheckLint, Revision: r.ID, Path: r.Path,
			Statement: first.SQL, Line: first.Line,
			Message: fmt.Sprintf("%d lint error(s), %d warning(s); the first: %s %s: %s (retort lint %s shows the safe alternative; silence a finding on purpose with -- retort:lint-ignore %s REASON)",
				errs, warns, first.Code, first.Rule, first.Message, r.ID, first.Code),
		}
	}
	return res, true
}
