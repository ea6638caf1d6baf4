package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
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
# version_table = "retort_revisions"
# log_table = "retort_log"
# lock_timeout = "60s"
# privileges = false    # true: compare and migrate GRANT/REVOKE (PostgreSQL)
`

const initSchema = `-- The desired schema: edit it, then run "retort migrate -m MESSAGE" to
-- write the revision that gets the database there.
`

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create retort.toml, schema.sql and the migrations directory",
		Long: `Creates retort.toml (unless a config file exists), schema.sql (if absent) and
<dir>/versions/ (with an empty .keep file, so that git keeps it before the
first revision) in the working directory. Existing files are left alone.`,
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
			db := `# database = "sqlite:app.db"`
			if a.cfg.Database != "" {
				db = fmt.Sprintf("database = %q", a.cfg.Database)
				if a.cfg.Database != a.database {
					// It came from the environment: do not copy a secret into a file.
					db = `# database comes from RETORT_DATABASE_URL or DATABASE_URL`
				}
			}
			if err := writeNew(cfgPath, fmt.Sprintf(initConfig, db)); err == nil {
				a.progressf("Generating %s ... done\n", a.rel(cfgPath))
			} else if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("init: %w", err)
			}
			schemaPath := a.path(a.cfg.Schema)
			if err := writeNew(schemaPath, initSchema); err == nil {
				a.progressf("Generating %s ... done\n", a.rel(schemaPath))
			} else if !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("init: %w", err)
			}
			return nil
		},
	}
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

// exactArgs requires n positional arguments (usage error otherwise).
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("%s needs %s", cmd.CommandPath(), what)
		}
		return nil
	}
}

// maxArgs allows at most n positional arguments.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
