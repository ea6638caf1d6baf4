package cli

import (
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
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
			os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	}
	maps.Copy(cmds, ScriptCommands) // the example application's (mount_test.go)
	testscript.Main(m, cmds)
}

// TestScripts runs every testdata/script/*.txtar scenario once per dialect.
// Each scenario gets its own fresh database, named by $DATABASE_URL, and
// $DIALECT; a scenario limits itself with the conditions [sqlite],
// [postgres], [mysql] and [transactional] (PostgreSQL and SQLite), and
// [go] (a go command on PATH, for the scenarios that build the example
// application with exampleapp and "go run").
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
			holds := &heldLocks{}
			env.Values["holds"] = holds
			env.Defer(holds.releaseAll)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "sqlite", "postgres", "mysql":
				return cond == dialect, nil
			case "transactional":
				return dialect != "mysql", nil
			case "go":
				_, err := exec.LookPath("go")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sql":        cmdSQL,
			"waitfor":    cmdWaitFor,
			"sleep":      cmdSleep,
			"exampleapp": cmdExampleApp,
			"replace":    cmdReplace,
			"mkdbs":      cmdMkDBs,
			"sqlon":      cmdSQLOn,
			"holdlock":   cmdHoldLock,
			"unlock":     cmdUnlock,
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

// cmdExampleApp copies the example application (examples/app: its Go
// files and migrations) into DIR as a module of its own, example.com/app,
// that requires this repository through a replace directive, and sets the
// environment for the go command to build it offline with the real
// caches: exampleapp DIR
//
// The copy's go.mod repeats the repository's requirements and its go.sum
// is the repository's, so that "go run" needs no network (GOPROXY=off).
// Imports of the example's own packages are rewritten to example.com/app,
// so that an edit of the copy is what gets compiled.
func cmdExampleApp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: exampleapp DIR")
	}
	repo := ts.Getenv("REPO")
	if repo == "" {
		ts.Fatalf("exampleapp: $REPO (the repository's root) is not set")
	}
	src := filepath.Join(repo, "examples", "app")
	dst := ts.MkAbs(args[0])
	const oldPath, newPath = "github.com/retortdb/retort/examples/app", "example.com/app"
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, ".go") {
			data = []byte(strings.ReplaceAll(string(data), oldPath, newPath))
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		ts.Fatalf("exampleapp: copy %s to %s: %v", src, dst, err)
	}
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	ts.Check(err)
	// Everything after the module line: the go directive and requirements.
	_, rest, ok := strings.Cut(string(mod), "\n")
	if !ok {
		ts.Fatalf("exampleapp: %s/go.mod has a single line", repo)
	}
	gomod := "module " + newPath + "\n" + rest +
		"\nrequire github.com/retortdb/retort v0.0.0\n\nreplace github.com/retortdb/retort => " + repo + "\n"
	ts.Check(os.WriteFile(filepath.Join(dst, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644))

	// The real caches (testscript's HOME is not one), and no network.
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS").Output()
	if err != nil {
		ts.Fatalf("exampleapp: go env: %v", err)
	}
	vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(vals) != 4 {
		ts.Fatalf("exampleapp: go env printed %q; want 4 lines", out)
	}
	ts.Setenv("GOCACHE", vals[0])
	ts.Setenv("GOMODCACHE", vals[1])
	ts.Setenv("GOPATH", vals[2])
	ts.Setenv("GOFLAGS", strings.TrimSpace("-mod=mod "+vals[3]))
	ts.Setenv("GOPROXY", "off")
	ts.Setenv("GOTOOLCHAIN", "local")
}

// cmdReplace replaces the one occurrence of OLD in FILE by NEW (\n in
// either means a newline), failing unless OLD occurs exactly once:
// replace FILE OLD NEW
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	file := ts.MkAbs(args[0])
	old := strings.ReplaceAll(args[1], `\n`, "\n")
	repl := strings.ReplaceAll(args[2], `\n`, "\n")
	data, err := os.ReadFile(file)
	ts.Check(err)
	if n := strings.Count(string(data), old); n != 1 {
		ts.Fatalf("replace: %s has %q %d times; want exactly once", args[0], old, n)
	}
	ts.Check(os.WriteFile(file, []byte(strings.Replace(string(data), old, repl, 1)), 0o644))
}
