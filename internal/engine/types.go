package engine

import (
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// The types below are what the Migrator's methods take and return,
// defined by retort's other stages and named here for the CLI and the
// root package, which converts the first six into its own types.
type (
	// Revision is a revision: its header (ID, Revises, DependsOn,
	// Branches, Message), its file (Path, Checksum) and its upgrade and
	// downgrade sections.
	Revision = script.Revision
	// Change is one difference that Generate, Check and Drift found; its
	// Describe method says it in words ("added column 'users.email'").
	Change = change.Change
	// Direction is Up or Down.
	Direction = revision.Direction
	// Plan is what an upgrade or downgrade would run, in order.
	Plan = revision.Plan
	// Graph is the revision graph: heads, bases, branches, history.
	Graph = revision.Graph
	// Row is a row of the version table.
	Row = runner.Row
	// NotFoundError is a target or id that names no revision
	// (ErrUnknownRevision).
	NotFoundError = revision.NotFoundError
	// AmbiguousError is a revision id prefix that names several
	// revisions (ErrUnknownRevision).
	AmbiguousError = revision.AmbiguousError
	// UnknownLabelError is a LABEL@... target with no such branch label
	// (ErrUnknownRevision).
	UnknownLabelError = revision.UnknownLabelError
)

// The two directions of a plan, for Plan, PlanSQL and SQL.
const (
	Up   = revision.Up
	Down = revision.Down
)
