package sqlx

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
)

// RowQueryer is what QueryString reads from: a *sql.DB or a *sql.Conn.
type RowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// QueryString returns the one text value query selects (the server's
// version, the session's user). what names that value in the error ("the
// server version").
func QueryString(ctx context.Context, q RowQueryer, query, what string) (string, error) {
	var v string
	if err := q.QueryRowContext(ctx, query).Scan(&v); err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	return v, nil
}

// MajorMinor returns "major.minor" of a version string: "10.11" of
// "10.11.6-MariaDB-0+deb12u1", "3.46" of "3.46.1"; v up to its first '-'
// when it has no minor part.
func MajorMinor(v string) string {
	v, _, _ = strings.Cut(v, "-")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// ConnectHint is what to check when a server refuses or does not answer
// a connection.
const ConnectHint = "check that the server is running and reachable at that host and port, and the user, password and database name"

// ConnectError reports that connecting to u failed with err: the URL
// without its password, the driver's error scrubbed of it, and hint.
func ConnectError(u *dialect.URL, err error, hint string) error {
	return fmt.Errorf("connect to %s: %w (%s)", u.Redacted(), dialect.ScrubPassword(err, u.Password()), hint)
}
