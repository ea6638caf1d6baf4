package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/lint"
)

// OnlineOptions makes Generate write the revision in the forms that keep a
// live database serving reads and writes (migrate --online), and verify
// that form, the one written, on the scratch database. PostgreSQL:
// CREATE/DROP INDEX CONCURRENTLY, foreign keys and checks NOT VALID then
// VALIDATE, SET NOT NULL through a validated CHECK, UNIQUE through a
// concurrently built index; the revision becomes "Transaction: none" when
// any of that is needed. MySQL/MariaDB: ALGORITHM=INSTANT or INPLACE,
// LOCK=NONE stated, so that the server refuses rather than block writes;
// a change that can only block writes is an *OnlineRefusedError. SQLite:
// nothing changes (Generated.OnlineNotes says so).
type OnlineOptions struct {
	// LockTimeout is how long each statement waits for its table's lock
	// before it gives up (and upgrade retries it): PostgreSQL's
	// lock_timeout, MySQL's lock_wait_timeout in whole seconds, rounded
	// up. It must be positive.
	LockTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout for the
	// statements that hold their lock briefly (an ACCESS EXCLUSIVE ALTER
	// that turns out to rewrite the table is stopped instead of blocking
	// it); the CONCURRENTLY builds and VALIDATE CONSTRAINT statements, long
	// by design and blocking no writes, run with 0 around them. It must be
	// longer than LockTimeout (statement_timeout counts the wait for the
	// lock too, and would otherwise end it first, without the retry);
	// zero writes none. MySQL and MariaDB get none: their online
	// statements block no writes while they run.
	StatementTimeout time.Duration
}

// The defaults of migrate --online.
const (
	// DefaultOnlineLockTimeout is the default OnlineOptions.LockTimeout.
	DefaultOnlineLockTimeout = 5 * time.Second
	// DefaultOnlineStatementTimeout is the default
	// OnlineOptions.StatementTimeout: long enough for a backfill UPDATE of
	// a few million narrow rows, short enough that a statement holding
	// ACCESS EXCLUSIVE longer than expected ends within a minute.
	DefaultOnlineStatementTimeout = time.Minute
)

// Validate reports options Generate would refuse: a lock timeout that is
// not positive, a negative statement timeout, or one not longer than the
// lock timeout.
func (o OnlineOptions) Validate() error {
	switch {
	case o.LockTimeout <= 0:
		return fmt.Errorf("the online lock timeout must be positive, got %s", o.LockTimeout)
	case o.StatementTimeout < 0:
		return fmt.Errorf("the online statement timeout must be 0 (none) or positive, got %s", o.StatementTimeout)
	case o.StatementTimeout > 0 && o.StatementTimeout <= o.LockTimeout:
		return fmt.Errorf("the online statement timeout (%s) must be longer than the online lock timeout (%s): PostgreSQL's statement_timeout counts the wait for a lock too, so it would end that wait first, as an error upgrade does not retry; raise it, or set it to 0 for none", o.StatementTimeout, o.LockTimeout)
	}
	return nil
}

// online rewrites g's sections into their online forms, each judged after
// the project's revisions (tables they created are known, tables g
// creates are left alone). A downgrade that cannot run online keeps its
// generated form, and a note says so: the online form is about the
// upgrade.
func (m *Migrator) online(g *Generated, o OnlineOptions) error {
	if err := o.Validate(); err != nil {
		return err
	}
	lo := lint.OnlineOptions{LockTimeout: o.LockTimeout, StatementTimeout: o.StatementTimeout}
	up, err := m.onlineForm(g.Up, lo)
	if err != nil {
		return err
	}
	lo.NoTransaction = up.NoTransaction
	down, err := m.onlineForm(g.Down, lo)
	var refused *lint.OnlineRefusedError
	var notes []string
	if errors.As(err, &refused) {
		line, _, _ := strings.Cut(refused.SQL, "\n")
		notes = append(notes, fmt.Sprintf("the downgrade keeps its generated form: %s cannot run online (%s)", line, refused.Finding.Code))
		down, err = lint.Online{Statements: g.Down}, nil
	}
	if err != nil {
		return fmt.Errorf("the online form of the downgrade: %w", err)
	}
	if down.NoTransaction && !up.NoTransaction {
		lo.NoTransaction = true
		if up, err = m.onlineForm(g.Up, lo); err != nil {
			return err
		}
	}
	g.Up, g.Down, g.NoTransaction = up.Statements, down.Statements, up.NoTransaction
	g.OnlineNotes = append(up.Notes, notes...)
	return nil
}

// onlineForm rewrites stmts as the revision after the project's
// revisions.
func (m *Migrator) onlineForm(stmts []string, o lint.OnlineOptions) (lint.Online, error) {
	l, err := lint.New(lint.Options{Dialect: m.dialect.Splitter()})
	if err != nil {
		return lint.Online{}, err
	}
	if err := l.ReadAll(m.graph.Revisions()); err != nil {
		return lint.Online{}, err
	}
	return l.Online(stmts, o)
}
