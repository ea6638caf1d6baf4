package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
)

func open(t *testing.T, raw string) *sql.DB {
	t.Helper()
	u, err := dialect.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.New().Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s: %v", raw, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenMemoryIsOneDatabase(t *testing.T) {
	db := open(t, "sqlite::memory:")
	if _, err := db.Exec("CREATE TABLE t (id integer)"); err != nil {
		t.Fatal(err)
	}
	// Every use of the pool sees the same in-memory database.
	for range 3 {
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil || n != 3 {
		t.Fatalf("count %d, %v; want 3", n, err)
	}
}

func TestOpenBusyTimeoutAndJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db := open(t, "sqlite:"+path+"?_pragma=journal_mode(wal)")
	var busy int
	var mode string
	if err := db.QueryRow("SELECT * FROM pragma_busy_timeout").Scan(&busy); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if busy != int(sqlite.DefaultBusyTimeout.Milliseconds()) || mode != "wal" {
		t.Errorf("busy_timeout %d, journal_mode %s; want %d and the user's wal", busy, mode, sqlite.DefaultBusyTimeout.Milliseconds())
	}
	db2 := open(t, "sqlite:"+path+"?_busy_timeout=1234")
	if err := db2.QueryRow("SELECT * FROM pragma_busy_timeout").Scan(&busy); err != nil || busy != 1234 {
		t.Errorf("busy_timeout %d, %v: want the URL's 1234", busy, err)
	}
}

func TestOpenError(t *testing.T) {
	u, _ := dialect.ParseURL("sqlite:" + filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	_, err := sqlite.New().Open(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "check that the directory exists") {
		t.Fatalf("open in a missing directory: %v", err)
	}
}

func TestQuoting(t *testing.T) {
	d := sqlite.New()
	db := open(t, "sqlite::memory:")
	for _, s := range []string{"plain", "it's", `back\slash`, `"dq"`, "", "multi\nline", "''"} {
		var got string
		if err := db.QueryRow("SELECT " + d.QuoteLiteral(s)).Scan(&got); err != nil || got != s {
			t.Errorf("QuoteLiteral(%q) = %s reads back %q, %v", s, d.QuoteLiteral(s), got, err)
		}
		if s == "" {
			continue
		}
		q := d.QuoteIdent(s)
		if _, err := db.Exec("CREATE TABLE " + q + " (" + q + " integer)"); err != nil {
			t.Errorf("QuoteIdent(%q) = %s: %v", s, q, err)
			continue
		}
		var name string
		if err := db.QueryRow("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?", s).Scan(&name); err != nil {
			t.Errorf("table %q not found: %v", s, err)
		}
	}
	if d.QuoteIdent(`a"b`) != `"a""b"` || d.Placeholder(3) != "?" || d.MaxIdentLen() != 0 || !d.Capabilities().TransactionalDDL {
		t.Error("QuoteIdent, Placeholder, MaxIdentLen or TransactionalDDL wrong")
	}
}

func TestVersionTableDDLIdempotent(t *testing.T) {
	d := sqlite.New()
	db := open(t, "sqlite::memory:")
	for range 2 {
		for _, s := range d.VersionTableDDL(dialect.VersionTables{Revisions: "my revs", Log: "my log"}) {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	if _, err := db.Exec(`INSERT INTO "my revs" (revision, applied_at, state) VALUES ('a', CURRENT_TIMESTAMP, 'bogus')`); err == nil {
		t.Error("state check constraint missing")
	}
}

func TestBeginWaitsThenTimesOut(t *testing.T) {
	d := sqlite.New()
	path := filepath.Join(t.TempDir(), "lock.db")
	a, b := open(t, "sqlite:"+path), open(t, "sqlite:"+path)
	ctx := context.Background()
	ca, _ := a.Conn(ctx)
	defer ca.Close()
	cb, _ := b.Conn(ctx)
	defer cb.Close()
	txa, err := d.Begin(ctx, ca, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	waits := 0
	_, err = d.Begin(ctx, cb, 200*time.Millisecond, func() { waits++ })
	var lt *dialect.LockTimeoutError
	if !errors.As(err, &lt) || lt.Waited != 200*time.Millisecond || waits != 1 {
		t.Fatalf("Begin while locked: %v, %d waits; want LockTimeoutError after 200ms and one onWait", err, waits)
	}
	// Released in time: the waiting Begin gets the lock.
	done := make(chan error, 1)
	go func() {
		tx, err := d.Begin(ctx, cb, 10*time.Second, nil)
		if err == nil {
			err = tx.Commit()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := txa.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Begin after release: %v", err)
	}
	var busy int
	if err := cb.QueryRowContext(ctx, "SELECT * FROM pragma_busy_timeout").Scan(&busy); err != nil || busy != int(sqlite.DefaultBusyTimeout.Milliseconds()) {
		t.Errorf("busy_timeout after the transaction %d, %v: want the connection's own restored", busy, err)
	}
}

func TestBeginForeignKeyProcedure(t *testing.T) {
	d := sqlite.New()
	db := open(t, "sqlite:"+filepath.Join(t.TempDir(), "fk.db")+"?_pragma=foreign_keys(1)")
	ctx := context.Background()
	for _, s := range []string{
		"CREATE TABLE parent (id integer PRIMARY KEY)",
		"CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id) ON DELETE CASCADE)",
		"INSERT INTO parent VALUES (1)", "INSERT INTO child VALUES (10, 1)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	conn, _ := db.Conn(ctx)
	defer conn.Close()
	// A table rebuild of parent must not cascade into child.
	tx, err := d.Begin(ctx, conn, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"CREATE TABLE parent_new (id integer PRIMARY KEY, name text)",
		"INSERT INTO parent_new (id) SELECT id FROM parent",
		"DROP TABLE parent",
		"ALTER TABLE parent_new RENAME TO parent",
	} {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var n, fk int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM child").Scan(&n); err != nil || n != 1 {
		t.Errorf("child rows after the rebuild %d, %v: want 1", n, err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys after commit %d: want it back on", fk)
	}
	// A violation rolls the transaction back.
	tx, err = d.Begin(ctx, conn, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM parent"); err != nil {
		t.Fatal(err)
	}
	err = tx.Commit()
	var fe *sqlite.ForeignKeyError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "child row 10 has no parent in parent") {
		t.Fatalf("commit with a violation: %v", err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM parent").Scan(&n); err != nil || n != 1 {
		t.Errorf("parent rows %d: want the delete rolled back", n)
	}
}
