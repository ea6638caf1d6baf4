package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/schema"
)

// SquashOptions are the choices of Squash.
type SquashOptions struct {
	// Generate gives the scratch database (Scratch or DevDatabase) on
	// which the squash is computed and proved.
	Generate GenerateOptions
}

// KeptRevision is a revision of a squashed range whose SQL the squashed
// revision keeps as written, in its place in the order.
type KeptRevision struct {
	Revision *script.Revision
	// Reason says why its SQL could not be generated from the schema.
	Reason string
}

// Squashed is a revision that replaces a linear range of revisions (see
// Migrator.Squash).
type Squashed struct {
	// Replaces is the range, in upgrade order.
	Replaces []*script.Revision
	// Revises, DependsOn and Branches are the squashed revision's header:
	// the first revision's parents, the dependencies of the range on
	// revisions outside it, and the range's branch labels.
	Revises, DependsOn, Branches []string
	// Up and Down are the sections' SQL.
	Up, Down string
	// Kept are the revisions whose SQL is kept as written, in order.
	Kept []KeptRevision
	// Before and After are the schemas before and after the range.
	Before, After *schema.Schema
	// downStatements counts the downgrade's statements.
	downStatements int
}

// Revision returns the squashed revision, with id, message and creation
// time, as a revision file holds it.
func (s *Squashed) Revision(id, message string, created time.Time) *script.Revision {
	r := &script.Revision{
		ID: id, Message: message, Created: created,
		Revises: s.Revises, DependsOn: s.DependsOn, Branches: s.Branches,
		Up:   script.Section{SQL: s.Up, Present: true},
		Down: script.Section{SQL: s.Down, Present: true, None: s.downStatements == 0},
	}
	for _, o := range s.Replaces {
		r.Replaces = append(r.Replaces, o.ID)
	}
	return r
}

// ErrSquashRefused: Squash met a revision it cannot put into a squashed
// revision. The typed error is *SquashRefusedError.
var ErrSquashRefused = errors.New("squash refused")

// SquashRefusedError is a revision of the range that a squashed revision
// cannot stand for.
type SquashRefusedError struct {
	// Revision and Path are the revision; Reason says why and what to do.
	Revision, Path, Reason string
}

// Error names the revision, its file and the reason.
func (e *SquashRefusedError) Error() string {
	return fmt.Sprintf("cannot squash revision %s (%s): %s", e.Revision, e.Path, e.Reason)
}

// Is reports whether target is ErrSquashRefused.
func (e *SquashRefusedError) Is(target error) bool { return target == ErrSquashRefused }

// SquashVerifyError is a squashed revision that did not prove itself on
// the scratch database: the *VerifyError says how.
type SquashVerifyError struct {
	*VerifyError
	// Kept and KeptPath are the revision, kept as written, whose SQL
	// holds the failed statement, and its file; empty when the statement
	// was generated.
	Kept, KeptPath string
}

// Error describes the failure and whose SQL failed.
func (e *SquashVerifyError) Error() string {
	var b strings.Builder
	e.describe(&b)
	b.WriteString("\nno revision was written. ")
	if e.Kept != "" {
		fmt.Fprintf(&b, "The statement is revision %s's (%s), kept as written: its downgrade must undo its upgrade, since the squashed revision is proved by its downgrade and its upgrade on a scratch database; fix it, or squash a range that leaves it out", e.Kept, e.KeptPath)
	} else {
		b.WriteString("This is a bug in retort: please report it with the revisions of the range")
	}
	return b.String()
}

// Unwrap returns the verification's error.
func (e *SquashVerifyError) Unwrap() error { return e.VerifyError }

// Squash computes the revision that replaces the revisions from from to
// to (targets naming one revision each, from the older one), which must
// form a line (Graph.Range: no merge, branch point or dependency from
// outside inside it). Its upgrade is generated from the schemas the range
// goes through, replayed on a scratch database, as migrate generates a
// revision; a revision whose SQL changes rows or may rename (a data
// statement, a RENAME, a conversion, ...; see keepReason) is kept as
// written in its place, and so is a run of revisions whose generated
// upgrade would treat existing rows differently from theirs (a possible
// rename, a column that would need a value, objects retort cannot
// represent). The result is proved on the scratch database as Generate's
// revisions are: its downgrade gives the schema before the range, its
// upgrade the schema after it. Go revisions, and revisions kept as written
// that run without a transaction or cannot be reverted, are refused
// (*SquashRefusedError). Nothing is written.
func (m *Migrator) Squash(ctx context.Context, from, to string, opts SquashOptions) (*Squashed, error) {
	chain, err := m.graph.Range(from, to)
	if err != nil {
		return nil, err
	}
	reasons, err := m.keepReasons(chain)
	if err != nil {
		return nil, err
	}
	sq := squashHeader(chain)
	sc, err := m.newScratch(ctx, opts.Generate)
	if err != nil {
		return nil, fmt.Errorf("create a scratch database to squash on: %w", err)
	}
	defer sc.close()
	// The state before the range: what its first revision revises and
	// what the range depends on (none for a base: an empty list, since
	// nil would replay the heads).
	before := append(append([]string{}, sq.Revises...), sq.DependsOn...)
	if err := m.replay(ctx, sc.db, before); err != nil {
		return nil, err
	}
	if sq.Before, err = m.inspect(ctx, sc.db); err != nil {
		return nil, fmt.Errorf("inspect the scratch database: %w", err)
	}
	b := &squashBuilder{m: m, sc: sc, sq: sq, start: sq.Before, cur: sq.Before}
	if err := b.build(ctx, chain, reasons); err != nil {
		return nil, err
	}
	sq.After = b.cur
	sq.Up, sq.Down = strings.Join(b.up, "\n"), strings.Join(b.down, "\n")
	err = m.runProof(ctx, sc, proof{up: sq.Up, down: sq.Down, before: sq.Before, after: sq.After})
	var ve *VerifyError
	if errors.As(err, &ve) {
		e := &SquashVerifyError{VerifyError: ve}
		if k := keptWith(sq.Kept, ve.Statement); k != nil {
			e.Kept, e.KeptPath = k.ID, k.Path
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	return sq, nil
}

// squashHeader is the header of the revision that replaces chain: the
// first one's parents, the dependencies on revisions outside the chain,
// and the chain's branch labels.
func squashHeader(chain []*script.Revision) *Squashed {
	sq := &Squashed{Replaces: chain, Revises: slices.Clone(chain[0].Revises)}
	in := map[string]bool{}
	for _, r := range chain {
		in[r.ID] = true
	}
	for _, r := range chain {
		for _, d := range r.DependsOn {
			if !in[d] && !slices.Contains(sq.Revises, d) && !slices.Contains(sq.DependsOn, d) {
				sq.DependsOn = append(sq.DependsOn, d)
			}
		}
		sq.Branches = append(sq.Branches, r.Branches...)
	}
	return sq
}

// keptWith returns the kept revision whose SQL holds stmt, or nil.
func keptWith(kept []KeptRevision, stmt string) *script.Revision {
	if stmt == "" {
		return nil
	}
	for _, k := range kept {
		if strings.Contains(k.Revision.Up.SQL, stmt) || strings.Contains(k.Revision.Down.SQL, stmt) {
			return k.Revision
		}
	}
	return nil
}

// squashBuilder writes a squashed revision's sections piece by piece,
// moving the scratch database through the range one revision at a time:
// runs of revisions generated from the schemas before and after the run,
// and revisions kept as written.
type squashBuilder struct {
	m  *Migrator
	sc *scratch
	sq *Squashed
	// run is the run of revisions to generate, start the schema before
	// it and cur the schema after it (the scratch database's).
	run        []*script.Revision
	start, cur *schema.Schema
	// up are the upgrade's pieces in order; down the downgrade's, in
	// the reverse order of the range.
	up, down []string
}

// build walks chain: reasons[i] is why chain[i] is kept as written, ""
// when it may be generated. A revision joins the run before it while the
// run, generated as one, still does to existing rows what its revisions
// do (rowRisk); otherwise the run is written and the revision starts a
// new one, or is kept as written when even alone it would not.
func (b *squashBuilder) build(ctx context.Context, chain []*script.Revision, reasons []string) error {
	for i, r := range chain {
		after, err := b.advance(ctx, r)
		if err != nil {
			return err
		}
		why := reasons[i]
		if why == "" {
			if why, err = b.join(r, after); err != nil {
				return err
			}
		}
		if why == "" {
			continue
		}
		if err := b.flush(); err != nil {
			return err
		}
		if err := b.keep(r, why, after); err != nil {
			return err
		}
	}
	return b.flush()
}

// join adds r, which took the database to after, to the run when the run
// with it may be generated; else it writes the run and tries r alone. It
// returns why r is kept as written, or "".
func (b *squashBuilder) join(r *script.Revision, after *schema.Schema) (string, error) {
	changes, err := diff.Compare(b.start, after, diff.Options{})
	if err != nil {
		return "", fmt.Errorf("compare the schemas before and after %s: %w", r.ID, err)
	}
	why := rowRisk(b.start, after, changes, change.Invert(changes))
	if why == "" {
		b.run, b.cur = append(b.run, r), after
		return "", nil
	}
	if len(b.run) == 0 {
		return why, nil
	}
	if err := b.flush(); err != nil {
		return "", err
	}
	return b.join(r, after)
}

// flush writes the run's upgrade and downgrade, generated from the
// schemas before and after it as migrate generates a revision.
func (b *squashBuilder) flush() error {
	if len(b.run) == 0 {
		return nil
	}
	run := b.run
	b.run = nil
	before := b.start
	b.start = b.cur
	changes, err := diff.Compare(before, b.cur, diff.Options{})
	if err != nil || len(changes) == 0 {
		return err
	}
	rd := b.m.dialect
	up, err := rd.Render(before, b.cur, changes)
	if err != nil {
		return fmt.Errorf("squash %s: render the upgrade: %w", span(run), err)
	}
	down, err := rd.Render(b.cur, before, change.Invert(changes))
	if err != nil {
		return fmt.Errorf("squash %s: render the downgrade: %w", span(run), err)
	}
	head := fmt.Sprintf("-- %s: generated from the schema before and after\n", span(run))
	b.up = append(b.up, head+script.JoinStatements(up))
	b.down = append([]string{head + script.JoinStatements(down)}, b.down...)
	b.sq.downStatements += len(down)
	return nil
}

// keep writes r's SQL as written, the database now holding after.
func (b *squashBuilder) keep(r *script.Revision, why string, after *schema.Schema) error {
	if err := keepable(r); err != nil {
		return err
	}
	head := fmt.Sprintf("-- %s (%s), kept as written: %s\n", r.ID, r.Message, why)
	b.up = append(b.up, head+strings.TrimSpace(r.Up.SQL)+"\n")
	if !r.Down.None {
		b.down = append([]string{head + strings.TrimSpace(r.Down.SQL) + "\n"}, b.down...)
		b.sq.downStatements++
	}
	b.sq.Kept = append(b.sq.Kept, KeptRevision{Revision: r, Reason: why})
	b.start, b.cur = after, after
	return nil
}

// advance upgrades the scratch database to r and inspects it.
func (b *squashBuilder) advance(ctx context.Context, r *script.Revision) (*schema.Schema, error) {
	if err := b.m.replay(ctx, b.sc.db, []string{r.ID}); err != nil {
		return nil, err
	}
	s, err := b.m.inspect(ctx, b.sc.db)
	if err != nil {
		return nil, fmt.Errorf("inspect the scratch database after %s: %w", r.ID, err)
	}
	return s, nil
}

// rowRisk says why SQL generated for changes may treat existing rows
// otherwise than the revisions it replaces: a drop and an add that may be
// a rename, a column that would need values for existing rows, objects
// retort cannot represent that changed. "" when there is no such risk.
func rowRisk(before, after *schema.Schema, changes, inverse []change.Change) string {
	if rn := diff.PossibleRenames(changes); len(rn) > 0 {
		r := rn[0]
		what := "column " + r.Table.String() + "." + r.From + " to " + r.To
		if r.IsTable {
			what = "table " + r.From + " to " + r.To
		}
		return "it drops and adds what may be a rename (" + what + "), whose rows only its own SQL keeps"
	}
	if be := backfillNeeded(before, after, changes, inverse); be != nil {
		cols := slices.Concat(be.Columns, be.Keyed, be.Dropped)
		return "generated from the schema alone, its SQL would need values for the existing rows of " + strings.Join(cols, ", ")
	}
	if !sameUnrepresented(before, after) {
		return "it changes objects retort cannot represent, which only its own SQL has"
	}
	return ""
}

// sameUnrepresented reports whether a and b hold the same objects retort
// cannot represent.
func sameUnrepresented(a, b *schema.Schema) bool {
	key := func(s *schema.Schema) []string {
		var out []string
		for _, u := range s.Unrepresented {
			out = append(out, u.Key()+" "+u.Detail)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// keepable refuses a revision kept as written that a squashed revision
// cannot hold: one that runs without a transaction (the squashed revision
// runs in one) or whose downgrade cannot run.
func keepable(r *script.Revision) error {
	switch {
	case r.NoTransaction:
		return &SquashRefusedError{Revision: r.ID, Path: r.Path, Reason: "its SQL is kept as written in the squashed revision, and it runs without a transaction (Transaction: none), which the squashed revision cannot: squash a range that ends before it or starts after it"}
	case !r.Down.Present || r.Down.Irreversible || (!r.Down.None && strings.TrimSpace(r.Down.SQL) == ""):
		return &SquashRefusedError{Revision: r.ID, Path: r.Path, Reason: "its SQL is kept as written in the squashed revision, and it has no downgrade to keep: squash a range that ends before it or starts after it"}
	}
	return nil
}

// span names a run of revisions: "a (message)" or "a..c (3 revisions)".
func span(run []*script.Revision) string {
	if len(run) == 1 {
		return fmt.Sprintf("%s (%s)", run[0].ID, run[0].Message)
	}
	return fmt.Sprintf("%s..%s (%d revisions)", run[0].ID, run[len(run)-1].ID, len(run))
}

// ErrInsideRange: a database applied part of the revisions a squashed
// revision replaces, and needs their files to go on. The typed error is
// *InsideRangeError.
var ErrInsideRange = errors.New("database inside a squashed range")

// InsideRangeError is a database that applied part of the revisions a
// squashed revision replaces: it reaches the squashed revision only
// through the rest of them, so their files must stay.
type InsideRangeError struct {
	// Squash is the squashed revision; Applied the revisions of its range
	// the database has rows for (applied or stopped part-way), Replaces
	// all of them.
	Squash            string
	Applied, Replaces []string
}

// Error names the revisions and what to do.
func (e *InsideRangeError) Error() string {
	return fmt.Sprintf("the database applied %s, %d of the %d revisions that %s squashes: it goes on through the rest of them, so their files must stay; upgrade it first, then delete them",
		strings.Join(e.Applied, ", "), len(e.Applied), len(e.Replaces), e.Squash)
}

// Is reports whether target is ErrInsideRange.
func (e *InsideRangeError) Is(target error) bool { return target == ErrInsideRange }

// CheckDeleteOriginals reports whether the files of the revisions that
// squashed revision id replaces may be deleted as far as the Migrator's
// database is concerned: an *InsideRangeError when it has rows for part
// of them (not none, not all applied), nil otherwise. Other databases of
// the project are not seen: one in the middle of the range stops with
// how to restore the files (revision.OriginalsGoneError).
func (m *Migrator) CheckDeleteOriginals(ctx context.Context, id string) error {
	r, err := m.graph.Resolve(id)
	if err != nil {
		return err
	}
	if len(r.Replaces) == 0 {
		return fmt.Errorf("revision %s (%s) is not a squashed revision: it has no Replaces line", r.ID, r.Path)
	}
	st, err := m.state(ctx)
	if err != nil {
		return err
	}
	var had []string
	all := true
	for _, o := range r.Replaces {
		row, ok := st.Row(o)
		if ok {
			had = append(had, o)
		}
		all = all && ok && row.State == runner.StateApplied
	}
	if len(had) == 0 || all {
		return nil
	}
	return &InsideRangeError{Squash: r.ID, Applied: had, Replaces: r.Replaces}
}
