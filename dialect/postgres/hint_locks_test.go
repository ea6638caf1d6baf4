package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestHintOutOfLocks: the error PostgreSQL returns when a revision's
// transaction fills the lock table gets the hint that says what it means
// and the two ways out; other errors do not.
func TestHintOutOfLocks(t *testing.T) {
	d := New()
	pe := &pgconn.PgError{Severity: "ERROR", Code: "53200", Message: "out of shared memory", Hint: "You might need to increase max_locks_per_transaction."}
	got := d.Hint(context.Background(), nil, "CREATE TABLE t1300 (id integer)", fmt.Errorf("exec: %w", pe))
	for _, want := range []string{"out of shared memory", "max_locks_per_transaction", "Split the revision", "`-- Transaction: none`", "resume"} {
		if !strings.Contains(got, want) {
			t.Errorf("hint %q lacks %q", got, want)
		}
	}
	other := &pgconn.PgError{Code: "53100", Message: "could not extend file: disk full"}
	if h := d.Hint(context.Background(), nil, "CREATE TABLE t (id integer)", other); h != "" {
		t.Errorf("hint for 53100 = %q, want none", h)
	}
}
