package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

func (a *app) baselineCommand() *cobra.Command {
	var msg string
	cmd := &cobra.Command{
		Use:   "baseline -m MESSAGE",
		Short: "Write the revision that builds the live database's schema, and stamp the database at it",
		Long: `For a database that has no migrations yet. Reads the live schema and writes
one revision whose upgrade is that schema as "retort inspect" prints it and
whose downgrade drops it, proves it on a scratch database (upgraded it gives
the live schema, downgraded nothing), then records the database as at that
revision without running it (as stamp does). schema.sql gets the same schema
when it is empty or missing; retort.sum is updated when the project has one.

A schema of more than 500 tables becomes a chain of revisions of at most 500
statements each (tables first, then the rest), all stamped: on PostgreSQL one
transaction that creates thousands of tables runs out of lock slots.

Refused when the project already has revisions (record them as applied with
"retort stamp" or "retort adopt TOOL" instead), and when the live schema holds
objects retort cannot represent (as migrate refuses them).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runBaseline(cmd.Context(), msg)
		},
	}
	cmd.Flags().StringVarP(&msg, "message", "m", "baseline", "the revision's message")
	return cmd
}

func (a *app) runBaseline(ctx context.Context, msg string) error {
	opts, err := a.generateOptions(autogenFlags{}, false)
	if err != nil {
		return err
	}
	revs, schemaSQL, err := a.baselineRevisions(ctx, opts, msg)
	if err != nil {
		return err
	}
	dir := a.versionsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	var written []string
	for _, r := range revs {
		path, err := script.Write(dir, r)
		if err != nil {
			return errors.Join(err, a.unwrite(written))
		}
		written = append(written, path)
		a.outf("Generating %s ... done\n", a.rel(path))
	}
	// The stamp opens the project again, which checks retort.sum.
	if err := a.updateSum(); err != nil {
		return errors.Join(err, a.unwrite(written))
	}
	if err := a.stampBaseline(ctx, revs[len(revs)-1].ID); err != nil {
		return errors.Join(err, a.unwrite(written))
	}
	a.progressf("Stamped the database at %s (no SQL run)\n", revs[len(revs)-1].ID)
	return a.fillSchema(schemaSQL)
}

// unwrite removes the revision files a failed baseline wrote, and their
// lines in retort.sum, and says so.
func (a *app) unwrite(paths []string) error {
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, a.updateSum())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove the revision files again: %w", err)
	}
	a.progressf("The baseline's revision files are removed again.\n")
	return nil
}

// baselineRevisions checks that the project has no revisions and builds
// the chain of baseline revisions from the live database.
func (a *app) baselineRevisions(ctx context.Context, opts engine.GenerateOptions, msg string) ([]*script.Revision, string, error) {
	s, err := a.open(ctx, true)
	if err != nil {
		return nil, "", err
	}
	defer s.close()
	if h := s.m.History(); len(h) > 0 {
		return nil, "", fmt.Errorf("baseline: the project already has %d revision(s) (%s): baseline is for a database with no migrations; when the revisions describe this database, record them as applied with `%[3]s stamp heads` (or `%[3]s adopt TOOL` for another tool's version table), else write the next one with `%[3]s migrate`", len(h), a.rel(a.versionsDir()), a.self())
	}
	b, err := s.m.Baseline(ctx, engine.BaselineOptions{Generate: opts})
	if err != nil {
		return nil, "", fmt.Errorf("baseline: %w", err)
	}
	a.notePrivileges(s.m.Dialect())
	revs := make([]*script.Revision, len(b.Parts))
	for i, p := range b.Parts {
		id, err := script.NewID()
		if err != nil {
			return nil, "", err
		}
		r := &script.Revision{ID: id, Message: msg, Created: time.Now().UTC().Truncate(time.Second),
			Up:   script.Section{SQL: p.Up, Present: true},
			Down: script.Section{SQL: script.JoinStatements(p.Down), Present: true}}
		if len(b.Parts) > 1 {
			r.Message = fmt.Sprintf("%s (part %d of %d)", msg, i+1, len(b.Parts))
		}
		if i > 0 {
			r.Revises = []string{revs[i-1].ID}
		}
		revs[i] = r
	}
	if len(revs) > 1 {
		a.progressf("The schema has %d tables (more than %d): it is split into %d revisions\n", len(b.Schema.Tables), engine.BaselineSplitTables, len(revs))
	}
	return revs, b.SQL, nil
}

// stampBaseline records the database as at head, the last baseline
// revision, with the revision files just written.
func (a *app) stampBaseline(ctx context.Context, head string) error {
	s, err := a.open(ctx, true)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.m.Stamp(ctx, []string{head}, engine.StampOptions{}); err != nil {
		return fmt.Errorf("baseline: stamp %s: %w", head, err)
	}
	return nil
}

// fillSchema writes the baseline's schema into the desired schema's file
// when it holds no statement (or does not exist); a directory, models or a
// schema the user wrote are left alone.
func (a *app) fillSchema(schemaSQL string) error {
	if a.mount.desired != nil || a.cfg.Models != "" {
		return nil
	}
	path := a.path(a.cfg.Schema)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		a.progressf("note: %s left as it is: %v\n", a.rel(path), err)
		return nil
	default:
		stmts, err := sqlsplit.Split(string(data), a.offlineDialect().Splitter())
		if err != nil || len(stmts) > 0 {
			a.progressf("note: %s left as it is (it is not empty): compare it with the live schema using `%s check`\n", a.rel(path), a.self())
			return nil
		}
	}
	if err := os.WriteFile(path, append(data, schemaSQL...), 0o644); err != nil {
		return fmt.Errorf("baseline: write %s: %w", a.rel(path), err)
	}
	a.progressf("Wrote the schema to %s\n", a.rel(path))
	return nil
}
