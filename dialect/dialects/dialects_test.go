package dialects_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
)

func TestByNameAndForURL(t *testing.T) {
	for name, want := range map[string]string{"sqlite": "sqlite", "sqlite3": "sqlite", "postgres": "postgres", "postgresql": "postgres", "mysql": "mysql", "MariaDB": "mysql"} {
		d, err := dialects.ByName(name)
		if err != nil || d.Name() != want {
			t.Errorf("ByName(%q) = %v, %v; want %s", name, d, err, want)
		}
	}
	if _, err := dialects.ByName("oracle"); err == nil {
		t.Error("ByName(oracle) succeeded")
	}
	d, u, err := dialects.ForURL("mariadb://u:pw@h/db")
	if err != nil || d.Name() != "mysql" || u.Path != "db" {
		t.Errorf("ForURL(mariadb://...) = %v, %+v, %v", d, u, err)
	}
	if _, _, err := dialects.ForURL("oracle://u:Secret1@h/db"); err == nil || strings.Contains(err.Error(), "Secret1") {
		t.Errorf("ForURL of an unknown scheme: %v (must fail without the password)", err)
	}
}

func TestOpenSQLiteMemory(t *testing.T) {
	d, _, db, err := dialects.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if d.Name() != "sqlite" {
		t.Errorf("dialect %s", d.Name())
	}
}

// TestPasswordNeverInErrors opens servers with a password that is wrong or
// unreachable and checks that the error names the redacted URL, says what
// to check, and never holds the password, even when the driver's own
// message would contain it.
func TestPasswordNeverInErrors(t *testing.T) {
	pg := testdb.ServerURL(t, "postgres")
	my := testdb.ServerURL(t, "mysql")
	_ = pg
	_ = my
	cases := []struct {
		url, password, redacted string
	}{
		// Nothing listens on port 1.
		{"postgres://postgres:Sup3rSecret@127.0.0.1:1/db?sslmode=disable", "Sup3rSecret", "postgres://postgres:****@127.0.0.1:1/db?sslmode=disable"},
		{"mysql://root:Sup3rSecret@127.0.0.1:1/db", "Sup3rSecret", "mysql://root:****@127.0.0.1:1/db"},
		// A real server refusing the password.
		{"mysql://root:Sup3rSecret@127.0.0.1:3306/mysql", "Sup3rSecret", "mysql://root:****@127.0.0.1:3306/mysql"},
		// A password that the server's message contains ('root'@'localhost').
		{"mysql://root:localhost@127.0.0.1:3306/mysql", "localhost", "mysql://root:****@127.0.0.1:3306/mysql"},
		// PostgreSQL: a database that does not exist; the password is the
		// user name, which the driver's message repeats ("user=postgres"
		// must be scrubbed; the scheme postgres:// of course stays).
		{"postgres://postgres:postgres@127.0.0.1:5432/rt_no_such_db_x?sslmode=disable", "user=postgres", "postgres://postgres:****@127.0.0.1:5432/rt_no_such_db_x?sslmode=disable"},
		// Percent-encoded.
		{"postgres://postgres:p%40ss%2Fw0rd@127.0.0.1:1/db", "p@ss/w0rd", "postgres://postgres:****@127.0.0.1:1/db"},
	}
	for _, c := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _, db, err := dialects.Open(ctx, c.url)
		cancel()
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) succeeded", c.redacted)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, c.password) || strings.Contains(msg, "p%40ss") {
			t.Errorf("error holds the password %q:\n%s", c.password, msg)
		}
		if !strings.Contains(msg, c.redacted) || !strings.Contains(msg, "check that the server is running") {
			t.Errorf("error %q: want the redacted URL %s and what to check", msg, c.redacted)
		}
	}
}
