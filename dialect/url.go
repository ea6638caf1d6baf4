package dialect

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// URL is a parsed database URL. The forms are
//
//	sqlite:path/to/file.db    sqlite::memory:    sqlite:/abs/path.db
//	sqlite:///rel/path.db     sqlite:////abs/path.db   (SQLAlchemy's spelling)
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://)
//	mysql://user:pass@host:3306/db?param=value           (also mariadb://)
type URL struct {
	// Dialect is the canonical dialect name: "sqlite", "postgres" or "mysql".
	Dialect string
	// Path is the database file for SQLite (":memory:" for an in-memory
	// database), and the database name for the server dialects.
	Path string
	// Server is the parsed URL for the server dialects; nil for SQLite.
	Server *url.URL
	// Query holds the URL's query parameters (for SQLite, those after '?').
	Query url.Values

	raw string
}

// ErrBadURL is wrapped by every URL parsing error.
var ErrBadURL = errors.New("bad database URL")

// ParseURL parses a database URL. Errors never contain the password.
func ParseURL(s string) (*URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty (set --database, RETORT_DATABASE_URL or database in retort.toml)", ErrBadURL)
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return nil, fmt.Errorf("%w %q: no scheme (expected sqlite:, postgres:// or mysql://)", ErrBadURL, Redact(s))
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3", "file":
		path := sqlitePath(strings.ToLower(scheme), rest)
		var q url.Values
		if p, query, ok := strings.Cut(path, "?"); ok {
			path = p
			v, err := url.ParseQuery(query)
			if err != nil {
				return nil, fmt.Errorf("%w %q: query: %v", ErrBadURL, s, err)
			}
			q = v
		}
		if path == "" {
			return nil, fmt.Errorf("%w %q: no file path (for example sqlite:app.db or sqlite::memory:)", ErrBadURL, s)
		}
		return &URL{Dialect: "sqlite", Path: path, Query: q, raw: s}, nil
	case "postgres", "postgresql", "mysql", "mariadb":
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%w %q: cannot parse (check the user, password and host parts; special characters in a password must be percent-encoded)", ErrBadURL, Redact(s))
		}
		if u.Host == "" {
			return nil, fmt.Errorf("%w %q: no host (for example %s://user@localhost/dbname)", ErrBadURL, Redact(s), scheme)
		}
		name := strings.TrimPrefix(u.Path, "/")
		if name == "" {
			return nil, fmt.Errorf("%w %q: no database name after the host", ErrBadURL, Redact(s))
		}
		d := "postgres"
		if strings.HasPrefix(strings.ToLower(scheme), "m") {
			d = "mysql"
		}
		return &URL{Dialect: d, Path: name, Server: u, Query: u.Query(), raw: s}, nil
	default:
		if base, driver, ok := strings.Cut(scheme, "+"); ok && knownScheme(base) {
			// SQLAlchemy's dialect+driver: the driver is Python's.
			return nil, fmt.Errorf("%w %q: %q names a Python driver, and retort has its own: drop it, as in %q", ErrBadURL, Redact(s), "+"+driver, Redact(base+s[len(scheme):]))
		}
		return nil, fmt.Errorf("%w %q: unknown scheme %q (expected sqlite:, postgres:// or mysql://)", ErrBadURL, Redact(s), scheme)
	}
}

// knownScheme reports whether scheme (any case) is one ParseURL reads.
func knownScheme(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3", "file", "postgres", "postgresql", "mysql", "mariadb":
		return true
	}
	return false
}

// sqlitePath is the file path of a SQLite URL after "scheme:". After
// "//" (an empty host) SQLAlchemy's and Flask-SQLAlchemy's reading holds,
// which their users bring along: sqlite:///app.db is the relative path
// app.db and sqlite:////var/app.db the absolute /var/app.db. A file: URI
// keeps the standard reading (file:///var/app.db is /var/app.db).
func sqlitePath(scheme, rest string) string {
	after, ok := strings.CutPrefix(rest, "//")
	if !ok {
		return rest
	}
	if scheme == "file" {
		return after
	}
	return strings.TrimPrefix(after, "/")
}

// String returns the URL as given, password included. Never print it:
// use Redacted.
func (u *URL) String() string { return u.raw }

// Redacted returns the URL with its password replaced by "****".
func (u *URL) Redacted() string { return Redact(u.raw) }

// Password returns the URL's password, or "" when it has none: the one
// in user:password@, else, for PostgreSQL, a password= query parameter
// (libpq's and pgx's other place for it).
func (u *URL) Password() string {
	if u.Server == nil {
		return ""
	}
	if u.Server.User != nil {
		if p, ok := u.Server.User.Password(); ok {
			return p
		}
	}
	if u.Dialect == "postgres" {
		return u.Query.Get("password")
	}
	return ""
}

// WithoutPassword returns the URL as given without its password: the
// user:password@ part keeps the user, and a password= query parameter is
// left out. A SQLite URL is returned as it is.
func (u *URL) WithoutPassword() string {
	if u.Server == nil {
		return u.raw
	}
	bare := *u.Server
	changed := false
	if _, ok := bare.User.Password(); ok {
		bare.User = url.User(bare.User.Username())
		changed = true
	}
	if q := bare.Query(); q.Has("password") {
		q.Del("password")
		bare.RawQuery = q.Encode()
		changed = true
	}
	if !changed {
		return u.raw
	}
	return bare.String()
}

// WithDatabase returns a copy of a server URL that names another database
// on the same server.
func (u *URL) WithDatabase(name string) *URL {
	if u.Server == nil {
		return &URL{Dialect: u.Dialect, Path: name, Query: u.Query, raw: "sqlite:" + name}
	}
	s := *u.Server
	s.Path = "/" + name
	s.RawPath = ""
	return &URL{Dialect: u.Dialect, Path: name, Server: &s, Query: u.Query, raw: s.String()}
}

// Redact replaces the password of every URL-like user:password@ part in s,
// and the value of every password= query parameter, with "****". It is
// safe on any text, URL or not.
func Redact(s string) string {
	return queryPassword.ReplaceAllStringFunc(redactUserinfo(s), func(m string) string {
		eq := strings.IndexByte(m, '=')
		value := m[eq+1:]
		// Punctuation that ends the value is the text's, as in
		// "connect to postgres://h/db?password=x: ...".
		trimmed := strings.TrimRight(value, ":;,.)")
		return m[:eq+1] + "****" + value[len(trimmed):]
	})
}

// queryPassword matches a password= query parameter up to the end of its
// value.
var queryPassword = regexp.MustCompile(`(?i)[?&]password=[^&#\s"']*`)

// redactUserinfo replaces the password of every URL-like user:password@
// part in s with "****".
func redactUserinfo(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		// The authority ends at the first '/', '?', '#' or whitespace after
		// the last '@' that precedes any of them.
		end := strings.IndexAny(s, "/?# \t\n\"'")
		if end < 0 {
			end = len(s)
		}
		auth := s[:end]
		at := strings.LastIndex(auth, "@")
		if at >= 0 {
			if c := strings.Index(auth[:at], ":"); c >= 0 {
				b.WriteString(auth[:c+1])
				b.WriteString("****")
				b.WriteString(auth[at:])
				s = s[end:]
				continue
			}
		}
		b.WriteString(auth)
		s = s[end:]
	}
}

// CreatesOnOpen reports whether opening u may create a database that is
// not there yet: a SQLite file (or a file: URI, which is not looked into)
// that does not exist. Server databases are never created by opening.
func (u *URL) CreatesOnOpen() bool {
	if u.Dialect != "sqlite" || strings.HasPrefix(u.Path, ":memory:") {
		return false
	}
	if u.Path == "" || strings.HasPrefix(u.Path, "file:") {
		return true
	}
	st, err := os.Stat(u.Path)
	return err != nil || !st.Mode().IsRegular()
}

// ResolveIn makes a relative database file path (SQLite) relative to dir
// rather than to the process's working directory; server URLs, in-memory
// databases, file: URIs and absolute paths are left as they are.
func (u *URL) ResolveIn(dir string) {
	if u.Dialect != "sqlite" || u.Path == "" || strings.HasPrefix(u.Path, ":memory:") || strings.HasPrefix(u.Path, "file:") || filepath.IsAbs(u.Path) {
		return
	}
	u.Path = filepath.Join(dir, u.Path)
}

// OnServer reports whether u names a database on a server, next to which
// scratch databases can be created; a SQLite database is a file, and its
// scratch databases live in memory.
func (u *URL) OnServer() bool { return u.Dialect != "sqlite" }
