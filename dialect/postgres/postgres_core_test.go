package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/internal/testdb"
)

func open(t *testing.T) (*postgres.Dialect, *sql.DB) {
	t.Helper()
	tdb := testdb.New(t, "postgres")
	u, err := dialect.ParseURL(tdb.URL)
	if err != nil {
		t.Fatal(err)
	}
	d := postgres.New()
	db, err := d.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return d, db
}

func TestQuoting(t *testing.T) {
	d, db := open(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, scs := range []string{"on", "off"} {
		if _, err := conn.ExecContext(ctx, "SET standard_conforming_strings = "+scs); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"plain", "it's", `back\slash`, `\'`, `"dq"`, "", "multi\nline", `\\`} {
			var got string
			if err := conn.QueryRowContext(ctx, "SELECT "+d.QuoteLiteral(s)).Scan(&got); err != nil || got != s {
				t.Errorf("standard_conforming_strings=%s: QuoteLiteral(%q) = %s reads back %q, %v", scs, s, d.QuoteLiteral(s), got, err)
			}
		}
	}
	for _, s := range []string{"plain", "Mixed Case", `a"b`, "select"} {
		q := d.QuoteIdent(s)
		if _, err := conn.ExecContext(ctx, "CREATE TABLE "+q+" ("+q+" integer)"); err != nil {
			t.Errorf("QuoteIdent(%q) = %s: %v", s, q, err)
		}
		var n int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_class WHERE relname = $1", s).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %q not found: %d, %v", s, n, err)
		}
	}
	if d.Placeholder(2) != "$2" || d.MaxIdentLen() != 63 || !d.Capabilities().TransactionalDDL {
		t.Error("Placeholder, MaxIdentLen or TransactionalDDL wrong")
	}
}

func TestVersionTableDDLIdempotent(t *testing.T) {
	d, db := open(t)
	for range 2 {
		for _, s := range d.VersionTableDDL(dialect.DefaultVersionTables()) {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	if _, err := db.Exec(`INSERT INTO retort_log (revision, direction, started_at, finished_at, ok) VALUES ('a', 'sideways', now(), now(), true)`); err == nil {
		t.Error("direction check constraint missing")
	}
	if _, err := db.Exec(`INSERT INTO retort_log (revision, direction, started_at, finished_at, ok) VALUES ('a', 'stamp', now(), now(), true)`); err != nil {
		t.Errorf("log insert: %v", err)
	}
}

func TestLock(t *testing.T) {
	d, db := open(t)
	ctx := context.Background()
	a, _ := db.Conn(ctx)
	defer a.Close()
	b, _ := db.Conn(ctx)
	defer b.Close()
	unlock, err := d.Lock(ctx, a, "retort_revisions", time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	waits := 0
	_, err = d.Lock(ctx, b, "retort_revisions", 250*time.Millisecond, func() { waits++ })
	var lt *dialect.LockTimeoutError
	if !errors.As(err, &lt) || lt.Waited != 250*time.Millisecond || waits != 1 {
		t.Fatalf("second Lock: %v, %d waits; want LockTimeoutError and one onWait", err, waits)
	}
	// Another version table is another lock.
	other, err := d.Lock(ctx, b, "other_revisions", 0, nil)
	if err != nil {
		t.Fatalf("lock for another version table: %v", err)
	}
	if err := other(ctx); err != nil {
		t.Fatal(err)
	}
	// Released while waiting: the waiter gets it.
	done := make(chan error, 1)
	go func() {
		u, err := d.Lock(ctx, b, "retort_revisions", 10*time.Second, nil)
		if err == nil {
			err = u(ctx)
		}
		done <- err
	}()
	time.Sleep(150 * time.Millisecond)
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	if err := unlock(ctx); err == nil {
		t.Error("second unlock: want an error saying it was not held")
	}
}

func TestHintTransactionBlock(t *testing.T) {
	d, db := open(t)
	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, "VACUUM")
	tx.Rollback()
	if err == nil {
		t.Fatal("VACUUM in a transaction succeeded")
	}
	if h := d.Hint(ctx, conn, "VACUUM", err); !strings.Contains(h, "`-- Transaction: none`") {
		t.Errorf("hint %q", h)
	}
	if h := d.Hint(ctx, conn, "SELECT 1", errors.New("other")); h != "" {
		t.Errorf("hint for an unrelated error: %q", h)
	}
}

func TestSessionUserAndMissingTable(t *testing.T) {
	d, db := open(t)
	ctx := context.Background()
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	if u, err := d.SessionUser(ctx, conn); err != nil || u != "postgres" {
		t.Errorf("SessionUser = %q, %v", u, err)
	}
	_, err := conn.ExecContext(ctx, "SELECT * FROM no_such_table")
	if !d.IsMissingTable(err) || d.IsMissingTable(errors.New("x")) {
		t.Errorf("IsMissingTable(%v) wrong", err)
	}
}
