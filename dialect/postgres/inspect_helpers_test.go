package postgres

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// newTestDB returns a fresh PostgreSQL database (skips without
// RETORT_TEST_POSTGRES).
func newTestDB(t testing.TB) *testdb.DB {
	t.Helper()
	return testdb.New(t, "postgres")
}

// execSQL runs statements on db.
func execSQL(t testing.TB, db *testdb.DB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := db.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

// inspectDB inspects db with opts and returns the schema and the number of
// catalog queries it took.
func inspectDB(t testing.TB, db *testdb.DB, opts dialect.InspectOptions) (*schema.Schema, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	i := newInspector(conn, opts)
	if err := i.run(ctx); err != nil {
		t.Fatalf("inspect %s: %v", db.Name, err)
	}
	return i.s, i.queries
}

// inspectFormat inspects db through the public API and formats the result.
func inspectFormat(t testing.TB, db *testdb.DB) (*schema.Schema, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := New().Inspect(ctx, conn, dialect.InspectOptions{})
	if err != nil {
		t.Fatalf("inspect %s: %v", db.Name, err)
	}
	return s, New().Format(s)
}

// relPSQLFile loads file into db with psql. With stopOnError false, errors
// are reported by psql on stderr but the load goes on.
func relPSQLFile(t testing.TB, db *testdb.DB, file string, stopOnError bool) {
	t.Helper()
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed")
	}
	stop := "ON_ERROR_STOP=1"
	if !stopOnError {
		stop = "ON_ERROR_STOP=0"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-v", stop, "-d", db.URL, "-f", file)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c client_min_messages=warning")
	out, err := cmd.CombinedOutput()
	if err != nil && stopOnError {
		t.Fatalf("psql -f %s on %s: %v\n%s", file, dialect.Redact(db.URL), err, out)
	}
	if !stopOnError && len(out) > 0 {
		t.Logf("psql -f %s (errors accepted):\n%s", file, firstLines(string(out), 10))
	}
}

// relPSQLText loads SQL text into db with psql, stopping at the first error.
func relPSQLText(t testing.TB, db *testdb.DB, text string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "load.sql")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	relPSQLFile(t, db, f, true)
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... (%d more lines)\n", len(lines)-n))
	}
	return strings.Join(lines, "")
}

// diffText describes the first difference between want and got, with a
// few lines of context, unified-diff style.
func diffText(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	k := 0
	for k < len(w) && k < len(g) && w[k] == g[k] {
		k++
	}
	var b strings.Builder
	from := max(k-3, 0)
	fmt.Fprintf(&b, "first difference at line %d:\n", k+1)
	for j := from; j < k; j++ {
		fmt.Fprintf(&b, "  %s\n", w[j])
	}
	for j := k; j < min(k+6, len(w)); j++ {
		fmt.Fprintf(&b, "- %s\n", w[j])
	}
	for j := k; j < min(k+6, len(g)); j++ {
		fmt.Fprintf(&b, "+ %s\n", g[j])
	}
	return b.String()
}

// roundTrip formats the inspection of x, applies it to a fresh database
// with psql, and checks that its inspection formats to the same text. It
// returns that second database.
func roundTrip(t *testing.T, x *testdb.DB) *testdb.DB {
	t.Helper()
	_, text1 := inspectFormat(t, x)
	y := newTestDB(t)
	relPSQLText(t, y, text1)
	_, text2 := inspectFormat(t, y)
	if text1 != text2 {
		t.Errorf("round trip differs (- first database, + its canonical SQL applied to an empty one):\n%s", diffText(text1, text2))
	}
	return y
}
