package mysql_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/mysql"
	"github.com/retortdb/retort/internal/testdb"
)

// myCommands lists the commands a client sent (the packets that start a
// command, sequence number 0): COM_QUERY with its text, others by number.
func myCommands(sent []byte) []string {
	var out []string
	for len(sent) >= 4 {
		n := int(sent[0]) | int(sent[1])<<8 | int(sent[2])<<16
		seq, body := sent[3], sent[4:min(4+n, len(sent))]
		sent = sent[min(4+n, len(sent)):]
		switch {
		case seq != 0 || len(body) == 0:
			continue // the handshake's answers
		case body[0] == 0x03:
			out = append(out, "query "+string(body[1:]))
		default:
			out = append(out, fmt.Sprintf("command %#x", body[0]))
		}
	}
	return out
}

// Open and a query, as "retort current" does them: the handshake and the
// query, no COM_PING (0x0e).
func TestOpenAndQueryRoundTrips(t *testing.T) {
	tdb := testdb.New(t, "mysql")
	rec := testdb.NewRecorder(t, tdb.URL)
	u, err := dialect.ParseURL(rec.Through(t, tdb.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := mysql.New().Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
	db.Close()
	// COM_QUIT (0x1) may or may not have gone through the proxy yet.
	got := strings.TrimSuffix(strings.Join(myCommands(rec.Sent()), " | "), " | command 0x1")
	if want := "query SELECT 1"; got != want {
		t.Errorf("commands: %s\nwant: %s", got, want)
	}
}
