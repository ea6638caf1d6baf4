package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
)

// app is one run of the command line: its I/O, flags and configuration.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	baseDir        string
	cmdPath        string
	// root is retort's root command (named "retort", or "db" when
	// mounted); see self.
	root *cobra.Command
	// catchSignals is Env.catchSignals.
	catchSignals func()

	// global flags
	configFile  string
	chdir       string
	database    string
	migrations  string
	schemaPath  string
	lockTimeout string
	ignore      []string
	quiet       bool
	privileges  bool

	// resolved
	dir     string // the directory retort runs in (after -C)
	cfg     Config
	secrets []string
	graph   *revision.Graph // set once the project is loaded, for progress lines
	// pendingDBLine is upgrade's and downgrade's first line, naming the
	// database, printed before their first progress line.
	pendingDBLine string
	in            *bufio.Reader // stdin, for questions on a terminal
	// privilegesNoted: notePrivileges has spoken in this run.
	privilegesNoted bool
	// sum is what this run knows of retort.sum (sum.go).
	sum sumState

	// mount is what an application attached (cli.Command); zero for the
	// standalone binary.
	mount mountOptions
	// readOnly: the command only reads the database, so it must not
	// create a SQLite file that is not there (see readsOnly).
	readOnly bool
	// fromDisk: read revisions from <dir>/versions even when the
	// application embeds its migrations (--dir or RETORT_DIR given, or a
	// command that writes revision files).
	fromDisk bool
	// reads is how much of the revision files the command needs
	// (project.go).
	reads revisionReads
}

func newApp(env Env) *app {
	return &app{
		stdin:        env.Stdin,
		stdout:       env.Stdout,
		stderr:       env.Stderr,
		getenv:       env.Getenv,
		baseDir:      env.Dir,
		catchSignals: env.catchSignals,
	}
}

// armSignals has Main catch SIGINT and SIGTERM for cmd, unless cmd only
// reads (noCleanup): stopped by a signal, it has nothing to undo.
func (a *app) armSignals(cmd *cobra.Command) {
	if a.catchSignals != nil && !noCleanup(cmd) {
		a.catchSignals()
	}
}

// noCleanup reports the commands that read and print and leave nothing
// behind to undo when a signal stops them: no transaction, lock, scratch
// database or file of their own. Main does not catch signals for them.
func noCleanup(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case "current", "heads", "history":
		return true
	}
	return false
}

func (a *app) globalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVarP(&a.configFile, "config", "c", "", "config file (default: retort.toml in the working directory, when present)")
	f.StringVarP(&a.chdir, "chdir", "C", "", "run as if retort was started in `DIR`")
	f.StringVar(&a.database, "database", "", "database `URL` (env RETORT_DATABASE_URL, then DATABASE_URL)")
	f.StringVar(&a.migrations, "dir", "", "migrations directory; revision files live in DIR/versions (env RETORT_DIR; default migrations)")
	f.StringVar(&a.schemaPath, "schema", "", "desired schema: a .sql file or a directory of them (env RETORT_SCHEMA; default schema.sql)")
	f.StringVar(&a.lockTimeout, "lock-timeout", "", "how long to wait for another migrator's lock (env RETORT_LOCK_TIMEOUT; default 60s)")
	f.StringSliceVar(&a.ignore, "ignore", nil, "objects retort cannot represent that migrate, check and drift leave out on purpose: `KIND` or KIND:NAME, comma-separated (env RETORT_IGNORE)")
	f.BoolVarP(&a.quiet, "quiet", "q", false, "print only errors and requested output")
	f.BoolVar(&a.sum.noCheck, "no-sum-check", false, "run even when retort.sum does not match the revision files (warns instead of refusing; once)")
	f.BoolVar(&a.privileges, "privileges", false, "compare and migrate GRANT/REVOKE on the schema's objects (env RETORT_PRIVILEGES; default false)")
}

// setup resolves -C, reads the configuration and applies flags over it.
func (a *app) setup(cmd *cobra.Command) error {
	a.armSignals(cmd)
	if err := a.resolveDir(); err != nil {
		return err
	}
	cfg, err := loadConfig(a.dir, a.configFile, a.getenv)
	a.cfg = cfg
	a.collectSecrets()
	if err != nil {
		return err
	}
	if err := a.applyFlags(cmd); err != nil {
		return err
	}
	if a.cfg.Database == "" && a.mount.databaseURL != "" {
		a.cfg.Database, a.cfg.databaseFrom = a.mount.databaseURL, "the application (cli.WithDatabaseURL)"
	}
	a.readOnly = readsOnly(cmd)
	a.fromDisk = a.mount.migrations == nil || cmd.Flags().Changed("dir") || a.getenv("RETORT_DIR") != "" || writesRevisions(cmd)
	a.collectSecrets()
	return nil
}

// resolveDir sets a.dir: the base directory, or -C's, which must exist.
func (a *app) resolveDir() error {
	a.dir = a.baseDir
	if a.chdir == "" {
		return nil
	}
	d := a.chdir
	if !filepath.IsAbs(d) {
		d = filepath.Join(a.baseDir, d)
	}
	st, err := os.Stat(d)
	if err != nil || !st.IsDir() {
		return usagef("-C %s: no such directory", a.chdir)
	}
	a.dir = d
	return nil
}

// applyFlags puts the flags the user gave over the configuration, then
// resolves the true-or-false settings that environment variables may set.
func (a *app) applyFlags(cmd *cobra.Command) error {
	flags := cmd.Flags()
	if flags.Changed("database") {
		a.cfg.Database, a.cfg.databaseFrom = a.database, "--database"
	}
	if flags.Changed("dir") {
		a.cfg.Dir = a.migrations
	}
	if flags.Changed("schema") {
		a.cfg.Schema = a.schemaPath
	}
	if flags.Changed("ignore") {
		a.cfg.Ignore = a.ignore
	}
	if flags.Changed("lock-timeout") {
		a.cfg.LockTimeout, a.cfg.lockTimeoutFrom = a.lockTimeout, "--lock-timeout"
	}
	// A bad value of the flag or of RETORT_LOCK_TIMEOUT (which stands in
	// for it) is a usage error (exit 2), found before anything is opened;
	// one from retort.toml stays a configuration error (exit 1, with the
	// file), found when the database is opened.
	if a.cfg.lockTimeoutFrom != "" {
		if _, err := a.cfg.lockTimeout(); err != nil {
			return &usageError{err: err, cmd: cmd.CommandPath()}
		}
	}
	if flags.Changed("privileges") {
		a.cfg.Privileges, a.cfg.privilegesEnv = a.privileges, ""
	}
	var err error
	if a.cfg.Privileges, err = a.cfg.privilegesSetting(); err != nil {
		return err
	}
	a.cfg.KeepDevDatabase, err = a.cfg.keepDevSetting()
	return err
}

// collectSecrets remembers every password that could reach output, so that
// mask can remove it even from a driver's message.
func (a *app) collectSecrets() {
	cands := []string{a.cfg.Database, a.cfg.DevDatabase, a.database, a.mount.databaseURL,
		a.getenv("RETORT_DATABASE_URL"), a.getenv("DATABASE_URL"), a.getenv("RETORT_DEV_DATABASE")}
	for _, c := range cands {
		u, err := url.Parse(strings.TrimSpace(c))
		if err == nil {
			if pw := u.Query().Get("password"); pw != "" {
				a.secrets = append(a.secrets, pw, url.QueryEscape(pw))
			}
		}
		if err != nil || u.User == nil {
			// An unparsable URL may still hold user:password@.
			if i := strings.Index(c, "://"); i >= 0 {
				rest := c[i+3:]
				if at := strings.LastIndex(rest, "@"); at >= 0 {
					if _, pw, ok := strings.Cut(rest[:at], ":"); ok && pw != "" {
						a.secrets = append(a.secrets, pw)
					}
				}
			}
			continue
		}
		if pw, ok := u.User.Password(); ok && pw != "" {
			a.secrets = append(a.secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
		}
	}
}

// mask removes passwords from text meant for output.
func (a *app) mask(s string) string {
	s = dialect.Redact(s)
	for _, p := range a.secrets {
		if len(p) >= 3 {
			s = strings.ReplaceAll(s, p, "****")
		}
	}
	return s
}

// progressf writes progress to stderr unless --quiet, passwords masked and
// quoted retort commands named as the user runs them (mountedAdvice).
func (a *app) progressf(format string, args ...any) {
	if a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, "%s", a.mountedAdvice(a.mask(fmt.Sprintf(format, args...))))
}

// outf writes requested output to stdout.
func (a *app) outf(format string, args ...any) {
	fmt.Fprintf(a.stdout, format, args...)
}

// writeJSON prints v as indented JSON on stdout.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// path resolves a path from the config against the run directory.
func (a *app) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.dir, p)
}

// rel shows a path relative to the run directory where it is inside it.
func (a *app) rel(p string) string {
	if r, err := filepath.Rel(a.dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

// versionsDir is where revision files live.
func (a *app) versionsDir() string { return filepath.Join(a.path(a.cfg.Dir), "versions") }

// self is the command the user runs retort as, for the advice in
// messages: "retort" standalone, the mounted command's path (e.g. "app db")
// inside an application.
func (a *app) self() string {
	if a.root == nil {
		return "retort"
	}
	return a.root.CommandPath()
}
