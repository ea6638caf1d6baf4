package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/cli"
	"github.com/retortdb/retort/examples/app/appcmd"
)

// devOptions is the example application in development, for the story
// in testdata/script/app_story.txtar: migrations on disk, its models, and
// its Go revision 0002 when APP_GO is set (registering the revision that
// "db revision --go" printed: a test binary cannot recompile itself).
// testdata/script/app_gorun.txtar runs the real application with "go run",
// a changed struct included.
func devOptions() appcmd.Options {
	o := appcmd.Options{Models: []any{&appcmd.User{}, &appcmd.Post{}}}
	if os.Getenv("APP_GO") != "" {
		o.GoRevisions = []retort.GoRevision{{
			ID: "0002", Revises: []string{"0001"}, Message: "backfill display names",
			Up: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE users SET display = name WHERE display IS NULL")
				return err
			},
			Down: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE users SET display = NULL WHERE display = name")
				return err
			},
		}}
	}
	return o
}

func init() {
	cli.ScriptCommands["app"] = func() {
		os.Exit(appcmd.Main(context.Background(), os.Args[1:]))
	}
	cli.ScriptCommands["app-dev"] = func() {
		os.Exit(cli.Execute(context.Background(), appcmd.Root(devOptions()), os.Args[1:]))
	}
}

// run executes an application root with the mounted command and returns
// the exit code and output.
func run(t *testing.T, dir string, opts []cli.CommandOption, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Dir: dir,
		Getenv: func(string) string { return "" }}
	root := &cobra.Command{Use: "myapp"}
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.AddCommand(cli.Command(append([]cli.CommandOption{cli.WithEnv(env)}, opts...)...))
	code := cli.Execute(context.Background(), root, args)
	return code, stdout.String(), stderr.String()
}

func TestCommandTree(t *testing.T) {
	c := cli.Command()
	if c.Name() != "db" {
		t.Fatalf("name %q; want db", c.Name())
	}
	var names []string
	for _, s := range c.Commands() {
		names = append(names, s.Name())
	}
	for _, want := range []string{"init", "revision", "migrate", "upgrade", "downgrade", "current", "status", "history", "heads", "branches", "show", "stamp", "merge", "check", "drift", "inspect"} {
		if !slices.Contains(names, want) {
			t.Errorf("db has no %s command (has %v)", want, names)
		}
	}
	if n := cli.Command(cli.WithName("migrations")).Name(); n != "migrations" {
		t.Errorf("WithName: %q", n)
	}
}

// TestCommandExitCodes checks the mounted command's errors: usage 2,
// failure 1, differences 3, passwords masked.
func TestCommandExitCodes(t *testing.T) {
	dir := t.TempDir()
	secret := []cli.CommandOption{cli.WithDatabaseURL("postgres://app:s3cr3tpw@127.0.0.1:1/app?sslmode=disable&connect_timeout=2")}
	code, _, stderr := run(t, dir, secret, "db", "upgrade", "--bogus")
	if code != cli.ExitUsage || !strings.Contains(stderr, "unknown flag: --bogus") {
		t.Errorf("unknown flag: exit %d, %q; want 2", code, stderr)
	}
	code, _, stderr = run(t, dir, secret, "db", "history")
	if code != cli.ExitFailed || !strings.Contains(stderr, "no migrations directory") {
		t.Errorf("history without migrations: exit %d, %q; want 1", code, stderr)
	}
	if err := os.MkdirAll(filepath.Join(dir, "migrations", "versions"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, dir, secret, "db", "current")
	if code != cli.ExitFailed || strings.Contains(stderr, "s3cr3tpw") || !strings.Contains(stderr, "****") {
		t.Errorf("unreachable database: exit %d, %q; want 1 and the password masked", code, stderr)
	}
	// Differences: the models have a table the (empty) migrations lack.
	models := []cli.CommandOption{cli.WithModels(&appcmd.User{}), cli.WithDatabaseURL("sqlite:app.db")}
	code, stdout, stderr := run(t, dir, models, "db", "check")
	if code != cli.ExitDifferences || !strings.Contains(stdout, "added table 'users'") {
		t.Errorf("check with a new model: exit %d, %q %q; want 3", code, stdout, stderr)
	}
	// ExitCode and errors.As see through the error a root returns.
	root := &cobra.Command{Use: "myapp", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cli.Command(cli.WithEnv(cli.Env{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Dir: dir, Getenv: func(string) string { return "" }}), cli.WithDatabaseURL("sqlite:app.db")))
	root.SetArgs([]string{"db", "upgrade", "nope"})
	err := root.Execute()
	var ee *cli.ExitError
	if !errors.As(err, &ee) || cli.ExitCode(err) != cli.ExitFailed || !errors.Is(err, retort.ErrUnknownRevision) {
		t.Errorf("upgrade nope: %v (code %d); want an ExitError wrapping ErrUnknownRevision", err, cli.ExitCode(err))
	}
}

// TestCommandEmbeddedMigrations reads the application's embedded
// migrations where no source directory exists, and the directory with
// --dir.
func TestCommandEmbeddedMigrations(t *testing.T) {
	dir := t.TempDir()
	opts := []cli.CommandOption{cli.WithMigrations(appcmd.Default().Migrations), cli.WithGoRevisions(appcmd.Default().GoRevisions...), cli.WithDatabaseURL("sqlite:app.db")}
	code, stdout, stderr := run(t, dir, opts, "db", "history")
	if code != 0 || !strings.Contains(stdout, "5f1c2e8a9b3d (go) (head), backfill display names") {
		t.Fatalf("history: exit %d, %q %q", code, stdout, stderr)
	}
	code, _, stderr = run(t, dir, opts, "db", "history", "--dir", "elsewhere")
	if code != cli.ExitFailed || !strings.Contains(stderr, "no migrations directory elsewhere/versions") {
		t.Fatalf("history --dir elsewhere: exit %d, %q; want the directory read", code, stderr)
	}
	code, _, stderr = run(t, dir, opts, "db", "upgrade")
	if code != 0 || !strings.Contains(stderr, "the database is at 5f1c2e8a9b3d") {
		t.Fatalf("upgrade: exit %d, %q", code, stderr)
	}
}

// An application mounts retort's command line as "myapp db".
func ExampleCommand() {
	root := &cobra.Command{Use: "myapp"}
	root.AddCommand(cli.Command(
		cli.WithMigrations(appcmd.Default().Migrations),
		cli.WithGoRevisions(appcmd.Default().GoRevisions...),
		cli.WithModels(&appcmd.User{}, &appcmd.Post{}),
		cli.WithDatabaseURL("sqlite:app.db"),
	))
	// In main: os.Exit(cli.Execute(ctx, root, os.Args[1:]))
	for _, c := range root.Commands() {
		fmt.Println(c.Use, "-", c.Short)
	}
	// Output: db - Database migrations: upgrade, downgrade, autogenerate (retort)
}

// Execute runs an application's root and gives the exit code, printing
// errors as retort does.
func ExampleExecute() {
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp"}
	root.SetOut(&out)
	root.SetErr(&out)
	root.AddCommand(cli.Command(cli.WithEnv(cli.Env{Stdout: &out, Stderr: &out, Dir: os.TempDir()})))
	code := cli.Execute(context.Background(), root, []string{"db", "upgrade", "--bogus"})
	fmt.Print(out.String())
	fmt.Println("exit", code)
	// Output:
	// error: unknown flag: --bogus
	// exit 2
}

// TestCommandAdviceNamesMountedCommand: advice written below the command
// line ("settle it with `retort resolve ...`", "see \"retort history\"")
// names the command the application's users run.
func TestCommandAdviceNamesMountedCommand(t *testing.T) {
	dir := t.TempDir()
	versions := filepath.Join(dir, "migrations", "versions")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	rev := "-- one\n--\n-- Revision: 0001\n-- Revises:\n-- Transaction: none\n\n-- +upgrade\nCREATE TABLE one (id INTEGER);\nINSERT INTO nosuchtable (id) VALUES (1);\n\n-- +downgrade\nDROP TABLE one;\n"
	if err := os.WriteFile(filepath.Join(versions, "0001_one.sql"), []byte(rev), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := []cli.CommandOption{cli.WithDatabaseURL("sqlite:app.db")}
	code, _, stderr := run(t, dir, opts, "db", "upgrade")
	if code != cli.ExitFailed || !strings.Contains(stderr, "`myapp db resolve 0001 --applied`") || strings.Contains(stderr, "retort resolve") {
		t.Errorf("failed upgrade: exit %d, %q; want advice naming `myapp db resolve 0001 --applied`", code, stderr)
	}
	code, _, stderr = run(t, dir, opts, "db", "upgrade", "nope")
	if code != cli.ExitFailed || !strings.Contains(stderr, `see "myapp db history"`) {
		t.Errorf("upgrade nope: exit %d, %q; want it to point at \"myapp db history\"", code, stderr)
	}
}
