package runner

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/sqlsplit"
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
	// InFlight is the statement recorded as started but not known to have
	// run (0 when none): see Row.InFlight.
	InFlight int
	// Direction is the refused step's direction.
	Direction revision.Direction
}

// Error implements error.
func (e *PartialError) Error() string {
	if e.InFlight > 0 {
		what := "partially applied"
		if e.State == StateReverting {
			what = "being downgraded"
		}
		return fmt.Sprintf("revision %s (%s) is %s, and statement %d was started but may or may not have run: it cannot be moved in the other direction now; check the database, then settle that statement with `retort resolve %s --statement-ran` or `--statement-not-run` (or the whole revision with `--applied` or `--rolled-back`)",
			e.Revision, e.Path, what, e.InFlight, e.Revision)
	}
	if e.State == StateReverting {
		return fmt.Sprintf("revision %s (%s) was being downgraded and stopped after %d statements: it cannot be upgraded now; fix its downgrade section and rerun downgrade to finish, or settle it by hand with `retort resolve %s --applied` or `--rolled-back`",
			e.Revision, e.Path, e.StatementsDone, e.Revision)
	}
	return fmt.Sprintf("revision %s (%s) is partially applied (%d statements done): it cannot be downgraded now; fix the file and rerun upgrade to finish it, or settle it by hand with `retort resolve %s --applied` or `--rolled-back`",
		e.Revision, e.Path, e.StatementsDone, e.Revision)
}

// InFlightError reports a revision whose record says that an earlier run
// started statement Index and stopped without knowing whether it ran (it
// commits by itself, MySQL DDL): retort refuses to guess and asks for
// `retort resolve`.
type InFlightError struct {
	// Revision is the revision id; Path its file.
	Revision, Path string
	// Direction of the section the statement belongs to.
	Direction revision.Direction
	// Index is the 1-based statement in flight, Count the number of
	// statements of the section, Line its first line in the file.
	Index, Count, Line int
	// SQL is the statement's text ("" when the file no longer has it).
	SQL string
}

// Error names the revision, the statement and what to do.
func (e *InFlightError) Error() string {
	var b strings.Builder
	what, cmd := "upgrade", "upgrade"
	if e.Direction == revision.Down {
		what, cmd = "downgrade", "downgrade"
	}
	fmt.Fprintf(&b, "revision %s (%s:%d): an earlier %s started statement %d of %d and stopped before it could record whether it ran:", e.Revision, e.Path, e.Line, what, e.Index, e.Count)
	for _, l := range strings.Split(e.SQL, "\n") {
		b.WriteString("\n    ")
		b.WriteString(l)
	}
	fmt.Fprintf(&b, "\nMySQL/MariaDB commit this statement by themselves, so retort cannot know whether it ran; %s.", beforeRecorded(e.Index))
	fmt.Fprintf(&b, "\nCheck the database: if the statement's effect is there, run `retort resolve %s --statement-ran` (then %s continues at statement %d); if it is not, run `retort resolve %s --statement-not-run` (then %s runs it again).",
		e.Revision, cmd, e.Index+1, e.Revision, cmd)
	return b.String()
}

// EditedStatementError reports a revision stopped part-way whose file
// changed in a statement that already ran in an earlier run: resuming
// would run the rest on top of what the old statement did, so retort
// refuses to.
type EditedStatementError struct {
	// Revision is the revision id; Path its file.
	Revision, Path string
	// Direction of the section the statement belongs to.
	Direction revision.Direction
	// Index is the 1-based statement that changed, Done the number of
	// statements that ran, Count the statements the file now has.
	Index, Done, Count int
	// Line and SQL are the statement as the file now has it (0 and ""
	// when the file has fewer statements than ran).
	Line int
	SQL  string
}

// Error names the revision, the statement and the ways out.
func (e *EditedStatementError) Error() string {
	var b strings.Builder
	what := "upgrade"
	undo, undoFlag, finishFlag := "undo what they did", "--rolled-back", "--applied"
	if e.Direction == revision.Down {
		what = "downgrade"
		undo, undoFlag, finishFlag = "put back what they removed", "--applied", "--rolled-back"
	}
	if e.SQL == "" {
		fmt.Fprintf(&b, "revision %s (%s): %s ran in an earlier %s, but the file now has only %d statement(s) in that section",
			e.Revision, e.Path, statementsDone(e.Done), what, e.Count)
	} else {
		fmt.Fprintf(&b, "revision %s (%s:%d): statement %d ran in an earlier %s, but the file's statement %d is no longer the one that ran; it now reads:",
			e.Revision, e.Path, e.Line, e.Index, what, e.Index)
		for _, l := range strings.Split(e.SQL, "\n") {
			b.WriteString("\n    ")
			b.WriteString(l)
		}
	}
	fmt.Fprintf(&b, "\n%s ran and %s recorded; retort does not resume on top of statements that changed since they ran.", statementsDone(e.Done), verbFor(e.Done))
	fmt.Fprintf(&b, "\nPut the file back as it was for %s and rerun %s (edit only the statements after them), or settle the revision by hand: %s and run `retort resolve %s %s`, or finish the %s by hand and run `retort resolve %s %s`.",
		statementsDone(e.Done), what, undo, e.Revision, undoFlag, what, e.Revision, finishFlag)
	return b.String()
}

// verbFor is "is" for one statement, "are" for more.
func verbFor(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// beforeRecorded says what ran before 1-based statement k.
func beforeRecorded(k int) string {
	switch k {
	case 1:
		return "it is the revision's first statement"
	case 2:
		return "statement 1 before it ran and is recorded"
	}
	return fmt.Sprintf("statements 1-%d before it ran and are recorded", k-1)
}

// InterruptedError reports a run stopped by its context (SIGTERM, Ctrl-C):
// where it stopped, what the database holds and what to run next.
type InterruptedError struct {
	// Cause is context.Cause of the run's context ("terminated signal
	// received" when cmd/retort caught SIGTERM).
	Cause error
	// Direction of the interrupted step.
	Direction revision.Direction
	// Revision is the revision being run or about to run; Path its file.
	Revision, Path string
	// Where says where it stopped: "before revision X (step 3 of 5)",
	// "during statement 3 of 4", "before statement 3 of 4".
	Where string
	// State says what the database holds now.
	State string
	// Next says what to run next.
	Next string
}

// Error returns one line: what was interrupted, where, why, the state and
// the next step.
func (e *InterruptedError) Error() string {
	cause := "context canceled"
	if e.Cause != nil {
		cause = e.Cause.Error()
	}
	return fmt.Sprintf("%s of revision %s (%s) interrupted (%s) %s: %s; %s", e.Direction, e.Revision, e.Path, cause, e.Where, e.State, e.Next)
}

// Unwrap returns Cause, so that errors.Is(err, context.Canceled) holds.
func (e *InterruptedError) Unwrap() error { return e.Cause }

// interruptedMessage matches the start of InterruptedError.Error, as the
// log table keeps it.
var interruptedMessage = regexp.MustCompile(`^(upgrade|downgrade) of revision \S+ \(.*?\) interrupted \(`)

// isInterruptedMessage reports whether msg, a log row's error, is an
// InterruptedError's.
func isInterruptedMessage(msg string) bool {
	return interruptedMessage.MatchString(msg)
}

// shown is a statement as errors and the log show it: with its password
// literals hidden (sqlsplit.Secrets).
func shown(d dialect.Dialect, stmt string) string { return sqlsplit.Redact(stmt, d.Splitter()) }

// scrubbed is err with stmt's password literals hidden from its text (a
// server's syntax error quotes the statement), its chain kept.
func scrubbed(d dialect.Dialect, stmt string, err error) error {
	for _, v := range sqlsplit.SecretValues(stmt, d.Splitter()) {
		err = dialect.ScrubPassword(err, v)
	}
	return err
}
