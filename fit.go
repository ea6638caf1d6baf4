package retort

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// fitted returns the Migrator's dialect as it applies to the server db is
// connected to (dialect.ServerFitter), or the dialect itself.
func (m *Migrator) fitted(ctx context.Context, db *sql.DB) (dialect.Dialect, error) {
	f, ok := m.dialect.(dialect.ServerFitter)
	if !ok {
		return m.dialect, nil
	}
	d, err := f.ForServer(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("find out which %s server to write SQL for: %w", m.dialect.Name(), err)
	}
	return d, nil
}

// renderer returns the renderer for the server db is connected to; what
// says what it renders, for the error of a dialect that has none.
func (m *Migrator) renderer(ctx context.Context, db *sql.DB, what string) (dialect.Renderer, error) {
	d, err := m.fitted(ctx, db)
	if err != nil {
		return nil, err
	}
	rd, ok := d.(dialect.Renderer)
	if !ok {
		return nil, fmt.Errorf("%s: %s is not supported for this dialect yet", m.dialect.Name(), what)
	}
	return rd, nil
}
