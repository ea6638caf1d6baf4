package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/importer"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/schema"
)

// ErrAdoptDrift: Adopt found that the live schema differs from what the
// applied revisions produce, and recorded nothing. The typed error is
// *AdoptDriftError.
var ErrAdoptDrift = errors.New("the database differs from what its applied revisions produce")

// AdoptError is another tool's version table that Adopt refuses to read
// as it stands (a dirty golang-migrate version, a failed Flyway row, a
// version the project has no revision for, a hole), with what to do.
type AdoptError = importer.AdoptError

// DropError is a failure while dropping the other tool's version table
// (AdoptOptions.DropOld). Its Committed field says whether the adoption
// was recorded all the same (MySQL/MariaDB, where DDL commits by itself)
// or undone with it (PostgreSQL, SQLite).
type DropError = runner.DropError

// AdoptOptions are the choices of Adopt.
type AdoptOptions struct {
	// Generate gives the scratch database (Scratch or DevDatabase) on
	// which the applied revisions are replayed for the drift check, and
	// Ignore and OnIgnored for the objects retort cannot represent.
	Generate GenerateOptions
	// AcceptDrift records the adoption even when the live schema differs
	// from what the applied revisions produce; the differences are in
	// Adoption.Drift.
	AcceptDrift bool
	// DropOld drops the other tool's version table (and, for Atlas on
	// PostgreSQL, the schema Atlas made for it when nothing else is in
	// it) with the adoption: in the same transaction where DDL is
	// transactional (PostgreSQL, SQLite), right after the adoption
	// commits on MySQL/MariaDB.
	DropOld bool
}

// Adoption is what Adopt read and recorded.
type Adoption struct {
	// Tool is the tool whose version table was read.
	Tool string
	// Table is that table's name as the tool uses it; Qualified is it
	// with the schema it was found in where the database has schemas
	// (PostgreSQL's search_path): the table left out of the drift check
	// and dropped by DropOld.
	Table, Qualified string
	// Applied are the revisions the table says are applied, in its order
	// (for Flyway, those its baseline stands for first).
	Applied []string
	// Baseline are the revisions a Flyway BASELINE row stands for: every
	// revision imported from Flyway up to and including its version.
	Baseline []string
	// Recorded are the revisions newly recorded as applied: none when
	// retort's tables already said so (adopting again changes nothing).
	Recorded []string
	// Compared is set when the live schema was compared with the
	// revisions' (something is applied on one side or the other); Drift
	// are the differences accepted with AcceptDrift.
	Compared bool
	Drift    []string
	// Dropped is set when the tool's table was dropped (DropOld).
	Dropped bool
}

// AdoptDriftError is a live schema that differs from what the revisions
// the other tool applied produce: Adopt recorded nothing.
type AdoptDriftError struct {
	// Tool and Table name the version table read.
	Tool, Table string
	// Differences say, one per line, what takes the replayed schema to
	// the live one ("added column 'users.extra'").
	Differences []string
}

// Error says that nothing was recorded, and the ways on.
func (e *AdoptDriftError) Error() string {
	return fmt.Sprintf("adopt %s: the database differs in %d place(s) from what the revisions %s records as applied produce: nothing was recorded; fix the schema or the revisions, or adopt accepting the drift (--accept-drift)", e.Tool, len(e.Differences), e.Table)
}

// Is reports whether target is ErrAdoptDrift.
func (e *AdoptDriftError) Is(target error) bool { return target == ErrAdoptDrift }

// Adopt takes over a database that another tool migrated (tool as
// "retort import" names it: goose, golang-migrate, dbmate, flyway,
// sql-migrate, atlas, alembic), after its migrations were imported. Under
// retort's migration lock, and before anything is written, it reads the
// tool's version table (only SELECTs), maps it to the project's
// revisions, and compares the live schema, the tool's table left out by
// its qualified name, with what those revisions produce on a scratch
// database. When they agree (or with AcceptDrift), it records the
// revisions as applied, without running their SQL, in one transaction
// logged in the log table ("adopted from ..."); otherwise it returns an
// *AdoptDriftError (ErrAdoptDrift) and the database is left as it was.
// What retort already records is kept, so adopting again changes nothing.
// A table Adopt refuses is an *AdoptError; a failed drop a *DropError
// (returned with the Adoption when the record was committed before it).
func (m *Migrator) Adopt(ctx context.Context, tool string, opts AdoptOptions) (*Adoption, error) {
	if m.runner == nil {
		return nil, ErrNoDatabase
	}
	if _, err := importer.Lookup(tool); err != nil {
		return nil, err
	}
	a := &Adoption{Tool: tool}
	var plan *runner.AdoptPlan
	recorded, err := m.runner.Adopt(ctx, func(ctx context.Context, conn *sql.Conn, st *runner.State) (*runner.AdoptPlan, error) {
		var err error
		plan, err = m.adoptPlan(ctx, conn, st, a, opts)
		return plan, err
	})
	a.Recorded = recorded
	if de := (*DropError)(nil); errors.As(err, &de) && de.Committed {
		return a, fmt.Errorf("adopt %s: %w; drop %s by hand", tool, err, a.Qualified)
	}
	if err != nil {
		return nil, adoptErr(tool, err)
	}
	a.Dropped = plan != nil && len(plan.Drop) > 0
	return a, nil
}

// adoptErr says which adoption failed, unless err says it already.
func adoptErr(tool string, err error) error {
	var ae *AdoptError
	var de *AdoptDriftError
	if errors.As(err, &ae) || errors.As(err, &de) {
		return err
	}
	return fmt.Errorf("adopt %s: %w", tool, err)
}

// adoptPlan reads tool's version table on conn and decides what Adopt
// writes: nil when nothing is applied on either side.
func (m *Migrator) adoptPlan(ctx context.Context, conn *sql.Conn, st *runner.State, a *Adoption, opts AdoptOptions) (*runner.AdoptPlan, error) {
	applied, err := m.readApplied(ctx, conn, a)
	if err != nil {
		return nil, err
	}
	if err := m.knownRows(st); err != nil {
		return nil, err
	}
	old, err := m.locateTable(ctx, conn, applied.Table)
	if err != nil {
		return nil, err
	}
	a.Qualified = old.String()
	targets := slices.Clone(applied.IDs)
	for _, id := range m.graph.Current(st.Applied()) {
		if !slices.Contains(targets, id) {
			targets = append(targets, id)
		}
	}
	if len(targets) == 0 {
		return nil, nil
	}
	ids, err := m.stampSet(targets)
	if err != nil {
		return nil, err
	}
	own, err := m.adoptDrift(ctx, conn, m.graph.Current(ids), old, a, opts)
	if err != nil {
		return nil, err
	}
	plan := &runner.AdoptPlan{IDs: ids, Note: fmt.Sprintf("adopted from %s's %s (no SQL run)", a.Tool, a.Qualified)}
	if opts.DropOld {
		plan.Drop = m.dropOldStatements(old, own)
		plan.DropNote = fmt.Sprintf("dropped %s's %s (adopted; --drop-old)", a.Tool, a.Qualified)
		plan.DropLogAt = m.graph.Current(ids)
	}
	return plan, nil
}

// readApplied reads the tool's version table and checks it against the
// project: every revision it names must exist and, for a table that lists
// every applied migration, nothing before an applied one may be missing.
// A Flyway baseline becomes the revisions it stands for.
func (m *Migrator) readApplied(ctx context.Context, conn *sql.Conn, a *Adoption) (*importer.Applied, error) {
	applied, err := importer.ReadApplied(ctx, conn, a.Tool)
	if err != nil {
		return nil, err
	}
	if a.Baseline, err = applied.ResolveBaseline(m.graph.Revisions()); err != nil {
		return nil, &AdoptError{Tool: a.Tool, Table: applied.Table, Msg: err.Error()}
	}
	a.Table, a.Applied = applied.Table, applied.IDs
	for _, id := range applied.IDs {
		if m.graph.Get(id) == nil {
			return nil, &AdoptError{Tool: a.Tool, Table: applied.Table, Msg: fmt.Sprintf("records %s as applied, but the project has no revision %s: run \"retort import %s SRC\" with the directory the database was migrated from first", id, id, a.Tool)}
		}
	}
	if applied.Complete {
		return applied, m.noHole(applied, a.Tool)
	}
	return applied, nil
}

// noHole refuses an applied set with a hole: a revision applied while one
// it revises is not (goose -allow-missing, Flyway outOfOrder).
func (m *Migrator) noHole(applied *importer.Applied, tool string) error {
	for _, id := range applied.IDs {
		for _, p := range m.graph.Get(id).Revises {
			if !slices.Contains(applied.IDs, p) {
				return &AdoptError{Tool: tool, Table: applied.Table, Msg: fmt.Sprintf("%s is applied but %s, which comes before it, is not: retort's history is ordered; apply %s with %s first (or revert %s), then adopt", id, p, p, tool, id)}
			}
		}
	}
	return nil
}

// locateTable qualifies the version table's name as the schema model
// names it: "schema.table" as read, else the schema the search path finds
// it in where the dialect has one (PostgreSQL), else no schema.
func (m *Migrator) locateTable(ctx context.Context, conn *sql.Conn, table string) (change.Ref, error) {
	if s, t, ok := strings.Cut(table, "."); ok {
		return change.Ref{Schema: s, Name: t}, nil
	}
	ref := change.Ref{Name: table}
	if l, ok := m.dialect.(dialect.TableLocator); ok {
		s, err := l.LocateTable(ctx, conn, table)
		if err != nil {
			return ref, err
		}
		ref.Schema = s
	}
	return ref, nil
}

// adoptDrift compares the live schema, inspected on conn without the
// tool's table old, with the one the revisions up to heads produce, and
// refuses a difference unless opts.AcceptDrift (then kept in a.Drift).
// It returns the schema the tool made for its table alone (Atlas on
// PostgreSQL), "" when there is none: left out of the comparison too.
func (m *Migrator) adoptDrift(ctx context.Context, conn *sql.Conn, heads []string, old change.Ref, a *Adoption, opts AdoptOptions) (string, error) {
	live, err := m.dialect.Inspect(ctx, conn, dialect.InspectOptions{VersionTables: m.o.tables, Privileges: m.o.privileges, Exclude: []string{old.String()}})
	if err != nil {
		return "", fmt.Errorf("inspect the live database: %w", err)
	}
	want, err := m.replayedSchema(ctx, opts.Generate, heads)
	if err != nil {
		return "", err
	}
	own := toolSchema(live, want, old.Schema)
	if err := checkUnrepresented(opts.Generate, schemaSide{"the live database", live}, schemaSide{"the applied revisions", want}); err != nil {
		return "", err
	}
	changes, err := diff.Compare(want, live, diff.Options{})
	if err != nil {
		return "", fmt.Errorf("compare the live database with the applied revisions: %w", err)
	}
	if len(changes) > 0 && !opts.AcceptDrift {
		return "", &AdoptDriftError{Tool: a.Tool, Table: a.Table, Differences: describeAll(changes)}
	}
	a.Compared, a.Drift = true, describeAll(changes)
	return own, nil
}

// toolSchema removes from live, and returns, the schema nsp when it is
// one the tool made for its table alone: the revisions do not make it and,
// the table left out, nothing is in it. It returns "" otherwise.
func toolSchema(live, want *schema.Schema, nsp string) string {
	in := func(ns *schema.Namespace) bool { return ns.Name == nsp }
	if nsp == "" || slices.ContainsFunc(want.Namespaces, in) || !slices.ContainsFunc(live.Namespaces, in) || inSchema(live, nsp) {
		return ""
	}
	live.Namespaces = slices.DeleteFunc(live.Namespaces, in)
	return nsp
}

// inSchema reports whether s has an object in schema nsp.
func inSchema(s *schema.Schema, nsp string) bool {
	return slices.ContainsFunc(s.Tables, func(x *schema.Table) bool { return x.Schema == nsp }) ||
		slices.ContainsFunc(s.Views, func(x *schema.View) bool { return x.Schema == nsp }) ||
		slices.ContainsFunc(s.Sequences, func(x *schema.Sequence) bool { return x.Schema == nsp }) ||
		slices.ContainsFunc(s.Types, func(x *schema.Type) bool { return x.Schema == nsp }) ||
		slices.ContainsFunc(s.Routines, func(x *schema.Routine) bool { return x.Schema == nsp })
}

// dropOldStatements drop the tool's table, then the schema it made for
// it alone (own, "" when none).
func (m *Migrator) dropOldStatements(old change.Ref, own string) []string {
	q := m.dialect.QuoteIdent
	name := q(old.Name)
	if old.Schema != "" {
		name = q(old.Schema) + "." + name
	}
	stmts := []string{"DROP TABLE " + name}
	if own != "" {
		stmts = append(stmts, "DROP SCHEMA "+q(own))
	}
	return stmts
}
