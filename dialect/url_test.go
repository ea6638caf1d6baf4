package dialect_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
)

// SQLite URLs read as SQLAlchemy reads them after "//": three slashes
// relative, four absolute.
func TestParseURLSQLitePaths(t *testing.T) {
	for _, tc := range []struct{ url, path string }{
		{"sqlite:app.db", "app.db"},
		{"sqlite:/var/app.db", "/var/app.db"},
		{"sqlite:///app.db", "app.db"},
		{"sqlite:///data/app.db", "data/app.db"},
		{"sqlite:////var/app.db", "/var/app.db"},
		{"sqlite3:///app.db", "app.db"},
		{"sqlite://app.db", "app.db"},
		{"sqlite:///:memory:", ":memory:"},
		{"sqlite::memory:", ":memory:"},
		{"sqlite:///app.db?_pragma=foreign_keys(1)", "app.db"},
		{"file:///var/app.db", "/var/app.db"},
	} {
		u, err := dialect.ParseURL(tc.url)
		if err != nil {
			t.Errorf("ParseURL(%s): %v", tc.url, err)
			continue
		}
		if u.Path != tc.path {
			t.Errorf("ParseURL(%s).Path = %q, want %q", tc.url, u.Path, tc.path)
		}
	}
}

// SQLAlchemy's dialect+driver schemes are refused with the URL to write
// instead, password masked.
func TestParseURLDriverSuffix(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"postgresql+psycopg2://u:Secret1@h/db", `bad database URL "postgresql+psycopg2://u:****@h/db": "+psycopg2" names a Python driver, and retort has its own: drop it, as in "postgresql://u:****@h/db"`},
		{"mysql+pymysql://root@h:3306/db", `bad database URL "mysql+pymysql://root@h:3306/db": "+pymysql" names a Python driver, and retort has its own: drop it, as in "mysql://root@h:3306/db"`},
		{"sqlite+pysqlite:///app.db", `bad database URL "sqlite+pysqlite:///app.db": "+pysqlite" names a Python driver, and retort has its own: drop it, as in "sqlite:///app.db"`},
		{"oracle+cx://h/db", `bad database URL "oracle+cx://h/db": unknown scheme "oracle+cx" (expected sqlite:, postgres:// or mysql://)`},
	} {
		_, err := dialect.ParseURL(tc.url)
		if err == nil || err.Error() != tc.want || !errors.Is(err, dialect.ErrBadURL) {
			t.Errorf("ParseURL(%s) = %v\nwant %s", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "Secret1") {
			t.Errorf("ParseURL(%s) shows the password: %v", tc.url, err)
		}
	}
}

// FuzzParseURL: any text parses or fails with ErrBadURL, never panics; a
// "+driver" refusal never shows the password of a well-formed URL.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"sqlite:app.db", "sqlite:///app.db", "sqlite:////var/app.db", "sqlite://", "sqlite:///",
		"sqlite::memory:", "file:///x.db", "sqlite:///a.db?_pragma=foreign_keys(1)",
		"postgresql+psycopg2://u:Secret@h/db", "mysql+pymysql://root:pw@h:3306/db", "+://x",
		"postgres://u:p@h/db?sslmode=disable", "mysql://root@127.0.0.1:3306", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := dialect.ParseURL(s)
		if err != nil {
			if !errors.Is(err, dialect.ErrBadURL) {
				t.Fatalf("ParseURL(%q): error %v does not wrap ErrBadURL", s, err)
			}
			if strings.Contains(err.Error(), "Python driver") {
				passwordHidden(t, s)
			}
			return
		}
		if u.Dialect == "" {
			t.Fatalf("ParseURL(%q): no dialect", s)
		}
	})
}

// passwordHidden checks that ParseURL's error for s does not show the
// password of its user:password@ part. The password is first replaced by
// a marker that can stand nowhere else, so that a password equal to the
// user name or a part of the host ("000:000@") is not taken for a leak.
func passwordHidden(t *testing.T, s string) {
	t.Helper()
	pu, err := url.Parse(strings.TrimSpace(s))
	if err != nil || pu.User == nil {
		return
	}
	if _, ok := pu.User.Password(); !ok {
		return
	}
	const marker = "Zq9pw9qZ"
	ui := pu.User.String() + "@"
	if !strings.Contains(s, ui) {
		return // the input spells the user part otherwise than url re-encodes it
	}
	marked := strings.Replace(s, ui, url.UserPassword(pu.User.Username(), marker).String()+"@", 1)
	if _, err := dialect.ParseURL(marked); err != nil && strings.Contains(err.Error(), marker) {
		t.Fatalf("ParseURL(%q) shows the password: %v", marked, err)
	}
}

// TestResolveIn checks which URLs a project directory resolves: relative
// SQLite files only.
func TestResolveIn(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"sqlite:app.db", "/proj/app.db"},
		{"sqlite:data/app.db", "/proj/data/app.db"},
		{"sqlite:/abs/app.db", "/abs/app.db"},
		{"sqlite::memory:", ":memory:"},
	} {
		u, err := dialect.ParseURL(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		u.ResolveIn("/proj")
		if u.Path != tc.want || u.OnServer() {
			t.Errorf("%s: path %q (on server %v), want %q on no server", tc.raw, u.Path, u.OnServer(), tc.want)
		}
	}
	u, err := dialect.ParseURL("postgres://u@h/db")
	if err != nil {
		t.Fatal(err)
	}
	before := *u
	u.ResolveIn("/proj")
	if u.Path != before.Path || !u.OnServer() {
		t.Errorf("a server URL changed or is not on a server: %+v", u)
	}
}

// TestQueryPassword: a password= query parameter (PostgreSQL reads it) is
// a password like the one in user:password@: masked by Redact, returned
// by Password, left out by WithoutPassword (issue 12 items 26 and 27).
func TestQueryPassword(t *testing.T) {
	redact := map[string]string{
		"postgres://app@h/db?password=s3cret&sslmode=disable":          "postgres://app@h/db?password=****&sslmode=disable",
		"postgres://app@h/db?sslmode=disable&password=s3cret":          "postgres://app@h/db?sslmode=disable&password=****",
		"connect to postgres://app@h/db?password=s3cret: failed":       "connect to postgres://app@h/db?password=****: failed",
		"mysql://u:pw@h/db?PASSWORD=x%26y#frag":                        "mysql://u:****@h/db?PASSWORD=****#frag",
		`url "postgres://h/db?password=a:b" here`:                      `url "postgres://h/db?password=****" here`,
		"no url, a password=word in a sentence":                        "no url, a password=word in a sentence",
		"postgres://app@h/db?passwordless=1&password_hint=x&password=": "postgres://app@h/db?passwordless=1&password_hint=x&password=****",
	}
	for in, want := range redact {
		if got := dialect.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ in, password, bare string }{
		{"postgres://app@h/db?password=s3cret&sslmode=disable", "s3cret", "postgres://app@h/db?sslmode=disable"},
		{"postgres://app:pw@h/db?password=s3cret", "pw", "postgres://app@h/db"},
		{"postgres://app@h/db?sslmode=disable", "", "postgres://app@h/db?sslmode=disable"},
		// MySQL's driver has no password parameter: Password says none,
		// but the file still does not get it.
		{"mysql://app@h/db?password=s3cret", "", "mysql://app@h/db"},
		{"sqlite:app.db?password=x", "", "sqlite:app.db?password=x"},
	} {
		u, err := dialect.ParseURL(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Password(); got != c.password {
			t.Errorf("ParseURL(%q).Password() = %q, want %q", c.in, got, c.password)
		}
		if got := u.WithoutPassword(); got != c.bare {
			t.Errorf("ParseURL(%q).WithoutPassword() = %q, want %q", c.in, got, c.bare)
		}
	}
}
