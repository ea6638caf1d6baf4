// Package retort is version control for database schemas, as a Go
// library: it applies and reverts the revisions of a migrations source
// (any fs.FS, so embed.FS works) on SQLite, PostgreSQL and MySQL/MariaDB,
// and records every step in the database's version tables.
//
// Upgrade on start-up:
//
//	m, err := retort.New(postgres.New(), db, migrationsFS)
//	if err == nil {
//		_, err = m.Upgrade(ctx, "head")
//	}
//
// Revisions may also be written in Go (GoRevision, WithGoRevisions), and
// the desired schema for Generate and Check may come from the application
// (WithDesiredSource). The cli package mounts the whole command line into
// an application as "myapp db ...".
//
// A Migrator holds no mutable state of its own and is safe for concurrent
// use; concurrent migrators, in one process or many, are serialised by the
// database's migration lock. Errors are typed (StatementError,
// MultipleHeadsError, ...: errors.As finds them) and carry sentinels
// (ErrMultipleHeads, ...: errors.Is finds them).
//
// The work is done by retort's internal engine, which the command line
// uses too; this package is its public face, and its results are types of
// its own (Revision, Plan, Graph, Change, Row, Status, Generated,
// Squashed) holding plain values.
package retort

import (
	"context"
	"database/sql"
	"io"
	"io/fs"
	"log/slog"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/engine"
)

// Migrator applies, reverts and records the revisions of one migrations
// source on one database. Make it with New.
type Migrator struct {
	e *engine.Migrator
}

// New makes a Migrator for database db (nil for offline work: History,
// SQL) of dialect d, with the revision files of fsys (nil when every
// revision is a Go revision). Invalid options are an *OptionError
// (ErrInvalidOption); no revisions at all is ErrNoRevisions unless
// WithAllowEmpty is given.
func New(d dialect.Dialect, db *sql.DB, fsys fs.FS, opts ...Option) (*Migrator, error) {
	eopts := make([]engine.Option, 0, len(opts))
	for _, o := range opts {
		if o.o != nil {
			eopts = append(eopts, o.o)
		}
	}
	e, err := engine.New(d, db, fsys, eopts...)
	if err != nil {
		return nil, err
	}
	return &Migrator{e: e}, nil
}

// Option configures a Migrator. New applies the options in order and
// refuses the first that is invalid.
type Option struct {
	o engine.Option
}

// DesiredSource gives the desired schema as SQL for a dialect: the
// application's models, rendered (models.Desired returns one). Generate,
// Check and the CLI's migrate and check use it when no SQL files are given.
type DesiredSource = engine.DesiredSource

// DesiredFunc adapts a function to a DesiredSource.
type DesiredFunc = engine.DesiredFunc

// GoRevision is a revision written in Go: see WithGoRevisions. Up and Down
// run in the revision's transaction; UpNoTx and DownNoTx on the migration
// connection outside any transaction, recorded "partial" until they return.
type GoRevision = engine.GoRevision

// WithDesiredSource sets where the desired schema comes from when
// GenerateOptions.Desired is empty: the application's models. It may be
// given once.
func WithDesiredSource(src DesiredSource) Option {
	return Option{engine.WithDesiredSource(src)}
}

// WithGoRevisions adds revisions written in Go to the graph. A Go revision
// replaces its placeholder file (same id, "Go: true") when the migrations
// have one.
func WithGoRevisions(revs ...GoRevision) Option {
	return Option{engine.WithGoRevisions(revs...)}
}

// WithPrivileges makes Generate, Check and Drift compare and migrate the
// privileges granted on the schema's objects (GRANT/REVOKE), where the
// dialect inspects them (PostgreSQL). Without it they are ignored.
func WithPrivileges() Option { return Option{engine.WithPrivileges()} }

// WithAllowEmpty lets New succeed with no revisions at all, for tools
// that write the first one.
func WithAllowEmpty() Option { return Option{engine.WithAllowEmpty()} }

// WithVersionTables names the version tables (defaults retort_revisions
// and retort_log). Both names are required and must differ.
func WithVersionTables(revisions, log string) Option {
	return Option{engine.WithVersionTables(revisions, log)}
}

// WithLockTimeout bounds the wait for the migration lock (default 60s;
// zero keeps the default). A negative timeout is refused.
func WithLockTimeout(d time.Duration) Option { return Option{engine.WithLockTimeout(d)} }

// WithLogger logs each revision applied or reverted at Info level, and
// lock waits.
func WithLogger(l *slog.Logger) Option { return Option{engine.WithLogger(l)} }

// WithProgress calls fn with every progress event. Calls come from the
// goroutine running Upgrade or Downgrade; concurrent calls of those make
// concurrent calls of fn.
func WithProgress(fn func(Event)) Option { return Option{engine.WithProgress(fn)} }

// WithVersion records v (the application's version) in the log table's
// rows.
func WithVersion(v string) Option { return Option{engine.WithVersion(v)} }

// Dialect returns the Migrator's dialect.
func (m *Migrator) Dialect() dialect.Dialect { return m.e.Dialect() }

// Graph returns the revision graph.
func (m *Migrator) Graph() *Graph { return &Graph{g: m.e.Graph()} }

// History returns every revision, newest first.
func (m *Migrator) History() []Revision { return revisionsOf(m.e.History()) }

// Upgrade applies revisions up to target ("head" when empty). The Result
// lists the steps that ran, in order. A failed statement is a
// *StatementError, a failed Go revision a *GoFuncError; with several heads
// and target "head" the error is a *MultipleHeadsError (ErrMultipleHeads).
func (m *Migrator) Upgrade(ctx context.Context, target string) (*Result, error) {
	return m.e.Upgrade(ctx, target)
}

// Downgrade reverts revisions down to target ("-1" when empty; "base"
// reverts everything). A revision that cannot be reverted stops the plan
// before anything runs with an *IrreversibleError (ErrIrreversible).
func (m *Migrator) Downgrade(ctx context.Context, target string) (*Result, error) {
	return m.e.Downgrade(ctx, target)
}

// Plan computes, without changing the database, what Upgrade (dir Up) or
// Downgrade (dir Down) to target would do now.
func (m *Migrator) Plan(ctx context.Context, dir Direction, target string) (*Plan, error) {
	p, err := m.e.Plan(ctx, dir, target)
	if err != nil {
		return nil, err
	}
	return planOf(p), nil
}

// PlanSQL writes the SQL of a plan computed from the database's state.
func (m *Migrator) PlanSQL(ctx context.Context, w io.Writer, dir Direction, target string) error {
	return m.e.PlanSQL(ctx, w, dir, target)
}

// SQL writes the SQL of a plan from one revision to another without a
// database: dir Up for "upgrade --sql from:to", Down for "downgrade --sql
// from:to". The output is exactly what Upgrade or Downgrade would run,
// version-table statements and transaction wrapping included.
func (m *Migrator) SQL(w io.Writer, dir Direction, from, to string) error {
	return m.e.SQL(w, dir, from, to)
}

// Current returns the revisions the database is at: the heads of its
// applied revisions, sorted. Empty means base.
func (m *Migrator) Current(ctx context.Context) ([]string, error) { return m.e.Current(ctx) }

// Status reports applied, pending, partial, changed and missing revisions.
func (m *Migrator) Status(ctx context.Context) (*Status, error) {
	s, err := m.e.Status(ctx)
	if err != nil {
		return nil, err
	}
	return statusOf(s), nil
}

// Verify compares the applied revisions with their files.
func (m *Migrator) Verify(ctx context.Context) ([]Mismatch, error) { return m.e.Verify(ctx) }

// AcceptEdit records the current checksum of applied revision rev's file
// as its own: the file was edited after it was applied, and the database
// holds what it now says. Verify stops reporting it; the change is logged.
func (m *Migrator) AcceptEdit(ctx context.Context, rev string) error {
	return m.e.AcceptEdit(ctx, rev)
}

// Stamp sets the version table to exactly targets and everything they need,
// running no SQL ("base" empties it). Rows naming revisions unknown to the
// migrations are an error unless opts.Purge drops them.
func (m *Migrator) Stamp(ctx context.Context, targets []string, opts StampOptions) error {
	return m.e.Stamp(ctx, targets, opts)
}

// ResolveApplied settles a revision stopped part-way as applied: its
// remaining statements were run by hand.
func (m *Migrator) ResolveApplied(ctx context.Context, rev string) error {
	return m.e.ResolveApplied(ctx, rev)
}

// ResolveRolledBack settles a revision stopped part-way as not applied:
// what it did was reverted by hand, and its row is removed.
func (m *Migrator) ResolveRolledBack(ctx context.Context, rev string) error {
	return m.e.ResolveRolledBack(ctx, rev)
}

// ResolveStatementRan settles the statement that an earlier run on MySQL
// or MariaDB started but stopped without knowing whether it ran: after
// checking the database, record it as done, so the next run in the same
// direction continues after it.
func (m *Migrator) ResolveStatementRan(ctx context.Context, rev string) error {
	return m.e.ResolveStatementRan(ctx, rev)
}

// ResolveStatementNotRun settles that statement (see ResolveStatementRan)
// as not run: the next run in the same direction runs it again.
func (m *Migrator) ResolveStatementNotRun(ctx context.Context, rev string) error {
	return m.e.ResolveStatementNotRun(ctx, rev)
}
