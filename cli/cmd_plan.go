package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

// Rough throughputs for the time estimate of "upgrade --plan": a
// sequential read of the table, and a rewrite (the table and its
// indexes written again). They are orders of magnitude, for telling
// seconds from hours, not a prediction.
const (
	planScanBytesPerSec    = 200 << 20
	planRewriteBytesPerSec = 50 << 20
)

// upgradePlan prints, for each revision upgrade to target would run, each
// statement with its lock and, for statements that rewrite or scan an
// existing table, the table's size from the catalog. It changes nothing.
func (a *app) upgradePlan(cmd *cobra.Command, target string) error {
	ctx := cmd.Context()
	s, err := a.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.close()
	n, err := a.printUpgradePlan(ctx, s, target)
	if err == nil && n == 0 {
		a.outf("Nothing to upgrade.\n")
	}
	return err
}

// planBeforeUpgrade decides whether upgrade prints its plan before it
// runs: only for people watching (stdout a terminal) who did not ask for
// quiet; a script or a log gets the progress lines alone, and --plan
// prints it on request anywhere.
func planBeforeUpgrade(stdoutTerminal, quiet bool) bool {
	return stdoutTerminal && !quiet
}

// planIfWatched prints the plan of upgrade to target before it runs, when
// planBeforeUpgrade says so. A plan that cannot be made (a statement lint
// cannot split, a catalog it cannot read) is a note: the plan is for
// information and must not stop an upgrade that runs without it; upgrade
// reports its own errors.
func (a *app) planIfWatched(ctx context.Context, s *session, target string) {
	if !planBeforeUpgrade(a.stdoutTerminal(), a.quiet) {
		return
	}
	a.flushDBLine()
	if _, err := a.printUpgradePlan(ctx, s, target); err != nil {
		a.progressf("note: no plan of the locks before upgrade: %v\n", err)
	}
}

// printUpgradePlan prints the plan of upgrade to target on s and returns
// how many revisions it has.
func (a *app) printUpgradePlan(ctx context.Context, s *session, target string) (int, error) {
	p, err := s.m.Plan(ctx, revision.Up, target)
	if err != nil || len(p.Steps) == 0 {
		return 0, err
	}
	locks, err := a.planLocks(s.m.Graph(), p)
	if err != nil {
		return 0, err
	}
	sizes := &tableSizes{s: s, seen: map[string]tableSizeResult{}}
	sizes.sizer, _ = s.m.Dialect().(dialect.TableSizer)
	for _, st := range p.Steps {
		r := st.Revision
		a.outf("Upgrade %s -> %s, %s (%s)%s\n", joinIDs(r.Revises), r.ID, r.Message, r.Path, ifStr(r.NoTransaction, ", no transaction", ""))
		if r.Go {
			a.outf("  (a Go revision: its statements are not known before it runs)\n")
			continue
		}
		for _, sl := range locks[r.ID] {
			a.printPlanStatement(ctx, sizes, r, sl)
		}
	}
	return len(p.Steps), nil
}

// planLocks reads every revision in topological order (so that each is
// judged against what the ones before it created) and returns the locks
// of the pending ones.
func (a *app) planLocks(g *revision.Graph, p *revision.Plan) (map[string][]lint.StatementLock, error) {
	l, err := a.newLinter("", "")
	if err != nil {
		return nil, err
	}
	pending := map[string]bool{}
	for _, st := range p.Steps {
		pending[st.Revision.ID] = true
	}
	out := map[string][]lint.StatementLock{}
	for _, r := range g.Revisions() {
		if !pending[r.ID] {
			if _, err := l.Revision(r, false); err != nil {
				return nil, err
			}
			continue
		}
		if out[r.ID], err = l.Locks(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tableSizes reads each table's size from the catalog once per plan,
// however many statements of the plan scan or rewrite it.
type tableSizes struct {
	s     *session
	sizer dialect.TableSizer
	seen  map[string]tableSizeResult
}

type tableSizeResult struct {
	size dialect.TableSize
	ok   bool
	err  error
}

// get is table's size; ok is false where the catalog has none or the
// dialect cannot tell (no TableSizer, no database).
func (ts *tableSizes) get(ctx context.Context, table string) tableSizeResult {
	if ts.sizer == nil || ts.s.db == nil {
		return tableSizeResult{}
	}
	if r, ok := ts.seen[table]; ok {
		return r
	}
	var r tableSizeResult
	r.size, r.ok, r.err = ts.sizer.TableSize(ctx, ts.s.db, table)
	ts.seen[table] = r
	return r
}

// printPlanStatement prints one pending statement with its lock and, for
// a scan or rewrite, its table's size and a rough duration. A size that
// cannot be read is said on its line; the plan goes on.
func (a *app) printPlanStatement(ctx context.Context, sizes *tableSizes, r *script.Revision, sl lint.StatementLock) {
	a.outf("  %s:%d: %s\n", r.Path, sl.Line, firstLine(sl.SQL))
	if sl.Lock == "" {
		a.outf("    lock: none on existing tables\n")
	} else {
		on := ""
		if sl.Table != "" {
			on = " on " + sl.Table
		}
		a.outf("    lock: %s%s%s\n", sl.Lock, on, rewriteNote(lint.Finding{Rewrite: sl.Rewrite, Scan: sl.Scan}))
	}
	if (sl.Rewrite || sl.Scan) && sl.Table != "" {
		switch ts := sizes.get(ctx, sl.Table); {
		case ts.err != nil:
			a.outf("    table %s: size unknown (%v)\n", sl.Table, ts.err)
		case ts.ok:
			a.outf("    table %s: %s, %s; %s\n", sl.Table, rowsText(ts.size.Rows), bytesText(ts.size.Bytes), estimate(ts.size.Bytes, sl.Rewrite))
		}
	}
	for _, f := range sl.Findings {
		if !f.Ignored {
			a.outf("    %s %s %s: %s\n", f.Severity, f.Code, f.Rule, f.Message)
		}
	}
}

func rowsText(n int64) string {
	if n < 0 {
		return "rows unknown (never analysed)"
	}
	return fmt.Sprintf("~%d rows", n)
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// estimate is a rough duration for a scan or rewrite of bytes.
func estimate(bytes int64, rewrite bool) string {
	rate, what := int64(planScanBytesPerSec), "a scan at ~200 MiB/s"
	if rewrite {
		rate, what = planRewriteBytesPerSec, "a rewrite at ~50 MiB/s"
	}
	d := time.Duration(float64(bytes) / float64(rate) * float64(time.Second)).Round(time.Second)
	if d < time.Second {
		return "rough estimate: under a second (" + what + ")"
	}
	return fmt.Sprintf("rough estimate: %s (%s)", d, what)
}

func ifStr(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}
