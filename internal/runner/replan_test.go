package runner_test

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/runner"
)

// TestReplan makes the plan of a first runner stale between planning and
// its first step (SQLite only: elsewhere the session lock prevents it): a
// second runner reverts r001, which the first one's r002 needs. With
// runner.Replan the first runner plans again from the database as it now
// is and reaches the same end state; without it, it stops before r002
// with nothing of it run.
func TestReplan(t *testing.T) {
	for _, replan := range []bool{true, false} {
		name := "stops"
		if replan {
			name = "replans"
		}
		t.Run(name, func(t *testing.T) {
			each(t, func(t *testing.T, tg *target) {
				ctx := ctxT(t)
				chain := chainN(3)
				if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(chain[:1])); err != nil {
					t.Fatal(err)
				}
				_, db2 := openURL(t, tg.url)
				var innerErr error
				var replans int
				a := runner.New(tg.db, tg.d, runner.Options{OnEvent: func(e runner.Event) {
					switch e.Kind {
					case runner.EventPlan:
						if innerErr == nil && replans == 0 && tableExists(t, tg.db, "t001") {
							b := runner.New(db2, tg.d, runner.Options{})
							_, innerErr = b.Run(ctx, downgradeAll(chain))
						}
					case runner.EventReplan:
						replans++
					}
				}})
				var opts []runner.RunOption
				if replan {
					opts = append(opts, runner.Replan(3))
				}
				res, err := a.Run(ctx, upgradeAll(chain), opts...)
				if innerErr != nil {
					t.Fatalf("second runner: %v", innerErr)
				}
				if !replan {
					if err == nil || !strings.Contains(err.Error(), "upgrade stopped before revision r002: it needs r001, which another retort reverted while this one ran; nothing of r002 ran") {
						t.Fatalf("without Replan: %v; want the stale-plan error", err)
					}
					if tableExists(t, tg.db, "t002") {
						t.Error("t002 exists: r002 ran on a stale plan")
					}
					return
				}
				if err != nil {
					t.Fatalf("with Replan: %v", err)
				}
				if replans != 1 {
					t.Errorf("%d replans, want 1", replans)
				}
				for _, tbl := range []string{"t001", "t002", "t003"} {
					if !tableExists(t, tg.db, tbl) {
						t.Errorf("%s missing after the replanned upgrade", tbl)
					}
				}
				var ran []string
				for _, s := range res.Steps {
					if !s.Skipped {
						ran = append(ran, s.Revision)
					}
				}
				if strings.Join(ran, ",") != "r001,r002,r003" {
					t.Errorf("ran %v, want r001,r002,r003", ran)
				}
			}, "sqlite")
		})
	}
}
