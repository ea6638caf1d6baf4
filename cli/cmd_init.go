package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/retortdb/retort/dialect"
)

const initConfig = `# retort configuration. Every key is also a flag and an environment variable:
#   database  --database  RETORT_DATABASE_URL, then DATABASE_URL
#   dir       --dir       RETORT_DIR
#   schema    --schema    RETORT_SCHEMA
# URL forms: sqlite:path/to/file.db, sqlite::memory:,
#   postgres://user:pass@host:5432/db?sslmode=disable, mysql://user:pass@host:3306/db
%s
dir = "migrations"      # revision files live in <dir>/versions
schema = "schema.sql"   # the desired schema: a .sql file or a directory of them
# dev_database = "postgres://localhost/retort_dev"   # scratch server for autogenerate
# keep_dev_database = false   # true: keep the desired schema loaded in dev_database between runs
# version_table = "retort_revisions"
# log_table = "retort_log"
# lock_timeout = "60s"
# privileges = false    # true: compare and migrate GRANT/REVOKE (PostgreSQL)
`

// initSchema is schema.sql as init writes it; %s is app.self.
const initSchema = `-- The desired schema: edit it, then run "%s migrate -m MESSAGE" to
-- write the revision that gets the database there.
`

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create retort.toml, schema.sql and the migrations directory",
		Long: `Creates retort.toml (unless a config file exists), schema.sql (if absent) and
<dir>/versions/ (with an empty .keep file, so that git keeps it before the
first revision) in the working directory. Existing files are left alone.

With --database URL, retort.toml gets the URL without its password (the
file is usually committed): give the whole URL in DATABASE_URL or
RETORT_DATABASE_URL, which take precedence over the file.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			versions := a.versionsDir()
			if entries, err := os.ReadDir(versions); err == nil && len(entries) > 0 {
				return fmt.Errorf("%s already exists and is not empty: this project is already initialised", a.rel(versions))
			}
			if err := os.MkdirAll(versions, 0o755); err != nil {
				return fmt.Errorf("init: create %s: %w", a.rel(versions), err)
			}
			// An empty .keep file, so that git keeps the directory before
			// the first revision (a clone without it cannot upgrade), and
			// so that "//go:embed all:migrations/versions" compiles then.
			if err := writeNew(filepath.Join(versions, ".keep"), ""); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("init: %w", err)
			}
			a.progressf("Creating directory %s ... done\n", a.rel(versions))
			cfgPath := filepath.Join(a.dir, "retort.toml")
			if a.configFile != "" {
				cfgPath = a.path(a.configFile)
			}
			db, note := a.initDatabaseLine()
			if err := writeNew(cfgPath, fmt.Sprintf(initConfig, db)); err == nil {
				a.progressf("Generating %s ... done\n", a.rel(cfgPath))
				if note != "" {
					a.progressf("%s\n", note)
				}
			} else if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("init: %w", err)
			}
			schemaPath := a.path(a.cfg.Schema)
			if err := writeNew(schemaPath, fmt.Sprintf(initSchema, a.self())); err == nil {
				a.progressf("Generating %s ... done\n", a.rel(schemaPath))
			} else if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("init: %w", err)
			}
			a.initNextSteps(schemaPath)
			return nil
		},
	}
}

// initNextSteps tells a new user what to do after init: a database, a
// desired schema, the first revision.
func (a *app) initNextSteps(schemaPath string) {
	schema := a.rel(schemaPath)
	a.progressf("\nNext steps:\n")
	if a.cfg.Database == "" {
		a.progressf("  - set database in retort.toml (or DATABASE_URL)\n")
	}
	a.progressf("  - write the schema you want in %s: CREATE TABLE statements, or the output of\n", schema)
	a.progressf("    pg_dump --schema-only, mysqldump --no-data or sqlite3 app.db .schema\n")
	a.progressf("  - %[1]s migrate -m \"initial schema\" writes the first revision; %[1]s upgrade applies it\n", a.self())
	a.progressf("  - writing revisions by hand instead (%s revision -m MESSAGE)? keep %s in step:\n", a.self(), schema)
	a.progressf("    migrate refuses an empty %s while the migrations create tables (--allow-empty drops them)\n", schema)
}

// initDatabaseLine is the database line of a new retort.toml, and a note
// for the user when the URL given had to be changed. A URL from the
// environment is not copied into the file, and a password given with
// --database is left out of it: retort.toml is usually committed, and the
// password belongs in DATABASE_URL.
func (a *app) initDatabaseLine() (line, note string) {
	switch {
	case a.cfg.Database == "":
		return `# database = "sqlite:app.db"`, ""
	case a.cfg.Database != a.database:
		return `# database comes from RETORT_DATABASE_URL or DATABASE_URL`, ""
	}
	u, err := dialect.ParseURL(a.database)
	if err != nil {
		// Written masked: a URL retort cannot read may still hold a
		// password, and the file is usually committed.
		return fmt.Sprintf("database = %q", dialect.Redact(a.database)), fmt.Sprintf("warning: --database is not a URL retort reads (%v): retort.toml has it with any password masked; correct it there", err)
	}
	bare := u.WithoutPassword()
	if bare == a.database {
		return fmt.Sprintf("database = %q", a.database), ""
	}
	note = fmt.Sprintf("Wrote the database URL without its password (%s): retort.toml is usually committed. Give retort the whole URL in DATABASE_URL (or RETORT_DATABASE_URL), which takes precedence over retort.toml.", bare)
	return fmt.Sprintf("database = %q   # no password here: set DATABASE_URL", bare), note
}

// writeNew creates path with content; fs.ErrExist when it exists.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// exactArgs requires n positional arguments (usage error otherwise); what
// says which, "{cmd}" in it standing for the command's path ("retort
// adopt", "app db adopt").
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &usageError{fmt.Errorf("%s needs %s", cmd.CommandPath(), withPath(cmd, what)), cmd.CommandPath()}
		}
		return nil
	}
}

// targetArgs checks the target arguments of a command: between min and
// max of them (max < 0: no limit), none empty. An empty target is a usage
// error rather than the default, so that a deploy script whose variable is
// unset ("upgrade $REV") stops instead of migrating to head. "{cmd}" in
// what stands for the command's path, as in exactArgs.
func targetArgs(min, max int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if max >= 0 && len(args) > max {
			return &usageError{fmt.Errorf("%s takes at most %d argument(s), got %d", cmd.CommandPath(), max, len(args)), cmd.CommandPath()}
		}
		if len(args) < min {
			return &usageError{fmt.Errorf("%s needs %s", cmd.CommandPath(), withPath(cmd, what)), cmd.CommandPath()}
		}
		for _, a := range args {
			if strings.TrimSpace(a) == "" {
				return &usageError{fmt.Errorf("%s: the target is empty (an unset variable?): name it, for example head, base or a revision id", cmd.CommandPath()), cmd.CommandPath()}
			}
		}
		return nil
	}
}

// noEmptyFlags refuses target flags given with an empty value (as
// targetArgs does for arguments), rather than reading them as not given;
// for a repeatable flag, any one of its values empty.
func noEmptyFlags(cmd *cobra.Command, names ...string) error {
	for _, n := range names {
		f := cmd.Flags().Lookup(n)
		if f == nil || !f.Changed {
			continue
		}
		values := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			values = sv.GetSlice()
			if len(values) == 0 {
				values = []string{""}
			}
		}
		for _, v := range values {
			if strings.TrimSpace(v) == "" {
				return usagef("--%s is empty (an unset variable?): name a revision, or leave the flag out", n)
			}
		}
	}
	return nil
}

// withPath puts cmd's path in place of "{cmd}" in what, a description of
// the arguments written in this package (never user input), so that its
// example names the command as the user runs it.
func withPath(cmd *cobra.Command, what string) string {
	return strings.ReplaceAll(what, "{cmd}", cmd.CommandPath())
}
