package retort

import (
	"time"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/schema"
)

// Revision is one revision: its header, its file and its two sections.
// It is a copy: changing it changes nothing in the Migrator.
type Revision struct {
	// ID is the revision id ("Revision:").
	ID string
	// Revises lists the parents: none for a base, two or more for a merge.
	Revises []string
	// DependsOn lists revisions that must be applied first without being
	// parents ("Depends-On:").
	DependsOn []string
	// Branches are the branch labels ("Branch:").
	Branches []string
	// Replaces lists the revisions a squashed revision stands for, in
	// upgrade order ("Replaces:").
	Replaces []string
	// Message is the header's first line.
	Message string
	// Created is the header's creation time, zero when absent.
	Created time.Time
	// Path is the file's path within the migrations source; "(go)" for a
	// Go revision without a placeholder file.
	Path string
	// Checksum is the hex SHA-256 of the file, line endings normalised.
	Checksum string
	// ImportedFrom names the tool and file a revision was converted from
	// by retort import; empty otherwise.
	ImportedFrom string
	// Go is set for a revision written in Go.
	Go bool
	// NoTransaction is set by "Transaction: none": the revision runs
	// statement by statement outside a transaction.
	NoTransaction bool
	// Upgrade and Downgrade are the SQL of the two sections, as written.
	// They are empty for a Go revision, and for revisions whose sections
	// the Migrator did not need to read.
	Upgrade, Downgrade string
	// Irreversible is set when the revision cannot be reverted: no
	// downgrade section, one marked "irreversible", or an empty one under
	// an upgrade with SQL (not marked "none"). Unknown (false) for
	// revisions whose sections were not read.
	Irreversible bool
}

// GoRevisionPath is the Path of a Go revision that has no placeholder file.
const GoRevisionPath = engine.GoRevisionPath

func revisionOf(r *script.Revision) Revision {
	return Revision{
		ID: r.ID, Revises: r.Revises, DependsOn: r.DependsOn, Branches: r.Branches,
		Replaces: r.Replaces, Message: r.Message, Created: r.Created, Path: r.Path,
		Checksum: r.Checksum, ImportedFrom: r.ImportedFrom, Go: r.Go,
		NoTransaction: r.NoTransaction, Upgrade: r.Up.SQL, Downgrade: r.Down.SQL,
		Irreversible: !r.HeaderOnly && revision.Reversible(r) != nil,
	}
}

func revisionsOf(rs []*script.Revision) []Revision {
	if rs == nil {
		return nil
	}
	out := make([]Revision, len(rs))
	for i, r := range rs {
		out[i] = revisionOf(r)
	}
	return out
}

// Direction says which section of a revision runs: Up or Down.
type Direction = revision.Direction

// The two directions of a plan, for Plan, PlanSQL and SQL.
const (
	Up   = revision.Up
	Down = revision.Down
)

// Plan is what an upgrade or downgrade would run, in order.
type Plan struct {
	// Steps run in order: for an upgrade, parents and dependencies first;
	// for a downgrade, children and dependents first.
	Steps []Step
	// Squashes are squashed revisions the run records in place of the
	// revisions they replace (all applied), before the steps; no SQL runs
	// for them.
	Squashes []string
}

// Step is one revision applied or reverted.
type Step struct {
	Revision  Revision
	Direction Direction
}

// IDs returns the revision ids of the plan's steps, in order.
func (p *Plan) IDs() []string {
	ids := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		ids[i] = s.Revision.ID
	}
	return ids
}

func planOf(p *revision.Plan) *Plan {
	out := &Plan{Steps: make([]Step, len(p.Steps))}
	for i, s := range p.Steps {
		out.Steps[i] = Step{Revision: revisionOf(s.Revision), Direction: s.Direction}
	}
	for _, rw := range p.Rewrites {
		out.Squashes = append(out.Squashes, rw.Revision.ID)
	}
	return out
}

// Graph is the revision graph: every revision, by id, with its parents and
// children. It is read-only.
type Graph struct {
	g *revision.Graph
}

// Len is the number of revisions.
func (g *Graph) Len() int { return g.g.Len() }

// Heads returns the revisions no other revision revises.
func (g *Graph) Heads() []Revision { return revisionsOf(g.g.Heads()) }

// Bases returns the revisions that revise none.
func (g *Graph) Bases() []Revision { return revisionsOf(g.g.Bases()) }

// Revision returns the revision with id, or the only one whose id starts
// with it; an unknown id is a *NotFoundError, a prefix of several ids an
// *AmbiguousError (both ErrUnknownRevision).
func (g *Graph) Revision(idOrPrefix string) (Revision, error) {
	r, err := g.g.Resolve(idOrPrefix)
	if err != nil {
		return Revision{}, err
	}
	return revisionOf(r), nil
}

// Parents returns the ids id revises.
func (g *Graph) Parents(id string) []string { return g.g.Parents(id) }

// Children returns the revisions that revise id.
func (g *Graph) Children(id string) []Revision { return revisionsOf(g.g.Children(id)) }

// History returns the revisions from one revision to another, newest
// first, as "retort history -r from:to" lists them; empty bounds mean
// base and the heads.
func (g *Graph) History(from, to string) ([]Revision, error) {
	h, err := g.g.History(from, to)
	return revisionsOf(h), err
}

// Change is one difference that Generate, Check or Drift found.
type Change struct {
	// Description says it in words, as migrate prints it ("added column
	// 'users.email'").
	Description string
	// Table is the schema-qualified table the change is on, empty for an
	// object that is not on a table (a type, a sequence, a view).
	Table string
}

// String returns the description.
func (c Change) String() string { return c.Description }

func changesOf(cs []change.Change) []Change {
	if cs == nil {
		return nil
	}
	out := make([]Change, len(cs))
	for i, c := range cs {
		out[i] = Change{Description: c.Describe()}
		if on := c.On(); on != (change.Ref{}) {
			out[i].Table = on.String()
		}
	}
	return out
}

// Row is a row of the revisions table.
type Row struct {
	Revision   string
	Checksum   string
	AppliedAt  time.Time
	DurationMS int64
	// State is "applied", or "partial" for a revision stopped part-way,
	// or "reverting" for one stopped part-way down.
	State string
	// StatementsDone counts the statements of a partial revision that ran.
	StatementsDone int
	// InFlight is the 1-based statement an earlier run started but did
	// not record as done (MySQL DDL, which commits by itself); 0 for none.
	InFlight int
}

func rowOf(r runner.Row) Row {
	return Row{Revision: r.Revision, Checksum: r.Checksum, AppliedAt: r.AppliedAt,
		DurationMS: r.DurationMS, State: r.State, StatementsDone: r.StatementsDone, InFlight: r.InFlight}
}

// Status is where the database stands against the migrations.
type Status struct {
	// Current are the heads of the applied revisions.
	Current []string
	// Heads are the heads of the graph.
	Heads []string
	// Applied lists the version table's rows, in the order applied,
	// partial ones included (their State says so).
	Applied []AppliedRevision
	// Pending lists the revisions an upgrade to heads would apply from
	// scratch, in order; a revision stopped part-way is in Partial.
	Pending []Revision
	// Partial lists revisions stopped part-way, which the next upgrade
	// resumes.
	Partial []Row
	// Missing lists applied revisions whose file is gone.
	Missing []string
	// Changed lists applied revisions whose file changed since.
	Changed []string
}

// AppliedRevision is a row of the version table and the revision it names.
type AppliedRevision struct {
	Row
	// File is the revision; nil when its file is gone.
	File *Revision `json:"-"`
	// Changed is set when the file changed since it was applied.
	Changed bool
	// ReplacedBy is the squashed revision that replaces this one, if any.
	ReplacedBy string
	// Statements and NextLine locate a partial revision: its number of
	// statements, and the file line of the statement it resumes at.
	Statements, NextLine int
	// Interrupted is set for a partial revision whose last run was
	// interrupted (Ctrl-C, a cancelled context) rather than failed: the
	// next upgrade resumes it and its file needs no fix.
	Interrupted bool
}

func statusOf(s *engine.Status) *Status {
	out := &Status{Current: s.Current, Heads: s.Heads, Pending: revisionsOf(s.Pending),
		Missing: s.Missing, Changed: s.Changed}
	for _, r := range s.Partial {
		out.Partial = append(out.Partial, rowOf(r))
	}
	for _, a := range s.Applied {
		ar := AppliedRevision{Row: rowOf(a.Row), Changed: a.Changed, ReplacedBy: a.ReplacedBy,
			Statements: a.Statements, NextLine: a.NextLine, Interrupted: a.Interrupted}
		if a.File != nil {
			f := revisionOf(a.File)
			ar.File = &f
		}
		out.Applied = append(out.Applied, ar)
	}
	return out
}

// Generated is a revision that Generate computed and verified; nothing is
// written: the caller writes Up and Down into a revision file.
type Generated struct {
	// Changes are what differs, in upgrade order; empty when the desired
	// schema equals the current one.
	Changes []Change
	// Up and Down are the rendered statements, without terminators.
	Up, Down []string
	// Current and Desired are the two inspected schemas.
	Current, Desired *schema.Schema
	// NoTransaction is set when the revision must run statement by
	// statement outside a transaction ("-- Transaction: none").
	NoTransaction bool
	// OnlineNotes say what GenerateOptions.Online rewrote.
	OnlineNotes []string
	// Warnings name what the revision cannot do safely everywhere, for
	// the reviewer.
	Warnings []string
}

// SQL returns Up and Down as the sections of a revision file: each
// statement terminated, separated by blank lines.
func (g *Generated) SQL() (up, down string) {
	return script.JoinStatements(g.Up), script.JoinStatements(g.Down)
}

func generatedOf(g *engine.Generated) *Generated {
	return &Generated{Changes: changesOf(g.Changes), Up: g.Up, Down: g.Down,
		Current: g.Current, Desired: g.Desired, NoTransaction: g.NoTransaction,
		OnlineNotes: g.OnlineNotes, Warnings: g.Warnings}
}

// Squashed is the revision that Squash computed for a range; nothing is
// written: File gives the revision file to write.
type Squashed struct {
	// Replaces are the range's revisions, in upgrade order.
	Replaces []Revision
	// Revises, DependsOn and Branches are the squashed revision's header.
	Revises, DependsOn, Branches []string
	// Up and Down are its sections' SQL.
	Up, Down string
	// Kept are the revisions whose SQL the squashed revision keeps as
	// written, and why.
	Kept []KeptRevision
	// Before and After are the schemas before and after the range.
	Before, After *schema.Schema

	s *engine.Squashed
}

// KeptRevision is a revision of a squashed range whose SQL is kept as
// written, and the reason (a data statement, a possible rename, ...).
type KeptRevision struct {
	Revision Revision
	Reason   string
}

// File returns the squashed revision's file, with header id, message and
// created, ready to be written into the migrations directory.
func (s *Squashed) File(id, message string, created time.Time) []byte {
	return script.Format(s.s.Revision(id, message, created))
}

func squashedOf(s *engine.Squashed) *Squashed {
	out := &Squashed{Replaces: revisionsOf(s.Replaces), Revises: s.Revises,
		DependsOn: s.DependsOn, Branches: s.Branches, Up: s.Up, Down: s.Down,
		Before: s.Before, After: s.After, s: s}
	for _, k := range s.Kept {
		out.Kept = append(out.Kept, KeptRevision{Revision: revisionOf(k.Revision), Reason: k.Reason})
	}
	return out
}
