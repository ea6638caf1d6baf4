package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/source"
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

// sqlText is SQL from a file: its path, the line its text starts on, and
// the text.
type sqlText struct {
	path string
	line int
	sql  string
}

// filesText is the SQL of the desired schema's files.
func filesText(files []source.File) []sqlText {
	out := make([]sqlText, len(files))
	for k, f := range files {
		out[k] = sqlText{path: f.Path, line: 1, sql: f.SQL}
	}
	return out
}

// upgradesText is the SQL of the upgrades of the revisions ids (Go
// revisions have none).
func (m *Migrator) upgradesText(ids []string) []sqlText {
	var out []sqlText
	for _, id := range ids {
		r := m.graph.Get(id)
		if r == nil || r.Go {
			continue
		}
		out = append(out, upgradeText(r))
	}
	return out
}

func upgradeText(r *script.Revision) sqlText {
	return sqlText{path: r.Path, line: max(r.Up.Line, 1), sql: r.Up.SQL}
}

// warnSilentDrops tells notify, in one warning at the first of them,
// which statements of texts the server of db accepts and keeps nothing of,
// and why (dialect.SilentDropper): what neither the inspected schemas nor
// their comparison can show. Text that does not split is left to the
// load or replay that runs it, which reports it.
func (m *Migrator) warnSilentDrops(ctx context.Context, db *sql.DB, texts []sqlText, notify func(source.Notice)) error {
	if notify == nil {
		return nil
	}
	d, err := m.fitted(ctx, db)
	if err != nil {
		return err
	}
	sd, ok := d.(dialect.SilentDropper)
	if !ok {
		return nil
	}
	var stmts []string
	var at []source.Notice
	for _, t := range texts {
		split, err := sqlsplit.Split(t.sql, m.dialect.Splitter())
		if err != nil {
			continue
		}
		for _, s := range split {
			stmts = append(stmts, s.Text)
			at = append(at, source.Notice{Path: t.path, Line: t.line + s.Line - 1})
		}
	}
	reason, dropped, err := sd.SilentDrops(ctx, db, stmts)
	if err != nil || reason == "" || len(dropped) == 0 {
		return err
	}
	notify(silentDropNotice(reason, at, dropped))
	return nil
}

// silentDropNotice is the warning for the statements dropped (indexes
// into at, their locations): at the first of them, naming all.
func silentDropNotice(reason string, at []source.Notice, dropped []int) source.Notice {
	where := make([]string, len(dropped))
	for k, i := range dropped {
		where[k] = fmt.Sprintf("%s:%d", at[i].Path, at[i].Line)
	}
	n := at[dropped[0]]
	n.Msg = fmt.Sprintf("%s (the statements at %s)", reason, strings.Join(where, ", "))
	return n
}
