package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/engine"
)

func (a *app) testCommand() *cobra.Command {
	var heads []string
	var data, asJSON bool
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Test every revision up and down on scratch databases (exit 3 on failure)",
		Long: `Runs the migrations on scratch databases, as migrate makes them (SQLite in
memory; retort_scratch_* databases on the configured server, or dev_database),
never on the live database:

  heads      a single head (or exactly the ones named with --heads)
  lint       retort lint's rules over every revision: a line per revision
             with findings; errors fail, warnings are printed as notes
  upgrade    each revision upgrades, one at a time from base
  stairway   each revision, once upgraded, downgrades to exactly the schema
             before it and upgrades again to exactly the schema after it
  desired    the head's schema is the desired schema (schema.sql or models;
             skipped when there is none)
  downgrade  each revision downgrades, one at a time from the head
  base       after that, only retort's own tables are left

One line per check and revision, with its time. The first failure stops the
test and is printed with its revision, statement and the schema difference;
the exit code is then 3. --data inserts a row into every table before each
downgrade, with values made from the columns' types, so that a downgrade that
fails only on a table with rows fails here. --json prints the whole report as
JSON instead.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := a.generateOptions(autogenFlags{}, a.hasDesired())
			if err != nil {
				return err
			}
			s, err := a.openForAutogen(cmd, false)
			if err != nil {
				return err
			}
			defer s.close()
			topts := engine.TestOptions{GenerateOptions: opts, Heads: heads, Data: data, Lint: true}
			start := time.Now()
			if !asJSON {
				topts.OnResult = a.printTestResult
			}
			rep, err := s.m.Test(cmd.Context(), topts)
			if err != nil {
				return a.generateError(cmd.Context(), err)
			}
			if asJSON {
				if err := a.writeJSON(testJSON(rep)); err != nil {
					return err
				}
			}
			if f := rep.Failure; f != nil {
				return &exitError{code: ExitDifferences, err: errors.New(testFailureText(f))}
			}
			if !asJSON {
				a.outf("All %d checks passed in %s.\n", len(rep.Results), time.Since(start).Round(time.Millisecond))
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&heads, "heads", nil, "the heads the graph must have (default: exactly one)")
	cmd.Flags().BoolVar(&data, "data", false, "insert a generated row into every table before each downgrade")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

// hasDesired reports whether the project has a desired schema to compare
// the head with: models, or a schema file or directory that exists.
func (a *app) hasDesired() bool {
	if a.cfg.Models != "" || a.mount.desired != nil {
		return true
	}
	_, err := os.Stat(a.path(a.cfg.Schema))
	return !errors.Is(err, fs.ErrNotExist)
}

// printTestResult prints one line: status, check, revision, time, detail.
func (a *app) printTestResult(r engine.TestResult) {
	status := "ok"
	detail := r.Detail
	switch {
	case r.Failure != nil:
		status, detail = "FAIL", r.Failure.Message
	case r.Skipped != "":
		status, detail = "skip", r.Skipped
	}
	if i := strings.IndexByte(detail, '\n'); i >= 0 {
		detail = detail[:i] + " ..."
	}
	line := fmt.Sprintf("%-4s  %-9s  %-12s  %7s  %s", status, r.Check, r.Revision, r.Duration.Round(time.Millisecond), detail)
	a.outf("%s\n", strings.TrimRight(line, " "))
	for _, n := range r.Notes {
		a.progressf("note: %s\n", n)
	}
}

// testFailureText is the failure with its statement, for the error line.
func testFailureText(f *engine.TestFailure) string {
	s := f.Error()
	if f.Statement != "" {
		s += fmt.Sprintf("\n  statement (%s:%d):", f.Path, f.Line)
		for _, l := range strings.Split(f.Statement, "\n") {
			s += "\n    " + l
		}
	}
	return s
}

type testResultJSON struct {
	engine.TestResult
	DurationMS int64 `json:"duration_ms"`
	OK         bool  `json:"ok"`
}

func testJSON(rep *engine.TestReport) map[string]any {
	results := make([]testResultJSON, len(rep.Results))
	for i, r := range rep.Results {
		results[i] = testResultJSON{TestResult: r, DurationMS: r.Duration.Milliseconds(), OK: r.Failure == nil}
	}
	return map[string]any{"ok": rep.Failure == nil, "results": results, "failure": rep.Failure}
}
