package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/internal/testdb"
)

func open(t *testing.T, raw string) *sql.DB {
	t.Helper()
	u, err := dialect.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	db, err := mysql.New().Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenParams(t *testing.T) {
	tdb := testdb.New(t, "mysql")
	// Query parameters pass through (a system variable here); multiStatements
	// is refused even when asked for.
	db := open(t, tdb.URL+"?sql_mode=%27ANSI_QUOTES%27&multiStatements=true")
	var mode string
	if err := db.QueryRow("SELECT @@SESSION.sql_mode").Scan(&mode); err != nil || mode != "ANSI_QUOTES" {
		t.Errorf("sql_mode %q, %v: want the URL's ANSI_QUOTES", mode, err)
	}
	if _, err := db.Exec("SELECT 1; SELECT 2"); err == nil {
		t.Error("two statements in one Exec ran: multiStatements must stay off")
	}
	// parseTime is on: DATETIME scans into time.Time.
	var tm time.Time
	if err := db.QueryRow("SELECT UTC_TIMESTAMP(6)").Scan(&tm); err != nil || time.Since(tm) > time.Hour {
		t.Errorf("UTC_TIMESTAMP scanned as %v, %v", tm, err)
	}
}

func TestQuoting(t *testing.T) {
	d := mysql.New()
	db := open(t, testdb.New(t, "mysql").URL)
	for _, s := range []string{"plain", "it's", `back\slash`, `\'`, `"dq"`, "", "multi\nline", `\\`} {
		var got string
		if err := db.QueryRow("SELECT " + d.QuoteLiteral(s)).Scan(&got); err != nil || got != s {
			t.Errorf("QuoteLiteral(%q) = %s reads back %q, %v", s, d.QuoteLiteral(s), got, err)
		}
	}
	for _, s := range []string{"plain", "Mixed Case", "a`b", "select"} {
		q := d.QuoteIdent(s)
		if _, err := db.Exec("CREATE TABLE " + q + " (" + q + " integer)"); err != nil {
			t.Errorf("QuoteIdent(%q) = %s: %v", s, q, err)
		}
	}
	if d.Placeholder(2) != "?" || d.MaxIdentLen() != 64 || d.Capabilities().TransactionalDDL {
		t.Error("Placeholder, MaxIdentLen or TransactionalDDL wrong")
	}
	for range 2 {
		for _, s := range d.VersionTableDDL(dialect.DefaultVersionTables()) {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	_, err := db.Exec("SELECT * FROM no_such_table")
	if !d.IsMissingTable(err) {
		t.Errorf("IsMissingTable(%v) = false", err)
	}
}

func TestLock(t *testing.T) {
	d := mysql.New()
	tdb := testdb.New(t, "mysql")
	db := open(t, tdb.URL)
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
	_, err = d.Lock(ctx, b, "retort_revisions", 300*time.Millisecond, func() { waits++ })
	var lt *dialect.LockTimeoutError
	if !errors.As(err, &lt) || lt.Waited != 300*time.Millisecond || waits != 1 {
		t.Fatalf("second Lock: %v, %d waits; want LockTimeoutError and one onWait", err, waits)
	}
	// The lock is per database: the same table in another database is free.
	other := open(t, testdb.New(t, "mysql").URL)
	c, _ := other.Conn(ctx)
	defer c.Close()
	u2, err := d.Lock(ctx, c, "retort_revisions", 0, nil)
	if err != nil {
		t.Fatalf("lock in another database: %v", err)
	}
	u2(ctx)
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
	user, err := d.SessionUser(ctx, a)
	if err != nil || user != "root@localhost" && user != "root@%" && user != "root@127.0.0.1" {
		t.Errorf("SessionUser = %q, %v", user, err)
	}
}

// TestOpenInterpolatesParams checks that statements with arguments go to
// the server as one text query (no server-side prepare) by default, and
// that a URL which sets its charset, or interpolateParams itself, keeps
// the driver's server-side prepares.
func TestOpenInterpolatesParams(t *testing.T) {
	tdb := testdb.New(t, "mysql")
	for _, c := range []struct {
		query    string
		prepares bool
	}{
		{"", false},
		{"?charset=utf8mb4", true},
		{"?collation=utf8mb4_general_ci", true},
		{"?interpolateParams=false", true},
	} {
		db := open(t, tdb.URL+c.query)
		ctx := context.Background()
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		prepares := func() int {
			var name string
			var n int
			if err := conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Com_stmt_prepare'").Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := prepares()
		if _, err := conn.ExecContext(ctx, "DO ?", 1); err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		if got := prepares() > before; got != c.prepares {
			t.Errorf("URL query %q: server-side prepare %v, want %v", c.query, got, c.prepares)
		}
		conn.Close()
	}
}
