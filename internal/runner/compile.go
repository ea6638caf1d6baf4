package runner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// step is a plan step with its section split into statements.
type step struct {
	revision.Step
	rev   *script.Revision
	sec   script.Section
	stmts []sqlsplit.Statement
}

func (s *step) id() string { return s.rev.ID }

// line returns the file line of statement i (0-based).
func (s *step) line(i int) int { return s.sec.Line + s.stmts[i].Line - 1 }

// compile checks and splits every step of plan before anything runs: a
// downgrade through a revision without a usable downgrade section (a
// *revision.IrreversibleError, from Plan.CheckReversible, or a section of
// comments only), a section that cannot be split, or a psql meta-command
// stops the whole plan with an error naming the file and line.
func compile(d dialect.Dialect, plan *revision.Plan) ([]*step, error) {
	if plan == nil {
		return nil, nil
	}
	if err := plan.CheckReversible(); err != nil {
		return nil, err
	}
	var errs []error
	steps := make([]*step, 0, len(plan.Steps))
	for _, ps := range plan.Steps {
		if ps.Revision == nil {
			return nil, errors.New("plan has a step without a revision")
		}
		st, stepErrs := compileStep(d, ps)
		errs = append(errs, stepErrs...)
		if len(stepErrs) == 0 {
			steps = append(steps, st)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return steps, nil
}

// compileStep checks and splits one step: a Go revision's function
// (compileGo), or the section of its direction, split, with no psql
// meta-command (metaCommands) and a downgrade that does not contradict
// itself (checkDowngrade). It returns every problem it finds.
func compileStep(d dialect.Dialect, ps revision.Step) (*step, []error) {
	rev := ps.Revision
	st := &step{Step: ps, rev: rev, sec: rev.Up}
	if ps.Direction == revision.Down {
		st.sec = rev.Down
	}
	if rev.Go {
		if err := compileGo(d, st); err != nil {
			return nil, []error{err}
		}
		return st, nil
	}
	stmts, err := rev.Split(st.sec, ps.Direction.String(), d.Splitter())
	if err != nil {
		return nil, []error{err}
	}
	st.stmts = stmts
	errs := metaCommands(st)
	if err := checkDowngrade(d, st); err != nil {
		errs = append(errs, err)
	}
	return st, errs
}

// metaCommands refuses the psql meta-commands among st's statements:
// retort sends statements to the server itself, which does not know them.
func metaCommands(st *step) []error {
	var errs []error
	for i, s := range st.stmts {
		if strings.HasPrefix(s.Text, `\`) {
			cmd, _, _ := strings.Cut(s.Text, "\n")
			errs = append(errs, fmt.Errorf("%s:%d: %q is a psql meta-command, not SQL: retort sends statements to the server itself; remove it (revision %s)", st.rev.Path, st.line(i), strings.TrimSpace(cmd), st.rev.ID))
		}
	}
	return errs
}

// checkDowngrade refuses a downgrade section that contradicts itself: SQL
// under "-- +downgrade none", or no statement under a plain
// "-- +downgrade" while the upgrade has some (a forgotten downgrade would
// silently revert nothing).
func checkDowngrade(d dialect.Dialect, st *step) error {
	if st.Direction != revision.Down {
		return nil
	}
	rev := st.rev
	if st.sec.None {
		if len(st.stmts) > 0 {
			return fmt.Errorf("%s:%d: revision %s is marked -- +downgrade none but its downgrade section has SQL: remove the SQL, or the word none", rev.Path, st.line(0), rev.ID)
		}
		return nil
	}
	if len(st.stmts) > 0 || strings.TrimSpace(rev.Up.SQL) == "" {
		return nil
	}
	if upStmts, err := sqlsplit.Split(rev.Up.SQL, d.Splitter()); err == nil && len(upStmts) == 0 {
		return nil // the upgrade is comments only
	}
	return fmt.Errorf("revision %s (%s) has an empty -- +downgrade section: write the statements that undo its upgrade, write -- +downgrade none if its upgrade leaves nothing to revert, or mark it -- +downgrade irreversible", rev.ID, rev.Path)
}
