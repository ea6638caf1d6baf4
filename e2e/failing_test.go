package e2e

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/retortdb/retort/cli"
	"github.com/retortdb/retort/internal/testdb"
)

var runFailing = flag.Bool("autogen.failing", false, "run the reproducers of open bugs in testdata/failing (they fail until fixed)")

// TestMain lets the test binary run as the retort command for the
// testscript reproducers.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"retort": func() {
			os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
		},
	})
}

// TestFailingReproducers runs testdata/failing/*.txtar, the reproducers
// of bugs the other tests found and had to steer around, on every
// dialect. Each script asserts the correct behaviour, so it fails until
// its bug is fixed; then it belongs in cli/testdata/script and its
// exclusion in the generator goes. Off by default: -autogen.failing.
func TestFailingReproducers(t *testing.T) {
	if !*runFailing {
		t.Skip("reproducers of open bugs: run with -autogen.failing")
	}
	if scripts, _ := filepath.Glob("testdata/failing/*.txtar"); len(scripts) == 0 {
		t.Skip("no open bug has a reproducer in testdata/failing")
	}
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d)
			}
			testscript.Run(t, testscript.Params{
				Dir:                 "testdata/failing",
				RequireExplicitExec: true,
				Setup: func(env *testscript.Env) error {
					db, drop, err := testdb.Create(d, filepath.Base(env.WorkDir), env.WorkDir)
					if err != nil {
						return err
					}
					env.Defer(drop)
					u := db.URL
					if d == "sqlite" {
						u = "sqlite:app.db"
					}
					env.Setenv("DATABASE_URL", u)
					env.Values["db"] = db
					return nil
				},
				Condition: func(cond string) (bool, error) {
					return cond == d, nil
				},
				Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
					"sql": cmdSQL,
				},
			})
		})
	}
}

// cmdSQL runs one statement on the scenario's database: sql 'STATEMENT'.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sql STATEMENT")
	}
	db := ts.Value("db").(*testdb.DB)
	handle := db.DB
	if db.Dialect == "sqlite" {
		h, err := sql.Open("sqlite", filepath.Join(ts.Getenv("WORK"), "app.db"))
		ts.Check(err)
		defer h.Close()
		handle = h
	}
	_, err := handle.Exec(args[0])
	switch {
	case err != nil && !neg:
		ts.Fatalf("sql: %v", err)
	case err == nil && neg:
		ts.Fatalf("sql: %s succeeded unexpectedly", strings.TrimSpace(args[0]))
	}
}
