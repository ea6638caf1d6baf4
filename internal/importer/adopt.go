package importer

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// Querier runs a query: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Applied is what a tool's version table says is applied, as revision
// ids of the converted history.
type Applied struct {
	// Table is the version table read.
	Table string
	// IDs are the applied revisions. When Complete, every applied
	// migration is listed; else IDs are the newest ones (heads) and what
	// they revise is applied too.
	IDs      []string
	Complete bool
	// Baseline is the version of a Flyway BASELINE row, "" when there is
	// none: every migration up to and including it counts as applied
	// (ResolveBaseline finds their revisions).
	Baseline string
}

// AdoptError is a version table retort refuses to adopt.
type AdoptError struct {
	// Tool and Table name the version table.
	Tool, Table string
	// Msg says what is wrong and what to do.
	Msg string
}

// Error returns "adopt tool: table: msg".
func (e *AdoptError) Error() string {
	return fmt.Sprintf("adopt %s: %s: %s", e.Tool, e.Table, e.Msg)
}

// ReadApplied reads the version table of tool, as that tool writes it
// (docs/import.md), and maps its rows to revision ids as the converter
// derives them. Only SELECTs run.
func ReadApplied(ctx context.Context, q Querier, tool string) (*Applied, error) {
	switch tool {
	case "goose":
		return readGoose(ctx, q)
	case "golang-migrate":
		return readGolangMigrate(ctx, q)
	case "dbmate":
		return readList(ctx, q, tool, "schema_migrations", "SELECT version FROM schema_migrations ORDER BY version", func(v string) string { return v })
	case "sql-migrate":
		return readList(ctx, q, tool, "gorp_migrations", "SELECT id FROM gorp_migrations ORDER BY id", func(v string) string { return strings.TrimSuffix(v, ".sql") })
	case "flyway":
		return readFlyway(ctx, q)
	case "atlas":
		return readAtlas(ctx, q)
	case "alembic":
		a, err := readList(ctx, q, tool, "alembic_version", "SELECT version_num FROM alembic_version", func(v string) string { return v })
		if a != nil {
			a.Complete = false // alembic_version holds the heads
		}
		return a, err
	}
	_, err := Lookup(tool)
	return nil, err
}

// query runs sql and calls scan for each row.
func query(ctx context.Context, q Querier, tool, table, stmt string, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, stmt)
	if err != nil {
		return &AdoptError{Tool: tool, Table: table, Msg: fmt.Sprintf("cannot read it (%v): is this database migrated by %s, with its default table name?", err, tool)}
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("adopt %s: read %s: %w", tool, table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("adopt %s: read %s: %w", tool, table, err)
	}
	return nil
}

// readList reads one column of versions, each an applied migration.
func readList(ctx context.Context, q Querier, tool, table, stmt string, version func(string) string) (*Applied, error) {
	a := &Applied{Table: table, Complete: true}
	err := query(ctx, q, tool, table, stmt, func(r *sql.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		a.IDs = append(a.IDs, deriveID(tool, version(v)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// readGoose replays goose_db_version: each row records a version applied
// (is_applied true) or rolled back; version 0 is goose's initial row.
func readGoose(ctx context.Context, q Querier) (*Applied, error) {
	state := map[int64]bool{}
	var order []int64
	err := query(ctx, q, "goose", "goose_db_version", "SELECT version_id, is_applied FROM goose_db_version ORDER BY id", func(r *sql.Rows) error {
		var v int64
		var applied bool
		if err := r.Scan(&v, &applied); err != nil {
			return err
		}
		if _, seen := state[v]; !seen {
			order = append(order, v)
		}
		state[v] = applied
		return nil
	})
	if err != nil {
		return nil, err
	}
	a := &Applied{Table: "goose_db_version", Complete: true}
	for _, v := range order {
		if v != 0 && state[v] {
			a.IDs = append(a.IDs, strconv.FormatInt(v, 10))
		}
	}
	return a, nil
}

// readGolangMigrate reads schema_migrations: one row, the current
// version, refused while dirty (a migration failed part-way).
func readGolangMigrate(ctx context.Context, q Querier) (*Applied, error) {
	a := &Applied{Table: "schema_migrations"}
	var dirty error
	err := query(ctx, q, "golang-migrate", a.Table, "SELECT version, dirty FROM schema_migrations", func(r *sql.Rows) error {
		var v uint64
		var d bool
		if err := r.Scan(&v, &d); err != nil {
			return err
		}
		if d {
			dirty = &AdoptError{Tool: "golang-migrate", Table: a.Table, Msg: fmt.Sprintf("dirty at version %d: the migration failed part-way; repair the database by hand, run \"migrate force %d\" (or force the version before it), then adopt", v, v)}
		}
		a.IDs = append(a.IDs, strconv.FormatUint(v, 10))
		return nil
	})
	if err == nil {
		err = dirty
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

// flywayHistory is flyway_schema_history replayed in installed order.
type flywayHistory struct {
	applied  map[string]bool
	order    []string
	baseline string
	refused  error
}

// readFlyway replays flyway_schema_history in installed order: versioned
// and repeatable rows apply, undo rows revert their version, a baseline
// row stands for every version up to and including it (Applied.Baseline);
// a failed row is refused, naming its script and version.
func readFlyway(ctx context.Context, q Querier) (*Applied, error) {
	const table = "flyway_schema_history"
	h := &flywayHistory{applied: map[string]bool{}}
	err := query(ctx, q, "flyway", table, "SELECT version, description, type, script, success FROM flyway_schema_history ORDER BY installed_rank", func(r *sql.Rows) error {
		var version sql.NullString
		var desc, typ, file string
		var ok bool
		if err := r.Scan(&version, &desc, &typ, &file, &ok); err != nil {
			return err
		}
		return h.row(version, desc, typ, file, ok)
	})
	if err == nil {
		err = h.refused
	}
	if err != nil {
		return nil, err
	}
	a := &Applied{Table: table, Complete: true, Baseline: h.baseline}
	for _, id := range h.order {
		if h.applied[id] {
			a.IDs = append(a.IDs, id)
		}
	}
	return a, nil
}

// row replays one row of the history: a failed row refuses the
// adoption, any other row is replayed by its type (replay) under the
// revision id its version (or, for a repeatable migration, its
// description) gives.
func (h *flywayHistory) row(version sql.NullString, desc, typ, file string, ok bool) error {
	if !ok {
		if h.refused == nil {
			h.refused = &AdoptError{Tool: "flyway", Table: "flyway_schema_history", Msg: fmt.Sprintf("failed migration %s (%s): run \"flyway repair\" after fixing the database, then adopt", file, version.String)}
		}
		return nil
	}
	id := "R_" + script.Slug(desc)
	norm := ""
	if version.Valid {
		var err error
		if _, norm, err = flywayVersion(version.String); err != nil {
			return err
		}
		id = deriveID("flyway", norm)
	}
	return h.replay(id, norm, typ)
}

// replay applies one successful row of type typ: an undo or delete
// unapplies id, a baseline (one at most) marks version norm, a schema
// row is no migration, and any other row applies id.
func (h *flywayHistory) replay(id, norm, typ string) error {
	switch {
	case strings.HasPrefix(typ, "UNDO"), typ == "DELETE":
		h.applied[id] = false
	case typ == "BASELINE":
		if h.baseline != "" {
			return &AdoptError{Tool: "flyway", Table: "flyway_schema_history", Msg: fmt.Sprintf("two baseline rows (versions %s and %s): Flyway writes one, on an empty history; repair the table, then adopt", h.baseline, norm)}
		}
		h.baseline = norm
	case typ == "SCHEMA":
		// Flyway created the schemas it manages: not a migration.
	default:
		if _, seen := h.applied[id]; !seen {
			h.order = append(h.order, id)
		}
		h.applied[id] = true
	}
	return nil
}

// ResolveBaseline adds to IDs, ahead of them, the revisions of revs that a
// Flyway baseline stands for: those imported from Flyway (Imported-From)
// whose version is at most Baseline, as Flyway ignores every migration up
// to and including the baseline version. It returns their ids, in revs'
// order; none without a baseline.
func (a *Applied) ResolveBaseline(revs []*script.Revision) ([]string, error) {
	if a.Baseline == "" {
		return nil, nil
	}
	base, _, err := flywayVersion(a.Baseline)
	if err != nil {
		return nil, err
	}
	var below []string
	for _, r := range revs {
		v, ok := importedFlywayVersion(r.ImportedFrom)
		if ok && cmpVersion(v, base) <= 0 && !slices.Contains(a.IDs, r.ID) {
			below = append(below, r.ID)
		}
	}
	a.IDs = append(slices.Clone(below), a.IDs...)
	return below, nil
}

// importedFlywayVersion is the version of the versioned migration a
// revision was imported from ("flyway V1.10__add_email.sql, U1.10__...").
func importedFlywayVersion(from string) ([]*big.Int, bool) {
	rest, ok := strings.CutPrefix(from, "flyway V")
	if !ok {
		return nil, false
	}
	ver, _, ok := strings.Cut(rest, "__")
	if !ok {
		return nil, false
	}
	v, _, err := flywayVersion(ver)
	return v, err == nil
}

// readAtlas reads atlas_schema_revisions (in its own schema on
// PostgreSQL, else in the database): a revision applied part-way or with
// an error is refused.
func readAtlas(ctx context.Context, q Querier) (*Applied, error) {
	var (
		a      *Applied
		bad    error
		errAll error
	)
	for _, table := range []string{"atlas_schema_revisions.atlas_schema_revisions", "atlas_schema_revisions"} {
		a = &Applied{Table: table, Complete: true}
		errAll = query(ctx, q, "atlas", table, "SELECT version, applied, total, COALESCE(error, '') FROM "+table+" ORDER BY version", func(r *sql.Rows) error {
			var v, e string
			var applied, total int64
			if err := r.Scan(&v, &applied, &total, &e); err != nil {
				return err
			}
			if (applied < total || e != "") && bad == nil {
				bad = &AdoptError{Tool: "atlas", Table: table, Msg: fmt.Sprintf("version %s ran %d of %d statements (%s): fix it with atlas migrate apply or atlas schema clean, then adopt", v, applied, total, e)}
			}
			a.IDs = append(a.IDs, deriveID("atlas", v))
			return nil
		})
		if errAll == nil {
			break
		}
	}
	if errAll == nil {
		errAll = bad
	}
	if errAll != nil {
		return nil, errAll
	}
	return a, nil
}
