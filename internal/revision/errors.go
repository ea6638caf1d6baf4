package revision

import (
	"fmt"
	"strings"
)

// MissingError reports a Revises or Depends-On id that names no revision.
type MissingError struct {
	// ID is the id that names nothing.
	ID string
	// Revision and Path are the revision whose header names it.
	Revision, Path string
	// Field is "Revises" or "Depends-On".
	Field string
	// Matches are the ids that start with ID, if any: ids in files must be
	// written in full.
	Matches []string
}

// Error names the missing id and the file that names it.
func (e *MissingError) Error() string {
	msg := fmt.Sprintf("%s: revision %s: %s names %s, but no revision has that id", e.Path, e.Revision, e.Field, e.ID)
	if len(e.Matches) > 0 {
		return msg + fmt.Sprintf(" (it is a prefix of %s; ids in revision files must be written in full)", list(e.Matches))
	}
	return msg + "; restore the missing file or correct the id (ids in revision files must be written in full, not as prefixes)"
}

// SelfReferenceError reports a revision that names itself in Revises or
// Depends-On.
type SelfReferenceError struct {
	ID, Path string
	// Field is "Revises" or "Depends-On".
	Field string
}

// Error names the revision and its file.
func (e *SelfReferenceError) Error() string {
	return fmt.Sprintf("%s: revision %s names itself in %s; a revision's %s lists other revisions", e.Path, e.ID, e.Field, e.Field)
}

// CycleError reports revisions that revise or depend on each other in a
// ring.
type CycleError struct {
	// IDs is the cycle: each one revises or depends on the next, and the
	// last on the first.
	IDs []string
}

// Error lists the cycle.
func (e *CycleError) Error() string {
	return fmt.Sprintf("revisions form a cycle: %s -> %s (each revises or depends on the next); remove one of these links from its Revises or Depends-On line",
		strings.Join(e.IDs, " -> "), e.IDs[0])
}

// DuplicateLabelError reports a branch label declared by two revisions.
type DuplicateLabelError struct {
	Label string
	// Paths are the two files that declare it.
	Paths [2]string
}

// Error names the label and both files.
func (e *DuplicateLabelError) Error() string {
	return fmt.Sprintf("branch label %q is declared by both %s and %s; a label names one branch: remove it from one of the Branch lines",
		e.Label, e.Paths[0], e.Paths[1])
}

// NotFoundError reports a revision id or prefix that matches no revision.
type NotFoundError struct {
	ID string
}

// Error names the id.
func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no revision %q: see \"retort history\" for the revision ids", e.ID)
}

// AmbiguousError reports a prefix that starts more than one revision id.
type AmbiguousError struct {
	Prefix string
	// Candidates are the matching ids, sorted.
	Candidates []string
}

// Error lists the candidates.
func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("revision prefix %q is ambiguous: it matches %s; give more characters", e.Prefix, list(e.Candidates))
}

// UnknownLabelError reports a LABEL@... target whose label no revision
// declares.
type UnknownLabelError struct {
	Label string
	// Known are the declared labels, sorted.
	Known []string
}

// Error names the label and the known ones.
func (e *UnknownLabelError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no branch label %q: no revision declares a Branch label", e.Label)
	}
	return fmt.Sprintf("no branch label %q: the labels are %s", e.Label, list(e.Known))
}

// MultipleHeadsError reports a target that needs one head where there are
// several: "head" with several heads in the graph (or in the labelled
// branch), or a relative target ("+1", "-1") when the database has several
// current heads.
type MultipleHeadsError struct {
	// Target is the target as written ("" reads as "head").
	Target string
	// Heads are the heads, in topological order.
	Heads []string
	// Current is set when the heads are the database's current heads
	// rather than the graph's.
	Current bool
}

// Error names the heads and what to write instead.
func (e *MultipleHeadsError) Error() string {
	if e.Current {
		return fmt.Sprintf("target %q is ambiguous: the database has %d current heads, %s; say which one to step from, as \"REV+N\", \"REV-N\", \"LABEL@+N\" or \"LABEL@-N\"",
			e.Target, len(e.Heads), list(e.Heads))
	}
	target := e.Target
	if target == "" {
		target = "head"
	}
	return fmt.Sprintf("target %q is ambiguous: there are %d heads, %s; name one (a revision id or \"LABEL@head\"), use \"heads\" for all of them, or join them with \"retort merge\"",
		target, len(e.Heads), list(e.Heads))
}

// StepError reports a relative target that cannot take a step: up from a
// branch point (several children) or a head, down from a merge (several
// parents) or past a base.
type StepError struct {
	// Target is the target as written.
	Target string
	// At is the revision the step starts from; "" when nothing is
	// applied (or there are no revisions).
	At string
	// Up is the direction of the step.
	Up bool
	// Candidates are the revisions the step could go to (children or
	// parents); empty when there is none.
	Candidates []string
}

// Error says where and why the step failed: with nothing applied
// (fromNothing), going up (upFrom), or going down (downFrom).
func (e *StepError) Error() string {
	switch {
	case e.At == "":
		return e.fromNothing()
	case e.Up:
		return e.upFrom()
	}
	return e.downFrom()
}

// fromNothing is the message of a step with nothing applied.
func (e *StepError) fromNothing() string {
	switch {
	case e.Up && len(e.Candidates) > 0:
		return fmt.Sprintf("target %q is ambiguous: nothing is applied and there are %d bases, %s; upgrade one of them first, or name a revision", e.Target, len(e.Candidates), list(e.Candidates))
	case e.Up:
		return fmt.Sprintf("target %q goes past head: there are no revisions", e.Target)
	}
	return fmt.Sprintf("target %q goes past base: nothing is applied", e.Target)
}

// upFrom is the message of a step up from e.At: past the head, or at a
// branch point.
func (e *StepError) upFrom() string {
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("target %q goes past head %s: there is no revision above it", e.Target, e.At)
	}
	return fmt.Sprintf("target %q is ambiguous: %s is a branch point with children %s; name the branch with \"REV+N\" from one of them", e.Target, e.At, list(e.Candidates))
}

// downFrom is the message of a step down from e.At: past a base, or at a
// merge.
func (e *StepError) downFrom() string {
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("target %q goes past base %s: there is no revision below it", e.Target, e.At)
	}
	return fmt.Sprintf("target %q is ambiguous: %s is a merge of %s; step down from one of them with \"REV-N\"", e.Target, e.At, list(e.Candidates))
}

// DirectionError reports a relative target that points the other way than
// the command (e.g. "upgrade -1"), or a range given where a single target
// is needed.
type DirectionError struct {
	Target string
	// Dir is the command's direction.
	Dir Direction
}

// Error says which command to use.
func (e *DirectionError) Error() string {
	if strings.Contains(e.Target, ":") {
		return fmt.Sprintf("target %q is a range: ranges are for offline SQL (--sql)", e.Target)
	}
	if e.Dir == Up {
		return fmt.Sprintf("target %q goes down: use downgrade", e.Target)
	}
	return fmt.Sprintf("target %q goes up: use upgrade", e.Target)
}

// NotAppliedError reports a downgrade target that is not applied.
type NotAppliedError struct {
	ID string
	// Current are the database's current heads, sorted.
	Current []string
}

// Error names the revision and the current heads.
func (e *NotAppliedError) Error() string {
	cur := "nothing is applied"
	if len(e.Current) > 0 {
		cur = "the database is at " + list(e.Current)
	}
	return fmt.Sprintf("cannot downgrade to %s: it is not applied (%s); use upgrade to go up to it", e.ID, cur)
}

// UnknownAppliedError reports a revision recorded as applied that no
// revision file defines.
type UnknownAppliedError struct {
	ID string
}

// Error names the revision and what to do.
func (e *UnknownAppliedError) Error() string {
	return fmt.Sprintf("the database records revision %s as applied, but no revision file has that id: restore the file, or correct the record with `retort stamp --purge REV`, REV being the revision the database really is at (--purge drops the row of %s)", e.ID, e.ID)
}

// IrreversibleError reports a downgrade step whose revision cannot be
// reverted.
type IrreversibleError struct {
	// Revision is the revision id; Path its file.
	Revision, Path string
	// Marked is set when the file says "-- +downgrade irreversible".
	Marked bool
	// Empty is set when the downgrade section is there but has no SQL
	// while the upgrade section has some.
	Empty bool
}

// Error names the revision, its file and what to do.
func (e *IrreversibleError) Error() string {
	if e.Empty {
		return fmt.Sprintf("revision %s (%s) has an empty \"-- +downgrade\" section: add the SQL that reverts its upgrade, write \"-- +downgrade none\" if its upgrade leaves nothing to revert, or mark it \"-- +downgrade irreversible\"", e.Revision, e.Path)
	}
	if e.Marked {
		return fmt.Sprintf("revision %s (%s) is marked \"-- +downgrade irreversible\": it cannot be reverted; downgrade to a revision above it, or stamp the database after reverting by hand", e.Revision, e.Path)
	}
	return fmt.Sprintf("revision %s (%s) has no \"-- +downgrade\" section: add one with the SQL that reverts its upgrade, or mark it \"-- +downgrade irreversible\"", e.Revision, e.Path)
}

// list writes ids as "a, b and c", at most 10 of them.
func list(ids []string) string {
	const most = 10
	if len(ids) > most {
		return strings.Join(ids[:most], ", ") + fmt.Sprintf(" and %d more", len(ids)-most)
	}
	if len(ids) <= 1 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}

// SquashError reports a squashed revision (Replaces) or a revision near
// one that the graph cannot hold.
type SquashError struct {
	// Revision and Path are the revision whose header is wrong.
	Revision, Path string
	// Msg says what is wrong and what to do.
	Msg string
}

// Error names the file and the revision.
func (e *SquashError) Error() string {
	return fmt.Sprintf("%s: revision %s: %s", e.Path, e.Revision, e.Msg)
}

// ReplacedError reports a target that names a revision in the middle of
// a squashed range where the squashed revision stands for the whole
// range: a database at or past its end, or a downgrade.
type ReplacedError struct {
	// ID is the revision named; By the squashed revision.
	ID, By string
}

// Error names both revisions.
func (e *ReplacedError) Error() string {
	return fmt.Sprintf("revision %s is squashed into %s (its Replaces line): it is a target only for a database before or part-way through that range, and this one is not; name %s, or a revision outside the squashed range", e.ID, e.By, e.By)
}

// OriginalsGoneError reports a database that applied part of the
// revisions a squashed revision replaces, whose files are deleted: it can
// only reach the squashed revision through them.
type OriginalsGoneError struct {
	// Squash and Path are the squashed revision.
	Squash, Path string
	// Applied are the replaced revisions the database applied; Replaces
	// all of them.
	Applied, Replaces []string
}

// Error names the revisions and how to restore them.
func (e *OriginalsGoneError) Error() string {
	return fmt.Sprintf("the database applied %s, %d of the %d revisions that %s (%s) squashes, and their files are deleted: it can only go on through them; restore them (git checkout COMMIT -- FILES, from before they were deleted), run upgrade, then delete them again",
		list(e.Applied), len(e.Applied), len(e.Replaces), e.Squash, e.Path)
}

// NonLinearError reports a range that one revision cannot replace.
type NonLinearError struct {
	// Range is the range as given (FROM:TO); At the revision at fault.
	Range, At string
	// Msg says why.
	Msg string
}

// Error names the range and the revision.
func (e *NonLinearError) Error() string {
	return fmt.Sprintf("cannot squash %s: revision %s: %s", e.Range, e.At, e.Msg)
}
