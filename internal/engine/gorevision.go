package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/retortdb/retort/internal/script"
)

// GoRevision is a revision written in Go, for what SQL says badly: a data
// backfill that calls application code, a batched rewrite of a large
// table. It joins the same graph as the revision files: it revises
// revisions (files or other Go revisions), and files may revise it.
//
// Up and Down run inside the revision's transaction, together with its
// version rows, on every dialect: a failure rolls back the function's work
// and the version rows alike. (On MySQL the data changes are
// transactional, but a DDL statement run through tx commits implicitly, as
// it does in a revision file: keep DDL in revision files.)
//
// UpNoTx and DownNoTx are the form without a transaction: the function
// gets the migration connection, outside any transaction, and may commit
// as it goes (batched backfills). The revision is recorded "partial" before
// the function runs and "applied" after it returns; when it fails, the next
// upgrade runs the function again from the start, so it must be safe to
// run again. Set Up or UpNoTx, not both (likewise Down and DownNoTx); a
// revision without Down and DownNoTx is irreversible.
//
// A Go revision has no checksum (its row's checksum is empty): retort
// cannot see whether compiled code changed.
//
// The standalone retort binary knows a Go revision only through its
// placeholder: a file <ID>_<slug>.sql in the migrations directory whose
// header has "Go: true" and whose sections are empty. "myapp db revision
// --go -m MESSAGE" writes it. With the placeholder, the standalone binary
// lists the revision (as "(go, in the application)"), keeps the graph
// whole for the revisions after it, and refuses to run a plan through it
// (ErrGoRevisionUnavailable), saying to run the application's own "db
// upgrade". A placeholder's Revises must equal the GoRevision's.
type GoRevision struct {
	// ID is the revision id: as for files, 12 lower-case hex digits from
	// "db revision --go", or any id script.CheckID accepts.
	ID string
	// Revises lists the parents: none for a base, two or more for a merge.
	Revises []string
	// DependsOn lists revisions that must be applied first without being
	// parents.
	DependsOn []string
	// Branches are branch labels.
	Branches []string
	// Message describes the revision, as a file's first header line.
	Message string
	// Up and Down run in the revision's transaction.
	Up, Down func(ctx context.Context, tx *sql.Tx) error
	// UpNoTx and DownNoTx run on the migration connection, outside any
	// transaction.
	UpNoTx, DownNoTx func(ctx context.Context, conn *sql.Conn) error
}

// GoRevisionPath is the Path of a Go revision that has no placeholder
// file.
const GoRevisionPath = "(go)"

// revision converts g to a graph node; placeholder is its file, or nil.
func (g GoRevision) revision(placeholder *script.Revision) (*script.Revision, error) {
	if err := script.CheckID(g.ID); err != nil {
		return nil, fmt.Errorf("Go revision %q: %w", g.ID, err)
	}
	if (g.Up == nil) == (g.UpNoTx == nil) {
		return nil, fmt.Errorf("Go revision %s: set exactly one of Up and UpNoTx", g.ID)
	}
	if g.Down != nil && g.DownNoTx != nil {
		return nil, fmt.Errorf("Go revision %s: set at most one of Down and DownNoTx", g.ID)
	}
	for _, l := range g.Branches {
		if err := script.CheckLabel(l); err != nil {
			return nil, fmt.Errorf("Go revision %s: branch %w", g.ID, err)
		}
	}
	r := &script.Revision{
		ID:        g.ID,
		Revises:   slices.Clone(g.Revises),
		DependsOn: slices.Clone(g.DependsOn),
		Branches:  slices.Clone(g.Branches),
		Message:   g.Message,
		Path:      GoRevisionPath,
		Go:        true,
		GoFuncs:   &script.GoFuncs{Up: g.Up, Down: g.Down, UpConn: g.UpNoTx, DownConn: g.DownNoTx},
		Up:        script.Section{Present: true},
		Down:      script.Section{Present: g.Down != nil || g.DownNoTx != nil},
	}
	if placeholder != nil {
		if !placeholder.Go {
			return nil, fmt.Errorf("Go revision %s: %s has the same revision id but is a SQL revision file (a Go revision's placeholder has \"Go: true\" in its header)", g.ID, placeholder.Path)
		}
		if !sameSet(placeholder.Revises, g.Revises) {
			return nil, fmt.Errorf("Go revision %s revises %v, but its placeholder %s says %v: make them agree", g.ID, g.Revises, placeholder.Path, placeholder.Revises)
		}
		r.Path = placeholder.Path
		r.Created = placeholder.Created
		if r.Message == "" {
			r.Message = placeholder.Message
		}
		if len(r.Branches) == 0 {
			r.Branches = placeholder.Branches
		}
		if len(r.DependsOn) == 0 {
			r.DependsOn = placeholder.DependsOn
		}
	}
	return r, nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// mergeGo adds the Go revisions to revs, each replacing its placeholder
// file when there is one.
func mergeGo(revs []*script.Revision, gos []GoRevision) ([]*script.Revision, error) {
	if len(gos) == 0 {
		return revs, nil
	}
	byID := make(map[string]int, len(revs))
	for i, r := range revs {
		byID[r.ID] = i
	}
	seen := map[string]bool{}
	for _, g := range gos {
		if seen[g.ID] {
			return nil, fmt.Errorf("Go revision %s is registered twice", g.ID)
		}
		seen[g.ID] = true
		i, ok := byID[g.ID]
		var ph *script.Revision
		if ok {
			ph = revs[i]
		}
		r, err := g.revision(ph)
		if err != nil {
			return nil, err
		}
		if ok {
			revs[i] = r
		} else {
			revs = append(revs, r)
		}
	}
	return revs, nil
}
