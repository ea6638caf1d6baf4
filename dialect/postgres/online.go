package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/retortdb/retort/dialect/internal/sqlx"
)

// LockTimedOut reports whether err is SQLSTATE 55P03 (lock_not_available):
// the statement gave up waiting for a lock after lock_timeout (or NOWAIT)
// and took no effect.
func (d *Dialect) LockTimedOut(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

// DropInvalidIndex drops the index a CREATE [UNIQUE] INDEX CONCURRENTLY
// statement builds when an index of that name exists with
// pg_index.indisvalid false (left by a concurrent build that was
// interrupted or failed), with DROP INDEX CONCURRENTLY, and returns its
// name.
func (d *Dialect) DropInvalidIndex(ctx context.Context, conn *sql.Conn, stmt string) (string, error) {
	name := concurrentIndexName(stmt)
	if name == "" {
		return "", nil
	}
	var invalid bool
	err := conn.QueryRowContext(ctx, `SELECT NOT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`, name).Scan(&invalid)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !invalid {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read whether index %s is valid from pg_index: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, "DROP INDEX CONCURRENTLY "+name); err != nil {
		return "", fmt.Errorf("drop the invalid index %s (left by an interrupted CREATE INDEX CONCURRENTLY): %w", name, err)
	}
	return name, nil
}

// concurrentIndexName is the index name, as written (quotes and schema
// included), of a CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS]
// name statement; "" for any other statement, or one without a name.
func concurrentIndexName(stmt string) string {
	rest := skipComments(stmt)
	for _, kw := range []string{"CREATE", "UNIQUE?", "INDEX", "CONCURRENTLY", "IF?", "NOT?", "EXISTS?"} {
		word, after := nextWord(rest)
		optional := strings.HasSuffix(kw, "?")
		switch {
		case strings.EqualFold(word, strings.TrimSuffix(kw, "?")):
			rest = after
		case !optional:
			return ""
		}
	}
	name := identifier(strings.TrimSpace(rest))
	if strings.EqualFold(name, "ON") {
		return ""
	}
	return name
}

// skipComments drops leading whitespace and -- and /* */ comments.
func skipComments(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			_, after, ok := strings.Cut(s, "\n")
			if !ok {
				return ""
			}
			s = after
		case strings.HasPrefix(s, "/*"):
			_, after, ok := strings.Cut(s, "*/")
			if !ok {
				return ""
			}
			s = after
		default:
			return s
		}
	}
}

// nextWord splits off the leading run of letters.
func nextWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(s)
	}
	return s[:end], s[end:]
}

// identifier is the possibly quoted, possibly schema-qualified name at
// the start of s, as written.
func identifier(s string) string {
	i := 0
	for {
		start := i
		if i < len(s) && s[i] == '"' {
			end, closed := sqlx.QuotedEnd(s, i)
			if !closed {
				return ""
			}
			i = end
		} else {
			for i < len(s) && (s[i] == '_' || s[i] == '$' || s[i] >= 0x80 || unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i]))) {
				i++
			}
		}
		if i == start {
			return ""
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		return s[:i]
	}
}
