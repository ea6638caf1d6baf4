package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// lintFlags are lint's options.
type lintFlags struct {
	all, asJSON, strict, rules bool
	since, format              string
	dialect, target            string
}

func (a *app) lintCommand() *cobra.Command {
	var f lintFlags
	cmd := &cobra.Command{
		Use:   "lint [REV | --all | --since REV]",
		Short: "Check revisions for statements that lock, rewrite or break a live database",
		Long: `Reads the upgrade section of revisions (the heads by default; one revision;
every revision after --since REV; or --all) and reports, statement by
statement, what takes a lock that blocks reads or writes, what rewrites or
scans a table, what breaks the application version still running or loses
data, and what fails outright, each with the safe alternative written out.
The rules and their codes are in docs/lint.md. No database is opened: the
dialect is the configured database's (or --dialect), and what MySQL and
MariaDB can do INSTANT or INPLACE depends on --target (default mysql-8.0.0).

A finding is silenced by a comment on the line above its statement, with a
reason:  -- retort:lint-ignore RL101 the table has 200 rows

Exit status: 3 when there are errors (with --strict: errors or warnings),
0 otherwise.`,
		Args: targetArgs(0, 1, "at most one revision"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noEmptyFlags(cmd, "since"); err != nil {
				return err
			}
			if err := f.check(args); err != nil {
				return err
			}
			if f.rules {
				return a.printRules(f)
			}
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			findings, err := a.lintRevisions(s.m.Graph(), args, f)
			if err != nil {
				return err
			}
			return a.reportLint(findings, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.all, "all", false, "lint every revision")
	fl.StringVar(&f.since, "since", "", "lint the revisions after `REV` (not REV itself)")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	fl.StringVar(&f.format, "format", "text", "output format: text, json or sarif (SARIF 2.1.0, for code-review tools)")
	fl.BoolVar(&f.strict, "strict", false, "exit 3 on warnings too")
	fl.BoolVar(&f.rules, "rules", false, "list the rules of the dialect (code, name, severity, summary) and exit")
	fl.StringVar(&f.dialect, "dialect", "", "the rules' dialect: postgres, mysql or sqlite (default: the configured database's)")
	fl.StringVar(&f.target, "target", "", "the server the revisions run on, for what is INSTANT or INPLACE: postgres-N, mysql-X.Y.Z, mariadb-X.Y.Z")
	return cmd
}

// printRules lists the dialect's rules, as text or JSON.
func (a *app) printRules(f lintFlags) error {
	dialect, err := a.lintDialect(f.dialect)
	if err != nil {
		return err
	}
	rules := lint.RulesFor(dialect)
	if f.format != "text" {
		return a.writeJSON(rules)
	}
	for _, r := range rules {
		a.outf("%s  %-34s %-7s  %s\n", r.Code, r.Name, r.Severity, r.Summary)
	}
	return nil
}

// check refuses contradictory selections and unknown formats (usage
// errors, exit 2).
func (f *lintFlags) check(args []string) error {
	n := 0
	for _, set := range []bool{len(args) > 0, f.all, f.since != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usagef("lint takes one of REV, --all and --since REV")
	}
	if f.asJSON {
		f.format = "json"
	}
	switch f.format {
	case "text", "json", "sarif":
	default:
		return usagef("--format %q: expected text, json or sarif", f.format)
	}
	return nil
}

// lintDialect is the SQL dialect --dialect names, or the configured
// database's dialect when it is not given.
func (a *app) lintDialect(name string) (sqlsplit.Dialect, error) {
	if name == "" {
		return a.offlineDialect().Splitter(), nil
	}
	d, err := dialects.ByName(name)
	if err != nil {
		return 0, usagef("--dialect: %v", err)
	}
	return d.Splitter(), nil
}

// newLinter builds the linter for the project's dialect and target.
func (a *app) newLinter(dialectName, target string) (*lint.Linter, error) {
	dialect, err := a.lintDialect(dialectName)
	if err != nil {
		return nil, err
	}
	opts := lint.Options{Dialect: dialect}
	if target != "" {
		t, err := lint.ParseTarget(target)
		if err != nil {
			return nil, usagef("--target: %v", err)
		}
		opts.Target = t
	}
	return lint.New(opts)
}

// lintRevisions lints the selected revisions. Every revision is read in
// topological order, so that a statement is judged against what the
// revisions before it created; only the selected ones are reported.
func (a *app) lintRevisions(g *revision.Graph, args []string, f lintFlags) ([]lint.Finding, error) {
	l, err := a.newLinter(f.dialect, f.target)
	if err != nil {
		return nil, err
	}
	selected, walk, err := lintSelection(g, args, f)
	if err != nil {
		return nil, err
	}
	var out []lint.Finding
	for _, r := range walk {
		fs, err := l.Revision(r, selected[r.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// lintSelection returns the ids to report and the revisions to read, in
// order.
func lintSelection(g *revision.Graph, args []string, f lintFlags) (map[string]bool, []*script.Revision, error) {
	selected := map[string]bool{}
	all := g.Revisions()
	switch {
	case len(args) == 1:
		r, err := resolveRev(g, args[0])
		if err != nil {
			return nil, nil, err
		}
		selected[r.ID] = true
		return selected, append(g.Ancestors(r.ID), r), nil
	case f.all:
		for _, r := range all {
			selected[r.ID] = true
		}
	case f.since != "":
		base, err := resolveRev(g, f.since)
		if err != nil {
			return nil, nil, fmt.Errorf("--since: %w", err)
		}
		for _, r := range all {
			for _, anc := range g.Ancestors(r.ID) {
				if anc.ID == base.ID {
					selected[r.ID] = true
				}
			}
		}
	default:
		for _, r := range g.Heads() {
			selected[r.ID] = true
		}
	}
	return selected, all, nil
}

// lintCounts tallies findings that count (not silenced).
func lintCounts(fs []lint.Finding) (errs, warns, silenced int) {
	for _, f := range fs {
		switch {
		case f.Ignored:
			silenced++
		case f.Severity == lint.Error:
			errs++
		default:
			warns++
		}
	}
	return errs, warns, silenced
}

// reportLint prints the findings in the chosen format and sets the exit
// status.
func (a *app) reportLint(fs []lint.Finding, f lintFlags) error {
	errs, warns, silenced := lintCounts(fs)
	switch f.format {
	case "json":
		if fs == nil {
			fs = []lint.Finding{}
		}
		if err := a.writeJSON(map[string]any{"findings": fs, "errors": errs, "warnings": warns, "silenced": silenced}); err != nil {
			return err
		}
	case "sarif":
		if err := a.writeJSON(lint.ToSARIF(fs, Version)); err != nil {
			return err
		}
	default:
		printLint(a.stdout, fs, a.colour())
	}
	if errs > 0 || f.strict && warns > 0 {
		return &exitError{code: ExitDifferences}
	}
	return nil
}

// colour reports whether stdout is a terminal and NO_COLOR is unset
// (https://no-color.org).
func (a *app) colour() bool {
	return a.getenv("NO_COLOR") == "" && a.stdoutTerminal()
}

// stdoutTerminal reports whether stdout is a terminal.
func (a *app) stdoutTerminal() bool {
	out, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(out.Fd()))
}

// printLint writes findings for people, grouped by revision, then the
// silenced ones and a count.
func printLint(w io.Writer, fs []lint.Finding, colour bool) {
	paint := func(code, s string) string {
		if !colour {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	rev := ""
	var silenced []lint.Finding
	for _, f := range fs {
		if f.Ignored {
			silenced = append(silenced, f)
			continue
		}
		if f.Revision != rev {
			rev = f.Revision
			fmt.Fprintf(w, "%s %s\n", paint("1", "Revision "+f.Revision), f.Path)
		}
		sev := paint("33", f.Severity.String())
		if f.Severity == lint.Error {
			sev = paint("31", f.Severity.String())
		}
		fmt.Fprintf(w, "  %s:%d: %s %s %s\n", f.Path, f.Line, sev, f.Code, f.Rule)
		fmt.Fprintf(w, "    %s\n", firstLine(f.SQL))
		fmt.Fprintf(w, "    %s\n", f.Message)
		if f.Lock != "" {
			fmt.Fprintf(w, "    lock: %s%s\n", f.Lock, rewriteNote(f))
		}
		if f.Safe != "" {
			fmt.Fprintf(w, "    %s\n", paint("32", "safe: ")+indent(f.Safe, "      "))
		}
	}
	if len(silenced) > 0 {
		fmt.Fprintf(w, "Silenced (%d):\n", len(silenced))
		for _, f := range silenced {
			fmt.Fprintf(w, "  %s:%d: %s %s: %s\n", f.Path, f.Line, f.Code, f.Rule, f.Reason)
		}
	}
	errs, warns, n := lintCounts(fs)
	if errs+warns+n == 0 {
		fmt.Fprintln(w, "No findings.")
		return
	}
	fmt.Fprintf(w, "%d error(s), %d warning(s), %d silenced\n", errs, warns, n)
}

func rewriteNote(f lint.Finding) string {
	switch {
	case f.Rewrite:
		return "; rewrites the table"
	case f.Scan:
		return "; scans the table"
	}
	return ""
}

func firstLine(s string) string {
	line, _, more := strings.Cut(s, "\n")
	if more {
		line += " ..."
	}
	return line
}

func indent(s, pad string) string { return strings.ReplaceAll(s, "\n", "\n"+pad) }

// printGeneratedLint lints a revision migrate generated, against the
// revisions before it, and prints the findings as progress under the
// "Detected ..." lines. It never fails migrate: a revision that cannot
// be linted is only noted.
func (a *app) printGeneratedLint(g *revision.Graph, rev *script.Revision) {
	l, err := a.newLinter("", "")
	if err != nil {
		a.progressf("note: lint: %v\n", err)
		return
	}
	if err := l.ReadAll(g.Revisions()); err != nil {
		a.progressf("note: lint: %v\n", err)
		return
	}
	gen := *rev
	gen.Path, gen.ID, gen.Up.Line = "(generated)", "(new)", 1
	fs, err := l.Revision(&gen, true)
	if err != nil {
		a.progressf("note: lint: %v\n", err)
		return
	}
	for _, f := range fs {
		a.progressf("  lint %s %s %s (statement %d): %s\n", f.Severity, f.Code, f.Rule, f.Statement, f.Message)
	}
}
