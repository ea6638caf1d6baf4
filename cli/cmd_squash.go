package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/revision"
)

func (a *app) squashCommand() *cobra.Command {
	var msg, revID string
	var deleteOriginals bool
	cmd := &cobra.Command{
		Use:   "squash FROM:TO -m MESSAGE | squash --delete-originals SQUASHED",
		Short: "Replace a line of revisions with one revision that gives the same schema",
		Long: `Writes one revision that replaces the revisions from FROM to TO (FROM the
older; ids, prefixes or targets such as head). Its header lists them
("Replaces: a, b, c") and revises what FROM revises. Its upgrade is generated
from the schemas the range goes through, replayed on a scratch database as
migrate does; a revision whose SQL changes rows (INSERT, UPDATE, DELETE, ...),
renames (RENAME, CHANGE) or converts (USING) is kept as written, in its place,
and so is one that generated together with its neighbours would treat existing
rows otherwise. The result is proved on the scratch database: its upgrade
gives the schema TO gives, its downgrade the schema before FROM.

Refused, naming the revision: a merge, a branch point or a Depends-On from
outside inside the range, a Go revision, and a revision kept as written that
runs without a transaction or has no downgrade.

The originals stay until --delete-originals, for the databases part-way
through the range: a database before the range runs the squashed revision,
one in the middle runs the rest of the originals, one at the end (or past it)
is recorded at the squashed revision on its next upgrade or downgrade, without
SQL. "squash --delete-originals SQUASHED" deletes them later (or give it with
FROM:TO to delete them at once); it refuses while the configured database is
part-way through the range. retort.sum is updated when the project has one.`,
		Args: targetArgs(1, 1, "the range FROM:TO to squash, or with --delete-originals a squashed revision"),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, to, isRange := strings.Cut(args[0], ":")
			switch {
			case isRange && msg == "":
				return usagef("squash: give the new revision's message with -m MESSAGE")
			case isRange:
				return a.runSquash(cmd.Context(), from, to, msg, revID, deleteOriginals)
			case !deleteOriginals:
				return usagef("squash: %q is not a range: write FROM:TO (the oldest and the newest revision to squash), or --delete-originals SQUASHED", args[0])
			case msg != "" || revID != "":
				return usagef("squash --delete-originals %s deletes files: -m and --rev-id are for squashing a range", args[0])
			}
			return a.deleteOriginals(cmd.Context(), args[0])
		},
	}
	cmd.Flags().StringVarP(&msg, "message", "m", "", "the squashed revision's message")
	cmd.Flags().StringVar(&revID, "rev-id", "", "use this revision id instead of a random one")
	cmd.Flags().BoolVar(&deleteOriginals, "delete-originals", false, "delete the files of the revisions the squashed revision replaces (refused while the configured database is part-way through them)")
	return cmd
}

// runSquash writes the revision that replaces from:to, and deletes the
// originals when asked.
func (a *app) runSquash(ctx context.Context, from, to, msg, revID string, deleteOriginals bool) error {
	if from == "" || to == "" {
		return usagef("squash: write the range as FROM:TO, both ends given")
	}
	if a.cfg.Database == "" && a.cfg.DevDatabase == "" {
		return errors.New("no database configured: squash replays the revisions on a scratch database of the project's kind: set --database, RETORT_DATABASE_URL or database in retort.toml")
	}
	opts, err := a.generateOptions(autogenFlags{}, false)
	if err != nil {
		return err
	}
	s, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	sq, err := s.m.Squash(ctx, from, to, engine.SquashOptions{Generate: opts})
	if err != nil {
		return fmt.Errorf("squash: %w", err)
	}
	a.notePrivileges(s.m.Dialect())
	rev := sq.Revision(revID, msg, time.Time{})
	a.progressf("Squashing %d revisions, %s to %s (revises %s)\n", len(sq.Replaces), sq.Replaces[0].ID, sq.Replaces[len(sq.Replaces)-1].ID, orBase(rev.Revises))
	for _, k := range sq.Kept {
		a.progressf("Kept as written: %s (%s): %s\n", k.Revision.ID, k.Revision.Message, k.Reason)
	}
	if err := a.writeRevision(s.m.Graph(), rev); err != nil {
		return err
	}
	a.progressf("Replaces: %s\n", strings.Join(rev.Replaces, ", "))
	if !deleteOriginals {
		a.progressf("The originals stay for the databases part-way through them; delete them once every database is past %s: %s squash --delete-originals %s\n", sq.Replaces[len(sq.Replaces)-1].ID, a.self(), rev.ID)
		return nil
	}
	return a.deleteOriginals(ctx, rev.ID)
}

// deleteOriginals deletes the files of the revisions that squashed
// revision id replaces, unless the configured database is part-way
// through them. A database that cannot be reached is not checked, and
// the user is told so.
func (a *app) deleteOriginals(ctx context.Context, id string) error {
	s, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer s.close()
	r, err := s.m.Graph().Resolve(id)
	if err != nil {
		return fmt.Errorf("squash --delete-originals: %w", err)
	}
	originals := s.m.Graph().Originals(r.ID)
	switch {
	case len(r.Replaces) == 0:
		return fmt.Errorf("squash --delete-originals: revision %s (%s) is not a squashed revision: it has no Replaces line", r.ID, a.rel(r.Path))
	case originals == nil:
		return fmt.Errorf("squash --delete-originals: the revisions %s replaces have no files any more: nothing to delete", r.ID)
	}
	if err := a.checkOriginalsUnused(ctx, r.ID); err != nil {
		return err
	}
	var done []string
	for _, o := range originals {
		path := filepath.Join(a.versionsDir(), filepath.Base(o.Path))
		if err := os.Remove(path); err != nil {
			return errors.Join(fmt.Errorf("squash --delete-originals: %w", err), a.updateSum())
		}
		done = append(done, a.rel(path))
	}
	a.progressf("Deleted %d revision files that %s replaces: %s\n", len(done), r.ID, strings.Join(done, ", "))
	return a.updateSum()
}

// checkOriginalsUnused refuses while the configured database is part-way
// through the range squashed revision id replaces. No database, or one
// that cannot be reached, is a note: the files are deleted.
func (a *app) checkOriginalsUnused(ctx context.Context, id string) error {
	if a.cfg.Database == "" {
		a.progressf("note: no database configured: no database was checked for being part-way through the range\n")
		return nil
	}
	s, err := a.open(ctx, true)
	if err == nil {
		defer s.close()
		err = s.m.CheckDeleteOriginals(ctx, id)
	}
	var ie *engine.InsideRangeError
	switch {
	case errors.As(err, &ie):
		return fmt.Errorf("squash --delete-originals: database %s: %w; nothing was deleted", s.url.Redacted(), err)
	case err != nil:
		a.progressf("note: the database could not be checked (%v): make sure no database is part-way through the range, or it cannot go on once the files are gone\n", err)
	}
	return nil
}

// orBase is ids as a list, or "<base>".
func orBase(ids []string) string {
	if len(ids) == 0 {
		return "<base>"
	}
	return joinIDs(ids)
}

// printSquashed says, for each squashed revision whose range has rows,
// where the database stands: all applied (the next run records it at
// the squashed revision), or part-way (it goes on through the rest).
func (a *app) printSquashed(g *revision.Graph, st *engine.Status) {
	had := map[string][]string{}
	var order []string
	for _, ar := range st.Applied {
		if ar.ReplacedBy == "" {
			continue
		}
		if had[ar.ReplacedBy] == nil {
			order = append(order, ar.ReplacedBy)
		}
		had[ar.ReplacedBy] = append(had[ar.ReplacedBy], ar.Revision)
	}
	for _, id := range order {
		by := g.Get(id)
		if len(had[id]) == len(by.Replaces) {
			a.outf("  squashed %s: the rows of %s, all applied, are recorded as %s by the next upgrade or downgrade (no SQL)\n", id, joinIDs(had[id]), id)
			continue
		}
		a.outf("  squashed %s: part-way through the revisions it replaces (%d of %d applied): upgrade goes on through them\n", id, len(had[id]), len(by.Replaces))
	}
}
