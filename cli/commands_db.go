package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
)

func (a *app) upgradeCommand() *cobra.Command {
	var offline, dryRun, plan bool
	cmd := &cobra.Command{
		Use:   "upgrade [TARGET]",
		Short: "Apply revisions up to TARGET (default head)",
		Long: `Applies the revisions needed to reach TARGET, each in its own transaction
where the database allows it, recording each in the version table.

TARGET: head (default), heads, a revision id or unique prefix, +N, REV+N,
LABEL@head. With --sql, prints the SQL instead of running it; a range A:B
needs no database connection. An empty TARGET ("") is a usage error, not
head.

The first line names the database (password masked), and where its URL
came from when --database, RETORT_DATABASE_URL or DATABASE_URL overrides a
different database in retort.toml.`,
		Args: targetArgs(0, 1, "at most one target"),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "head"
			if len(args) == 1 {
				target = args[0]
			}
			if plan {
				return a.upgradePlan(cmd, target)
			}
			return a.migrate(cmd, revision.Up, target, offline, dryRun)
		},
	}
	cmd.Flags().BoolVar(&offline, "sql", false, "print the SQL instead of running it (offline with a range A:B)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show which revisions would run, change nothing")
	cmd.Flags().BoolVar(&plan, "plan", false, "list each pending statement with the lock it takes and, for rewrites and scans, the table's size from the catalog; change nothing")
	return cmd
}

func (a *app) downgradeCommand() *cobra.Command {
	var offline, dryRun bool
	cmd := &cobra.Command{
		Use:   "downgrade [TARGET]",
		Short: "Revert revisions down to TARGET (default -1)",
		Long: `Reverts applied revisions until the database is at TARGET.

TARGET: -1 (default, one step), -N, REV-N, a revision id or prefix (revert
everything after it), base (revert everything). With --sql A:B, prints the
SQL that reverts from A down to B without a database connection.

The first line names the database (password masked), and where its URL
came from when --database, RETORT_DATABASE_URL or DATABASE_URL overrides a
different database in retort.toml.`,
		Args: targetArgs(0, 1, "at most one target"),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "-1"
			if len(args) == 1 {
				target = args[0]
			}
			return a.migrate(cmd, revision.Down, target, offline, dryRun)
		},
	}
	cmd.Flags().BoolVar(&offline, "sql", false, "print the SQL instead of running it (offline with a range A:B)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show which revisions would run, change nothing")
	return cmd
}

// migrate runs upgrade and downgrade: a range A:B prints offline SQL
// (rangeSQL), --sql alone prints it from where the database is, and
// otherwise the revisions run (runMigrate) or, with --dry-run, are only
// listed (dryRunMigrate).
func (a *app) migrate(cmd *cobra.Command, dir revision.Direction, target string, offline, dryRun bool) error {
	ctx := cmd.Context()
	if strings.Contains(target, ":") {
		return a.rangeSQL(cmd, dir, target, offline)
	}
	s, err := a.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.close()
	if offline {
		return s.m.PlanSQL(ctx, a.stdout, dir, target)
	}
	// The database line comes first, before the first progress event
	// (see onEvent) or the outcome, and not before errors in the files
	// that stop the run before it touches the database.
	a.pendingDBLine = a.databaseLine(s.url)
	a.warnUnembedded(s.m.Graph())
	if mm, err := s.m.Verify(ctx); err == nil {
		for _, x := range mm {
			a.progressf("warning: %s (%s verify lists them)\n", x, a.self())
		}
	}
	if dryRun {
		return a.dryRunMigrate(ctx, s, dir, target)
	}
	return a.runMigrate(ctx, s, dir, target)
}

// rangeSQL prints the offline SQL of the range target ("A:B") without a
// database. A range needs --sql and both ends (an empty one is an unset
// variable), and goes the way of dir.
func (a *app) rangeSQL(cmd *cobra.Command, dir revision.Direction, target string, offline bool) error {
	from, to, _ := strings.Cut(target, ":")
	if !offline {
		return usagef("a range %q is only for offline SQL: add --sql", target)
	}
	if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
		return usagef("the range %q has an empty side (an unset variable?): name both ends, for example base:head", target)
	}
	s, err := a.openOffline(cmd)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkRangeDirection(s.m.Graph(), dir, target, a.self()); err != nil {
		return err
	}
	return s.m.SQL(a.stdout, dir, from, to)
}

// dryRunMigrate lists the revisions that would run, changing nothing.
func (a *app) dryRunMigrate(ctx context.Context, s *session, dir revision.Direction, target string) error {
	p, err := s.m.Plan(ctx, dir, target)
	if err != nil {
		return err
	}
	a.flushDBLine()
	if len(p.Steps) == 0 {
		a.outf("Nothing to %s.\n", dir)
	}
	for _, st := range p.Steps {
		a.outf("Would run %s\n", strings.TrimPrefix(describeStep(st), "Running "))
	}
	return nil
}

// runMigrate runs the revisions to target and says where the database is.
func (a *app) runMigrate(ctx context.Context, s *session, dir revision.Direction, target string) error {
	if dir == revision.Up {
		a.planIfWatched(ctx, s, target)
	}
	start := time.Now()
	run := s.m.Upgrade
	if dir == revision.Down {
		run = s.m.Downgrade
	}
	res, err := run(ctx, target)
	if err != nil {
		return err
	}
	cur, err := s.m.Current(ctx)
	if err != nil {
		return err
	}
	at := describeAt(cur)
	a.flushDBLine()
	if len(res.Steps) == 0 {
		a.progressf("Nothing to %s: the database is at %s.\n", dir, at)
		return nil
	}
	a.progressf("Done: %d revision(s) in %s; the database is at %s.\n", len(res.Steps), time.Since(start).Round(time.Millisecond), at)
	return nil
}

// databaseLine is the first line of upgrade and downgrade: the database
// they change, password masked, and where its URL came from when another
// source (retort.toml) names a different one, so that DATABASE_URL
// silently beating the file is seen before anything runs.
func (a *app) databaseLine(u *dialect.URL) string {
	line := "Database: " + u.Redacted()
	c := a.cfg
	if c.fileDatabase != "" && c.databaseFrom != c.path && c.fileDatabase != c.Database {
		line += fmt.Sprintf(" (from %s, which takes precedence over database in %s)", c.databaseFrom, c.path)
	}
	return line
}

// flushDBLine prints the pending database line, once.
func (a *app) flushDBLine() {
	if a.pendingDBLine != "" {
		a.progressf("%s\n", a.pendingDBLine)
		a.pendingDBLine = ""
	}
}

// checkRangeDirection refuses an offline range that goes the other way
// ("upgrade --sql B:A" with A below B), which would print an empty script
// and exit 0: it has nothing to do in dir, and steps in the other
// direction. self is the command retort runs as (app.self).
func checkRangeDirection(g *revision.Graph, dir revision.Direction, target, self string) error {
	from, to, _ := strings.Cut(target, ":")
	if p, err := g.RangePlan(from, to, dir); err != nil || len(p.Steps) > 0 {
		return nil // the caller reports the error, or there is work to do
	}
	other, way, otherWay := revision.Down, "up", "down"
	if dir == revision.Down {
		other, way, otherWay = revision.Up, "down", "up"
	}
	if p, err := g.RangePlan(from, to, other); err != nil || len(p.Steps) == 0 {
		return nil
	}
	return fmt.Errorf("range %q goes %s: %s --sql A:B prints the SQL from A %s to B; for this range use \"%s %s --sql %s\"",
		target, otherWay, dir, way, self, other, target)
}

// openOffline loads the project for offline SQL: the dialect comes from the
// configured URL, which is parsed but not connected to.
func (a *app) openOffline(cmd *cobra.Command) (*session, error) {
	if a.cfg.Database == "" {
		return nil, fmt.Errorf("offline SQL needs to know the dialect: set --database (it is not connected to), RETORT_DATABASE_URL or database in retort.toml")
	}
	if _, _, err := dialects.ForURL(a.cfg.Database); err != nil {
		return nil, err
	}
	return a.open(cmd.Context(), false)
}

func (a *app) currentCommand() *cobra.Command {
	var verbose, asJSON bool
	cmd := &cobra.Command{
		Use:   "current",
		Short: "Show the revision(s) the database is at",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			a.reads = readGraph // marking (head) needs the graph only
			s, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer s.close()
			st, err := s.m.Status(ctx)
			if err != nil {
				return err
			}
			g := s.m.Graph()
			if asJSON {
				cur := st.Current
				if cur == nil {
					cur = []string{}
				}
				partial := []string{}
				for _, p := range st.Partial {
					partial = append(partial, p.Revision)
				}
				return a.writeJSON(map[string]any{"current": cur, "partial": partial})
			}
			for _, id := range st.Current {
				r := g.Get(id)
				switch {
				case r == nil:
					a.outf("%s (no file has this revision)\n", id)
				case verbose:
					a.outf("%s\n", verboseRev(g, r))
				default:
					a.outf("%s%s\n", id, tags(g, r))
				}
			}
			for _, p := range st.Partial {
				if p.InFlight > 0 {
					a.outf("%s (%s: %d statement(s) done, statement %d started and may or may not have run; check, then %s resolve %s --statement-ran|--statement-not-run)\n", p.Revision, p.State, p.StatementsDone, p.InFlight, a.self(), p.Revision)
					continue
				}
				a.outf("%s\n", currentPartial(appliedRow(st, p), a.self()))
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every header field")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) statusCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show applied and pending revisions",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer s.close()
			st, err := s.m.Status(ctx)
			if err != nil {
				return err
			}
			g := s.m.Graph()
			a.warnUnembedded(g)
			if asJSON {
				type appliedJSON struct {
					Revision       string    `json:"revision"`
					AppliedAt      time.Time `json:"applied_at"`
					DurationMS     int64     `json:"duration_ms"`
					State          string    `json:"state"`
					StatementsDone int       `json:"statements_done,omitempty"`
					InFlight       int       `json:"statement_in_flight,omitempty"`
					Interrupted    bool      `json:"interrupted,omitempty"`
					Changed        bool      `json:"changed,omitempty"`
					Missing        bool      `json:"missing,omitempty"`
					ReplacedBy     string    `json:"replaced_by,omitempty"`
				}
				out := struct {
					Database string        `json:"database"`
					Current  []string      `json:"current"`
					Heads    []string      `json:"heads"`
					Applied  []appliedJSON `json:"applied"`
					Pending  []string      `json:"pending"`
				}{Database: s.url.Redacted(), Current: nonNil(st.Current), Heads: nonNil(st.Heads), Applied: []appliedJSON{}, Pending: []string{}}
				for _, ar := range st.Applied {
					out.Applied = append(out.Applied, appliedJSON{ar.Revision, ar.AppliedAt, ar.DurationMS, ar.State, ar.StatementsDone, ar.InFlight, ar.Interrupted, ar.Changed, slices.Contains(st.Missing, ar.Revision), ar.ReplacedBy})
				}
				for _, p := range st.Pending {
					out.Pending = append(out.Pending, p.ID)
				}
				return a.writeJSON(out)
			}
			a.outf("Database: %s\n", s.url.Redacted())
			cur := "<base>"
			if len(st.Current) > 0 {
				cur = strings.Join(st.Current, ", ")
			}
			a.outf("Current:  %s\n", cur)
			a.outf("Heads:    %s\n", strings.Join(st.Heads, ", "))
			// A partial revision has a row but is not applied: it is
			// counted once, on its own line.
			a.outf("Applied:  %d\n", len(st.Applied)-len(st.Partial))
			if len(st.Partial) > 0 {
				a.outf("Partial:  %d\n", len(st.Partial))
			}
			a.outf("Pending:  %d\n", len(st.Pending))
			for _, p := range st.Pending {
				a.outf("  pending  %s, %s\n", p.ID, p.Message)
			}
			for _, p := range st.Applied {
				if p.State == runner.StateApplied {
					continue
				}
				if p.InFlight > 0 {
					a.outf("  %-8s %s after %d statement(s), statement %d started and may or may not have run: check the database, then %s resolve %s --statement-ran|--statement-not-run\n", p.State, p.Revision, p.StatementsDone, p.InFlight, a.self(), p.Revision)
					continue
				}
				a.outf("  %-8s %s\n", p.State, stoppedAdvice(p, a.self()))
			}
			for _, id := range st.Changed {
				a.outf("  changed  %s: the file changed since it was applied: restore it, or %s verify --accept %s\n", id, a.self(), id)
			}
			for _, id := range st.Missing {
				a.outf("  missing  %s: applied, but no file has it: restore the file, or %s stamp --purge REV (the revision the database is at)\n", id, a.self())
			}
			a.printSquashed(g, st)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// stoppedAdvice describes a revision stopped part-way (no statement in
// flight) and what to do: an interrupted run is resumed by running it
// again; a failed statement is fixed in the file first. When no statement
// has run there is nothing to undo, and resolving it as applied would
// record statements that never ran.
func stoppedAdvice(p engine.AppliedRevision, self string) string {
	where := fmt.Sprintf("after %d statement(s)%s", p.StatementsDone, nextStatement(p))
	resolve := fmt.Sprintf("%s resolve %s --applied|--rolled-back", self, p.Revision)
	if p.StatementsDone == 0 {
		where = "before its first statement: no statement of it has run, so there is nothing to undo"
		if p.Statements > 0 && p.NextLine > 0 {
			where = fmt.Sprintf("before its first statement (statement 1 of %d at %s:%d): no statement of it has run, so there is nothing to undo", p.Statements, p.File.Path, p.NextLine)
		}
		resolve = fmt.Sprintf("%s resolve %s --rolled-back", self, p.Revision)
	}
	if p.Interrupted {
		return fmt.Sprintf("%s %s; it was interrupted, not failed, so the file needs no fix: %s it, or %s", p.Revision, where, nextStep(p), resolve)
	}
	return fmt.Sprintf("%s %s: %s, or %s", p.Revision, where, nextStep(p), resolve)
}

// nextStep is what finishes a revision stopped part-way: after a failure
// the file is fixed first, after an interrupt the run is resumed as it
// is; a reverting revision finishes with downgrade.
func nextStep(p engine.AppliedRevision) string {
	run := "upgrade"
	if p.State == runner.StateReverting {
		run = "downgrade"
	}
	if p.Interrupted {
		return "run " + run + " to resume"
	}
	return "fix the file and run " + run
}

// currentPartial is current's line for a revision stopped part-way with
// no statement in flight, with status's advice (nextStep). When no
// statement of it has run it says so, and offers only resolving it as
// rolled back: resolving it as applied would record statements that
// never ran.
func currentPartial(p engine.AppliedRevision, self string) string {
	if p.StatementsDone == 0 {
		return fmt.Sprintf("%s (%s: before its first statement: no statement of it has run, so there is nothing to undo; %s, or %s resolve %s --rolled-back)", p.Revision, p.State, nextStep(p), self, p.Revision)
	}
	return fmt.Sprintf("%s (%s: %d statement(s) done; %s, or %s resolve %s)", p.Revision, p.State, p.StatementsDone, nextStep(p), self, p.Revision)
}

// appliedRow is st's AppliedRevision for the row p (which carries what
// Status found, such as Interrupted), or p alone when Applied lacks it.
func appliedRow(st *engine.Status, p runner.Row) engine.AppliedRevision {
	for _, ar := range st.Applied {
		if ar.Revision == p.Revision {
			return ar
		}
	}
	return engine.AppliedRevision{Row: p}
}

// nextStatement says where a revision stopped part-way resumes (" of 3,
// next: statement 2 at path:line"), or "" when that is not known.
func nextStatement(p engine.AppliedRevision) string {
	if p.Statements == 0 || p.NextLine == 0 {
		return ""
	}
	return fmt.Sprintf(" of %d, next: statement %d at %s:%d", p.Statements, p.StatementsDone+1, p.File.Path, p.NextLine)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *app) stampCommand() *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "stamp REV...",
		Short: "Set the version table to REV without running any SQL",
		Long: `Records the database as being at REV (and everything REV needs) without
running SQL: for a database whose schema was made some other way. 'base'
empties the version table. --purge first drops rows naming revisions that no
file has.`,
		Args: targetArgs(1, -1, "at least one revision (or base, head, heads)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer s.close()
			if err := s.m.Stamp(ctx, args, engine.StampOptions{Purge: purge}); err != nil {
				return err
			}
			cur, err := s.m.Current(ctx)
			if err != nil {
				return err
			}
			at := describeAt(cur)
			a.progressf("Stamped: the database is at %s.\n", at)
			return nil
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "drop version rows that name unknown revisions")
	return cmd
}

func (a *app) verifyCommand() *cobra.Command {
	var asJSON bool
	var accept []string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Report applied revisions whose file changed or vanished (exit 3)",
		Long: `Lists applied revisions whose file changed (checksum) or vanished since
they were applied, and exits 3 when there are any. --accept REV records the
file of REV as it now is as the applied one (logged in the log table), for an
edit that the database already matches or that changes nothing that matters;
verify and upgrade stop reporting it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noEmptyFlags(cmd, "accept"); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer s.close()
			for _, rev := range accept {
				if err := s.m.AcceptEdit(ctx, rev); err != nil {
					return err
				}
				a.progressf("Accepted the edited file of %s: its checksum is now recorded as applied.\n", rev)
			}
			mm, err := s.m.Verify(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				type mJSON struct {
					Revision string `json:"revision"`
					Path     string `json:"path,omitempty"`
					Problem  string `json:"problem"`
				}
				out := []mJSON{}
				for _, x := range mm {
					p := "changed"
					if x.Missing {
						p = "missing"
					}
					out = append(out, mJSON{x.Revision, x.Path, p})
				}
				if err := a.writeJSON(out); err != nil {
					return err
				}
			} else {
				for _, x := range mm {
					a.outf("%s\n", x)
				}
				if len(mm) == 0 {
					a.outf("All applied revisions match their files.\n")
				}
			}
			if len(mm) > 0 {
				return &exitError{code: ExitDifferences}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringArrayVar(&accept, "accept", nil, "record the edited file of applied revision `REV` as applied (repeatable)")
	return cmd
}

func (a *app) resolveCommand() *cobra.Command {
	var applied, rolledBack, ran, notRun bool
	cmd := &cobra.Command{
		Use:   "resolve REV --applied|--rolled-back|--statement-ran|--statement-not-run",
		Short: "Settle a revision that stopped part-way",
		Long: `For a revision recorded as partial (MySQL/MariaDB, or a Transaction: none
revision) after a failure: --applied records it as fully applied (you ran the
rest by hand), --rolled-back removes its record (you undid what ran).

On MySQL/MariaDB a statement that commits by itself (DDL) is recorded as
started before it runs. When a run stops while it runs (killed, interrupted,
connection lost), retort cannot know whether it ran and refuses to guess.
Check the database, then: --statement-ran records it as done (the next run
continues after it), --statement-not-run records it as not run (the next run
runs it again).`,
		Args: targetArgs(1, 1, "the revision to settle"),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := 0
			for _, f := range []bool{applied, rolledBack, ran, notRun} {
				if f {
					n++
				}
			}
			if n != 1 {
				return usagef("resolve needs exactly one of --applied, --rolled-back, --statement-ran and --statement-not-run")
			}
			ctx := cmd.Context()
			s, err := a.open(ctx, true)
			if err != nil {
				return err
			}
			defer s.close()
			settle, done := s.m.ResolveRolledBack, "Recorded %s as rolled back.\n"
			switch {
			case ran:
				settle, done = s.m.ResolveStatementRan, "Recorded the statement of %s in flight as run; the next run continues after it.\n"
			case notRun:
				settle, done = s.m.ResolveStatementNotRun, "Recorded the statement of %s in flight as not run; the next run runs it again.\n"
			case applied:
				settle, done = s.m.ResolveApplied, "Recorded %s as applied.\n"
			}
			if err := settle(ctx, args[0]); err != nil {
				return err
			}
			a.progressf(done, args[0])
			return nil
		},
	}
	cmd.Flags().BoolVar(&applied, "applied", false, "record the revision as applied")
	cmd.Flags().BoolVar(&rolledBack, "rolled-back", false, "remove the revision's record")
	cmd.Flags().BoolVar(&ran, "statement-ran", false, "record the statement in flight as run (its effect is in the database)")
	cmd.Flags().BoolVar(&notRun, "statement-not-run", false, "record the statement in flight as not run (its effect is not in the database)")
	return cmd
}

func (a *app) inspectCommand() *cobra.Command {
	var schemas []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect",
		Short: "Print the live database's schema as canonical SQL",
		Long: `Reads the database's catalogs and prints its schema as deterministic,
runnable SQL for its dialect (objects in dependency order). retort's own
version tables are left out.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			d, u, err := a.databaseURL()
			if err != nil {
				return err
			}
			db, err := d.Open(ctx, u)
			if err != nil {
				return err
			}
			defer db.Close()
			conn, err := db.Conn(ctx)
			if err != nil {
				return fmt.Errorf("inspect %s: %w", u.Redacted(), err)
			}
			defer conn.Close()
			s, err := d.Inspect(ctx, conn, dialect.InspectOptions{
				Schemas:       schemas,
				VersionTables: dialect.VersionTables{Revisions: a.cfg.VersionTable, Log: a.cfg.LogTable},
				Privileges:    a.cfg.Privileges,
			})
			if err != nil {
				return fmt.Errorf("inspect %s: %w", u.Redacted(), err)
			}
			for _, w := range s.Notes() {
				a.progressf("warning: %s\n", w)
			}
			a.notePrivileges(d)
			if asJSON {
				return a.writeJSON(s)
			}
			_, err = fmt.Fprint(a.stdout, d.Format(s))
			return err
		},
	}
	cmd.Flags().StringSliceVar(&schemas, "schema-name", nil, "limit to these schemas (PostgreSQL)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the schema model as JSON")
	return cmd
}

// describeAt names where a database is: its current revisions, or base.
func describeAt(cur []string) string {
	if len(cur) == 0 {
		return "base"
	}
	return strings.Join(cur, ", ")
}
