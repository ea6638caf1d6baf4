package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/retortdb/retort/dialect"
)

// scratchDropTimeout bounds the DROP DATABASE of a scratch database.
const scratchDropTimeout = 30 * time.Second

// scratchCreateTimeout bounds the CREATE DATABASE of a scratch database,
// which a cancellation does not stop (see CreateScratch).
const scratchCreateTimeout = 30 * time.Second

// ScratchDeniedError is returned by CreateScratch when the server refuses
// CREATE DATABASE to the user (SQLSTATE 42501, the role lacks CREATEDB).
type ScratchDeniedError struct {
	// URL is the redacted URL of the server that refused.
	URL string
	// Err is the server's error.
	Err error
}

// Error implements error.
func (e *ScratchDeniedError) Error() string {
	return fmt.Sprintf("create scratch database on %s: %v: the user may not create databases; grant it CREATEDB, or set dev_database in retort.toml to a database retort may use as scratch (its contents are replaced)",
		e.URL, e.Err)
}

// Unwrap returns the server's error.
func (e *ScratchDeniedError) Unwrap() error { return e.Err }

// CreateScratch creates an empty database "retort_scratch_<12 hex>" on the
// server u names (CREATE DATABASE is issued on u's own database) and
// returns it opened, with the function that drops it. The drop function
// closes the returned *sql.DB and runs DROP DATABASE ... WITH (FORCE) on a
// context of its own, derived from the one it is given without its
// cancellation, so that it works after ctx (or its own argument) is
// cancelled. A cancellation of ctx while CREATE DATABASE runs takes
// effect once it has finished: the database is then dropped, not left
// behind. A role without CREATEDB gets a *ScratchDeniedError.
func (d *Dialect) CreateScratch(ctx context.Context, u *dialect.URL) (*sql.DB, func(context.Context) error, error) {
	if u == nil || u.Dialect != "postgres" {
		return nil, nil, errors.New("create scratch database: not a postgres:// URL")
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, nil, fmt.Errorf("create scratch database: random name: %w", err)
	}
	name := "retort_scratch_" + hex.EncodeToString(b[:])

	admin, err := d.Open(ctx, u)
	if err != nil {
		return nil, nil, fmt.Errorf("create scratch database: %w", err)
	}
	// CREATE DATABASE runs to its end even when ctx is cancelled: pgx
	// gives up on a cancelled statement by closing its connection, and
	// the server finishes the CREATE regardless, leaving a database that
	// nothing drops. A cancellation is honoured right after it, below,
	// where the scratch database is opened with ctx and dropped when that
	// fails.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), scratchCreateTimeout)
	_, err = admin.ExecContext(cctx, "CREATE DATABASE "+d.QuoteIdent(name))
	cancel()
	admin.Close()
	if err != nil {
		if sqlState(err) == "42501" {
			return nil, nil, &ScratchDeniedError{URL: u.Redacted(), Err: dialect.ScrubPassword(err, u.Password())}
		}
		return nil, nil, fmt.Errorf("create scratch database %s on %s: %w", name, u.Redacted(), dialect.ScrubPassword(err, u.Password()))
	}

	drop := func(dctx context.Context) error {
		if dctx == nil {
			dctx = context.Background()
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(dctx), scratchDropTimeout)
		defer cancel()
		admin, err := d.Open(dctx, u)
		if err != nil {
			return fmt.Errorf("drop scratch database %s: %w", name, err)
		}
		defer admin.Close()
		if _, err := admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+d.QuoteIdent(name)+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop scratch database %s on %s: %w", name, u.Redacted(), dialect.ScrubPassword(err, u.Password()))
		}
		return nil
	}

	db, err := d.Open(ctx, u.WithDatabase(name))
	if err != nil {
		if derr := drop(ctx); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, nil, fmt.Errorf("open scratch database %s: %w", name, err)
	}
	closeAndDrop := func(dctx context.Context) error {
		cerr := db.Close()
		if err := drop(dctx); err != nil {
			return err
		}
		if cerr != nil {
			return fmt.Errorf("close scratch database %s: %w", name, cerr)
		}
		return nil
	}
	return db, closeAndDrop, nil
}
