// Package scratchtest holds the scratch-database tests that the server
// dialects (PostgreSQL, MySQL) run alike.
package scratchtest

import (
	"context"
	"database/sql"
	"regexp"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// Catalog is how a test finds and removes a database on one server.
type Catalog struct {
	// Count counts the databases of the name given as its one argument.
	Count string
	// Drop is the statement that drops the database name.
	Drop func(name string) string
}

var scratchName = regexp.MustCompile(`retort_scratch_[0-9a-f]{12}`)

// CancelledCreate checks, for d on the test server of dialect name
// (testdb.ServerURL), that a scratch database is not left behind when its
// creation is cancelled after the server ran CREATE DATABASE but before
// its answer reached the client (a HoldProxy holds the answer back):
// Ctrl-C during migrate says the scratch databases are dropped, and a
// client that gave up on the statement would leave the database the
// server made.
func CancelledCreate(t *testing.T, d dialect.Dialect, name string, c Catalog) {
	base := testdb.ServerURL(t, name)
	admin := open(t, d, base)
	bg := context.Background()
	p := testdb.NewHoldProxy(t, base, "CREATE DATABASE")
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	made := make(chan string, 1)
	go func() {
		<-p.Seen
		n := scratchName.FindString(string(p.Packet()))
		made <- n
		t.Cleanup(func() { admin.ExecContext(bg, c.Drop(n)) })
		c.wait(admin, n) // the server has made it
		cancel()
		time.Sleep(300 * time.Millisecond)
		p.Release()
	}()
	u, err := dialect.ParseURL(p.Through(t, base))
	if err != nil {
		t.Fatal(err)
	}
	db, drop, err := d.CreateScratch(ctx, u)
	if err == nil {
		db.Close()
		drop(bg)
		t.Fatal("the scratch database was created although its context was cancelled")
	}
	n := <-made
	if c.count(t, admin, n) > 0 {
		t.Errorf("scratch database %s left behind after a cancelled creation (%v)", n, err)
	}
}

// open opens an administrative handle on the server at base, outside the
// proxy.
func open(t *testing.T, d dialect.Dialect, base string) *sql.DB {
	t.Helper()
	bu, err := dialect.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := d.Open(context.Background(), bu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return admin
}

// wait waits (up to 10s) until the database name exists; the caller goes
// on either way.
func (c Catalog) wait(admin *sql.DB, name string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := admin.QueryRowContext(context.Background(), c.Count, name).Scan(&n); err != nil || n > 0 {
			return
		}
	}
}

func (c Catalog) count(t *testing.T, admin *sql.DB, name string) int {
	t.Helper()
	var n int
	if err := admin.QueryRowContext(context.Background(), c.Count, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
