package retort

import (
	"context"

	"github.com/retortdb/retort/internal/engine"
)

// GenerateOptions configure Generate, CheckWith and Drift: where the
// desired schema comes from, where scratch databases go, renames and
// backfill values, online rewriting and the ignore list.
type GenerateOptions = engine.GenerateOptions

// OnlineOptions configure GenerateOptions.Online: the lock and statement
// timeouts written around statements that take locks.
type OnlineOptions = engine.OnlineOptions

// The defaults of OnlineOptions.
const (
	DefaultOnlineLockTimeout      = engine.DefaultOnlineLockTimeout
	DefaultOnlineStatementTimeout = engine.DefaultOnlineStatementTimeout
)

// UnrepresentedObject is an object retort cannot represent, found in one of
// the two schemas a command compares (UnrepresentedError lists them).
type UnrepresentedObject = engine.UnrepresentedObject

// Generate computes the revision that takes the current schema (the
// migrations' head, replayed on a scratch database, or the live database
// with FromDB) to the desired one, and verifies it both ways on a scratch
// database before returning it. Nothing is written: the caller writes Up
// and Down.
func (m *Migrator) Generate(ctx context.Context, opts GenerateOptions) (*Generated, error) {
	g, err := m.e.Generate(ctx, opts)
	if err != nil {
		return nil, err
	}
	return generatedOf(g), nil
}

// Check compares the desired schema of the Migrator's DesiredSource with
// the migrations' head and returns the differences (empty when they
// agree): a test or a CI step can fail when a model changed without a
// revision. Scratch databases are made as GenerateOptions' zero value
// makes them, which suits SQLite; for PostgreSQL and MySQL, call CheckWith
// with GenerateOptions.Scratch or DevDatabase set.
func (m *Migrator) Check(ctx context.Context) ([]Change, error) {
	cs, err := m.e.Check(ctx)
	return changesOf(cs), err
}

// CheckWith compares the desired schema with the migrations' head and
// returns the differences (empty when they agree).
func (m *Migrator) CheckWith(ctx context.Context, opts GenerateOptions) ([]Change, error) {
	cs, err := m.e.CheckWith(ctx, opts)
	return changesOf(cs), err
}

// Drift compares the live database with what its applied revisions
// produce (replayed on a scratch database) and returns the out-of-band
// differences, as changes that take the replayed schema to the live one.
func (m *Migrator) Drift(ctx context.Context, opts GenerateOptions) ([]Change, error) {
	cs, err := m.e.Drift(ctx, opts)
	return changesOf(cs), err
}
