package dialect

import (
	"context"
	"database/sql"
)

// ServerVersioner is implemented by dialects that can name the version of
// the server a database runs on, as far as it can change what inspection
// returns: the major version (PostgreSQL "15"), or major.minor where
// minor releases change behaviour (MariaDB "mariadb-10.11", SQLite
// "3.46"). Autogenerate's head-schema cache keys on it.
type ServerVersioner interface {
	ServerVersion(ctx context.Context, db *sql.DB) (string, error)
}
