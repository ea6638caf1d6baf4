package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/engine"
)

// fleetFlags are the flags of a command run over a fleet of databases.
type fleetFlags struct {
	file, query, schemas string
	parallel             int
	continueOnError      bool
	canary, maxFailures  int
	json                 bool
	// ownJSON: the command has a --json of its own.
	ownJSON bool
}

// active reports whether the command runs over a fleet.
func (f *fleetFlags) active() bool { return f.file != "" || f.query != "" || f.schemas != "" }

// fleetAction makes, from a command's arguments, what the command does
// on each target of a fleet.
type fleetAction func(args []string) (engine.FleetAction, error)

func fleetUpgrade(args []string) (engine.FleetAction, error) {
	return engine.FleetUpgrade(firstArg(args)), nil
}

func fleetDowngrade(args []string) (engine.FleetAction, error) {
	return engine.FleetDowngrade(firstArg(args)), nil
}

func fleetCurrent([]string) (engine.FleetAction, error) { return engine.FleetCurrent(), nil }
func fleetStatus([]string) (engine.FleetAction, error)  { return engine.FleetStatus(), nil }
func fleetVerify([]string) (engine.FleetAction, error)  { return engine.FleetVerify(), nil }

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// withFleet adds the fleet flags to cmd: with one of --fleet,
// --fleet-query or --tenant-schemas, the command runs action on every
// target of the fleet instead of the configured database.
func (a *app) withFleet(cmd *cobra.Command, action fleetAction) *cobra.Command {
	f := &fleetFlags{}
	fl := cmd.Flags()
	fl.StringVar(&f.file, "fleet", "", "run on every database listed in `FILE` (one URL per line, # comments, $VAR expanded)")
	fl.StringVar(&f.query, "fleet-query", "", "run on every database URL that `SQL` returns on the configured (control) database")
	fl.StringVar(&f.schemas, "tenant-schemas", "", "PostgreSQL: run on every schema of the configured database whose name matches the LIKE `PATTERN`, each with its own search_path and version tables")
	fl.IntVar(&f.parallel, "parallel", runtime.NumCPU(), "fleet: targets run at once")
	fl.BoolVar(&f.continueOnError, "continue-on-error", false, "fleet: keep scheduling targets after a failure")
	fl.IntVar(&f.canary, "canary", 0, "fleet: run the first `K` targets first and stop if any fails")
	fl.IntVar(&f.maxFailures, "max-failures", 0, "fleet: stop scheduling after `N` failures")
	if fl.Lookup("json") == nil {
		fl.BoolVar(&f.json, "json", false, "fleet: print the report as JSON")
	} else {
		f.ownJSON = true
	}
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := f.check(cmd); err != nil {
			return err
		}
		if !f.active() {
			return run(cmd, args)
		}
		if f.ownJSON {
			f.json, _ = cmd.Flags().GetBool("json")
		}
		act, err := action(args)
		if err != nil {
			return err
		}
		return a.runFleet(cmd.Context(), f, act)
	}
	return cmd
}

// check refuses fleet flags that do not go together.
func (f *fleetFlags) check(cmd *cobra.Command) error {
	fl := cmd.Flags()
	n := 0
	for _, s := range []string{f.file, f.query, f.schemas} {
		if s != "" {
			n++
		}
	}
	switch {
	case n > 1:
		return usagef("--fleet, --fleet-query and --tenant-schemas each name the whole fleet: give one")
	case n == 0:
		for _, name := range []string{"parallel", "continue-on-error", "canary", "max-failures"} {
			if fl.Changed(name) {
				return usagef("--%s is for fleet runs: add --fleet FILE, --fleet-query SQL or --tenant-schemas PATTERN", name)
			}
		}
		if !f.ownJSON && f.json {
			return usagef("--json on %s is for fleet runs: add --fleet FILE, --fleet-query SQL or --tenant-schemas PATTERN", cmd.Name())
		}
	case f.parallel < 1:
		return usagef("--parallel %d: at least 1", f.parallel)
	case f.canary < 0 || f.maxFailures < 0:
		return usagef("--canary and --max-failures take a count of targets (0 or more)")
	}
	for _, name := range []string{"sql", "dry-run", "accept"} {
		if n > 0 && fl.Lookup(name) != nil && fl.Changed(name) {
			return usagef("--%s works on one database: it cannot be combined with a fleet", name)
		}
	}
	return nil
}

// runFleet runs action on every target of the fleet and prints the report.
func (a *app) runFleet(ctx context.Context, f *fleetFlags, action engine.FleetAction) error {
	targets, err := a.fleetTargets(ctx, f)
	if err != nil {
		return err
	}
	revs, err := a.loadRevisions()
	if err != nil {
		return err
	}
	opts, err := a.migratorOptions(revs)
	if err != nil {
		return err
	}
	live := newFleetLive(a, action)
	res, runErr := engine.RunFleet(ctx, targets, nil, engine.FleetOptions{
		Parallel: f.parallel, ContinueOnError: f.continueOnError, Canary: f.canary, MaxFailures: f.maxFailures,
		Options: opts, Action: action, Progress: live.update,
	})
	live.end()
	if f.json {
		if err := a.writeJSON(a.fleetJSON(res)); err != nil {
			return err
		}
	} else {
		a.fleetText(action, res)
	}
	if live.terminal || !live.lines {
		a.fleetFailures(res)
	}
	return fleetExit(runErr)
}

// fleetExit is the command's error: a failed or unrun target is exit 1;
// differences alone (drift, verify) are exit 3.
func fleetExit(runErr error) error {
	var fe *engine.FleetError
	if errors.As(runErr, &fe) && fe.Failed+fe.NotRun == 0 {
		return &exitError{code: ExitDifferences, err: fmt.Errorf("%d target(s) differ", fe.Differ)}
	}
	return runErr
}

// fleetTargets reads the fleet from the flag that names it.
func (a *app) fleetTargets(ctx context.Context, f *fleetFlags) ([]engine.FleetTarget, error) {
	var urls []fleetURL
	var err error
	var from string
	switch {
	case f.schemas != "":
		return a.tenantSchemas(ctx, f.schemas)
	case f.query != "":
		urls, err = a.fleetQuery(ctx, f.query)
		from = "--fleet-query returned no row: check the query on the control database"
	default:
		urls, err = a.fleetFile(f.file)
		from = fmt.Sprintf("%s has no database URL (one per line; # starts a comment)", f.file)
	}
	if err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("the fleet is empty: %s", from)
	}
	return a.urlTargets(urls)
}

// fleetURL is a target's URL and where it was found.
type fleetURL struct{ url, where string }

// urlTargets parses the fleet's URLs, refusing one listed twice.
func (a *app) urlTargets(urls []fleetURL) ([]engine.FleetTarget, error) {
	seen := map[string]string{}
	ts := make([]engine.FleetTarget, 0, len(urls))
	for _, fu := range urls {
		d, u, err := dialects.ForURL(fu.url)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fu.where, err)
		}
		u.ResolveIn(a.dir)
		if prev, ok := seen[u.String()]; ok {
			return nil, fmt.Errorf("%s: %s is listed twice (first at %s): list each target once", fu.where, u.Redacted(), prev)
		}
		seen[u.String()] = fu.where
		ts = append(ts, a.urlTarget(d, u))
	}
	return ts, nil
}

// urlTarget is u's target. For a command that only reads, a SQLite file
// that does not exist is an error, not a new empty database.
func (a *app) urlTarget(d dialect.Dialect, u *dialect.URL) engine.FleetTarget {
	t := engine.URLTarget(d, u)
	if !a.readOnly || !u.CreatesOnOpen() || strings.HasPrefix(u.Path, "file:") {
		return t
	}
	open := t.Open
	t.Open = func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
		if _, err := os.Stat(u.Path); err != nil {
			return nil, nil, fmt.Errorf("no SQLite database at %s: check the path (upgrade creates the file)", a.rel(u.Path))
		}
		return open(ctx)
	}
	return t
}

// fleetFile reads a fleet file: one URL per line, blank lines and lines
// starting with # skipped, $VAR and ${VAR} expanded from the environment.
// An unset variable is an error: an empty host or password would only fail
// later, on that target.
func (a *app) fleetFile(path string) ([]fleetURL, error) {
	data, err := os.ReadFile(a.path(path))
	if err != nil {
		return nil, fmt.Errorf("read the fleet file: %w", err)
	}
	var out []fleetURL
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var missing []string
		line = os.Expand(line, func(v string) string {
			val := a.getenv(v)
			if val == "" {
				missing = append(missing, "$"+v)
			}
			return val
		})
		where := fmt.Sprintf("%s:%d", path, n)
		if len(missing) > 0 {
			return nil, fmt.Errorf("%s: %s not set in the environment: set it, or write the value in the file", where, strings.Join(missing, ", "))
		}
		a.addSecret(line)
		out = append(out, fleetURL{line, where})
	}
	return out, nil
}

// fleetQuery lists the fleet with query on the configured (control)
// database.
func (a *app) fleetQuery(ctx context.Context, query string) ([]fleetURL, error) {
	d, u, err := a.databaseURL()
	if err != nil {
		return nil, fmt.Errorf("--fleet-query runs on the configured database: %w", err)
	}
	db, err := d.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	urls, err := engine.FleetQuery(ctx, db, query)
	if err != nil {
		return nil, fmt.Errorf("--fleet-query on %s: %w", u.Redacted(), err)
	}
	out := make([]fleetURL, len(urls))
	for i, s := range urls {
		a.addSecret(s)
		out[i] = fleetURL{s, fmt.Sprintf("--fleet-query row %d", i+1)}
	}
	return out, nil
}

// tenantSchemas is the fleet of the configured database's schemas that
// match pattern.
func (a *app) tenantSchemas(ctx context.Context, pattern string) ([]engine.FleetTarget, error) {
	d, u, err := a.databaseURL()
	if err != nil {
		return nil, fmt.Errorf("--tenant-schemas lists the schemas of the configured database: %w", err)
	}
	if _, ok := d.(dialect.TenantSchemaer); !ok {
		return nil, usagef("--tenant-schemas is for PostgreSQL schemas; on %s, list one database per tenant in a --fleet file", d.Name())
	}
	ts, err := engine.TenantSchemaTargets(ctx, d, u, pattern)
	if err != nil {
		return nil, fmt.Errorf("--tenant-schemas: %w", err)
	}
	return ts, nil
}

// addSecret remembers the password of a fleet URL, for mask.
func (a *app) addSecret(raw string) {
	u, err := dialect.ParseURL(raw)
	if err == nil && u.Password() != "" {
		a.secrets = append(a.secrets, u.Password())
	}
}
