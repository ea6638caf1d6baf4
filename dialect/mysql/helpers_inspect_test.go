package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// newDB returns a fresh MariaDB/MySQL test database.
func newInspectDB(t testing.TB) *testdb.DB {
	t.Helper()
	return testdb.New(t, "mysql")
}

// execSQL runs statements (one per argument) on db.
func inspectExec(t testing.TB, db *testdb.DB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := db.DB.ExecContext(ctx, s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

// inspectDB inspects db with default options and returns the schema and
// the number of catalog queries.
func inspectDB(t testing.TB, db *testdb.DB, opts dialect.InspectOptions) (*schema.Schema, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, n, err := inspect(ctx, conn, opts)
	if err != nil {
		t.Fatalf("inspect %s: %v", db.Name, err)
	}
	return s, n
}

// clientLoad runs script through the mariadb (or mysql) command-line
// client into db, as a user would load a dump.
func clientLoad(t testing.TB, db *testdb.DB, script string) {
	t.Helper()
	u, err := url.Parse(testdb.ServerURL(t, "mysql"))
	if err != nil {
		t.Fatal(err)
	}
	client, err := exec.LookPath("mariadb")
	if err != nil {
		if client, err = exec.LookPath("mysql"); err != nil {
			t.Fatal("neither the mariadb nor the mysql client is installed")
		}
	}
	args := []string{"--protocol=TCP", "-h", u.Hostname()}
	if p := u.Port(); p != "" {
		args = append(args, "-P", p)
	}
	env := os.Environ()
	if u.User != nil {
		args = append(args, "-u", u.User.Username())
		if pw, ok := u.User.Password(); ok {
			env = append(env, "MYSQL_PWD="+pw)
		}
	}
	args = append(args, db.Name)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, client, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("load into %s with %s: %v\n%s", db.Name, client, err, out.String())
	}
}

// firstDiff describes the first differing line of two texts, with a few
// lines of context, in a unified-diff-like form.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	n := 0
	for n < len(al) && n < len(bl) && al[n] == bl[n] {
		n++
	}
	var s strings.Builder
	fmt.Fprintf(&s, "@@ line %d @@\n", n+1)
	for k := max(0, n-3); k < n; k++ {
		fmt.Fprintf(&s, "  %s\n", al[k])
	}
	for k := n; k < min(len(al), n+5); k++ {
		fmt.Fprintf(&s, "- %s\n", al[k])
	}
	for k := n; k < min(len(bl), n+5); k++ {
		fmt.Fprintf(&s, "+ %s\n", bl[k])
	}
	return s.String()
}

// roundTrip inspects src, formats it, loads the text into a fresh
// database with the client, inspects and formats again, and fails when the
// two texts differ. It returns the first text.
func roundTrip(t *testing.T, src *testdb.DB) string {
	t.Helper()
	d := New()
	s1, _ := inspectDB(t, src, dialect.InspectOptions{})
	text1 := d.Format(s1)
	dst := newInspectDB(t)
	clientLoad(t, dst, text1)
	s2, _ := inspectDB(t, dst, dialect.InspectOptions{})
	text2 := d.Format(s2)
	if text1 != text2 {
		t.Fatalf("round trip differs (- first database, + reloaded):\n%s", firstDiff(text1, text2))
	}
	return text1
}

// execConn runs statements on one connection.
func inspectExecConn(t testing.TB, conn interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}
