package mysql

import (
	"context"
	"database/sql"
	"regexp"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// TestCreateScratchCancelledLeavesNothing cancels CreateScratch after
// the server has run its CREATE DATABASE but before the answer reached
// the client (a proxy holds the answer back), and checks that the
// database is not left behind: Ctrl-C during migrate says the scratch
// databases are dropped (issue 12 item 19). A client that gave up on the
// statement would leave the database the server made.
func TestCreateScratchCancelledLeavesNothing(t *testing.T) {
	base := testdb.ServerURL(t, "mysql")
	d := New()
	bg := context.Background()
	bu, err := dialect.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := d.Open(bg, bu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	p := testdb.NewHoldProxy(t, base, "CREATE DATABASE")
	u, err := dialect.ParseURL(p.Through(t, base))
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	name := make(chan string, 1)
	go func() {
		<-p.Seen
		n := regexp.MustCompile(ScratchPrefix + `[0-9a-f]{12}`).FindString(string(p.Packet()))
		name <- n
		t.Cleanup(func() { admin.ExecContext(bg, "DROP DATABASE IF EXISTS "+d.QuoteIdent(n)) })
		waitSchema(admin, n) // the server has made it
		cancel()
		time.Sleep(300 * time.Millisecond)
		p.Release()
	}()
	db, drop, err := d.CreateScratch(ctx, u)
	if err == nil {
		db.Close()
		drop(bg)
		t.Fatal("CreateScratch succeeded although its context was cancelled")
	}
	n := <-name
	if schemaExists(t, admin, n) {
		t.Errorf("scratch database %s left behind after a cancelled CreateScratch (%v)", n, err)
	}
}

const schemaCount = "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"

// waitSchema waits (up to 10s) until the database name exists; the caller
// goes on either way.
func waitSchema(admin *sql.DB, name string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := admin.QueryRowContext(context.Background(), schemaCount, name).Scan(&n); err != nil || n > 0 {
			return
		}
	}
}

// schemaExists reports whether the database name exists.
func schemaExists(t *testing.T, admin *sql.DB, name string) bool {
	t.Helper()
	var n int
	if err := admin.QueryRowContext(context.Background(), schemaCount, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
