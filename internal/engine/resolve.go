package engine

import "context"

// ResolveApplied settles a revision stopped part-way as applied: its
// remaining statements were run by hand ("retort resolve REV --applied").
func (m *Migrator) ResolveApplied(ctx context.Context, rev string) error {
	return m.resolve(ctx, rev, func(id string) error { return m.runner.Resolve(ctx, id, true) })
}

// ResolveRolledBack settles a revision stopped part-way as not applied:
// what it did was reverted by hand, and its row is removed ("retort
// resolve REV --rolled-back").
func (m *Migrator) ResolveRolledBack(ctx context.Context, rev string) error {
	return m.resolve(ctx, rev, func(id string) error { return m.runner.Resolve(ctx, id, false) })
}

// ResolveStatementRan settles the statement that an earlier run on MySQL
// or MariaDB started but stopped without knowing whether it ran (a DDL
// statement commits by itself; the run was interrupted or lost its
// connection meanwhile): after checking the database, record it as done,
// so the next run in the same direction continues after it.
func (m *Migrator) ResolveStatementRan(ctx context.Context, rev string) error {
	return m.resolve(ctx, rev, func(id string) error { return m.runner.ResolveStatement(ctx, id, true) })
}

// ResolveStatementNotRun settles that statement (see ResolveStatementRan)
// as not run: the next run in the same direction runs it again.
func (m *Migrator) ResolveStatementNotRun(ctx context.Context, rev string) error {
	return m.resolve(ctx, rev, func(id string) error { return m.runner.ResolveStatement(ctx, id, false) })
}

// resolve finds the revision rev names and settles it with fn.
func (m *Migrator) resolve(ctx context.Context, rev string, fn func(id string) error) error {
	if m.runner == nil {
		return ErrNoDatabase
	}
	r, err := m.graph.Resolve(rev)
	if err != nil {
		return err
	}
	return fn(r.ID)
}
