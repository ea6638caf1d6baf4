package runner_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// TestOldVersionTableUpgradedInPlace runs on version tables made before
// statement_checksums existed: the run adds the column, records each
// statement's checksum, and refuses to resume after a statement that ran
// was edited. A partial row recorded before the column existed (NULL) is
// resumed as before, unchecked.
func TestOldVersionTableUpgradedInPlace(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		createOldVersionTables(t, tg)
		mk := func(first, third string) *script.Revision {
			r := rev("o001", "", first+";\nINSERT INTO a (id) VALUES (1);\n"+third+";\n", "DROP TABLE a;\n")
			r.NoTransaction = true
			return r
		}
		broken := mk("CREATE TABLE a (id integer)", "INSERT INTO nosuchtable (id) VALUES (2)")
		r := runner.New(tg.db, tg.d, runner.Options{})
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{broken})); err == nil {
			t.Fatal("the broken revision ran")
		}
		if !tableHasSums(tg) {
			t.Fatal("statement_checksums was not added to the old table")
		}
		if row := rowNow(t, r, "o001"); row.State != runner.StatePartial || row.StatementsDone != 2 {
			t.Fatalf("row %+v: want partial after 2", row)
		}

		// Statement 1 ran and is edited: refused, naming it.
		edited := mk("CREATE TABLE a (id integer, b integer)", "INSERT INTO a (id) VALUES (2)")
		_, err := r.Run(ctx, upgradeAll([]*script.Revision{edited}))
		var ee *runner.EditedStatementError
		if !errors.As(err, &ee) || ee.Index != 1 || ee.Done != 2 || ee.Line != 8 || !strings.Contains(ee.SQL, "b integer") {
			t.Fatalf("resume after editing statement 1: %v (%+v); want an EditedStatementError for statement 1", err, ee)
		}
		if !strings.Contains(err.Error(), "retort resolve o001 --rolled-back") || !strings.Contains(err.Error(), "retort resolve o001 --applied") {
			t.Errorf("error lacks the ways out:\n%s", err)
		}
		if row := rowNow(t, r, "o001"); row.StatementsDone != 2 {
			t.Errorf("row %+v changed by the refused run", row)
		}

		// A row recorded before the column existed is resumed unchecked.
		if _, err := tg.db.ExecContext(ctx, "UPDATE retort_revisions SET statement_checksums = NULL"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{edited})); err != nil {
			t.Fatalf("resume of a row without checksums: %v", err)
		}
		if n := count(t, tg.db, "SELECT count(*) FROM a"); n != 2 {
			t.Errorf("a has %d rows, want 2", n)
		}
	})
}

// createOldVersionTables creates the version tables as releases before
// statement_checksums made them.
func createOldVersionTables(t *testing.T, tg *target) {
	t.Helper()
	ctx := ctxT(t)
	stmts := append(tg.d.VersionTableDDL(dialect.DefaultVersionTables()), "ALTER TABLE retort_revisions DROP COLUMN statement_checksums")
	for _, stmt := range stmts {
		if _, err := tg.db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if tableHasSums(tg) {
		t.Fatal("the old version table has statement_checksums")
	}
}

func tableHasSums(tg *target) bool {
	rows, err := tg.db.Query("SELECT statement_checksums FROM retort_revisions WHERE 1 = 0")
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

// TestRecordOutlivesShortLockTimeout holds the revision's version row
// locked from another transaction for a second while a statement runs,
// with a 100ms lock timeout: the progress record after the statement
// waits for the row (a busy server is no reason to leave a statement
// recorded as started) instead of giving up after the lock timeout.
func TestRecordOutlivesShortLockTimeout(t *testing.T) {
	each(t, func(t *testing.T, tg *target) {
		ctx := ctxT(t)
		slow := map[string]string{"mysql": "CREATE TABLE s AS SELECT SLEEP(1) AS x", "postgres": "SELECT pg_sleep(1)"}[tg.name]
		r1 := rev("h001", "", "CREATE TABLE a (id integer);\n"+slow+";\nCREATE TABLE b (id integer);\n", "DROP TABLE b;\nDROP TABLE a;\n")
		r1.NoTransaction = true
		held := make(chan error, 1)
		go func() {
			if tg.name == "mysql" {
				waitRunning(t, tg.db, slow)
			} else {
				time.Sleep(300 * time.Millisecond)
			}
			tx, err := tg.db.BeginTx(ctx, nil)
			if err != nil {
				held <- err
				return
			}
			if _, err := tx.ExecContext(ctx, "UPDATE retort_revisions SET duration_ms = 0 WHERE revision = 'h001'"); err != nil {
				tx.Rollback()
				held <- err
				return
			}
			time.Sleep(1500 * time.Millisecond)
			held <- tx.Commit()
		}()
		r := runner.New(tg.db, tg.d, runner.Options{LockTimeout: 100 * time.Millisecond})
		if _, err := r.Run(ctx, upgradeAll([]*script.Revision{r1})); err != nil {
			t.Fatalf("run with the row held for 1.5s and a 100ms lock timeout: %v", err)
		}
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		if row := rowNow(t, r, "h001"); row.State != runner.StateApplied {
			t.Errorf("row %+v: want applied", row)
		}
	}, "postgres", "mysql")
}
