package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/source"
)

// autogenFlags are the flags migrate, check and drift share.
type autogenFlags struct {
	fromDB     bool
	renames    []string
	backfill   []string
	noVerify   bool
	allowEmpty bool
	verbose    bool
	noCache    bool
}

// generateOptions reads the desired schema and works out where scratch
// databases go.
func (a *app) generateOptions(f autogenFlags, needDesired bool) (engine.GenerateOptions, error) {
	opts, err := a.autogenOptions(f, needDesired)
	if err != nil {
		return opts, err
	}
	return opts, a.scratchOptions(&opts)
}

// autogenOptions are generateOptions without the scratch databases' place,
// for a fleet's drift, whose scratch databases are each target's (or
// dev_database's): it needs no configured database.
func (a *app) autogenOptions(f autogenFlags, needDesired bool) (engine.GenerateOptions, error) {
	var opts engine.GenerateOptions
	if needDesired && a.mount.desired != nil && a.schemaPath == "" {
		// The application's models: the Migrator asks its DesiredSource.
		needDesired = false
	}
	if needDesired {
		files, err := a.desiredFiles()
		if err != nil {
			return opts, err
		}
		opts.Desired = files
	}
	if err := a.ignoreOptions(&opts); err != nil {
		return opts, err
	}
	opts.FromDB = f.fromDB
	opts.NoVerify = f.noVerify
	opts.AllowEmpty = f.allowEmpty
	opts.CacheDir = a.cacheDir(f.noCache)
	opts.Notify = func(n source.Notice) {
		switch {
		case !n.Verbose:
			a.progressf("warning: %s\n", n)
		case f.verbose:
			a.progressf("%s\n", n)
		}
	}
	var err error
	if opts.Renames, err = pairs(f.renames, "--rename takes OLD=NEW (table.column=new_column or old_table=new_table), got %q", func(k, v string) bool { return k != "" && v != "" }); err != nil {
		return opts, err
	}
	opts.Backfill, err = pairs(f.backfill, "--backfill takes table.column=VALUE (an SQL literal such as 0 or 'none'; for a dropped column in a unique key, an expression such as id), got %q", func(k, v string) bool { return strings.Contains(k, ".") && v != "" })
	return opts, err
}

// desiredFiles reads the desired schema: the models' SQL, or schema.sql
// (a file or directory) with paths relative to the project.
func (a *app) desiredFiles() ([]source.File, error) {
	if a.cfg.Models != "" {
		return a.modelsDesired()
	}
	files, err := source.ReadSQL(a.path(a.cfg.Schema))
	if err != nil {
		return nil, err
	}
	for i := range files {
		files[i].Path = a.rel(files[i].Path)
	}
	return files, nil
}

// scratchOptions sets where scratch databases go: dev_database, or next
// to the configured database (SQLite: in memory).
func (a *app) scratchOptions(opts *engine.GenerateOptions) error {
	if a.cfg.DevDatabase != "" {
		return a.devDatabase(opts)
	}
	if a.cfg.Database == "" {
		return errors.New("no database configured: autogenerate needs to know the dialect and, for PostgreSQL and MySQL, a server for its scratch databases: set --database (or dev_database in retort.toml)")
	}
	_, u, err := dialects.ForURL(a.cfg.Database)
	if err != nil {
		return err
	}
	if u.OnServer() {
		opts.Scratch = u
	}
	return nil
}

// devDatabase sets opts.DevDatabase from dev_database, when configured.
func (a *app) devDatabase(opts *engine.GenerateOptions) error {
	if a.cfg.DevDatabase == "" {
		return nil
	}
	_, u, err := dialects.ForURL(a.cfg.DevDatabase)
	if err != nil {
		return fmt.Errorf("dev_database: %w", err)
	}
	u.ResolveIn(a.dir)
	opts.DevDatabase = u
	opts.KeepDevDatabase = a.cfg.KeepDevDatabase
	return nil
}

// pairs parses KEY=VALUE flag values into a map; one that does not cut
// at "=" or that ok refuses is a usage error with format.
func pairs(values []string, format string, ok func(k, v string) bool) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range values {
		k, v, cut := strings.Cut(s, "=")
		if !cut || !ok(k, v) {
			return out, usagef(format, s)
		}
		out[k] = v
	}
	return out, nil
}

// ignoreOptions checks the ignore setting and passes it on, with the one
// line that reports what it left out.
func (a *app) ignoreOptions(opts *engine.GenerateOptions) error {
	for _, e := range a.cfg.Ignore {
		kind, name, hasName := strings.Cut(e, ":")
		if kind == "" || strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz_") != "" || hasName && name == "" {
			return usagef("ignore entry %q is not KIND or KIND:NAME (a lower-case kind such as grant, policy or partitioning, and a qualified name such as public.t.p, as retort's refusal prints them)", e)
		}
	}
	opts.Ignore = a.cfg.Ignore
	opts.OnIgnored = func(objs []engine.UnrepresentedObject) {
		var keys []string
		for _, o := range objs {
			if !slices.Contains(keys, o.Key()) {
				keys = append(keys, o.Key())
			}
		}
		a.progressf("Ignored on purpose (ignore setting), not compared: %s\n", strings.Join(keys, ", "))
	}
	return nil
}

// openForAutogen opens the project; the live database only with --from-db
// or for drift.
func (a *app) openForAutogen(cmd *cobra.Command, live bool) (*session, error) {
	if !live && a.cfg.Database == "" && a.cfg.DevDatabase == "" {
		return nil, errors.New("no database configured: autogenerate needs to know the dialect: set --database, RETORT_DATABASE_URL or database in retort.toml")
	}
	return a.open(cmd.Context(), live)
}

// notePrivileges says, once per run, that privileges are not compared
// when the dialect could compare them and the privileges setting is off.
// It speaks after a comparison has run, so that an error stays the run's
// only word.
func (a *app) notePrivileges(d dialect.Dialect) {
	if a.cfg.Privileges || a.privilegesNoted || !d.Capabilities().Privileges {
		return
	}
	a.privilegesNoted = true
	a.progressf("note: privileges (GRANT/REVOKE) are ignored: set privileges = true in retort.toml (or --privileges, RETORT_PRIVILEGES=true) to compare and migrate them\n")
}

func (a *app) migrateCommand() *cobra.Command {
	var f autogenFlags
	var msg, revID string
	var offline bool
	var online onlineFlags
	cmd := &cobra.Command{
		Use:   "migrate -m MESSAGE",
		Short: "Autogenerate a revision from the desired schema",
		Long: `Compares the desired schema (schema.sql, or a directory of .sql files) with
the schema the migrations produce (replayed on a scratch database, or read from
the head-schema cache; the live database is not touched) and writes the
revision that takes one to the other, with its downgrade. With --from-db the
revision starts from the live database's schema instead (changes made by hand
on top of head), and nothing is replayed.

Before anything is written the revision is proved on the scratch database
that holds the desired schema: its downgrade must give the current schema,
its upgrade the desired one again. A failed statement or a difference writes
nothing and is shown. The head-schema cache lives in the user's cache
directory (retort under os.UserCacheDir); -v says whether it was used,
--no-cache or RETORT_NO_CACHE=1 skips it.

A revision must not fail on tables with rows: a new NOT NULL column without a
default needs --backfill table.column=VALUE for the existing rows (a NOT NULL
column with a default that is a unique key by itself needs an expression
that differs from row to row, --backfill t.code=id), and so does
a dropped NOT NULL column without a default, for the rows its downgrade
restores (the dropped values are lost); a dropped NOT NULL column in a unique
key needs an expression that differs from row to row (--backfill t.code=id).
On a terminal, migrate asks for the value instead.

An empty desired schema while the head has tables is refused (the revision
would drop them all): --allow-empty writes it anyway. Ctrl-C stops migrate
before it writes anything.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			opts, err := a.generateOptions(f, true)
			if err != nil {
				return err
			}
			if opts.Online, err = a.onlineOptions(online); err != nil {
				return err
			}
			s, err := a.openForAutogen(cmd, f.fromDB)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			heads := g.Heads()
			if len(heads) > 1 {
				return fmt.Errorf("the migrations have %d heads (%s): join them first with '%s merge -m MESSAGE heads'", len(heads), joinIDs(ids(heads)), a.self())
			}
			gen, err := a.generateAsking(ctx, s.m, opts)
			if err != nil {
				return err
			}
			a.notePrivileges(s.m.Dialect())
			if len(gen.Changes) == 0 {
				a.progressf("No changes in schema detected.\n")
				return nil
			}
			for _, c := range gen.Changes {
				a.progressf("Detected %s\n", c.Describe())
			}
			for _, w := range gen.Warnings {
				a.progressf("warning: %s\n", w)
			}
			rev := &script.Revision{
				ID: revID, Message: msg,
				Up:            script.Section{SQL: script.JoinStatements(gen.Up), Present: true},
				Down:          script.Section{SQL: script.JoinStatements(gen.Down), Present: true},
				NoTransaction: gen.NoTransaction,
				Created:       time.Now().UTC().Truncate(time.Second),
			}
			if len(heads) == 1 {
				rev.Revises = []string{heads[0].ID}
			}
			a.printOnline(gen)
			a.printGeneratedLint(g, rev)
			if offline {
				if rev.ID == "" {
					if rev.ID, err = script.NewID(); err != nil {
						return err
					}
				}
				_, err := a.stdout.Write(script.Format(rev))
				return err
			}
			if err := a.writeRevision(g, rev); err != nil {
				return err
			}
			// The verified revision's desired schema is the new head's:
			// the next migrate, check or drift needs no replay.
			rev.Checksum = script.Checksum(script.Format(rev))
			s.m.CacheHead(ctx, opts, rev, gen.Desired)
			return nil
		},
	}
	cmd.Flags().StringVarP(&msg, "message", "m", "", "the revision's message")
	cmd.Flags().StringVar(&revID, "rev-id", "", "use this revision id instead of a random one")
	cmd.Flags().BoolVar(&offline, "sql", false, "print the revision instead of writing it")
	online.register(cmd)
	a.autogenFlagSet(cmd, &f, true)
	return cmd
}

// generateAsking generates the revision, asking on a terminal for the
// renames and backfill values it needs, and again with the answers.
func (a *app) generateAsking(ctx context.Context, m *engine.Migrator, opts engine.GenerateOptions) (*engine.Generated, error) {
	interactive := a.isTerminal()
	for {
		gen, err := m.Generate(ctx, opts)
		var be *engine.BackfillError
		if errors.As(err, &be) && a.resolveRenames(be.Changes, opts, interactive) {
			continue
		}
		if errors.As(err, &be) && interactive {
			if !a.askBackfill(be, opts.Backfill) {
				return nil, be
			}
			continue
		}
		if err != nil {
			return nil, a.generateError(ctx, err)
		}
		if !a.resolveRenames(gen.Changes, opts, interactive) {
			return gen, nil
		}
	}
}

// cacheDir is the head-schema cache's directory, os.UserCacheDir()/retort,
// or "" when --no-cache or RETORT_NO_CACHE (any value but "", "0" and
// "false") turns it off, or the system has no cache directory.
func (a *app) cacheDir(noCache bool) string {
	if v := a.getenv("RETORT_NO_CACHE"); noCache || (v != "" && v != "0" && !strings.EqualFold(v, "false")) {
		return ""
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "retort")
}

// interruptedError reports a migrate, check or drift stopped by Ctrl-C or
// SIGTERM: what it was doing does not matter, what it left does.
type interruptedError struct{ cause error }

func (e *interruptedError) Error() string {
	return "interrupted: nothing was written (no revision file, nothing in the live database), and the scratch databases are dropped"
}

// Unwrap returns the context's cause, so that callers can tell an
// interruption (context.Canceled) from a failure.
func (e *interruptedError) Unwrap() error { return e.cause }

// generateError says what an interrupted migrate, check or drift left
// behind (nothing), instead of the operation the interruption stopped, and
// names the desired schema's file when it is empty.
func (a *app) generateError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &interruptedError{cause: context.Cause(ctx)}
	}
	var empty *engine.EmptyDesiredError
	if errors.As(err, &empty) && a.mount.desired == nil && a.cfg.Models == "" {
		return fmt.Errorf("%s: %w", a.rel(a.path(a.cfg.Schema)), err)
	}
	return err
}

func (a *app) autogenFlagSet(cmd *cobra.Command, f *autogenFlags, generate bool) {
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "also say which lines of the desired schema were skipped (pg_dump's \\restrict) and whether the head-schema cache was used")
	cmd.Flags().BoolVar(&f.noCache, "no-cache", false, "replay the migrations instead of reading the head-schema cache (also RETORT_NO_CACHE=1)")
	if generate {
		cmd.Flags().BoolVar(&f.allowEmpty, "allow-empty", false, "write the revision even when the desired schema is empty and the head is not (it drops everything)")
		cmd.Flags().BoolVar(&f.fromDB, "from-db", false, "compare with the live database (which must be at head) instead of the replayed head")
		cmd.Flags().StringArrayVar(&f.renames, "rename", nil, "a rename to keep data: table.old=new (column) or old_table=new_table")
		cmd.Flags().StringArrayVar(&f.backfill, "backfill", nil, "value for existing rows of a new NOT NULL column, or for the rows the downgrade restores of a dropped one: table.column=VALUE, where VALUE is SQL (a string needs quotes: --backfill \"t.c='text'\")")
		cmd.Flags().BoolVar(&f.noVerify, "no-verify", false, "do not apply the revision both ways on a scratch database first")
	}
}

// resolveRenames asks about (on a terminal) or warns about (elsewhere)
// dropped-and-added pairs that look like renames. It reports whether a
// rename was accepted, so the revision must be generated again.
func (a *app) resolveRenames(changes []change.Change, opts engine.GenerateOptions, interactive bool) bool {
	again := false
	for _, r := range diff.PossibleRenames(changes) {
		from, to := r.Table.String()+"."+r.From, r.Table.String()+"."+r.To
		key, val := diff.QuoteRef(r.Table)+"."+diff.QuoteRefPart(r.From), diff.QuoteRefPart(r.To)
		if r.IsTable {
			from, to = r.From, r.To
			key, val = diff.QuoteRefPart(r.From), diff.QuoteRefPart(r.To)
		}
		if interactive {
			ans, err := a.ask(fmt.Sprintf("Did you rename %s to %s? [y/N] ", from, to))
			if err == nil && (strings.EqualFold(ans, "y") || strings.EqualFold(ans, "yes")) {
				opts.Renames[key] = val
				again = true
			}
			continue
		}
		a.progressf("warning: %s was dropped and %s added with the same shape: if this is a rename, pass --rename %s, or the data in %s will be dropped\n", from, to, shellQuote(key+"="+val), from)
	}
	return again
}

// shellQuote quotes an argument for a POSIX shell when it holds anything
// but letters, digits and _ . = : / - (SQL double quotes, spaces), so
// that a printed command can be pasted as it is.
func shellQuote(arg string) string {
	for _, c := range arg {
		if !(c == '_' || c == '.' || c == '=' || c == ':' || c == '/' || c == '-' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
		}
	}
	return arg
}

// isTerminal reports whether stdin and stderr are a terminal.
func (a *app) isTerminal() bool {
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return false
	}
	out, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(out.Fd()))
}

// ask prints a question on stderr and reads one line from stdin.
func (a *app) ask(q string) (string, error) {
	fmt.Fprint(a.stderr, q)
	if a.in == nil {
		a.in = bufio.NewReader(a.stdin)
	}
	line, err := a.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (a *app) checkCommand() *cobra.Command {
	var asJSON bool
	var f autogenFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Exit 3 when the desired schema differs from the migrations' head (for CI)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := a.generateOptions(f, true)
			if err != nil {
				return err
			}
			s, err := a.openForAutogen(cmd, false)
			if err != nil {
				return err
			}
			defer s.close()
			res, err := s.m.CheckReport(cmd.Context(), opts)
			if err != nil {
				return a.generateError(cmd.Context(), err)
			}
			a.notePrivileges(s.m.Dialect())
			return a.reportDifferences(res.Changes, asJSON, "The desired schema matches the migrations' head.", a.checkAdvice(res))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	a.autogenFlagSet(cmd, &f, false)
	return cmd
}

// checkAdvice is check's message when the desired schema differs from the
// head: migrate, or, when the desired schema is empty (which migrate
// refuses without --allow-empty), what to put in it.
func (a *app) checkAdvice(res *engine.CheckResult) string {
	if res.EmptyDesired == nil {
		return "the desired schema differs from the migrations' head: run '" + a.self() + " migrate -m MESSAGE' to write the revision"
	}
	where := "the desired schema"
	if a.mount.desired == nil && a.cfg.Models == "" {
		where = a.rel(a.path(a.cfg.Schema))
	}
	return fmt.Sprintf("%s is empty but the migrations' head is not (%d tables, views, routines, types or sequences), and '%s migrate' refuses to write a revision that drops them all: put the schema you want in %s, or run '%s migrate -m MESSAGE --allow-empty' if dropping everything is what you mean", where, res.EmptyDesired.Objects, a.self(), where, a.self())
}

func (a *app) driftCommand() *cobra.Command {
	var asJSON bool
	var f autogenFlags
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Exit 3 when the live database differs from what its applied revisions produce",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := a.generateOptions(f, false)
			if err != nil {
				return err
			}
			s, err := a.openForAutogen(cmd, true)
			if err != nil {
				return err
			}
			defer s.close()
			changes, err := s.m.Drift(cmd.Context(), opts)
			if err != nil {
				return a.generateError(cmd.Context(), err)
			}
			a.notePrivileges(s.m.Dialect())
			return a.reportDifferences(changes, asJSON, "No drift: the database is what its applied revisions make it.", "the database has changed outside its migrations")
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	a.autogenFlagSet(cmd, &f, false)
	return a.withFleet(cmd, func([]string) (engine.FleetAction, error) {
		// Each target's scratch databases go where drift on it alone
		// would put them (or to dev_database): no configured database.
		opts, err := a.autogenOptions(f, false)
		if err == nil {
			err = a.devDatabase(&opts)
		}
		return engine.FleetDrift(opts), err
	})
}

// reportDifferences prints changes and returns exit 3 when there are any.
func (a *app) reportDifferences(changes []change.Change, asJSON bool, same, differ string) error {
	if asJSON {
		out := []string{}
		for _, c := range changes {
			out = append(out, c.Describe())
		}
		if err := a.writeJSON(map[string]any{"differences": out}); err != nil {
			return err
		}
	} else {
		if len(changes) == 0 {
			a.outf("%s\n", same)
		}
		for _, c := range changes {
			a.outf("%s\n", c.Describe())
		}
	}
	if len(changes) > 0 {
		return &exitError{code: ExitDifferences, err: errors.New(differ)}
	}
	return nil
}

// askBackfill asks on the terminal for the value of every column be names
// and adds the answers to backfill. It reports false when the user stops
// (an empty answer), the terminal fails, or an answer repeats the value
// that was already refused.
func (a *app) askBackfill(be *engine.BackfillError, backfill map[string]string) bool {
	type question struct{ col, text string }
	var qs []question
	for _, col := range be.Columns {
		qs = append(qs, question{col, "Column %s is NOT NULL with no default; value for the existing rows (an SQL literal, empty to stop): "})
	}
	for _, col := range be.Keyed {
		qs = append(qs, question{col, "Column %s is NOT NULL with a default and a unique key by itself; an SQL expression that differs from row to row for the existing rows (such as id, empty to stop): "})
	}
	for _, col := range be.Dropped {
		text := "Column %s is dropped and the downgrade re-adds it NOT NULL with no default; value for the rows it restores (an SQL literal, empty to stop): "
		if slices.Contains(be.Unique, col) {
			text = "Column %s is dropped and the downgrade re-adds it NOT NULL in a unique key; an SQL expression that differs from row to row for the rows it restores (such as id, empty to stop): "
		}
		qs = append(qs, question{col, text})
	}
	for _, q := range qs {
		v, err := a.ask(fmt.Sprintf(q.text, q.col))
		if err != nil || v == "" {
			return false
		}
		if prev, ok := backfill[q.col]; ok && prev == v {
			return false // the same answer again cannot help
		}
		backfill[q.col] = v
	}
	return true
}
