package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	gomysql "github.com/go-sql-driver/mysql"
)

// CommitsImplicitly reports whether stmt commits by itself. Plain data
// changes (INSERT, UPDATE, DELETE, REPLACE) and queries (SELECT, WITH, DO,
// VALUES, TABLE: a long SELECT SLEEP(n) is one) are known not to: none is
// on MySQL's or MariaDB's list of statements that cause an implicit
// commit. Every other statement is taken to commit, which is what MySQL
// does for DDL and the safe reading for anything else.
func (d *Dialect) CommitsImplicitly(stmt string) bool {
	switch strings.ToUpper(firstWord(stmt)) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT", "WITH", "DO", "VALUES", "TABLE":
		return false
	}
	return true
}

// firstWord returns the first keyword of stmt, after white space and
// comments ("--", "#", "/* */"; a "/*!" conditional comment is code and
// ends the search).
func firstWord(s string) string {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		switch {
		case strings.HasPrefix(s, "--") || strings.HasPrefix(s, "#"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*!"):
			return ""
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return ""
			}
			s = s[i+4:]
		default:
			end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
			if end < 0 {
				return s
			}
			return s[:end]
		}
	}
}

// SessionID returns CONNECTION_ID() of conn's session.
func (d *Dialect) SessionID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		return 0, fmt.Errorf("read CONNECTION_ID(): %w", err)
	}
	return id, nil
}

// KillQuery runs KILL QUERY id on a connection of db other than the
// session's: the statement the session runs ends with error 1317 (query
// execution was interrupted) and the session stays open. A session that
// runs nothing is left alone.
func (d *Dialect) KillQuery(ctx context.Context, db *sql.DB, id int64) error {
	if _, err := db.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(id, 10)); err != nil {
		var me *gomysql.MySQLError
		if errors.As(err, &me) && me.Number == 1094 { // unknown thread id: it ended
			return nil
		}
		return fmt.Errorf("stop the running statement with KILL QUERY %d: %w", id, err)
	}
	return nil
}

// Rejected reports whether err is an error the server reported for the
// statement itself, after which the statement had no effect. Interrupted
// statements (1317, 1927 connection killed, 1053 server shutdown, 3024
// and 1969 time limits) and every client-side error (a lost connection)
// are not: the statement may have committed before the error.
func (d *Dialect) Rejected(err error) bool {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 1317, 1927, 1053, 3024, 1969:
		return false
	}
	return true
}
