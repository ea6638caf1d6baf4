package runner_test

import (
	"testing"
	"time"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// TestOldVersionTableKeepsRows: a version table of an earlier release,
// with rows in it, is upgraded in place and keeps its rows and its log.
// Where DDL is transactional the upgrade commits with the first revision
// that runs: a first revision that fails leaves the old table exactly as
// it was (issue 14, decision 2).
func TestOldVersionTableKeepsRows(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		createOldVersionTables(t, tg)
		// What an earlier release left: o000 applied, and its log row.
		old := rev("o000", "", "CREATE TABLE o (id integer);\n", "DROP TABLE o;\n")
		r := runner.New(tg.db, tg.d, runner.Options{})
		if _, err := tg.db.ExecContext(ctx, "CREATE TABLE o (id integer)"); err != nil {
			t.Fatal(err)
		}
		ph := func(n int) string { return tg.d.Placeholder(n) }
		at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
		if _, err := tg.db.ExecContext(ctx, "INSERT INTO retort_revisions (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES ('o000', "+ph(1)+", "+ph(2)+", 5, 'applied', 1)", old.Checksum, at); err != nil {
			t.Fatal(err)
		}
		if _, err := tg.db.ExecContext(ctx, "INSERT INTO retort_log (revision, direction, started_at, finished_at, ok, who, retort_version) VALUES ('o000', 'upgrade', "+ph(1)+", "+ph(2)+", "+ph(3)+", 'someone', '0.1.0')", at, at, true); err != nil {
			t.Fatal(err)
		}
		before := rowNow(t, r, "o000")
		logs := count(t, tg.db, "SELECT count(*) FROM retort_log")

		bad := rev("o001", "o000", "CREATE TABLE p (id integer);\nINSERT INTO nosuchtable VALUES (1);\n", "DROP TABLE p;\n")
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{old, bad})); err == nil {
			t.Fatal("the failing revision ran")
		}
		if tg.d.Capabilities().TransactionalDDL && tableHasSums(tg) {
			t.Error("the failed first revision left the version table upgraded: the upgrade must commit with it")
		}
		good := rev("o001", "o000", "CREATE TABLE p (id integer);\n", "DROP TABLE p;\n")
		if tg.d.Capabilities().TransactionalDDL {
			if _, err := r.Run(ctx, upgradeAll([]*script.Revision{old, good})); err != nil {
				t.Fatal(err)
			}
		} else {
			// MySQL: o001 stopped part-way; settle it as rolled back by
			// hand, then run the fixed file.
			if _, err := tg.db.ExecContext(ctx, "DROP TABLE p"); err != nil {
				t.Fatal(err)
			}
			if _, err := tg.db.ExecContext(ctx, "DELETE FROM retort_revisions WHERE revision = 'o001'"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Run(ctx, upgradeAll([]*script.Revision{old, good})); err != nil {
				t.Fatal(err)
			}
		}
		if !tableHasSums(tg) {
			t.Fatal("the version table was not upgraded")
		}
		after := rowNow(t, r, "o000")
		if after.Checksum != before.Checksum || !after.AppliedAt.Equal(before.AppliedAt) || after.State != runner.StateApplied {
			t.Errorf("o000's row changed by the upgrade: before %+v, after %+v", before, after)
		}
		if row := rowNow(t, r, "o001"); row.State != runner.StateApplied {
			t.Errorf("o001: %+v; want applied", row)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM retort_log"); n < logs+2 {
			t.Errorf("retort_log has %d rows; want the %d old ones and the new runs'", n, logs)
		}
	})
}
