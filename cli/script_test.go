package cli

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/retortdb/retort/internal/testdb"
)

func TestMain(m *testing.M) {
	cmds := map[string]func(){
		"retort": func() {
			os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	}
	maps.Copy(cmds, ScriptCommands) // the example application's (mount_test.go)
	testscript.Main(m, cmds)
}

// TestScripts runs every testdata/script/*.txtar scenario once per dialect.
// Each scenario gets its own fresh database, named by $DATABASE_URL, and
// $DIALECT; a scenario limits itself with the conditions [sqlite],
// [postgres], [mysql] and [transactional] (PostgreSQL and SQLite).
func TestScripts(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d) // skips, naming the variable, when unset
			}
			testscript.Run(t, scriptParams(t, d, "testdata/script"))
		})
	}
}

func scriptParams(t *testing.T, dialect, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			db, drop, err := testdb.Create(dialect, filepath.Base(env.WorkDir), env.WorkDir)
			if err != nil {
				return err
			}
			env.Defer(drop)
			u := db.URL
			if dialect == "sqlite" {
				// Relative, so that it resolves in the scenario's directory.
				u = "sqlite:app.db"
			}
			env.Setenv("DATABASE_URL", u)
			env.Setenv("DIALECT", dialect)
			if wd, err := os.Getwd(); err == nil {
				env.Setenv("REPO", filepath.Dir(wd))
			}
			env.Setenv("DBNAME", db.Name)
			env.Values["db"] = db
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "sqlite", "postgres", "mysql":
				return cond == dialect, nil
			case "transactional":
				return dialect != "mysql", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sql":     cmdSQL,
			"waitfor": cmdWaitFor,
			"sleep":   cmdSleep,
		},
	}
}

// cmdSQL runs a query against the scenario's database and writes its
// result to stdout, one row a line, columns separated by '|':
//
//	sql 'SELECT name FROM t ORDER BY 1'
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sql QUERY")
	}
	db := ts.Value("db").(*testdb.DB)
	handle := db.DB
	if db.Dialect == "sqlite" {
		h, err := sql.Open("sqlite", filepath.Join(ts.Getenv("WORK"), "app.db"))
		ts.Check(err)
		defer h.Close()
		handle = h
	}
	rows, err := handle.Query(args[0])
	if err != nil {
		if neg {
			ts.Logf("query failed as expected: %v", err)
			return
		}
		ts.Fatalf("sql: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	var out strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		for i, v := range vals {
			if i > 0 {
				out.WriteByte('|')
			}
			if v.Valid {
				out.WriteString(v.String)
			} else {
				out.WriteString("NULL")
			}
		}
		out.WriteByte('\n')
	}
	ts.Check(rows.Err())
	if neg {
		ts.Fatalf("sql: query succeeded unexpectedly")
	}
	ts.Stdout().Write([]byte(out.String()))
}

// cmdWaitFor waits until a file exists (for scenarios with background
// processes): waitfor FILE [SECONDS]
func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: waitfor FILE [SECONDS]")
	}
	limit := 30 * time.Second
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("waitfor: %s did not appear within %s", args[0], limit)
}

// cmdSleep pauses the scenario: sleep DURATION
func cmdSleep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sleep DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	time.Sleep(d)
}
