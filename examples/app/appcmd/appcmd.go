// Package appcmd is the example application's command line, in a package
// of its own so that tests can run it: a cobra root "app" with "serve"
// and retort's commands mounted as "db".
package appcmd

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/cli"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/examples/app/migrations"
)

// User is a user of the application.
type User struct {
	ID      int64   `retort:"pk"`
	Name    string  `retort:"size:80"`
	Display *string `retort:"size:80"`
}

// Post is something a user wrote.
type Post struct {
	ID     int64  `retort:"pk"`
	UserID int64  `retort:"fk:users.id,ondelete:cascade,index"`
	Title  string `retort:"size:200"`
}

// Options are what the application gives retort. Default returns the
// application's own; tests vary them.
type Options struct {
	// Migrations are the revision files.
	Migrations fs.FS
	// GoRevisions are the revisions written in Go.
	GoRevisions []retort.GoRevision
	// Models are the structs of the desired schema.
	Models []any
	// DatabaseURL is the application's database, used unless --database,
	// RETORT_DATABASE_URL or DATABASE_URL say otherwise.
	DatabaseURL string
	// Env is the command line's environment; zero means the process's.
	Env cli.Env
}

// Default returns the application's options.
func Default() Options {
	return Options{
		Migrations:  migrations.Versions(),
		GoRevisions: migrations.GoRevisions(),
		Models:      []any{&User{}, &Post{}},
		DatabaseURL: "sqlite:app.db",
	}
}

// Root returns the application's root command.
func Root(o Options) *cobra.Command {
	root := &cobra.Command{
		Use:   "app",
		Short: "An example application that migrates its own database",
	}
	opts := []cli.CommandOption{
		cli.WithMigrations(o.Migrations),
		cli.WithGoRevisions(o.GoRevisions...),
		cli.WithModels(o.Models...),
		cli.WithDatabaseURL(o.DatabaseURL),
	}
	if o.Env.Stdout != nil {
		opts = append(opts, cli.WithEnv(o.Env))
		root.SetOut(o.Env.Stdout)
		root.SetErr(o.Env.Stderr)
	}
	root.AddCommand(serveCommand(o), cli.Command(opts...))
	return root
}

// serveCommand upgrades the database on start-up, then "serves": it
// prints the users.
func serveCommand(o Options) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Upgrade the database to head, then list the users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			d, _, db, err := dialects.Open(ctx, url)
			if err != nil {
				return err
			}
			defer db.Close()

			// Upgrade on start-up.
			m, err := retort.New(d, db, o.Migrations, retort.WithGoRevisions(o.GoRevisions...))
			if err == nil {
				_, err = m.Upgrade(ctx, "head")
			}
			if err != nil {
				return fmt.Errorf("upgrade the database: %w", err)
			}

			rows, err := db.QueryContext(ctx, "SELECT name, display FROM users ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				// display is nullable: users added after the backfill
				// may have none, and are shown by name.
				var name string
				var display sql.NullString
				if err := rows.Scan(&name, &display); err != nil {
					return err
				}
				if !display.Valid {
					display.String = name
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s (%s)\n", display.String, name)
			}
			return rows.Err()
		},
	}
	cmd.Flags().StringVar(&url, "database", o.DatabaseURL, "database `URL`")
	return cmd
}

// Main runs the application's command line with args and returns the exit
// code.
func Main(ctx context.Context, args []string) int {
	return cli.Execute(ctx, Root(Default()), args)
}
