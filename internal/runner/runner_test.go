package runner_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

func TestApplyAndDowngradeChain(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := chainN(3)
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: ev.add, Version: "test"})

		st, err := r.State(ctx)
		if err != nil {
			t.Fatalf("State before any run: %v", err)
		}
		if len(st.Rows) != 0 || tableExists(t, tg.db, "retort_revisions") {
			t.Fatalf("State must not create the tables: rows %v", st.Rows)
		}

		res, err := r.Run(ctx, upgradeAll(chain))
		if err != nil {
			t.Fatalf("upgrade: %v", err)
		}
		if len(res.Steps) != 3 {
			t.Fatalf("upgrade ran %d steps, want 3", len(res.Steps))
		}
		st, err = r.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"r001", "r002", "r003"}, st.Applied()); diff != "" {
			t.Errorf("applied (-want +got):\n%s", diff)
		}
		for _, row := range st.Rows {
			want, _ := slices.BinarySearchFunc(chain, row.Revision, func(r *script.Revision, id string) int { return strings.Compare(r.ID, id) })
			if row.Checksum != chain[want].Checksum || row.StatementsDone != 3 || row.State != runner.StateApplied {
				t.Errorf("row %+v: want checksum %s, 3 statements, applied", row, chain[want].Checksum)
			}
			if time.Since(row.AppliedAt) > time.Hour || time.Since(row.AppliedAt) < -time.Hour {
				t.Errorf("row %s applied_at %v is not the UTC time of the run", row.Revision, row.AppliedAt)
			}
		}
		for i := 1; i <= 3; i++ {
			if n := count(t, tg.db, fmt.Sprintf("SELECT count(*) FROM t%03d", i)); n != 1 {
				t.Errorf("t%03d has %d rows, want 1", i, n)
			}
		}
		if got := len(ev.kinds(runner.EventStart)); got != 3 {
			t.Errorf("%d start events, want 3", got)
		}
		if got := len(ev.kinds(runner.EventDone)); got != 3 {
			t.Errorf("%d done events, want 3", got)
		}

		// Up to date: nothing runs.
		res, err = r.Run(ctx, upgradeAll(chain))
		if err != nil || len(res.Steps) != 0 {
			t.Fatalf("second upgrade: %d steps, %v; want nothing to do", len(res.Steps), err)
		}

		if _, err := r.Run(ctx, downgradeAll(chain)); err != nil {
			t.Fatalf("downgrade: %v", err)
		}
		st, err = r.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rows) != 0 {
			t.Errorf("rows after downgrade: %+v", st.Rows)
		}
		for i := 1; i <= 3; i++ {
			if tableExists(t, tg.db, fmt.Sprintf("t%03d", i)) {
				t.Errorf("t%03d still exists after downgrade", i)
			}
		}
		var dirs []string
		for _, l := range readLog(t, tg.db) {
			if !l.OK || l.Error.Valid {
				t.Errorf("log row %+v: want ok without error", l)
			}
			dirs = append(dirs, l.Revision+" "+l.Direction)
		}
		want := []string{"r001 upgrade", "r002 upgrade", "r003 upgrade", "r003 downgrade", "r002 downgrade", "r001 downgrade"}
		if diff := cmp.Diff(want, dirs); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
		var who, version string
		if err := tg.db.QueryRow("SELECT who, retort_version FROM retort_log WHERE revision = 'r001' AND direction = 'upgrade'").Scan(&who, &version); err != nil {
			t.Fatal(err)
		}
		if version != "test" || !strings.Contains(who, "@") {
			t.Errorf("log who %q version %q: want user@host and version test", who, version)
		}
		if tg.name != "sqlite" && !strings.Contains(who, "root") && !strings.Contains(who, "postgres") {
			t.Errorf("log who %q lacks the database user", who)
		}
	})
}

func TestFailureRolledBackWhole(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := chainN(1)
		bad := rev("r002", "r001", "CREATE TABLE half (id integer);\nINSERT INTO t001 (id, name) VALUES (2, 'two');\nINSERT INTO no_such_table VALUES (1);\n", "DROP TABLE half;\n")
		chain = append(chain, bad)
		r := runner.New(tg.db, tg.d, runner.Options{})
		_, err := r.Run(ctx, upgradeAll(chain))
		var se *runner.StatementError
		if !errors.As(err, &se) {
			t.Fatalf("upgrade error %v (%T): want a *runner.StatementError", err, err)
		}
		if se.Revision != "r002" || se.Index != 3 || se.Count != 3 || se.Line != 10 || se.Path != "versions/r002_test.sql" || se.SQL != "INSERT INTO no_such_table VALUES (1)" {
			t.Errorf("StatementError %+v: want r002 statement 3 of 3 at line 10", se)
		}
		wantPrefix := "revision r002 (versions/r002_test.sql:10) failed at statement 3 of 3: "
		if !strings.HasPrefix(err.Error(), wantPrefix) || !strings.Contains(err.Error(), "\n    INSERT INTO no_such_table VALUES (1)\n") {
			t.Errorf("error text:\n%s\nwant prefix %q and the statement indented", err, wantPrefix)
		}
		if tableExists(t, tg.db, "half") {
			t.Error("table half exists: the failed revision was not rolled back")
		}
		if n := count(t, tg.db, "SELECT count(*) FROM t001"); n != 1 {
			t.Errorf("t001 has %d rows, want 1 (the insert of the failed revision rolled back)", n)
		}
		st, err := r.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"r001"}, st.Applied()); diff != "" || len(st.Rows) != 1 {
			t.Errorf("state after failure: %+v", st.Rows)
		}
		log := readLog(t, tg.db)
		last := log[len(log)-1]
		if last.Revision != "r002" || last.OK || !strings.Contains(last.Error.String, "failed at statement 3 of 3") {
			t.Errorf("last log row %+v: want r002 not ok with the error", last)
		}
	}, "sqlite", "postgres")
}

func TestMySQLFailureResume(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		up := "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer REFERENCES nowhere_table_x (nope));\nCREATE TABLE c (id integer);\n"
		bad := rev("m001", "", up, "DROP TABLE c;\nDROP TABLE b;\nDROP TABLE a;\n")
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: ev.add})
		_, err := r.Run(ctx, upgradeAll([]*script.Revision{bad}))
		var se *runner.StatementError
		if !errors.As(err, &se) || se.Index != 2 || se.Count != 3 || se.Line != 9 {
			t.Fatalf("upgrade error %v: want a StatementError at statement 2 of 3, line 9", err)
		}
		if !strings.HasPrefix(err.Error(), "revision m001 (versions/m001_test.sql:9) failed at statement 2 of 3: ") || !strings.Contains(err.Error(), "rerun upgrade to resume at statement 2") {
			t.Errorf("error text:\n%s", err)
		}
		st, err := r.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		row, ok := st.Row("m001")
		if !ok || row.State != runner.StatePartial || row.StatementsDone != 1 {
			t.Fatalf("row after failure %+v (%v): want partial with 1 statement done", row, ok)
		}
		if !tableExists(t, tg.db, "a") || tableExists(t, tg.db, "b") {
			t.Fatal("want table a (statement 1 ran) and no table b")
		}

		// A downgrade through the partial revision is refused.
		_, err = r.Run(ctx, downgradeAll([]*script.Revision{bad}))
		var pe *runner.PartialError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "retort resolve m001 --applied") {
			t.Fatalf("downgrade of a partial revision: %v; want a PartialError naming resolve", err)
		}

		// Fix the file: the next upgrade resumes at statement 2. Statement 1
		// (CREATE TABLE a) would fail if it ran again.
		fixed := rev("m001", "", "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\nCREATE TABLE c (id integer);\n", bad.Down.SQL)
		res, err := r.Run(ctx, upgradeAll([]*script.Revision{fixed}))
		if err != nil {
			t.Fatalf("upgrade after the fix: %v", err)
		}
		if len(res.Steps) != 1 || res.Steps[0].ResumedAt != 2 {
			t.Errorf("steps %+v: want one step resumed at 2", res.Steps)
		}
		if rs := ev.kinds(runner.EventResume); len(rs) != 1 || rs[0].Statement != 2 || rs[0].Count != 3 {
			t.Errorf("resume events %+v: want one at statement 2 of 3", rs)
		}
		st, err = r.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		row, _ = st.Row("m001")
		if row.State != runner.StateApplied || row.StatementsDone != 3 || row.Checksum != fixed.Checksum {
			t.Errorf("row after resume %+v: want applied, 3 statements, the fixed checksum", row)
		}
		for _, tb := range []string{"a", "b", "c"} {
			if !tableExists(t, tg.db, tb) {
				t.Errorf("table %s missing after resume", tb)
			}
		}
		// And it downgrades cleanly now.
		if _, err := r.Run(ctx, downgradeAll([]*script.Revision{fixed})); err != nil {
			t.Fatalf("downgrade: %v", err)
		}
		if tableExists(t, tg.db, "a") {
			t.Error("table a survived the downgrade")
		}
	}, "mysql")
}

func TestPostgresTransactionNone(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		base := rev("p001", "", "CREATE TABLE items (id integer, code text);\nINSERT INTO items VALUES (1, 'a'), (2, 'a');\n", "DROP TABLE items;\n")
		inTx := rev("p002", "p001", "CREATE INDEX CONCURRENTLY items_id ON items (id);\n", "DROP INDEX CONCURRENTLY items_id;\n")
		r := runner.New(tg.db, tg.d, runner.Options{})

		// Inside a transaction it fails, with the hint to use Transaction: none.
		_, err := r.Run(ctx, upgradeAll([]*script.Revision{base, inTx}))
		if err == nil || !strings.Contains(err.Error(), "add `-- Transaction: none` to the revision header") {
			t.Fatalf("CREATE INDEX CONCURRENTLY in a transaction: %v; want the Transaction: none hint", err)
		}

		noTx := rev("p002", "p001", inTx.Up.SQL, inTx.Down.SQL)
		noTx.NoTransaction = true
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{base, noTx})); err != nil {
			t.Fatalf("Transaction: none revision: %v", err)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_id'"); n != 1 {
			t.Fatalf("index items_id: %d, want 1", n)
		}
		st, _ := r.State(ctx)
		if row, _ := st.Row("p002"); row.State != runner.StateApplied || row.StatementsDone != 1 {
			t.Errorf("row %+v: want applied, 1 statement", row)
		}

		// A failed CONCURRENTLY leaves an INVALID index: the error names it.
		uniq := rev("p003", "p002", "CREATE UNIQUE INDEX CONCURRENTLY items_code_key ON items (code);\n", "DROP INDEX CONCURRENTLY items_code_key;\n")
		uniq.NoTransaction = true
		_, err = r.Run(ctx, upgradeAll([]*script.Revision{base, noTx, uniq}))
		if err == nil || !strings.Contains(err.Error(), `INVALID index "public"."items_code_key": drop it before retrying`) {
			t.Fatalf("failed CREATE UNIQUE INDEX CONCURRENTLY: %v; want the INVALID index named", err)
		}
		if _, err := r.Run(ctx, downgradeAll([]*script.Revision{base, noTx})); err != nil {
			t.Fatalf("downgrade: %v", err)
		}
		if tableExists(t, tg.db, "items") {
			t.Error("items survived the downgrade")
		}
	}, "postgres")
}

// holdLock takes the migration lock on a second connection the way another
// retort would, until the returned func is called.
func holdLock(t *testing.T, tg *target) func() {
	t.Helper()
	ctx := ctxT(t)
	_, other := openURL(t, tg.url)
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tg.d.Capabilities().BeginLocks {
		tx, err := tg.d.Begin(ctx, conn, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		return func() { tx.Rollback(); conn.Close() }
	}
	unlock, err := tg.d.Lock(ctx, conn, "retort_revisions", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	return func() { unlock(ctx); conn.Close() }
}

func TestLockTimeout(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		release := holdLock(t, tg)
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{LockTimeout: 300 * time.Millisecond, OnEvent: ev.add})
		_, err := r.Run(ctx, upgradeAll(chainN(1)))
		var lt *dialect.LockTimeoutError
		if !errors.As(err, &lt) || !errors.Is(err, dialect.ErrLockTimeout) {
			t.Fatalf("Run while another holds the lock: %v; want a LockTimeoutError", err)
		}
		const want = "timed out after 300ms waiting for the migration lock: another retort is migrating this database (raise --lock-timeout to wait longer)"
		if err.Error() != want {
			t.Errorf("error %q\nwant      %q", err, want)
		}
		if n := len(ev.kinds(runner.EventLockWait)); n != 1 {
			t.Errorf("%d lock-wait events, want 1", n)
		}
		if tableExists(t, tg.db, "t001") {
			t.Error("t001 exists: something ran without the lock")
		}
		release()
		if _, err := r.Run(ctx, upgradeAll(chainN(1))); err != nil {
			t.Fatalf("Run after the lock was released: %v", err)
		}
	})
}

func TestConcurrentRunnersApplyOnce(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := chainN(8)
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		results := make([]*runner.Result, n)
		for i := range n {
			_, db := openURL(t, tg.url)
			r := runner.New(db, tg.d, runner.Options{LockTimeout: time.Minute})
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = r.Run(ctx, upgradeAll(chain))
			}()
		}
		wg.Wait()
		ran := map[string]int{}
		for i, err := range errs {
			if err != nil {
				t.Errorf("runner %d: %v", i, err)
				continue
			}
			for _, s := range results[i].Steps {
				if !s.Skipped {
					ran[s.Revision]++
				}
			}
		}
		for _, r := range chain {
			if ran[r.ID] != 1 {
				t.Errorf("revision %s ran %d times, want exactly once", r.ID, ran[r.ID])
			}
			var rows int
			rows = count(t, tg.db, "SELECT count(*) FROM retort_log WHERE revision = '"+r.ID+"' AND direction = 'upgrade' AND ok = "+boolLit(tg))
			if rows != 1 {
				t.Errorf("revision %s has %d ok upgrade log rows, want 1", r.ID, rows)
			}
		}
		if n := count(t, tg.db, "SELECT count(*) FROM retort_revisions WHERE state = 'applied'"); n != len(chain) {
			t.Errorf("%d applied rows, want %d", n, len(chain))
		}
	})
}

func boolLit(tg *target) string {
	if tg.name == "postgres" {
		return "true"
	}
	return "1"
}

func TestStampAndPurge(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		r := runner.New(tg.db, tg.d, runner.Options{})
		set := func(ids ...string) func(*runner.State) ([]string, error) {
			return func(*runner.State) ([]string, error) { return ids, nil }
		}
		if err := r.Stamp(ctx, set("r001", "r002"), false); err != nil {
			t.Fatalf("stamp: %v", err)
		}
		if tableExists(t, tg.db, "t001") {
			t.Error("stamp ran SQL")
		}
		st, _ := r.State(ctx)
		if diff := cmp.Diff([]string{"r001", "r002"}, sorted(st.Applied())); diff != "" {
			t.Errorf("after stamp (-want +got):\n%s", diff)
		}
		if err := r.Stamp(ctx, set("r002", "r003"), false); err != nil {
			t.Fatalf("stamp: %v", err)
		}
		st, _ = r.State(ctx)
		if diff := cmp.Diff([]string{"r002", "r003"}, sorted(st.Applied())); diff != "" {
			t.Errorf("after second stamp (-want +got):\n%s", diff)
		}
		var got []string
		for _, l := range readLog(t, tg.db) {
			got = append(got, l.Revision+" "+l.Direction+" "+l.Error.String)
		}
		want := []string{"r001 stamp stamped as applied", "r002 stamp stamped as applied", "r001 stamp stamped as not applied", "r003 stamp stamped as applied"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}

		// A partial row blocks a plain stamp; purge clears it.
		if _, err := tg.db.Exec("UPDATE retort_revisions SET state = 'partial', statements_done = 1 WHERE revision = 'r003'"); err != nil {
			t.Fatal(err)
		}
		err := r.Stamp(ctx, set("r002"), false)
		if err == nil || !strings.Contains(err.Error(), "revision r003 is partial (1 statements done)") {
			t.Fatalf("stamp over a partial row: %v", err)
		}
		if err := r.Stamp(ctx, set("r002"), true); err != nil {
			t.Fatalf("stamp --purge: %v", err)
		}
		st, _ = r.State(ctx)
		if diff := cmp.Diff([]string{"r002"}, st.Applied()); diff != "" || len(st.Rows) != 1 {
			t.Errorf("after purge: %+v", st.Rows)
		}
	})
}

func sorted(s []string) []string { slices.Sort(s); return s }

func TestResolve(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		r := runner.New(tg.db, tg.d, runner.Options{})
		bad := rev("x001", "", "CREATE TABLE ok1 (id integer);\nSELECT * FROM nope_missing;\n", "DROP TABLE ok1;\n")
		bad.NoTransaction = true
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{bad})); err == nil {
			t.Fatal("want the failing revision to fail")
		}
		st, _ := r.State(ctx)
		if row, _ := st.Row("x001"); row.State != runner.StatePartial || row.StatementsDone != 1 {
			t.Fatalf("row %+v: want partial, 1 statement done", row)
		}
		if err := r.Resolve(ctx, "zzz", true); err == nil || !strings.Contains(err.Error(), "nothing to resolve") {
			t.Errorf("resolve of an unknown revision: %v", err)
		}
		if err := r.Resolve(ctx, "x001", true); err != nil {
			t.Fatalf("resolve --applied: %v", err)
		}
		st, _ = r.State(ctx)
		if diff := cmp.Diff([]string{"x001"}, st.Applied()); diff != "" {
			t.Errorf("applied after resolve: %v", st.Rows)
		}
		if err := r.Resolve(ctx, "x001", false); err == nil || !strings.Contains(err.Error(), "fully applied") {
			t.Errorf("resolve of an applied revision: %v", err)
		}
		// Partial again, then resolved as rolled back.
		if _, err := tg.db.Exec("UPDATE retort_revisions SET state = 'partial' WHERE revision = 'x001'"); err != nil {
			t.Fatal(err)
		}
		if err := r.Resolve(ctx, "x001", false); err != nil {
			t.Fatalf("resolve --rolled-back: %v", err)
		}
		st, _ = r.State(ctx)
		if len(st.Rows) != 0 {
			t.Errorf("rows after resolve --rolled-back: %+v", st.Rows)
		}
		log := readLog(t, tg.db)
		if l := log[len(log)-1]; l.Direction != "resolve" || !strings.HasPrefix(l.Error.String, "resolved as rolled back") {
			t.Errorf("last log row %+v", l)
		}
	})
}

func TestCancelBetweenStatements(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx, cancel := context.WithCancel(ctxT(t))
		defer cancel()
		chain := chainN(2)
		// Cancel as revision r002 starts: it stops before its first
		// statement, after r001 is done.
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: func(e runner.Event) {
			if e.Kind == runner.EventStart && e.Revision == "r002" {
				cancel()
			}
		}})
		_, err := r.Run(ctx, upgradeAll(chain))
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "upgrade of revision r002 (versions/r002_test.sql) interrupted (context canceled) before statement 1 of 3: its transaction was rolled back") {
			t.Fatalf("cancelled run: %v", err)
		}
		st, err := runner.New(tg.db, tg.d, runner.Options{}).State(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"r001"}, st.Applied()); diff != "" {
			t.Errorf("applied after cancel (-want +got):\n%s", diff)
		}
		if tableExists(t, tg.db, "t002") {
			t.Error("t002 exists after the cancelled revision")
		}
	}, "sqlite", "postgres")
}

func TestCancelBetweenStatementsMySQL(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx, cancel := context.WithCancel(ctxT(t))
		defer cancel()
		chain := chainN(1)
		// Cancel after statement 1 of 3: MySQL records each statement, so
		// the run stops between statements 1 and 2 with the row partial.
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: ev.add})
		if _, err := tg.db.Exec("CREATE TABLE t001 (id integer PRIMARY KEY, name varchar(50))"); err != nil {
			t.Fatal(err)
		}
		// Pretend statement 1 already ran in an earlier run.
		if err := r.Stamp(ctx, func(*runner.State) ([]string, error) { return nil, nil }, false); err != nil {
			t.Fatal(err)
		}
		if _, err := tg.db.Exec("INSERT INTO retort_revisions (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES ('r001', '', UTC_TIMESTAMP(), 0, 'partial', 1)"); err != nil {
			t.Fatal(err)
		}
		r = runner.New(tg.db, tg.d, runner.Options{OnEvent: func(e runner.Event) {
			if e.Kind == runner.EventResume {
				cancel()
			}
		}})
		_, err := r.Run(ctx, upgradeAll(chain))
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "upgrade of revision r001 (versions/r001_test.sql) interrupted (context canceled) before statement 2 of 3: statement 1 ran and is recorded (partial with 1 done); rerun upgrade to resume at statement 2") {
			t.Fatalf("cancelled run: %v", err)
		}
		st, _ := runner.New(tg.db, tg.d, runner.Options{}).State(context.Background())
		if row, _ := st.Row("r001"); row.State != runner.StatePartial || row.StatementsDone != 1 {
			t.Errorf("row %+v: want partial with 1 done", row)
		}
		if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(context.Background(), upgradeAll(chain)); err != nil {
			t.Fatalf("resume after cancel: %v", err)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM t001"); n != 1 {
			t.Errorf("t001 rows %d, want 1", n)
		}
	}, "mysql")
}

func TestBadFilesRunNothing(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		r := runner.New(tg.db, tg.d, runner.Options{})
		good := chainN(1)[0]
		unterminated := rev("b002", "r001", "CREATE TABLE x (id integer);\nINSERT INTO x VALUES ('oops);\n", "DROP TABLE x;\n")
		_, err := r.Run(ctx, upgradeAll([]*script.Revision{good, unterminated}))
		if err == nil || !strings.HasPrefix(err.Error(), "versions/b002_test.sql:9: ") {
			t.Fatalf("unterminated string: %v; want an error at versions/b002_test.sql:9", err)
		}
		meta := rev("b002", "r001", "CREATE TABLE x (id integer);\n\\connect other\n", "DROP TABLE x;\n")
		_, err = r.Run(ctx, upgradeAll([]*script.Revision{good, meta}))
		if err == nil || !strings.Contains(err.Error(), `versions/b002_test.sql:9: "\\connect other" is a psql meta-command`) {
			t.Fatalf("psql meta-command: %v", err)
		}
		if tableExists(t, tg.db, "t001") || tableExists(t, tg.db, "retort_revisions") {
			t.Error("something ran although the plan had a bad file")
		}

		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{good})); err != nil {
			t.Fatal(err)
		}
		irr := rev("r001", "", good.Up.SQL, "")
		irr.Down.Irreversible = true
		_, err = r.Run(ctx, downgradeAll([]*script.Revision{irr}))
		var ie *revision.IrreversibleError
		if !errors.As(err, &ie) || !ie.Marked || ie.Revision != "r001" {
			t.Fatalf("irreversible downgrade: %v", err)
		}
		missing := rev("r001", "", good.Up.SQL, "")
		missing.Down = script.Section{}
		_, err = r.Run(ctx, downgradeAll([]*script.Revision{missing}))
		if !errors.As(err, &ie) || ie.Marked || ie.Empty {
			t.Fatalf("missing downgrade: %v", err)
		}
		commentsOnly := rev("r001", "", good.Up.SQL, "-- nothing to undo?\n")
		_, err = r.Run(ctx, downgradeAll([]*script.Revision{commentsOnly}))
		if err == nil || !strings.Contains(err.Error(), "has an empty -- +downgrade section") {
			t.Fatalf("comment-only downgrade: %v", err)
		}
		if !tableExists(t, tg.db, "t001") {
			t.Error("t001 dropped although the downgrade was refused")
		}
	})
}

// TestStalePlan makes a second runner do the whole plan between the moment
// a first runner planned and the moment it applies. Where Begin is the lock
// (SQLite) the first runner must notice inside each transaction and skip
// every step; elsewhere the first runner holds the lock from before
// planning until the end, so the second one times out.
func TestStalePlan(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		chain := chainN(3)
		_, db2 := openURL(t, tg.url)
		var innerErr error
		var inner *runner.Result
		a := runner.New(tg.db, tg.d, runner.Options{OnEvent: func(e runner.Event) {
			if e.Kind == runner.EventPlan {
				b := runner.New(db2, tg.d, runner.Options{LockTimeout: 200 * time.Millisecond})
				inner, innerErr = b.Run(ctx, upgradeAll(chain))
			}
		}})
		res, err := a.Run(ctx, upgradeAll(chain))
		if err != nil {
			t.Fatalf("first runner: %v", err)
		}
		beginLocks := tg.d.Capabilities().BeginLocks
		if beginLocks {
			if innerErr != nil || len(inner.Steps) != 3 {
				t.Fatalf("second runner: %v; want it to apply all 3", innerErr)
			}
			for _, s := range res.Steps {
				if !s.Skipped {
					t.Errorf("first runner ran %s again: want it skipped", s.Revision)
				}
			}
		} else {
			if !errors.Is(innerErr, dialect.ErrLockTimeout) {
				t.Fatalf("second runner while the first holds the lock: %v; want a lock timeout", innerErr)
			}
			if len(res.Steps) != 3 || res.Steps[0].Skipped {
				t.Errorf("first runner steps %+v: want all 3 run", res.Steps)
			}
		}
		if n := count(t, tg.db, "SELECT count(*) FROM retort_log WHERE direction = 'upgrade'"); n != 3 {
			t.Errorf("%d upgrade log rows, want 3", n)
		}
	})
}

func TestDowngradeFailureResume(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		up := "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);\n"
		r1 := rev("d001", "", up, "DROP TABLE b;\nDROP TABLE no_such_table_z;\nDROP TABLE a;\n")
		// On the transactional dialects, run it without a transaction so
		// the same rules apply.
		r1.NoTransaction = true
		var ev events
		r := runner.New(tg.db, tg.d, runner.Options{OnEvent: ev.add})
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{r1})); err != nil {
			t.Fatal(err)
		}
		_, err := r.Run(ctx, downgradeAll([]*script.Revision{r1}))
		var se *runner.StatementError
		if !errors.As(err, &se) || se.Direction != revision.Down || se.Index != 2 || se.Line != 12 {
			t.Fatalf("downgrade: %v; want a StatementError at downgrade statement 2, line 12", err)
		}
		if !strings.HasPrefix(err.Error(), "revision d001 (versions/d001_test.sql:12) downgrade failed at statement 2 of 3: ") {
			t.Errorf("error text:\n%s", err)
		}
		st, _ := r.State(ctx)
		if row, _ := st.Row("d001"); row.State != runner.StateReverting || row.StatementsDone != 1 {
			t.Fatalf("row %+v: want reverting with 1 statement done", row)
		}
		// Upgrading through a half-reverted revision is refused.
		_, err = r.Run(ctx, func(*runner.State) (*revision.Plan, error) {
			return &revision.Plan{Steps: []revision.Step{{Revision: r1, Direction: revision.Up}}}, nil
		})
		var pe *runner.PartialError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "was being downgraded and stopped after 1 statements") {
			t.Fatalf("upgrade through a reverting revision: %v", err)
		}
		fixed := rev("d001", "", up, "DROP TABLE b;\nDROP TABLE IF EXISTS no_such_table_z;\nDROP TABLE a;\n")
		fixed.NoTransaction = true
		res, err := r.Run(ctx, downgradeAll([]*script.Revision{fixed}))
		if err != nil {
			t.Fatalf("downgrade after the fix: %v", err)
		}
		if len(res.Steps) != 1 || res.Steps[0].ResumedAt != 2 {
			t.Errorf("steps %+v: want the downgrade resumed at statement 2", res.Steps)
		}
		st, _ = r.State(ctx)
		if len(st.Rows) != 0 || tableExists(t, tg.db, "a") {
			t.Errorf("after the resumed downgrade: rows %+v, table a exists %v", st.Rows, tableExists(t, tg.db, "a"))
		}
	})
}

// TestSeparateVersionTables: two projects with their own version tables in
// one database keep separate records and, where the lock is a session
// lock, do not block each other.
func TestSeparateVersionTables(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		a := runner.New(tg.db, tg.d, runner.Options{Tables: dialect.VersionTables{Revisions: "a_revisions", Log: "a_log"}})
		b := runner.New(tg.db, tg.d, runner.Options{Tables: dialect.VersionTables{Revisions: "b_revisions", Log: "b_log"}, LockTimeout: 300 * time.Millisecond})
		if _, err := a.Run(ctx, upgradeAll(chainN(1))); err != nil {
			t.Fatal(err)
		}
		if !tableExists(t, tg.db, "a_revisions") || !tableExists(t, tg.db, "a_log") || tableExists(t, tg.db, "retort_revisions") {
			t.Fatal("want a_revisions and a_log only")
		}
		st, err := b.State(ctx)
		if err != nil || len(st.Rows) != 0 {
			t.Fatalf("project b state %+v, %v: want empty", st, err)
		}
		if tg.d.Capabilities().BeginLocks {
			return // one database-wide write lock
		}
		conn, err := tg.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		unlock, err := tg.d.Lock(ctx, conn, "a_revisions", time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock(ctx)
		other := rev("b001", "", "CREATE TABLE b1 (id integer);\n", "DROP TABLE b1;\n")
		if _, err := b.Run(ctx, upgradeAll([]*script.Revision{other})); err != nil {
			t.Fatalf("project b while a's lock is held: %v", err)
		}
	})
}
