package retort

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/engine"
)

// FleetTarget is one database of a fleet: a name and how to reach it.
type FleetTarget = engine.FleetTarget

// FleetAction is what RunFleet does on each target (FleetUpgrade, ...).
type FleetAction = engine.FleetAction

// FleetOptions configure RunFleet: parallelism, failure policy, canary,
// progress and resume.
type FleetOptions = engine.FleetOptions

// FleetProgress reports a target's start or end to FleetOptions.Progress.
type FleetProgress = engine.FleetProgress

// FleetRunning is the state of a fleet run when a target starts or ends.
type FleetRunning = engine.FleetRunning

// FleetResult is what an action did on one target.
type FleetResult = engine.FleetResult

// RunFleet runs opts.Action on every target with the revisions of fsys,
// at most opts.Parallel at a time; the revision graph is built once. It
// returns a result per target visited and a *FleetError when any failed.
func RunFleet(ctx context.Context, targets []FleetTarget, fsys fs.FS, opts FleetOptions) ([]FleetResult, error) {
	return engine.RunFleet(ctx, targets, fsys, opts)
}

// FleetUpgrade upgrades each target to target ("head" when empty).
func FleetUpgrade(target string) FleetAction { return engine.FleetUpgrade(target) }

// FleetDowngrade downgrades each target to target.
func FleetDowngrade(target string) FleetAction { return engine.FleetDowngrade(target) }

// FleetCurrent reads each target's current revisions.
func FleetCurrent() FleetAction { return engine.FleetCurrent() }

// FleetStatus reads each target's pending and partial revisions.
func FleetStatus() FleetAction { return engine.FleetStatus() }

// FleetVerify compares each target's applied revisions with their files.
func FleetVerify() FleetAction { return engine.FleetVerify() }

// FleetDrift compares each target with what its applied revisions
// produce, as Migrator.Drift does.
func FleetDrift(opts GenerateOptions) FleetAction { return engine.FleetDrift(opts) }

// URLTarget is the target of one database URL.
func URLTarget(d dialect.Dialect, u *dialect.URL) FleetTarget { return engine.URLTarget(d, u) }

// TenantSchemaTargets lists one target per schema of the PostgreSQL
// database at u whose name matches the SQL LIKE pattern, each opened with
// search_path set to that schema alone. No match is ErrNoTenantSchemas.
func TenantSchemaTargets(ctx context.Context, d dialect.Dialect, u *dialect.URL, pattern string) ([]FleetTarget, error) {
	return engine.TenantSchemaTargets(ctx, d, u, pattern)
}

// FleetQuery runs query on db (a control database that lists the
// tenants) and returns the first column of every row: the targets' URLs.
func FleetQuery(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	return engine.FleetQuery(ctx, db, query)
}
