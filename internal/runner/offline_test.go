package runner_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteSQLGolden(t *testing.T) {
	chain := chainN(2)
	noTx := rev("r003", "r002", "CREATE INDEX t001_id ON t001 (id);\n", "DROP INDEX t001_id;\n")
	noTx.NoTransaction = true
	steps := func(dir revision.Direction, revs ...*script.Revision) []revision.Step {
		var s []revision.Step
		for _, r := range revs {
			s = append(s, revision.Step{Revision: r, Direction: dir})
		}
		return s
	}
	plans := map[string]*revision.Plan{
		"upgrade":   {Steps: steps(revision.Up, chain[0], chain[1], noTx)},
		"downgrade": {Steps: steps(revision.Down, chain[1], chain[0])},
		"squash":    {Rewrites: []revision.Rewrite{{Revision: squashOf(chain[0], chain[1]), Replaces: []string{"r001", "r002"}}}, Steps: steps(revision.Up, noTx)},
	}
	for _, name := range testdb.Dialects {
		d, err := dialects.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for what, plan := range plans {
			t.Run(name+"/"+what, func(t *testing.T) {
				var b bytes.Buffer
				if err := runner.WriteSQL(&b, d, dialect.DefaultVersionTables(), plan); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+"_"+what+".golden")
				if *update {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(want, b.Bytes()) {
					t.Errorf("WriteSQL differs from %s (go test -update refreshes it); -want +got:\n%s", golden, cmp.Diff(string(want), b.String()))
				}
			})
		}
	}
}

// TestWriteSQLRuns runs the offline upgrade script, as one multi-statement
// script, on SQLite (with the sqlite3 shell, which it is written for) and
// PostgreSQL (the MySQL driver runs one statement at a time) and checks
// that it leaves the version rows the runner would.
func TestWriteSQLRuns(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		chain := chainN(2)
		plan := &revision.Plan{Steps: []revision.Step{{Revision: chain[0], Direction: revision.Up}, {Revision: chain[1], Direction: revision.Up}}}
		st := runOffline(t, tg, plan)
		if len(st.Applied()) != 2 {
			t.Fatalf("applied after the offline script: %+v", st.Rows)
		}
		for _, row := range st.Rows {
			if row.StatementsDone != 3 || row.AppliedAt.IsZero() {
				t.Errorf("row %+v", row)
			}
		}
		if n := count(t, tg.db, "SELECT count(*) FROM retort_log"); n != 2 {
			t.Errorf("%d log rows, want 2", n)
		}
		// The runner continues from there.
		if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctxT(t), downgradeAll(chain)); err != nil {
			t.Fatalf("downgrade after the offline upgrade: %v", err)
		}
	}, "sqlite", "postgres")
}

// runScript runs an offline script as its user would: a server's script
// through the driver, SQLite's with the sqlite3 shell (it starts with the
// shell's .bail on).
func runScript(t *testing.T, tg *target, script string) {
	t.Helper()
	if tg.name != "sqlite" {
		if _, err := tg.db.ExecContext(ctxT(t), script); err != nil {
			t.Fatalf("run offline script: %v\n%s", err, script)
		}
		return
	}
	shell, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("the sqlite3 shell is not installed (apt-get install sqlite3): SQLite offline scripts are written for it")
	}
	cmd := exec.CommandContext(ctxT(t), shell, strings.TrimPrefix(tg.url, "sqlite:"))
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 < offline script: %v\n%s\n%s", err, out, script)
	}
}

// runOffline writes plan's offline script, runs it on tg (runScript), and
// returns the state it leaves.
func runOffline(t *testing.T, tg *target, plan *revision.Plan) *runner.State {
	t.Helper()
	var b bytes.Buffer
	if err := runner.WriteSQL(&b, tg.d, dialect.DefaultVersionTables(), plan); err != nil {
		t.Fatal(err)
	}
	runScript(t, tg, b.String())
	st, err := runner.New(tg.db, tg.d, runner.Options{}).State(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
