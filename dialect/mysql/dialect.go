// Package mysql is retort's MySQL and MariaDB dialect, on
// github.com/go-sql-driver/mysql.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// Dialect is the MySQL/MariaDB dialect, made by New. New's value serves
// MySQL and MariaDB; ForServer returns the variant for a TiDB server.
//
// QuoteIdent, VersionTableDDL, ServerVersion, Begin, SessionUser and
// TableSize are written once for the server dialects
// (dialect/internal/sqlx), from the data New gives them. Begin's
// transaction serves the version-row updates: DDL inside it commits
// implicitly.
type Dialect struct {
	server
	// tidb is set on the dialect ForServer returns for a TiDB server: Render
	// then writes what TiDB accepts (tidb_render.go).
	tidb bool
}

// server is sqlx.Server under a name of this package, so that the field
// that embeds it is unexported.
type server = sqlx.Server

// New returns the dialect.
func New() *Dialect {
	return &Dialect{server: server{
		Base: sqlx.Base{Quote: '`', Columns: sqlx.VersionColumns{
			Timestamp: "datetime(6)",
			Integer:   "int",
			Text:      "TEXT",
			LogID:     "bigint NOT NULL AUTO_INCREMENT PRIMARY KEY",
		}, Version: version},
		// user@host as the server authenticated it.
		UserQuery: "SELECT CURRENT_USER()",
		Size:      tableSize,
	}}
}

// Name returns "mysql".
func (d *Dialect) Name() string { return "mysql" }

// Splitter returns sqlsplit.MySQL.
func (d *Dialect) Splitter() sqlsplit.Dialect { return sqlsplit.MySQL }

// Placeholder returns "?".
func (d *Dialect) Placeholder(n int) string { return "?" }

// QuoteLiteral quotes s in single quotes: backslashes are doubled and
// single quotes doubled, which reads back the same with or without the
// NO_BACKSLASH_ESCAPES mode for strings without backslashes.
func (d *Dialect) QuoteLiteral(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// MaxIdentLen returns 64.
func (d *Dialect) MaxIdentLen() int { return 64 }

// NowUTC returns UTC_TIMESTAMP(6).
func (d *Dialect) NowUTC() string { return "UTC_TIMESTAMP(6)" }

// Open connects to the server and database u names. The driver DSN is
// built from the URL: user, password, host:port (3306 by default),
// database, parseTime=true, and the URL's query parameters passed
// through (multiStatements is always off: retort splits scripts itself).
func (d *Dialect) Open(ctx context.Context, u *dialect.URL) (*sql.DB, error) {
	if u.Dialect != "mysql" || u.Server == nil {
		return nil, fmt.Errorf("open %s: not a mysql:// URL", u.Redacted())
	}
	cfg, err := driverConfig(u)
	if err != nil {
		return nil, myURLError(u, err)
	}
	connector, err := gomysql.NewConnector(cfg)
	if err != nil {
		return nil, myURLError(u, err)
	}
	db := sql.OpenDB(connector)
	// Connecting is what tells that the server accepts the URL; a ping
	// on top would be one more round trip (the driver checks a reused
	// connection without one).
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, myOpenError(u, err)
	}
	c.Close()
	return db, nil
}

// driverConfig converts a retort mysql:// URL into the driver's Config.
func driverConfig(u *dialect.URL) (*gomysql.Config, error) {
	if u.Dialect != "mysql" || u.Server == nil {
		return nil, errors.New("not a mysql:// URL")
	}
	cfg := gomysql.NewConfig()
	if u.Server.User != nil {
		cfg.User = u.Server.User.Username()
		cfg.Passwd = u.Password()
	}
	cfg.Net = "tcp"
	port := u.Server.Port()
	if port == "" {
		port = "3306"
	}
	cfg.Addr = u.Server.Hostname() + ":" + port
	if strings.Contains(u.Server.Hostname(), ":") {
		cfg.Addr = "[" + u.Server.Hostname() + "]:" + port
	}
	cfg.DBName = u.Path
	cfg.ParseTime = true
	// Statements with arguments are sent with the arguments in their
	// text: one round trip, where a server-side prepare takes three
	// messages and two round trips for every version-table write inside
	// a revision's transaction. The driver's interpolation is unsafe
	// only under some multi-byte character sets, so a URL that chooses
	// its charset or collation keeps the driver's default (a URL may
	// also set interpolateParams itself).
	_, charset := u.Query["charset"]
	_, collation := u.Query["collation"]
	cfg.InterpolateParams = !charset && !collation
	dsn := cfg.FormatDSN()
	q := make(map[string][]string, len(u.Query))
	for k, v := range u.Query {
		if k == "multiStatements" {
			continue
		}
		q[k] = v
	}
	if len(q) > 0 {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + encodeQuery(q)
	}
	parsed, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("query parameters: %w", err)
	}
	parsed.MultiStatements = false
	return parsed, nil
}

// myURLError reports a URL the driver cannot use (a bad parameter value):
// the URL once, what is wrong, and that the fault is in the URL.
func myURLError(u *dialect.URL, err error) error {
	return fmt.Errorf("%w %q: %w (fix that parameter in the URL: see the DSN parameters of go-sql-driver/mysql)",
		dialect.ErrBadURL, u.Redacted(), dialect.ScrubPassword(err, u.Password()))
}

func myOpenError(u *dialect.URL, err error) error {
	hint := sqlx.ConnectHint
	var me *gomysql.MySQLError
	if errors.As(err, &me) && (me.Number == 1193 || me.Number == 1231 || me.Number == 1232) {
		// The driver sets the URL's unknown parameters as session
		// variables: the server does not know one (1193) or rejects its
		// value (1231, 1232).
		hint = "check the URL's parameters: the server rejected one of them as a session variable"
	}
	return sqlx.ConnectError(u, err, hint)
}

// IsMissingTable reports error 1146 (ER_NO_SUCH_TABLE).
func (d *Dialect) IsMissingTable(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && me.Number == 1146
}

// IsForeignKeyRefusal reports the errors of a foreign key the server
// cannot create: 1005 with errno 150 (MariaDB, MySQL 5), 1215
// ER_CANNOT_ADD_FOREIGN and 1824 ER_FK_CANNOT_OPEN_PARENT (MySQL).
func (d *Dialect) IsForeignKeyRefusal(err error) bool {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1005:
		return strings.Contains(me.Message, "errno: 150")
	case 1215, 1824:
		return true
	}
	return false
}
