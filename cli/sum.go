package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

// sumState is what a run knows of <dir>/retort.sum.
type sumState struct {
	// noCheck is --no-sum-check: a mismatch is a warning for this run.
	noCheck bool
	// skip: the running command reads the file itself (retort sum).
	skip bool
	// stale: the file did not match the revision files when the run
	// started (only possible with noCheck), so the run must not rewrite
	// it: that would record the unreviewed change as reviewed.
	stale bool
}

// sumPath is <dir>/retort.sum.
func (a *app) sumPath() string { return filepath.Join(a.path(a.cfg.Dir), script.SumFile) }

// checkSum compares retort.sum with the revision files read from disk
// (their Path relative to the run directory). No file means no check: a
// project opts in with "retort sum --write".
func (a *app) checkSum(revs []*script.Revision) error {
	if a.sum.skip {
		return nil
	}
	err := a.compareSum(revs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil && a.sum.noCheck {
		a.sum.stale = true
		a.progressf("warning: sum check skipped (--no-sum-check): %v\n", err)
		return nil
	}
	return err
}

// compareSum reads retort.sum and checks revs against it; a missing file
// is an error wrapping fs.ErrNotExist. A check that passed is remembered
// next to the files cache, so that the next run with the same file and
// the same revisions skips it (script.CheckSumFile).
func (a *app) compareSum(revs []*script.Revision) error {
	path := a.sumPath()
	verdict := a.filesCache(a.versionsDir())
	if verdict != "" {
		verdict += ".sum"
	}
	return script.CheckSumFile(path, a.rel(path), verdict, revs)
}

// hasSum reports whether this run checks a retort.sum: the file exists
// and the command is not sum itself.
func (a *app) hasSum() bool {
	if a.sum.skip {
		return false
	}
	_, err := os.Stat(a.sumPath())
	return err == nil
}

// updateSum rewrites retort.sum, when the project has one, after a
// command wrote a revision file.
func (a *app) updateSum() error {
	path := a.sumPath()
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if a.sum.stale {
		a.progressf("warning: %s not updated: it did not match the revision files before this run; review them, then run `%s sum --write`\n", a.rel(path), a.self())
		return nil
	}
	revs, err := script.LoadDir(script.DirFS(a.versionsDir()))
	if err != nil {
		return fmt.Errorf("update %s: %w", a.rel(path), err)
	}
	if err := script.WriteSum(path, revs); err != nil {
		return err
	}
	if strings.HasSuffix(a.cmdPath, " revision") {
		// The file is meant to be edited: the edit is a change the sum
		// check reports until it is recorded.
		a.progressf("After writing it, record it in %s with `%s sum --write`.\n", a.rel(path), a.self())
	}
	return nil
}

func (a *app) sumCommand() *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "sum [--write]",
		Short: "Check or write migrations/retort.sum, the revisions' integrity file",
		Long: `retort.sum, next to versions/, lists every revision (id, parents, checksum of
its file) under a hash of all lines. revision, migrate and merge keep it up to
date; every command compares it with the revision files first and refuses to
run when a revision was added, removed or edited without retort. Two git
branches that each add a revision collide in it as a merge conflict, instead
of merging into two heads unnoticed.

Without --write, sum checks the file. With --write, it creates or rewrites it
from the revision files: run it after reviewing a change it reported, after
editing a revision that "retort revision" made, or to start using the file.
--no-sum-check skips the check for one run of any command.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.sum.skip = true
			revs, err := a.loadRevisions()
			if err != nil {
				return err
			}
			if _, err := revision.New(revs); err != nil {
				return err
			}
			path := a.sumPath()
			if write {
				if err := script.WriteSum(path, revs); err != nil {
					return err
				}
				a.progressf("Writing %s (%d revisions) ... done\n", a.rel(path), len(revs))
				return nil
			}
			if err := a.compareSum(revs); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("no %s: create it with `%s sum --write`", a.rel(path), a.self())
				}
				return err
			}
			a.outf("%s matches the %d revision files\n", a.rel(path), len(revs))
			return nil
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "create or rewrite the file from the revision files")
	return cmd
}
