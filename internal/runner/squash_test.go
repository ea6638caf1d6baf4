package runner_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// squashOf is a squashed revision "s001" that replaces revs.
func squashOf(revs ...*script.Revision) *script.Revision {
	s := rev("s001", "", "SELECT 1;\n", "SELECT 2;\n")
	for _, r := range revs {
		s.Replaces = append(s.Replaces, r.ID)
	}
	return s
}

// TestRunRecordsSquash: a plan's rewrite replaces the rows of the
// squashed revisions by one row for the squashed revision, before the
// steps and logged, keeping when they were applied; a plan with nothing
// but the rewrite records it too.
func TestRunRecordsSquash(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		chain := chainN(4)
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: ev.add, Version: "test"})
		if _, err := r.Run(ctxT(t), upgradeAll(chain[:3])); err != nil {
			t.Fatal(err)
		}
		before, err := r.State(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		last, _ := before.Row("r003")
		s := squashOf(chain[:3]...)
		plan := func(st *runner.State) (*revision.Plan, error) {
			p := &revision.Plan{}
			if slices.Contains(st.Applied(), "r001") {
				p.Rewrites = []revision.Rewrite{{Revision: s, Replaces: []string{"r001", "r002", "r003"}}}
			}
			if !slices.Contains(st.Applied(), "r004") {
				// r004's header names r003; in the graph it follows s001.
				p.Steps = []revision.Step{{Revision: chain[3], Direction: revision.Up, Needs: []string{"s001"}}}
			}
			return p, nil
		}
		if _, err := r.Run(ctxT(t), plan); err != nil {
			t.Fatal(err)
		}
		st, err := r.State(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Applied(); !slices.Equal(got, []string{"s001", "r004"}) {
			t.Fatalf("applied = %v, want [s001 r004]", got)
		}
		row, _ := st.Row("s001")
		if row.Checksum != s.Checksum || !row.AppliedAt.Equal(last.AppliedAt) || row.State != runner.StateApplied {
			t.Errorf("row of s001 = %+v; want its checksum and r003's time %v", row, last.AppliedAt)
		}
		checkSquashLog(t, tg)
		if e := ev.kinds(runner.EventSquash); len(e) != 1 || e[0].Revision != "s001" {
			t.Errorf("squash events: %+v", e)
		}
		rewriteAlone(t, r, s)
	})
}

// checkSquashLog checks the log rows after the three of r001..r003: the
// rewrite's, then r004's upgrade.
func checkSquashLog(t *testing.T, tg *target) {
	t.Helper()
	var log []string
	for _, l := range readLog(t, tg.db)[3:] {
		log = append(log, l.Revision+" "+l.Direction+" "+l.Error.String)
	}
	want := []string{
		"r001 stamp replaced by squashed revision s001, which records it from now on",
		"r002 stamp replaced by squashed revision s001, which records it from now on",
		"r003 stamp replaced by squashed revision s001, which records it from now on",
		"s001 stamp recorded as applied: it squashes r001, r002, r003, all applied (no SQL run)",
		"r004 upgrade ",
	}
	if !slices.Equal(log, want) {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

// rewriteAlone stamps r001, r002 and r004 and runs a plan with nothing
// but the rewrite of the first two into s (a database at head).
func rewriteAlone(t *testing.T, r *runner.Runner, s *script.Revision) {
	t.Helper()
	stamp := func(*runner.State) ([]string, error) { return []string{"r001", "r002", "r004"}, nil }
	if err := r.Stamp(ctxT(t), stamp, false); err != nil {
		t.Fatal(err)
	}
	only := func(*runner.State) (*revision.Plan, error) {
		return &revision.Plan{Rewrites: []revision.Rewrite{{Revision: s, Replaces: []string{"r001", "r002"}}}}, nil
	}
	if _, err := r.Run(ctxT(t), only); err != nil {
		t.Fatal(err)
	}
	st, err := r.State(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Applied(); len(got) != 2 || !slices.Contains(got, "s001") || !slices.Contains(got, "r004") {
		t.Errorf("after a rewrite alone: %v", got)
	}
}

// TestWriteSQLRunsSquash runs an offline script that records a squashed
// revision, and checks the rows it leaves.
func TestWriteSQLRunsSquash(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		chain := chainN(3)
		if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctxT(t), upgradeAll(chain[:2])); err != nil {
			t.Fatal(err)
		}
		plan := &revision.Plan{
			Rewrites: []revision.Rewrite{{Revision: squashOf(chain[:2]...), Replaces: []string{"r001", "r002"}}},
			Steps:    []revision.Step{{Revision: chain[2], Direction: revision.Up}},
		}
		st := runOffline(t, tg, plan)
		if got := st.Applied(); !slices.Equal(got, []string{"r003", "s001"}) && !slices.Equal(got, []string{"s001", "r003"}) {
			t.Errorf("applied after the offline script: %v", got)
		}
	}, "sqlite", "postgres")
}
