package runner_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// waitRunning waits until a statement starting with prefix runs on the
// server and returns its session id.
func waitRunning(t *testing.T, db *sql.DB, prefix string) int64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var id int64
		err := db.QueryRow("SELECT id FROM information_schema.processlist WHERE info LIKE ? AND command = 'Query' LIMIT 1", prefix+"%").Scan(&id)
		if err == nil {
			return id
		}
		if !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("read the processlist: %v", err)
			return 0
		}
		if time.Now().After(deadline) {
			t.Errorf("no statement %q started within 30s", prefix)
			return 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stillRunning counts the sessions running a statement starting with
// prefix.
func stillRunning(t *testing.T, db *sql.DB, prefix string) int {
	return count(t, db, "SELECT count(*) FROM information_schema.processlist WHERE info LIKE ? AND command = 'Query'", prefix+"%")
}

func rowNow(t *testing.T, r *runner.Runner, id string) runner.Row {
	t.Helper()
	st, err := r.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	row, ok := st.Row(id)
	if !ok {
		t.Fatalf("no row for %s", id)
	}
	return row
}

// strandInFlight runs a revision whose second statement (DDL, which
// commits by itself) is slow, and ends retort's session from the server
// while it runs, as an administrator or a failover would. The run cannot
// know whether the statement ran: it must say so, and record it.
func strandInFlight(t *testing.T, tg *target) (*runner.Runner, *script.Revision) {
	t.Helper()
	ctx := ctxT(t)
	slow := rev("f001", "", "CREATE TABLE a (id integer);\nCREATE TABLE b AS SELECT SLEEP(5) AS x;\nCREATE TABLE c (id integer);\n", "DROP TABLE c;\nDROP TABLE b;\nDROP TABLE a;\n")
	r := runner.New(tg.db, tg.d, runner.Options{})
	go func() {
		if id := waitRunning(t, tg.db, "CREATE TABLE b AS SELECT SLEEP"); id != 0 {
			_, _ = tg.db.Exec("KILL " + strconv.FormatInt(id, 10))
		}
	}()
	_, err := r.Run(ctx, upgradeAll([]*script.Revision{slow}))
	var se *runner.StatementError
	if !errors.As(err, &se) || se.Index != 2 || se.Count != 3 {
		t.Fatalf("run whose session was killed: %v; want a StatementError at statement 2 of 3", err)
	}
	for _, want := range []string{"statement 2 may or may not have run", "does not tell, and MySQL/MariaDB commit it by themselves", "retort resolve f001 --statement-ran", "retort resolve f001 --statement-not-run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
	if strings.Contains(err.Error(), "nothing of it ran") {
		t.Errorf("error claims nothing ran:\n%s", err)
	}
	if row := rowNow(t, r, "f001"); row.State != runner.StatePartial || row.StatementsDone != 1 || row.InFlight != 2 {
		t.Fatalf("row %+v: want partial, 1 done, statement 2 in flight", row)
	}
	// The next upgrade refuses to guess.
	_, err = r.Run(ctx, upgradeAll([]*script.Revision{slow}))
	var ie *runner.InFlightError
	if !errors.As(err, &ie) || ie.Index != 2 || ie.Count != 3 || ie.Line != 9 || ie.SQL != "CREATE TABLE b AS SELECT SLEEP(5) AS x" {
		t.Fatalf("upgrade over the in-flight record: %v; want an InFlightError for statement 2 of 3, line 9", err)
	}
	for _, want := range []string{"revision f001 (versions/f001_test.sql:9)", "statement 2 of 3", "MySQL/MariaDB commit this statement by themselves", "--statement-ran", "--statement-not-run"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("in-flight error lacks %q:\n%s", want, err)
		}
	}
	// So does a downgrade.
	if _, err := r.Run(ctx, downgradeAll([]*script.Revision{slow})); err == nil || !strings.Contains(err.Error(), "--statement-ran") {
		t.Errorf("downgrade over the in-flight record: %v; want a refusal naming --statement-ran", err)
	}
	return r, slow
}

// TestMySQLLostConnectionStatementNotRun: the user finds that the
// statement in flight left nothing, resolves it as not run, and the next
// upgrade runs it (once) and finishes.
func TestMySQLLostConnectionStatementNotRun(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		r, slow := strandInFlight(t, tg)
		ctx := ctxT(t)
		if tableExists(t, tg.db, "b") {
			t.Skip("the killed CREATE TABLE ... SELECT committed; TestMySQLLostConnectionStatementRan covers that case")
		}
		if err := r.ResolveStatement(ctx, "f001", false); err != nil {
			t.Fatalf("resolve --statement-not-run: %v", err)
		}
		if row := rowNow(t, r, "f001"); row.State != runner.StatePartial || row.StatementsDone != 1 || row.InFlight != 0 {
			t.Fatalf("row after resolve %+v: want partial, 1 done, nothing in flight", row)
		}
		if err := r.ResolveStatement(ctx, "f001", false); err == nil || !strings.Contains(err.Error(), "no statement of it is recorded as started") {
			t.Errorf("second resolve: %v; want a refusal", err)
		}
		fast := rev("f001", "", strings.Replace(slow.Up.SQL, "SLEEP(5)", "1", 1), slow.Down.SQL)
		res, err := r.Run(ctx, upgradeAll([]*script.Revision{fast}))
		if err != nil {
			t.Fatalf("upgrade after resolve: %v", err)
		}
		if len(res.Steps) != 1 || res.Steps[0].ResumedAt != 2 {
			t.Errorf("steps %+v: want one resumed at statement 2", res.Steps)
		}
		if row := rowNow(t, r, "f001"); row.State != runner.StateApplied || row.StatementsDone != 3 {
			t.Errorf("row %+v: want applied with 3", row)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM b"); n != 1 {
			t.Errorf("b has %d rows, want 1", n)
		}
		logs := readLog(t, tg.db)
		found := false
		for _, l := range logs {
			if l.Direction == "resolve" && strings.Contains(l.Error.String, "resolved statement 2 as not run") {
				found = true
			}
		}
		if !found {
			t.Errorf("no resolve log row for statement 2: %+v", logs)
		}
	}, "mysql")
}

// TestMySQLLostConnectionStatementRan: the statement's effect is there
// (here made by hand, as if the server had finished it); resolved as run,
// the next upgrade goes on after it without running it again (which would
// fail: table b exists).
func TestMySQLLostConnectionStatementRan(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		r, slow := strandInFlight(t, tg)
		ctx := ctxT(t)
		if !tableExists(t, tg.db, "b") {
			if _, err := tg.db.Exec("CREATE TABLE b AS SELECT 0 AS x"); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.ResolveStatement(ctx, "f001", true); err != nil {
			t.Fatalf("resolve --statement-ran: %v", err)
		}
		if row := rowNow(t, r, "f001"); row.State != runner.StatePartial || row.StatementsDone != 2 || row.InFlight != 0 {
			t.Fatalf("row after resolve %+v: want partial, 2 done, nothing in flight", row)
		}
		res, err := r.Run(ctx, upgradeAll([]*script.Revision{slow}))
		if err != nil {
			t.Fatalf("upgrade after resolve: %v", err)
		}
		if len(res.Steps) != 1 || res.Steps[0].ResumedAt != 3 {
			t.Errorf("steps %+v: want one resumed at statement 3", res.Steps)
		}
		if !tableExists(t, tg.db, "c") {
			t.Error("table c missing")
		}
		if row := rowNow(t, r, "f001"); row.State != runner.StateApplied || row.StatementsDone != 3 {
			t.Errorf("row %+v: want applied with 3", row)
		}
	}, "mysql")
}

// TestMySQLCancelStopsStatement cancels the run while a slow data change
// runs (in one transaction with its record), then while a slow DDL
// statement runs (recorded as started). Each time retort stops the
// statement on the server with KILL QUERY before it returns, so nothing
// goes on running after it; the data change is rolled back with its
// record, the DDL statement is left recorded in flight; the log row of
// the interrupted run is written.
func TestMySQLCancelStopsStatement(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		up := "CREATE TABLE a (id integer);\nINSERT INTO a SELECT 1 FROM DUAL WHERE SLEEP(20) = 0;\nCREATE TABLE b AS SELECT SLEEP(20) AS x;\n"
		slow := rev("k001", "", up, "DROP TABLE b;\nDROP TABLE a;\n")
		cancelWhen := func(prefix string) error {
			ctx, cancel := context.WithCancel(ctxT(t))
			defer cancel()
			go func() {
				waitRunning(t, tg.db, prefix)
				cancel()
			}()
			_, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll([]*script.Revision{slow}))
			if n := stillRunning(t, tg.db, prefix); n != 0 {
				t.Errorf("%d session(s) still run %q after the cancelled run returned", n, prefix)
			}
			return err
		}
		r := runner.New(tg.db, tg.d, runner.Options{})

		err := cancelWhen("INSERT INTO a SELECT")
		var ie *runner.InterruptedError
		if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel during the INSERT: %v; want an InterruptedError", err)
		}
		if !strings.Contains(err.Error(), "upgrade of revision k001 (versions/k001_test.sql) interrupted (context canceled) during statement 2 of 3: statement 2 was stopped and rolled back together with its record; statement 1 ran and is recorded") ||
			!strings.Contains(err.Error(), "rerun upgrade to resume at statement 2") {
			t.Errorf("error text:\n%s", err)
		}
		if row := rowNow(t, r, "k001"); row.StatementsDone != 1 || row.InFlight != 0 {
			t.Errorf("row %+v: want 1 done, nothing in flight", row)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM a"); n != 0 {
			t.Errorf("a has %d rows after the stopped INSERT, want 0", n)
		}
		logs := readLog(t, tg.db)
		if last := logs[len(logs)-1]; last.OK || !strings.Contains(last.Error.String, "interrupted") {
			t.Errorf("last log row %+v: want the interrupted run", last)
		}

		// Let the INSERT be quick now; the DDL after it is cancelled.
		slow = rev("k001", "", strings.Replace(up, "SLEEP(20) = 0", "1 = 1", 1), slow.Down.SQL)
		err = cancelWhen("CREATE TABLE b AS SELECT")
		if !errors.As(err, &ie) {
			t.Fatalf("cancel during the CREATE TABLE: %v; want an InterruptedError", err)
		}
		for _, want := range []string{"during statement 3 of 3", "may or may not have run", "statement 3 is recorded as started", "retort resolve k001 --statement-ran", "--statement-not-run"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%s", want, err)
			}
		}
		if row := rowNow(t, r, "k001"); row.StatementsDone != 2 || row.InFlight != 3 {
			t.Errorf("row %+v: want 2 done, statement 3 in flight", row)
		}
		// Settle it as a user would: look for the table.
		ctx := ctxT(t)
		if err := r.ResolveStatement(ctx, "k001", tableExists(t, tg.db, "b")); err != nil {
			t.Fatal(err)
		}
		fast := rev("k001", "", strings.ReplaceAll(slow.Up.SQL, "SLEEP(20)", "1"), slow.Down.SQL)
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{fast})); err != nil {
			t.Fatalf("upgrade after resolve: %v", err)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM a"); n != 1 {
			t.Errorf("a has %d rows, want 1", n)
		}
		if !tableExists(t, tg.db, "b") {
			t.Error("table b missing")
		}
	}, "mysql")
}

// TestMySQLCancelSelectNeedsNoResolve cancels the run during a long
// SELECT SLEEP(n), which does not commit by itself: it runs in one
// transaction with its record, so the interrupt leaves nothing in flight
// and the error does not ask for `retort resolve --statement-ran|
// --statement-not-run` (issue 12 item 14).
func TestMySQLCancelSelectNeedsNoResolve(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		slow := rev("s001", "", "CREATE TABLE a (id integer);\nSELECT SLEEP(20);\nCREATE TABLE b (id integer);\n", "DROP TABLE b;\nDROP TABLE a;\n")
		ctx, cancel := context.WithCancel(ctxT(t))
		defer cancel()
		go func() {
			waitRunning(t, tg.db, "SELECT SLEEP(20)")
			cancel()
		}()
		r := runner.New(tg.db, tg.d, runner.Options{})
		_, err := r.Run(ctx, upgradeAll([]*script.Revision{slow}))
		var ie *runner.InterruptedError
		if !errors.As(err, &ie) {
			t.Fatalf("cancel during SELECT SLEEP: %v; want an InterruptedError", err)
		}
		for _, bad := range []string{"may or may not have run", "--statement-ran", "--statement-not-run", "commit it by themselves"} {
			if strings.Contains(err.Error(), bad) {
				t.Errorf("error says %q:\n%s", bad, err)
			}
		}
		if !strings.Contains(err.Error(), "rerun upgrade to resume at statement 2") {
			t.Errorf("error does not say how to go on:\n%s", err)
		}
		if row := rowNow(t, r, "s001"); row.StatementsDone != 1 || row.InFlight != 0 {
			t.Errorf("row %+v: want 1 done, nothing in flight", row)
		}
		fast := rev("s001", "", strings.Replace(slow.Up.SQL, "SLEEP(20)", "1", 1), slow.Down.SQL)
		if _, err := r.Run(ctxT(t), upgradeAll([]*script.Revision{fast})); err != nil {
			t.Fatalf("upgrade after the interrupt: %v", err)
		}
	}, "mysql")
}
