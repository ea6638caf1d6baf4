package runner

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/revision"
)

// StatementError reports a statement of a revision that failed.
type StatementError struct {
	// Revision is the revision id; Path its file.
	Revision, Path string
	// Direction of the step that failed.
	Direction revision.Direction
	// Index is the 1-based number of the failed statement, Count the
	// number of statements in the section, Line the statement's first line
	// in the file.
	Index, Count, Line int
	// SQL is the statement's text.
	SQL string
	// Hint says what the user can do next ("" when nothing specific).
	Hint string
	// Err is the driver's error.
	Err error
}

// Error returns "revision ID (path:line) failed at statement k of n:
// message", the statement indented on the following lines, and the hint.
func (e *StatementError) Error() string {
	var b strings.Builder
	what := ""
	if e.Direction == revision.Down {
		what = " downgrade"
	}
	fmt.Fprintf(&b, "revision %s (%s:%d)%s failed at statement %d of %d: %v", e.Revision, e.Path, e.Line, what, e.Index, e.Count, e.Err)
	for _, l := range strings.Split(e.SQL, "\n") {
		b.WriteString("\n    ")
		b.WriteString(l)
	}
	if e.Hint != "" {
		b.WriteString("\n")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns Err.
func (e *StatementError) Unwrap() error { return e.Err }

// PartialError reports a revision left part-way by an earlier run that the
// plan wants to move in the other direction.
type PartialError struct {
	Revision, Path string
	// State is StatePartial or StateReverting; StatementsDone how far the
	// earlier run got.
	State          string
	StatementsDone int
	// Direction is the refused step's direction.
	Direction revision.Direction
}

// Error implements error.
func (e *PartialError) Error() string {
	if e.State == StateReverting {
		return fmt.Sprintf("revision %s (%s) was being downgraded and stopped after %d statements: it cannot be upgraded now; fix its downgrade section and rerun downgrade to finish, or settle it by hand with `retort resolve %s --applied` or `--rolled-back`",
			e.Revision, e.Path, e.StatementsDone, e.Revision)
	}
	return fmt.Sprintf("revision %s (%s) is partially applied (%d statements done): it cannot be downgraded now; fix the file and rerun upgrade to finish it, or settle it by hand with `retort resolve %s --applied` or `--rolled-back`",
		e.Revision, e.Path, e.StatementsDone, e.Revision)
}
