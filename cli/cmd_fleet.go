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
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
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

// fleetKind says what a command does on each target of a fleet.
type fleetKind int

const (
	fleetUpgrade fleetKind = iota
	fleetDowngrade
	fleetCurrent
	fleetStatus
	fleetDrift
	fleetVerify
)

// withFleet adds the fleet flags to cmd: with one of --fleet,
// --fleet-query or --tenant-schemas, the command runs on every target of
// the fleet instead of the configured database.
func (a *app) withFleet(cmd *cobra.Command, kind fleetKind) *cobra.Command {
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
		return a.runFleet(cmd, f, kind, args)
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

// fleetOutcome is what a read-only command found on one target.
type fleetOutcome struct {
	Pending     []string `json:"pending,omitempty"`
	Partial     []string `json:"partial,omitempty"`
	Differences []string `json:"differences,omitempty"`
}

// differencesError is a target whose drift or verify found differences.
type differencesError struct{ n int }

func (e *differencesError) Error() string {
	return fmt.Sprintf("%d difference(s)", e.n)
}

// runFleet runs the command kind on every target of the fleet.
func (a *app) runFleet(cmd *cobra.Command, f *fleetFlags, kind fleetKind, args []string) error {
	ctx := cmd.Context()
	a.fleetURLs = map[string]*dialect.URL{}
	targets, err := a.fleetTargets(ctx, f)
	if err != nil {
		return err
	}
	if f.schemas != "" && kind == fleetDrift {
		return errors.New("drift --tenant-schemas: not supported: drift replays the revisions on a scratch database, whose objects land in its default schema, not the tenant's, so every object would differ; use verify --tenant-schemas for the revision files")
	}
	revs, err := a.loadRevisions()
	if err != nil {
		return err
	}
	opts, err := a.migratorOptions(revs)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	outcomes := map[string]*fleetOutcome{}
	action, err := a.fleetAction(kind, args, func(name string, o *fleetOutcome) {
		mu.Lock()
		outcomes[name] = o
		mu.Unlock()
	})
	if err != nil {
		return err
	}
	live := newFleetLive(a, kind)
	// A command that only reads visits every target unless told to stop:
	// status --fleet is asked to show which targets are behind, all of them.
	keepOn := f.continueOnError || kind != fleetUpgrade && kind != fleetDowngrade
	res, runErr := retort.RunFleet(ctx, targets, nil, retort.FleetOptions{
		Parallel: f.parallel, ContinueOnError: keepOn, Canary: f.canary, MaxFailures: f.maxFailures,
		Options: opts, Action: action, Progress: live.update,
	})
	live.end()
	if f.json {
		if err := a.writeJSON(a.fleetJSON(res, outcomes)); err != nil {
			return err
		}
	} else {
		a.fleetText(kind, res, outcomes)
	}
	if live.terminal || !live.lines {
		a.fleetFailures(res)
	}
	return fleetExit(res, runErr)
}

// fleetExit is the command's error: a failed or unrun target is exit 1;
// differences alone (drift, verify) are exit 3.
func fleetExit(res []retort.FleetResult, runErr error) error {
	var de *differencesError
	diffs, failed := 0, 0
	for _, r := range res {
		switch {
		case r.Err == nil:
		case errors.As(r.Err, &de):
			diffs++
		default:
			failed++
		}
	}
	var fe *retort.FleetError
	if errors.As(runErr, &fe) && (failed > 0 || fe.NotRun > 0) {
		return runErr
	}
	if diffs > 0 {
		return &exitError{code: ExitDifferences, err: fmt.Errorf("%d target(s) differ", diffs)}
	}
	return runErr
}

// fleetAction is what kind does on one target; record keeps what a
// read-only command found.
func (a *app) fleetAction(kind fleetKind, args []string, record func(string, *fleetOutcome)) (retort.FleetAction, error) {
	target := ""
	if len(args) == 1 {
		target = args[0]
	}
	switch kind {
	case fleetUpgrade:
		return retort.UpgradeAction(target), nil
	case fleetDowngrade:
		if target == "" {
			target = "-1"
		}
		return retort.DowngradeAction(target), nil
	case fleetCurrent, fleetStatus:
		return func(ctx context.Context, t retort.FleetTarget, m *retort.Migrator) (bool, error) {
			st, err := m.Status(ctx)
			if err != nil {
				return false, err
			}
			o := &fleetOutcome{Pending: ids(st.Pending)}
			for _, p := range st.Partial {
				o.Partial = append(o.Partial, p.Revision)
			}
			record(t.Name, o)
			return false, nil
		}, nil
	case fleetVerify:
		return func(ctx context.Context, t retort.FleetTarget, m *retort.Migrator) (bool, error) {
			mm, err := m.Verify(ctx)
			if err != nil {
				return false, err
			}
			o := &fleetOutcome{}
			for _, x := range mm {
				o.Differences = append(o.Differences, x.String())
			}
			record(t.Name, o)
			if len(mm) > 0 {
				return false, &differencesError{len(mm)}
			}
			return false, nil
		}, nil
	}
	return a.fleetDrift(record)
}

// fleetDrift is drift on each target. Without a dev_database each target's
// scratch databases are made on the target's own server (in memory for
// SQLite), as drift on that one database would.
func (a *app) fleetDrift(record func(string, *fleetOutcome)) (retort.FleetAction, error) {
	cfg := a.cfg
	if a.cfg.Database == "" {
		// generateOptions wants a configured database only to find the
		// scratch server, which here is each target's.
		a.cfg.Database = "sqlite::memory:"
	}
	base, err := a.generateOptions(autogenFlags{}, false)
	a.cfg = cfg
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, t retort.FleetTarget, m *retort.Migrator) (bool, error) {
		opts := base
		if opts.DevDatabase == nil {
			opts.Scratch = nil
			if u := a.fleetURLs[t.Name]; u != nil && u.OnServer() {
				opts.Scratch = u
			}
		}
		changes, err := m.Drift(ctx, opts)
		if err != nil {
			return false, err
		}
		o := &fleetOutcome{}
		for _, c := range changes {
			o.Differences = append(o.Differences, c.Describe())
		}
		record(t.Name, o)
		if len(changes) > 0 {
			return false, &differencesError{len(changes)}
		}
		return false, nil
	}, nil
}

// fleetTargets reads the fleet from the flag that names it.
func (a *app) fleetTargets(ctx context.Context, f *fleetFlags) ([]retort.FleetTarget, error) {
	var urls []fleetURL
	var err error
	switch {
	case f.file != "":
		urls, err = a.fleetFile(f.file)
	case f.query != "":
		urls, err = a.fleetQuery(ctx, f.query)
	default:
		return a.tenantSchemas(ctx, f.schemas)
	}
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	var ts []retort.FleetTarget
	for _, fu := range urls {
		d, u, err := dialects.ForURL(fu.url)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fu.where, err)
		}
		u.ResolveIn(a.dir)
		name := u.Redacted()
		if prev, ok := seen[u.String()]; ok {
			return nil, fmt.Errorf("%s: %s is listed twice (first at %s): list each target once", fu.where, name, prev)
		}
		seen[u.String()] = fu.where
		ts = append(ts, a.urlTarget(name, d, u))
		a.fleetURLs[name] = u
	}
	if len(ts) == 0 {
		return nil, errors.New("the fleet is empty: no database URL found")
	}
	return ts, nil
}

// urlTarget opens u when the fleet reaches it.
func (a *app) urlTarget(name string, d dialect.Dialect, u *dialect.URL) retort.FleetTarget {
	readOnly := a.readOnly
	return retort.FleetTarget{Name: name, Open: func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
		if readOnly && u.CreatesOnOpen() && !strings.HasPrefix(u.Path, "file:") {
			if _, err := os.Stat(u.Path); err != nil {
				return nil, nil, fmt.Errorf("no SQLite database at %s: check the path (upgrade creates the file)", a.rel(u.Path))
			}
		}
		db, err := d.Open(ctx, u)
		return d, db, err
	}}
}

// fleetURL is a target's URL and where it was found.
type fleetURL struct{ url, where string }

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

// fleetQuery runs query on the configured database; the first column of
// each row is a target's URL.
func (a *app) fleetQuery(ctx context.Context, query string) ([]fleetURL, error) {
	_, db, err := a.controlDB(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("--fleet-query on %s: %w", dialect.Redact(a.cfg.Database), err)
	}
	defer rows.Close()
	var out []fleetURL
	for n := 1; rows.Next(); n++ {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("--fleet-query row %d: %w (the query must return one column of URLs)", n, err)
		}
		a.addSecret(s.String)
		out = append(out, fleetURL{s.String, fmt.Sprintf("--fleet-query row %d", n)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("--fleet-query on %s: %w", dialect.Redact(a.cfg.Database), err)
	}
	return out, nil
}

// controlDB opens the configured database, from which the fleet is read.
func (a *app) controlDB(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
	d, u, err := a.databaseURL()
	if err != nil {
		return nil, nil, fmt.Errorf("the fleet is read from the configured database: %w", err)
	}
	db, err := d.Open(ctx, u)
	return d, db, err
}

// tenantSchemas lists the configured database's schemas matching pattern,
// one target each.
func (a *app) tenantSchemas(ctx context.Context, pattern string) ([]retort.FleetTarget, error) {
	d, u, err := a.databaseURL()
	if err != nil {
		return nil, fmt.Errorf("--tenant-schemas lists the schemas of the configured database: %w", err)
	}
	ts, ok := d.(dialect.TenantSchemaer)
	if !ok {
		return nil, usagef("--tenant-schemas is for PostgreSQL schemas; on %s, list one database per tenant in a --fleet file", d.Name())
	}
	db, err := d.Open(ctx, u)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	names, err := ts.TenantSchemas(ctx, db, pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("--tenant-schemas %q: no schema of %s matches (the pattern is SQL LIKE: %% for any text, _ for one character)", pattern, u.Redacted())
	}
	var out []retort.FleetTarget
	for _, name := range names {
		su, err := ts.SchemaURL(u, name)
		if err != nil {
			return nil, err
		}
		out = append(out, a.urlTarget(name, d, su))
	}
	return out, nil
}

// addSecret remembers the password of a fleet URL, for mask.
func (a *app) addSecret(raw string) {
	u, err := dialect.ParseURL(raw)
	if err == nil && u.Password() != "" {
		a.secrets = append(a.secrets, u.Password())
	}
}

// fleetLive prints progress: on a terminal one summary line, rewritten;
// otherwise a line per finished target of an upgrade or downgrade.
type fleetLive struct {
	a        *app
	terminal bool
	lines    bool
	last     time.Time
	printed  bool
}

func newFleetLive(a *app, kind fleetKind) *fleetLive {
	return &fleetLive{a: a, terminal: a.isTerminal(), lines: kind == fleetUpgrade || kind == fleetDowngrade}
}

func (l *fleetLive) update(p retort.FleetProgress) {
	if l.a.quiet {
		return
	}
	if !l.terminal {
		if r := p.Finished; r != nil && l.lines {
			l.a.progressf("%s\n", fleetLine(*r))
		}
		return
	}
	if time.Since(l.last) < 100*time.Millisecond && p.Pending+p.Running > 0 {
		return
	}
	l.last = time.Now()
	line := fmt.Sprintf("fleet: %d done, %d failed, %d running, %d pending; elapsed %s", p.Done, p.Failed, p.Running, p.Pending, p.Elapsed.Round(time.Second))
	if finished := p.Done + p.Failed; finished > 0 && p.Pending+p.Running > 0 {
		// The targets so far took this long each, on average.
		left := p.Elapsed * time.Duration(p.Pending+p.Running) / time.Duration(finished)
		line += fmt.Sprintf("; about %s left", left.Round(time.Second))
	}
	if len(p.Slowest) > 0 {
		line += fmt.Sprintf("; slowest %s (%s)", p.Slowest[0].Name, p.Slowest[0].Elapsed.Round(time.Second))
	}
	l.a.progressf("\r\033[K%s", line)
	l.printed = true
}

func (l *fleetLive) end() {
	if l.printed {
		l.a.progressf("\n")
	}
}

// fleetLine is one finished target.
func fleetLine(r retort.FleetResult) string {
	at := describeAt(r.Start)
	switch {
	case !r.Ran:
		return fmt.Sprintf("not run  %s", r.Name)
	case r.Err != nil:
		return fmt.Sprintf("FAILED   %s at %s: %v", r.Name, describeAt(r.End), errors.Unwrap(r.Err))
	case !r.Changed:
		return fmt.Sprintf("ok       %s at %s (nothing to do)", r.Name, at)
	}
	return fmt.Sprintf("ok       %s %s -> %s (%s)", r.Name, at, describeAt(r.End), r.Duration.Round(time.Millisecond))
}

// fleetFailures lists the failed targets with their errors on stderr.
func (a *app) fleetFailures(res []retort.FleetResult) {
	var de *differencesError
	for _, r := range res {
		if r.Err != nil && !errors.As(r.Err, &de) {
			a.progressf("%s\n", fleetLine(r))
		}
	}
}

// fleetText prints the report: the targets of a read-only command in the
// fleet's order, then a summary.
func (a *app) fleetText(kind fleetKind, res []retort.FleetResult, outcomes map[string]*fleetOutcome) {
	counts := map[string]int{}
	for _, r := range res {
		o := outcomes[r.Name]
		switch {
		case !r.Ran:
			counts["not run"]++
		case r.Err != nil && o == nil:
			counts["failed"]++
		case kind == fleetUpgrade || kind == fleetDowngrade:
			if r.Changed {
				counts["migrated"]++
			} else {
				counts["already there"]++
			}
		case kind == fleetCurrent:
			a.outf("%s: %s\n", r.Name, describeAt(r.End))
		case kind == fleetStatus:
			a.outf("%s\n", statusLine(r, o))
			if len(o.Pending)+len(o.Partial) > 0 {
				counts["behind"]++
			} else {
				counts["up to date"]++
			}
		default:
			a.outf("%s: %d difference(s)\n", r.Name, len(o.Differences))
			for _, d := range o.Differences {
				a.outf("  %s\n", d)
			}
		}
	}
	if kind == fleetUpgrade || kind == fleetDowngrade || kind == fleetStatus {
		var parts []string
		for _, k := range []string{"migrated", "already there", "up to date", "behind", "failed", "not run"} {
			if n := counts[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, k))
			}
		}
		a.progressf("Fleet: %d target(s): %s.\n", len(res), strings.Join(parts, ", "))
	}
}

// statusLine says whether a target is behind.
func statusLine(r retort.FleetResult, o *fleetOutcome) string {
	s := fmt.Sprintf("%s: at %s", r.Name, describeAt(r.End))
	if len(o.Pending) > 0 {
		s += fmt.Sprintf(", behind by %d (pending %s)", len(o.Pending), strings.Join(o.Pending, ", "))
	}
	if len(o.Partial) > 0 {
		s += fmt.Sprintf(", partial %s (run upgrade to resume)", strings.Join(o.Partial, ", "))
	}
	if len(o.Pending)+len(o.Partial) == 0 {
		s += ", up to date"
	}
	return s
}

// fleetTargetJSON is one target of the --json report.
type fleetTargetJSON struct {
	Target     string   `json:"target"`
	Status     string   `json:"status"`
	Start      []string `json:"start"`
	End        []string `json:"end"`
	DurationMS int64    `json:"duration_ms"`
	Error      string   `json:"error,omitempty"`
	*fleetOutcome
}

func (a *app) fleetJSON(res []retort.FleetResult, outcomes map[string]*fleetOutcome) map[string]any {
	out := []fleetTargetJSON{}
	for _, r := range res {
		j := fleetTargetJSON{Target: r.Name, Start: nonNil(r.Start), End: nonNil(r.End), DurationMS: r.Duration.Milliseconds(), fleetOutcome: outcomes[r.Name]}
		switch {
		case !r.Ran:
			j.Status = "not run"
		case r.Err != nil:
			j.Status, j.Error = "failed", a.mask(errors.Unwrap(r.Err).Error())
			var de *differencesError
			if errors.As(r.Err, &de) {
				j.Status, j.Error = "differs", ""
			}
		case r.Changed:
			j.Status = "migrated"
		default:
			j.Status = "ok"
		}
		out = append(out, j)
	}
	return map[string]any{"targets": out}
}
