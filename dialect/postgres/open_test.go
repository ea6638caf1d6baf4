package postgres

import (
	"context"
	"database/sql"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
)

// pgMessages lists the messages a client sent, after the startup
// message: the type letter, and for a simple query ('Q') its text.
func pgMessages(t *testing.T, sent []byte) []string {
	t.Helper()
	if len(sent) < 4 {
		t.Fatalf("no startup message in %q", sent)
	}
	sent = sent[binary.BigEndian.Uint32(sent):]
	var out []string
	for len(sent) >= 5 {
		typ, n := sent[0], int(binary.BigEndian.Uint32(sent[1:5]))
		body := sent[5 : 1+n]
		m := string(typ)
		if typ == 'Q' {
			m += " " + strings.TrimRight(string(body), "\x00")
		}
		out = append(out, m)
		sent = sent[1+n:]
	}
	return out
}

// Open and a read of the version table, as "retort current" does them:
// the startup message, one simple query, the goodbye. No ping (database/
// sql's, or pgx's on the connection's first reuse), no prepared
// statement round trip.
func TestOpenAndQueryRoundTrips(t *testing.T) {
	tdb := testdb.New(t, "postgres")
	rec := testdb.NewRecorder(t, tdb.URL)
	u, err := dialect.ParseURL(rec.Through(t, tdb.URL))
	if err != nil {
		t.Fatal(err)
	}
	d := New()
	ctx := context.Background()
	db, err := d.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1", d.OneTripArgs(db)...).Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
	db.Close()
	// The goodbye ('X') may or may not have gone through the proxy yet.
	got := strings.TrimSuffix(strings.Join(pgMessages(t, rec.Sent()), " | "), " | X")
	if want := "Q SELECT 1"; got != want {
		t.Errorf("messages after startup: %s\nwant: %s", got, want)
	}
}

// pingIfIdle keeps pgx's rule (ping a connection idle for more than a
// second) and counts a connection never reused from when it was made.
func TestPingIfIdle(t *testing.T) {
	tdb := testdb.New(t, "postgres")
	ctx := context.Background()
	c, err := pgx.Connect(ctx, tdb.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	neverReset := time.Since(time.Time{})
	for _, tc := range []struct {
		made        time.Duration // ago; 0: not noted
		idle        time.Duration
		ping        bool
		whatItMeans string
	}{
		{50 * time.Millisecond, neverReset, false, "a new connection's first reuse"},
		{3 * time.Second, neverReset, true, "a connection made long ago, never reused"},
		{3 * time.Second, 100 * time.Millisecond, false, "reused a moment ago"},
		{3 * time.Second, 2 * time.Second, true, "idle for two seconds"},
		{0, neverReset, true, "a connection pgx made without noteConnected"},
	} {
		delete(c.PgConn().CustomData(), connectedAt)
		if tc.made > 0 {
			c.PgConn().CustomData()[connectedAt] = time.Now().Add(-tc.made)
		}
		if got := pingIfIdle(ctx, stdlib.ShouldPingParams{Conn: c, IdleDuration: tc.idle}); got != tc.ping {
			t.Errorf("%s: ping %v; want %v", tc.whatItMeans, got, tc.ping)
		}
	}
}

// OneTripArgs names pgx's mode only to pgx's own driver.
func TestOneTripArgsOtherDriver(t *testing.T) {
	d := New()
	other, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if args := d.OneTripArgs(other); args != nil {
		t.Errorf("OneTripArgs on a SQLite handle: %v; want none", args)
	}
}
