package retort

import "context"

// ResolveStatement settles the statement that an earlier run on MySQL or
// MariaDB started but stopped without knowing whether it ran (a DDL
// statement commits by itself; the run was interrupted or lost its
// connection meanwhile). After checking the database: ran records it as
// done, so the next run in the same direction continues after it;
// otherwise it is recorded as not run and the next run runs it again.
func (m *Migrator) ResolveStatement(ctx context.Context, rev string, ran bool) error {
	if m.runner == nil {
		return ErrNoDatabase
	}
	r, err := m.graph.Resolve(rev)
	if err != nil {
		return err
	}
	return m.runner.ResolveStatement(ctx, r.ID, ran)
}
