package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/lazyre"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/models"
)

// CommandOption configures the command that Command returns.
type CommandOption func(*mountOptions)

// mountOptions is what an application attaches to the command line.
type mountOptions struct {
	name        string
	migrations  fs.FS
	goRevisions []retort.GoRevision
	desired     retort.DesiredSource
	databaseURL string
	env         *Env
}

// WithMigrations gives the application's migrations, usually an embed.FS
// narrowed with fs.Sub to the directory of revision files:
//
//	//go:embed all:migrations/versions
//	var files embed.FS
//	versions, _ := fs.Sub(files, "migrations/versions")
//
// ("all:" takes the .keep file retort init writes, so that the pattern
// compiles before the first revision exists; files not ending in .sql are
// ignored.)
//
// Every command reads them, except where the source directory is wanted:
// with --dir or RETORT_DIR, and in the commands that write revision files
// (init, revision, migrate, merge), which read and write <dir>/versions on
// disk (default migrations/versions), since an embed.FS is read-only and
// fixed when the application is built. Run those from the application's
// source directory.
func WithMigrations(fsys fs.FS) CommandOption {
	return func(o *mountOptions) { o.migrations = fsys }
}

// WithGoRevisions registers the application's Go revisions (see
// retort.GoRevision); "revision --go" writes the placeholder file of a new
// one.
func WithGoRevisions(revs ...retort.GoRevision) CommandOption {
	return func(o *mountOptions) { o.goRevisions = append(o.goRevisions, revs...) }
}

// WithDesiredSource makes migrate and check compare with the
// application's desired schema (its models) instead of schema.sql; an
// explicit --schema still reads a file.
func WithDesiredSource(src retort.DesiredSource) CommandOption {
	return func(o *mountOptions) { o.desired = src }
}

// WithModels is WithDesiredSource(models.Desired(v...)): the desired
// schema is the application's structs.
func WithModels(v ...any) CommandOption {
	return WithDesiredSource(models.Desired(v...))
}

// WithDatabaseURL is the database used when neither --database,
// RETORT_DATABASE_URL, DATABASE_URL nor retort.toml names one: the
// application's own configuration. Its password is masked in all output.
func WithDatabaseURL(url string) CommandOption {
	return func(o *mountOptions) { o.databaseURL = url }
}

// WithName names the mounted command (default "db").
func WithName(name string) CommandOption {
	return func(o *mountOptions) { o.name = name }
}

// WithEnv sets the streams, environment and working directory the command
// uses (default: the process's), for tests.
func WithEnv(env Env) CommandOption {
	return func(o *mountOptions) { o.env = &env }
}

// Command returns retort's whole command line as one cobra command named
// "db", to add to an application's root command:
//
//	root.AddCommand(cli.Command(
//		cli.WithMigrations(versions),
//		cli.WithGoRevisions(migrations.Backfill),
//		cli.WithModels(&User{}, &Post{}),
//		cli.WithDatabaseURL(cfg.DatabaseURL),
//	))
//	os.Exit(cli.Execute(ctx, root, os.Args[1:]))
//
// gives "myapp db init|revision|migrate|upgrade|downgrade|current|status|
// history|heads|branches|show|graph|stamp|merge|check|drift|inspect|verify|
// resolve|lint|test|sum|import|adopt|baseline" with the application's
// migrations, Go revisions and models. It
// is the same command tree as the standalone retort binary (which is
// Command with nothing attached). A failing subcommand returns an
// *ExitError (its text with passwords masked); Execute prints it and gives
// the exit code.
func Command(opts ...CommandOption) *cobra.Command {
	o := mountOptions{name: "db"}
	for _, opt := range opts {
		opt(&o)
	}
	env := Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	if o.env != nil {
		env = *o.env
		if env.Getenv == nil {
			env.Getenv = os.Getenv
		}
	}
	if env.Dir == "" {
		if wd, err := os.Getwd(); err == nil {
			env.Dir = wd
		} else {
			env.Dir = "."
		}
	}
	a := newApp(env)
	a.mount = o
	root := a.rootCommand(o.name)
	root.Short = "Database migrations: upgrade, downgrade, autogenerate (retort)"
	wrapErrors(a, root)
	return root
}

// wrapErrors turns the errors of c and its subcommands into *ExitError.
func wrapErrors(a *app, c *cobra.Command) {
	if pre := c.PersistentPreRunE; pre != nil {
		c.PersistentPreRunE = func(cmd *cobra.Command, args []string) error { return a.exitError(pre(cmd, args)) }
	}
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error { return a.exitError(run(cmd, args)) }
	}
	for _, sub := range c.Commands() {
		wrapErrors(a, sub)
	}
}

// ExitError is the error of a mounted retort command, with the exit code
// the standalone binary gives it: ExitFailed, ExitUsage or
// ExitDifferences. Its text has every password masked (and may be empty
// for ExitDifferences, whose findings were printed); Unwrap gives the
// original error for errors.As.
type ExitError struct {
	// Code is the exit code.
	Code int
	// Err is the error as the library returned it.
	Err error
	msg string
}

// Error returns the masked message.
func (e *ExitError) Error() string { return e.msg }

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// exitError classifies err as finish does, without printing it.
func (a *app) exitError(err error) error {
	if err == nil {
		return nil
	}
	err = a.explain(err)
	var done *ExitError
	if errors.As(err, &done) {
		return err
	}
	var ee *exitError
	if errors.As(err, &ee) {
		msg := ""
		if ee.err != nil {
			msg = a.mountedAdvice(a.mask(ee.err.Error()))
		}
		return &ExitError{Code: ee.code, Err: err, msg: msg}
	}
	code := ExitFailed
	var ue *usageError
	if errors.As(err, &ue) {
		code = ExitUsage
	}
	return &ExitError{Code: code, Err: err, msg: strings.TrimRight(a.mountedAdvice(a.mask(err.Error())), "\n")}
}

// adviceCommand matches a retort command as the advice of the stages
// below the command line quotes it: `retort resolve`, "retort history",
// (retort squash.
var adviceCommand = lazyre.New("[`\"(]retort [a-z]+")

// mountedAdvice names the mounted command ("app db resolve") where the
// library's advice names the standalone one ("retort resolve"): the
// engine, runner and revision packages do not know how they are run, and
// an application's users may have no retort binary. Only quoted names of
// this command's subcommands are rewritten, not the word in prose.
func (a *app) mountedAdvice(msg string) string {
	if a.root == nil || a.root.CommandPath() == "retort" {
		return msg
	}
	return adviceCommand().ReplaceAllStringFunc(msg, func(m string) string {
		sub := m[len("`retort "):]
		if c, _, err := a.root.Find([]string{sub}); err != nil || c == a.root {
			return m
		}
		return m[:1] + a.self() + " " + sub
	})
}

// explain rewords errors whose advice depends on how retort runs: a Go
// revision without its functions means "run the application's own
// command" to the standalone binary, but inside the application it means
// that the application does not register it.
func (a *app) explain(err error) error {
	var gu *runner.GoUnavailableError
	if a.mount.name != "" && errors.As(err, &gu) {
		return &unregisteredGoError{gu}
	}
	return err
}

// unregisteredGoError is a Go revision's placeholder file, read by an
// application that registers no GoRevision with its id.
type unregisteredGoError struct{ *runner.GoUnavailableError }

func (e *unregisteredGoError) Error() string {
	return fmt.Sprintf("revision %s (%s) is a Go revision (Go: true), but no GoRevision with ID %q is registered in this application: register it with cli.WithGoRevisions (\"revision --go\" printed its code), rebuild the application and run again; nothing was run", e.Revision, e.Path, e.Revision)
}

// Unwrap gives the runner's error, for errors.As.
func (e *unregisteredGoError) Unwrap() error { return e.GoUnavailableError }

// ExitCode returns the process exit code for an error returned by an
// application's root command with Command mounted: 0 for nil, the code of
// an *ExitError, 2 for a usage error, else 1.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailed
}

// Execute runs an application's root command with args (os.Args[1:]) and
// returns the exit code, as Main does for the standalone binary: an error
// is printed once on the root's stderr as "error: ...", passwords masked,
// and "downgrade -2" means the target -2 rather than a flag. It silences
// cobra's own error printing on root.
func Execute(ctx context.Context, root *cobra.Command, args []string) int {
	root.SilenceErrors = true
	root.SilenceUsage = true
	root.SetArgs(relativeTargets(args))
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	msg := err.Error()
	var ee *ExitError
	if !errors.As(err, &ee) {
		msg = dialect.Redact(msg)
	}
	if msg != "" {
		fmt.Fprintf(root.ErrOrStderr(), "error: %s\n", msg)
	}
	return ExitCode(err)
}

// writesRevisions reports the commands that write revision files, which
// work on the source directory rather than on embedded migrations.
func writesRevisions(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case "init", "revision", "migrate", "merge", "sum":
		return true
	}
	return false
}

// loadEmbedded reads the application's embedded migrations. Paths in
// messages are shown under <dir>/versions, where the files live in the
// application's source.
func (a *app) loadEmbedded() ([]*script.Revision, error) {
	prefix := filepath.Join(a.cfg.Dir, "versions")
	revs, err := script.LoadDir(a.mount.migrations)
	if err != nil {
		var pe *script.ParseError
		if errors.As(err, &pe) {
			pe.Path = filepath.Join(prefix, pe.Path)
		}
		var de *script.DuplicateIDError
		if errors.As(err, &de) {
			de.Paths[0], de.Paths[1] = filepath.Join(prefix, de.Paths[0]), filepath.Join(prefix, de.Paths[1])
		}
		return nil, fmt.Errorf("embedded migrations: %w", err)
	}
	for _, r := range revs {
		r.Path = filepath.Join(prefix, r.Path)
	}
	return revs, nil
}

// goSkeleton is the Go code to register a new Go revision, printed by
// "revision --go".
func goSkeleton(r *script.Revision) string {
	return "Register it in the application (cli.WithGoRevisions / retort.WithGoRevisions):\n\n\t" +
		goRevisionLiteral(r, "\t", "return nil", "return nil") + "\n"
}

// goRevisionLiteral is the retort.GoRevision literal of r, its lines after
// the first indented by indent, with up and down as the functions' bodies.
func goRevisionLiteral(r *script.Revision, indent, up, down string) string {
	var revises string
	for i, p := range r.Revises {
		if i > 0 {
			revises += ", "
		}
		revises += fmt.Sprintf("%q", p)
	}
	lit := fmt.Sprintf(`retort.GoRevision{
	ID:      %q,
	Revises: []string{%s},
	Message: %q,
	Up: func(ctx context.Context, tx *sql.Tx) error {
		%s
	},
	Down: func(ctx context.Context, tx *sql.Tx) error {
		%s
	},
}`, r.ID, revises, r.Message, up, down)
	return strings.ReplaceAll(lit, "\n", "\n"+indent)
}
