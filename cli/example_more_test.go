package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/cli"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/source"
)

// exampleDir makes a scratch project directory; remove it when done.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "retort-cli-example")
	if err != nil {
		log.Fatal(err)
	}
	return dir
}

// exampleEnv is an Env in dir that sees no environment variables and
// writes both streams to out.
func exampleEnv(dir string, out *bytes.Buffer) cli.Env {
	return cli.Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Dir: dir,
		Getenv: func(string) string { return "" }}
}

// exampleVersions stands for an application's embedded migrations.
var exampleVersions = fstest.MapFS{
	"a1_users.sql": {Data: []byte("-- create users\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n-- +downgrade\nDROP TABLE users;\n")},
}

// exMounted runs "myapp db ARGS..." with the Command made of opts, in dir,
// and returns the exit code and output.
func exMounted(dir string, opts []cli.CommandOption, args ...string) (int, string) {
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp"}
	root.SetOut(&out)
	root.SetErr(&out)
	root.AddCommand(cli.Command(append([]cli.CommandOption{cli.WithEnv(exampleEnv(dir, &out))}, opts...)...))
	code := cli.Execute(context.Background(), root, append([]string{"db"}, args...))
	return code, out.String()
}

// Run is the standalone binary in an Env: here it makes a project and a
// revision with a fixed id, and upgrades a SQLite database.
func ExampleRun() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	var out bytes.Buffer
	env := exampleEnv(dir, &out)
	ctx := context.Background()
	for _, args := range [][]string{
		{"init"},
		{"revision", "-m", "create users", "--rev-id", "a1"},
		{"--database", "sqlite:app.db", "upgrade"},
		{"--database", "sqlite:app.db", "current"},
	} {
		out.Reset()
		code := cli.Run(ctx, args, env)
		fmt.Println(args[len(args)-1], "exit", code)
	}
	fmt.Print(out.String())
	// Output:
	// init exit 0
	// a1 exit 0
	// upgrade exit 0
	// current exit 0
	// a1 (head)
}

// Main is the standalone binary's whole main: os.Exit(cli.Main(
// os.Args[1:], os.Stdin, os.Stdout, os.Stderr)).
func ExampleMain() {
	var out bytes.Buffer
	code := cli.Main([]string{"--version"}, strings.NewReader(""), &out, &out)
	fmt.Print(out.String())
	fmt.Println("exit", code)
	// Output:
	// retort 0.1.0
	// exit 0
}

// Version is what --version prints.
func ExampleVersion() {
	fmt.Println(cli.Version)
	// Output: 0.1.0
}

// Env gives a run its streams, environment variables and directory:
// RETORT_DATABASE_URL here names the database.
func ExampleEnv() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	var out bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &out, Dir: dir, Getenv: func(k string) string {
		if k == "RETORT_DATABASE_URL" {
			return "sqlite:env.db"
		}
		return ""
	}}
	ctx := context.Background()
	cli.Run(ctx, []string{"init"}, env)
	code := cli.Run(ctx, []string{"upgrade"}, env)
	_, err := os.Stat(dir + "/env.db")
	fmt.Println("exit", code, "database made:", err == nil)
	// Output: exit 0 database made: true
}

// Config is read from retort.toml in the working directory, then
// environment variables, then flags.
func ExampleConfig() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	toml := "database = \"sqlite:from_toml.db\"\ndir = \"db\"\n"
	if err := os.WriteFile(dir+"/retort.toml", []byte(toml), 0o644); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	env := exampleEnv(dir, &out)
	ctx := context.Background()
	fmt.Println(cli.Run(ctx, []string{"init"}, env))
	fmt.Println(cli.Run(ctx, []string{"upgrade"}, env))
	_, errDir := os.Stat(dir + "/db/versions")
	_, errDB := os.Stat(dir + "/from_toml.db")
	fmt.Println(errDir == nil, errDB == nil)
	// Output:
	// 0
	// 0
	// true true
}

// A bad retort.toml is a *ConfigError naming the file and line.
func ExampleConfigError() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	if err := os.WriteFile(dir+"/retort.toml", []byte("databse = \"sqlite:x.db\"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp", SilenceErrors: true, SilenceUsage: true}
	root.SetOut(&out)
	root.SetErr(&out)
	root.AddCommand(cli.Command(cli.WithEnv(exampleEnv(dir, &out))))
	root.SetArgs([]string{"db", "current"})
	err := root.ExecuteContext(context.Background())
	var ce *cli.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(filepath.Base(ce.Path), ce.Line)
	}
	fmt.Println(cli.ExitCode(err))
	// Output:
	// retort.toml 1
	// 1
}

// ExitCode gives the process exit code of an error from a root command
// with Command exMounted; *ExitError carries it, with passwords masked.
func ExampleExitCode() {
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cli.Command(cli.WithEnv(exampleEnv(os.TempDir(), &out)),
		cli.WithMigrations(exampleVersions),
		cli.WithDatabaseURL("postgres://app:s3cret@127.0.0.1:1/app?connect_timeout=2")))
	root.SetArgs([]string{"db", "upgrade"})
	err := root.ExecuteContext(context.Background())
	fmt.Println(cli.ExitCode(nil), cli.ExitCode(err))
	// Output: 0 1
}

// ExitError: the code and the masked text of a exMounted command's failure.
func ExampleExitError() {
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(cli.Command(cli.WithEnv(exampleEnv(os.TempDir(), &out)),
		cli.WithMigrations(exampleVersions),
		cli.WithDatabaseURL("postgres://app:s3cret@127.0.0.1:1/app?connect_timeout=2")))
	root.SetArgs([]string{"db", "upgrade"})
	err := root.ExecuteContext(context.Background())
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		fmt.Println(ee.Code == cli.ExitFailed, strings.Contains(ee.Error(), "s3cret"), ee.Err != nil)
	}
	// Output: true false true
}

// WithName renames the exMounted command.
func ExampleWithName() {
	root := &cobra.Command{Use: "myapp"}
	root.AddCommand(cli.Command(cli.WithName("migrations")))
	fmt.Println(root.Commands()[0].Name())
	// Output: migrations
}

// WithMigrations and WithDatabaseURL: the application's embedded
// revisions and its own database setting.
func ExampleWithMigrations() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	opts := []cli.CommandOption{cli.WithMigrations(exampleVersions), cli.WithDatabaseURL("sqlite:" + filepath.Join(dir, "app.db"))}
	code, _ := exMounted(dir, opts, "upgrade")
	fmt.Println("upgrade exit", code)
	_, out := exMounted(dir, opts, "current")
	fmt.Print(out)
	// Output:
	// upgrade exit 0
	// a1 (head)
}

// WithDatabaseURL is used when no flag, variable or retort.toml names a
// database.
func ExampleWithDatabaseURL() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	opts := []cli.CommandOption{cli.WithMigrations(exampleVersions), cli.WithDatabaseURL("sqlite:" + filepath.Join(dir, "app.db"))}
	code, _ := exMounted(dir, opts, "--database", "sqlite:"+filepath.Join(dir, "other.db"), "upgrade")
	_, errApp := os.Stat(filepath.Join(dir, "app.db"))
	_, errOther := os.Stat(filepath.Join(dir, "other.db"))
	fmt.Println("exit", code, "app.db:", errApp == nil, "other.db:", errOther == nil)
	// Output: exit 0 app.db: false other.db: true
}

// WithEnv sets what the command sees: here its output goes to a buffer.
func ExampleWithEnv() {
	var out bytes.Buffer
	root := &cobra.Command{Use: "myapp"}
	root.AddCommand(cli.Command(cli.WithEnv(exampleEnv(os.TempDir(), &out)), cli.WithMigrations(exampleVersions)))
	code := cli.Execute(context.Background(), root, []string{"db", "history"})
	fmt.Print(out.String())
	fmt.Println("exit", code)
	// Output:
	// <base> -> a1 (head), create users
	// exit 0
}

// WithGoRevisions registers the application's Go revisions: the exMounted
// upgrade runs them between the files.
func ExampleWithGoRevisions() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	seed := retort.GoRevision{ID: "b2", Revises: []string{"a1"}, Message: "seed admin",
		Up: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO users (name) VALUES ('admin')")
			return err
		}}
	opts := []cli.CommandOption{cli.WithMigrations(exampleVersions), cli.WithGoRevisions(seed),
		cli.WithDatabaseURL("sqlite:" + filepath.Join(dir, "app.db"))}
	code, _ := exMounted(dir, opts, "upgrade")
	_, out := exMounted(dir, opts, "current")
	fmt.Print("exit ", code, "\n", out)
	// Output:
	// exit 0
	// b2 (go) (head)
}

// exampleUser is an application model that has a column the migrations
// lack.
type exampleUser struct {
	ID    int64  `retort:"pk"`
	Name  string `retort:"size:80"`
	Email string `retort:"size:200"`
}

func (exampleUser) TableName() string { return "users" }

// WithModels makes check compare the migrations with the application's
// structs; differences exit with ExitDifferences.
func ExampleWithModels() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	versions := fstest.MapFS{"a1_users.sql": {Data: []byte("-- create users\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\n" +
		"CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(80) NOT NULL);\n\n-- +downgrade\nDROP TABLE users;\n")}}
	code, out := exMounted(dir, []cli.CommandOption{cli.WithMigrations(versions), cli.WithModels(&exampleUser{}),
		cli.WithDatabaseURL("sqlite:" + filepath.Join(dir, "app.db"))}, "check")
	fmt.Print(out)
	fmt.Println(code == cli.ExitDifferences)
	// Output:
	// added column 'users.email'
	// error: the desired schema differs from the migrations' head: run 'myapp db migrate -m MESSAGE' to write the revision
	// true
}

// WithDesiredSource takes the desired schema from any retort.DesiredSource;
// no differences exit with ExitOK.
func ExampleWithDesiredSource() {
	dir := exampleDir()
	defer os.RemoveAll(dir)
	desired := retort.DesiredFunc(func(dialect.Dialect) ([]source.File, error) {
		return []source.File{{Path: "models", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"}}, nil
	})
	code, out := exMounted(dir, []cli.CommandOption{cli.WithMigrations(exampleVersions), cli.WithDesiredSource(desired),
		cli.WithDatabaseURL("sqlite:" + filepath.Join(dir, "app.db"))}, "check")
	fmt.Print(out)
	fmt.Println(code == cli.ExitOK)
	// Output:
	// The desired schema matches the migrations' head.
	// true
}

// ExitUsage is the code of a command line that does not parse.
func ExampleExitUsage() {
	code := cli.Run(context.Background(), []string{"upgrade", "--no-such-flag"}, exampleEnv(os.TempDir(), &bytes.Buffer{}))
	fmt.Println(code == cli.ExitUsage)
	// Output: true
}

// CommandOption values are collected and passed to Command together.
func ExampleCommandOption() {
	opts := []cli.CommandOption{cli.WithName("schema"), cli.WithMigrations(exampleVersions)}
	cmd := cli.Command(opts...)
	fmt.Println(cmd.Name(), cmd.HasSubCommands())
	// Output: schema true
}
