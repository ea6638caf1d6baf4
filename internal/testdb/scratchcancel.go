package testdb

import (
	"context"
	"database/sql"
	"regexp"
	"testing"
	"time"
)

// ScratchCancel is the test, shared by the server dialects, that a
// scratch database is not left behind when its creation is cancelled after
// the server ran CREATE DATABASE but before its answer reached the client
// (a HoldProxy holds the answer back): Ctrl-C during migrate says the
// scratch databases are dropped, and a client that gave up on the
// statement would leave the database the server made.
type ScratchCancel struct {
	// Base is the server's URL; Admin a handle on it, outside the proxy.
	Base  string
	Admin *sql.DB
	// Create creates a scratch database through the URL given (the
	// proxy's) and returns what removes it.
	Create func(ctx context.Context, url string) (remove func(), err error)
	// Count counts the databases of the name given as its one argument.
	Count string
	// Drop is the statement that drops the database name, for cleanup.
	Drop func(name string) string
}

var scratchName = regexp.MustCompile(`retort_scratch_[0-9a-f]{12}`)

// Run runs the test.
func (c ScratchCancel) Run(t *testing.T) {
	bg := context.Background()
	p := NewHoldProxy(t, c.Base, "CREATE DATABASE")
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	name := make(chan string, 1)
	go func() {
		<-p.Seen
		n := scratchName.FindString(string(p.Packet()))
		name <- n
		t.Cleanup(func() { c.Admin.ExecContext(bg, c.Drop(n)) })
		c.wait(n) // the server has made it
		cancel()
		time.Sleep(300 * time.Millisecond)
		p.Release()
	}()
	remove, err := c.Create(ctx, p.Through(t, c.Base))
	if err == nil {
		remove()
		t.Fatal("the scratch database was created although its context was cancelled")
	}
	n := <-name
	if c.count(t, n) > 0 {
		t.Errorf("scratch database %s left behind after a cancelled creation (%v)", n, err)
	}
}

// wait waits (up to 10s) until the database name exists; the caller goes
// on either way.
func (c ScratchCancel) wait(name string) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var n int
		if err := c.Admin.QueryRowContext(context.Background(), c.Count, name).Scan(&n); err != nil || n > 0 {
			return
		}
	}
}

func (c ScratchCancel) count(t *testing.T, name string) int {
	t.Helper()
	var n int
	if err := c.Admin.QueryRowContext(context.Background(), c.Count, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
