// Package testdb gives tests their own databases on the servers named by
// RETORT_TEST_POSTGRES and RETORT_TEST_MYSQL, under unique names, dropped
// when the test ends. Without the variable the test is skipped with a
// message that names it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // driver for MySQL/MariaDB
	_ "github.com/jackc/pgx/v5/stdlib" // driver for PostgreSQL
	_ "modernc.org/sqlite"             // driver for SQLite
)

// Env names the environment variable that holds a server's URL.
var Env = map[string]string{
	"postgres": "RETORT_TEST_POSTGRES",
	"mysql":    "RETORT_TEST_MYSQL",
}

// DB is a test database.
type DB struct {
	// Dialect is "sqlite", "postgres" or "mysql".
	Dialect string
	// URL is the retort URL of the database (postgres://..., mysql://...,
	// sqlite:/path).
	URL string
	// Name is the database name (the file path for SQLite).
	Name string
	// DB is an open handle on it.
	DB *sql.DB
}

// Dialects lists the three dialects in the order tests run them.
var Dialects = []string{"sqlite", "postgres", "mysql"}

// New creates a fresh, empty database for dialect and registers its removal
// with t.Cleanup. The server dialects skip the test when their environment
// variable is unset.
func New(t testing.TB, dialect string) *DB {
	t.Helper()
	switch dialect {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "test.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return &DB{Dialect: dialect, URL: "sqlite:" + path, Name: path, DB: db}
	case "postgres", "mysql":
		base := ServerURL(t, dialect)
		env := Env[dialect]
		name := UniqueName(t)
		admin, err := openURL(dialect, base)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		q := quote(dialect, name)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+q); err != nil {
			t.Fatalf("create test database %s: %v", name, err)
		}
		u := withDB(base, name)
		db, err := openURL(dialect, u)
		if err != nil {
			t.Fatalf("open test database %s: %v", name, err)
		}
		t.Cleanup(func() {
			db.Close()
			admin, err := openURL(dialect, base)
			if err != nil {
				t.Errorf("drop test database %s: %v", name, err)
				return
			}
			defer admin.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			stmt := "DROP DATABASE IF EXISTS " + q
			if dialect == "postgres" {
				stmt += " WITH (FORCE)"
			}
			if _, err := admin.ExecContext(ctx, stmt); err != nil {
				t.Errorf("drop test database %s: %v", name, err)
			}
		})
		return &DB{Dialect: dialect, URL: u, Name: name, DB: db}
	default:
		t.Fatalf("testdb: unknown dialect %q", dialect)
		return nil
	}
}

// UniqueName returns a database name unique to this run and test:
// "rt_<test>_<random>", lower case, at most 60 bytes.
func UniqueName(t testing.TB) string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			s.WriteRune(r)
		} else {
			s.WriteByte('_')
		}
	}
	n := s.String()
	if len(n) > 40 {
		n = n[len(n)-40:]
	}
	return "rt_" + n + "_" + hex.EncodeToString(b[:])
}

// ServerURL returns the server URL for dialect from its environment
// variable, or skips the test. When RETORT_REQUIRE_SERVERS is set (as CI
// sets it), a missing variable fails the test instead.
func ServerURL(t testing.TB, dialect string) string {
	t.Helper()
	env := Env[dialect]
	u := lookupEnv(env)
	if u == "" && lookupEnv("RETORT_REQUIRE_SERVERS") != "" {
		t.Fatalf("%s is not set but RETORT_REQUIRE_SERVERS is: CI must provide every database server", env)
	}
	if u == "" {
		t.Skipf("%s is not set: set it to a %s server URL to run this test (for example %s)", env, dialect, example(dialect))
	}
	return u
}

func example(dialect string) string {
	if dialect == "postgres" {
		return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	return "mysql://root@127.0.0.1:3306/mysql"
}

func quote(dialect, name string) string {
	if dialect == "mysql" {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

func withDB(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// DriverDSN converts a retort server URL into the driver name and DSN that
// database/sql takes. It is for tests only; the dialect packages own the
// real conversion.
func DriverDSN(dialect, u string) (driver, dsn string, err error) {
	switch dialect {
	case "postgres":
		return "pgx", u, nil
	case "mysql":
		p, err := url.Parse(u)
		if err != nil {
			return "", "", err
		}
		user := ""
		if p.User != nil {
			user = p.User.Username()
			if pw, ok := p.User.Password(); ok {
				user += ":" + pw
			}
		}
		q := p.Query()
		q.Set("multiStatements", "true")
		q.Set("parseTime", "true")
		return "mysql", fmt.Sprintf("%s@tcp(%s)%s?%s", user, p.Host, p.Path, q.Encode()), nil
	case "sqlite":
		return "sqlite", strings.TrimPrefix(u, "sqlite:"), nil
	}
	return "", "", fmt.Errorf("unknown dialect %q", dialect)
}

func openURL(dialect, u string) (*sql.DB, error) {
	driver, dsn, err := DriverDSN(dialect, u)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Create makes a fresh database like New, for callers without a testing.TB
// (testscript's Setup): it returns the database and the function that drops
// it. The server dialects need their environment variable; label is folded
// into the name.
func Create(dialect, label, sqliteDir string) (*DB, func(), error) {
	if dialect == "sqlite" {
		path := filepath.Join(sqliteDir, "app.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			return nil, nil, err
		}
		return &DB{Dialect: dialect, URL: "sqlite:" + path, Name: path, DB: db}, func() { db.Close() }, nil
	}
	env := Env[dialect]
	base := lookupEnv(env)
	if base == "" {
		return nil, nil, fmt.Errorf("%s is not set", env)
	}
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, nil, err
	}
	var s strings.Builder
	for _, r := range strings.ToLower(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			s.WriteRune(r)
		} else {
			s.WriteByte('_')
		}
	}
	n := s.String()
	if len(n) > 40 {
		n = n[len(n)-40:]
	}
	name := "rt_" + n + "_" + hex.EncodeToString(b[:])
	admin, err := openURL(dialect, base)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", env, err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quote(dialect, name)); err != nil {
		return nil, nil, fmt.Errorf("create test database %s: %w", name, err)
	}
	u := withDB(base, name)
	db, err := openURL(dialect, u)
	if err != nil {
		return nil, nil, err
	}
	drop := func() {
		db.Close()
		admin, err := openURL(dialect, base)
		if err != nil {
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stmt := "DROP DATABASE IF EXISTS " + quote(dialect, name)
		if dialect == "postgres" {
			stmt += " WITH (FORCE)"
		}
		admin.ExecContext(ctx, stmt)
	}
	return &DB{Dialect: dialect, URL: u, Name: name, DB: db}, drop, nil
}
