package cli

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// session is an opened project: its migrator and, when a database was
// needed, the database.
type session struct {
	m     *engine.Migrator
	url   *dialect.URL
	db    *sql.DB // the database's handle; nil without one
	close func()
}

// loadRevisions reads the revision files of the project: the
// application's embedded migrations when it has some (see Command), else
// <dir>/versions.
func (a *app) loadRevisions() ([]*script.Revision, error) {
	if !a.fromDisk {
		return a.loadEmbedded()
	}
	dir := a.versionsDir()
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no migrations directory %s: run '%s init' first, or point --dir at the directory that holds versions/", a.rel(dir), a.self())
	}
	// Paths in messages are relative to the run directory.
	prefix, _ := filepath.Rel(a.dir, dir)
	revs, err := a.readRevisionFiles(dir)
	if err != nil {
		var pe *script.ParseError
		if errors.As(err, &pe) && !filepath.IsAbs(pe.Path) {
			pe.Path = filepath.Join(prefix, pe.Path)
		}
		var de *script.DuplicateIDError
		if errors.As(err, &de) {
			de.Paths[0], de.Paths[1] = filepath.Join(prefix, de.Paths[0]), filepath.Join(prefix, de.Paths[1])
		}
		return nil, err
	}
	for _, r := range revs {
		if prefix != "" && !filepath.IsAbs(r.Path) {
			r.Path = filepath.Join(prefix, r.Path)
		}
	}
	if err := a.checkSum(revs); err != nil {
		return nil, err
	}
	return revs, nil
}

// revisionReads is how much of the revision files a command needs.
type revisionReads int

const (
	// readSQL: whole files, SQL included (the default).
	readSQL revisionReads = iota
	// readHeaders: each file's header, checksum and which sections it
	// has, not their SQL (heads, history).
	readHeaders
	// readGraph: what marking (head) needs (current): as readHeaders,
	// except that a file whose sections do not parse still loads.
	readGraph
)

// readRevisionFiles loads the revision files in dir as the command
// needs them. readHeaders and readGraph go through the files cache
// (script.LoadDirCached), which opens only the files changed since it
// last read them; so a retort.sum check costs current, heads and history
// no file bodies when nothing changed, and still compares every
// checksum.
func (a *app) readRevisionFiles(dir string) ([]*script.Revision, error) {
	cache := a.filesCache(dir)
	switch {
	case a.reads == readGraph && cache == "" && !a.hasSum():
		// Nothing to check checksums against, no cache to fill:
		// headers only, as before the cache.
		return script.LoadHeaders(script.DirFS(dir))
	case a.reads == readGraph:
		return script.LoadHeadersCached(dir, cache)
	case a.reads == readHeaders:
		return script.LoadDirCached(dir, cache)
	}
	return script.LoadDir(script.DirFS(dir))
}

// filesCache is the files cache of the versions directory dir (see
// script.FilesCacheFile), "" when caches are off (RETORT_NO_CACHE) or
// the system has no cache directory.
func (a *app) filesCache(dir string) string {
	c := a.cacheDir(false)
	if c == "" {
		return ""
	}
	return script.FilesCacheFile(c, dir)
}

// warnUnembedded warns when the application embeds its migrations and
// <dir>/versions on disk holds revision files that this build does not
// embed: "db migrate" wrote one, and the binary must be rebuilt before
// "db upgrade" can run it (it would say there is nothing to upgrade).
func (a *app) warnUnembedded(g *revision.Graph) {
	if a.fromDisk || a.mount.migrations == nil {
		return
	}
	dir := a.versionsDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // no source tree here: a deployed binary
	}
	embedded := map[string]bool{}
	for _, r := range g.Revisions() {
		embedded[filepath.Base(r.Path)] = true
	}
	var extra []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") && !embedded[e.Name()] {
			extra = append(extra, a.rel(filepath.Join(dir, e.Name())))
		}
	}
	if len(extra) > 0 {
		a.flushDBLine()
		a.progressf("warning: %s on disk %s not embedded in this build of the application: rebuild it (go build, or go run .) to include %s\n",
			strings.Join(extra, ", "), plural(len(extra), "is", "are"), plural(len(extra), "it", "them"))
	}
}

// plural picks one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// databaseURL parses the configured URL; a relative SQLite path is taken
// from the run directory (-C).
func (a *app) databaseURL() (dialect.Dialect, *dialect.URL, error) {
	if a.cfg.Database == "" {
		return nil, nil, errors.New("no database configured: set --database, RETORT_DATABASE_URL or DATABASE_URL, or database in retort.toml")
	}
	d, u, err := dialects.ForURL(a.cfg.Database)
	if err != nil {
		return nil, nil, err
	}
	u.ResolveIn(a.dir)
	if a.readOnly && u.CreatesOnOpen() && !strings.HasPrefix(u.Path, "file:") {
		// Opening would create an empty database at a mistyped path and
		// report it at base.
		return nil, nil, fmt.Errorf("no SQLite database at %s (database %s): check the path (upgrade creates the file; sqlite:app.db and sqlite:///app.db are relative to the working directory, sqlite:////abs/app.db is absolute)", a.rel(u.Path), u.Redacted())
	}
	return d, u, nil
}

// readsOnly reports the commands that only read the database, and
// baseline, which needs one with a schema: they never create a SQLite
// file.
func readsOnly(cmd *cobra.Command) bool {
	switch cmd.Name() {
	case "current", "status", "history", "heads", "branches", "show", "check", "drift", "verify", "inspect", "graph", "baseline", "squash":
		return true
	}
	return false
}

// open loads the project; with db it also connects to the database.
func (a *app) open(ctx context.Context, db bool) (*session, error) {
	// Connecting to a server and reading the revision files are
	// independent, and both mostly wait (on the network, on the file
	// system): do them at the same time. Errors keep the order of doing
	// them one after the other: the files' first, then the URL's, then the
	// connection's. A SQLite file that does not exist yet is opened after
	// the files are read, so that bad revision files never leave a new,
	// empty database behind.
	var (
		d       dialect.Dialect
		u       *dialect.URL
		urlErr  error
		h       *sql.DB
		openErr error
		opened  = make(chan struct{})
	)
	if db {
		d, u, urlErr = a.databaseURL()
	}
	concurrent := db && urlErr == nil && !u.CreatesOnOpen()
	if concurrent {
		go func() {
			defer close(opened)
			h, openErr = d.Open(ctx, u)
		}()
	} else {
		close(opened)
	}
	// On an error before the connection is needed, do not wait for it (a
	// server that does not answer would hold the error back until the
	// connect timeout): close it when it comes.
	closeHandle := func() {
		go func() {
			<-opened
			if h != nil {
				h.Close()
			}
		}()
	}
	revs, err := a.loadRevisions()
	if err != nil {
		closeHandle()
		return nil, err
	}
	opts, err := a.migratorOptions(revs)
	if err != nil {
		closeHandle()
		return nil, err
	}
	opts = append(opts, engine.WithProgress(a.onEvent))
	s := &session{close: func() {}}
	if db {
		if urlErr != nil {
			return nil, urlErr
		}
		if !concurrent {
			h, openErr = d.Open(ctx, u)
		}
		<-opened
		if openErr != nil {
			return nil, openErr
		}
		s.url, s.db = u, h
		s.close = func() { h.Close() }
		m, err := engine.New(d, h, nil, opts...)
		if err != nil {
			h.Close()
			return nil, err
		}
		s.m = m
		a.graph = m.Graph()
		return s, nil
	}
	m, err := engine.New(a.offlineDialect(), nil, nil, opts...)
	if err != nil {
		return nil, err
	}
	s.m = m
	a.graph = m.Graph()
	return s, nil
}

// migratorOptions are the options of every Migrator the CLI makes over
// revs: the configured version tables, lock timeout and privileges, and
// what the application attached.
func (a *app) migratorOptions(revs []*script.Revision) ([]engine.Option, error) {
	timeout, err := a.cfg.lockTimeout()
	if err != nil {
		return nil, err
	}
	opts := []engine.Option{
		engine.WithRevisions(revs...),
		engine.WithVersionTables(a.cfg.VersionTable, a.cfg.LogTable),
		engine.WithLockTimeout(timeout),
		engine.WithVersion("retort " + Version),
		engine.WithGoRevisions(a.mount.goRevisions...),
		// A project with no revisions yet is where migrate and revision
		// write the first one.
		engine.WithAllowEmpty(),
	}
	if a.mount.desired != nil {
		opts = append(opts, engine.WithDesiredSource(a.mount.desired))
	}
	if a.cfg.Privileges {
		opts = append(opts, engine.WithPrivileges())
	}
	return opts, nil
}

// offlineDialect is the dialect of the configured database (or dev
// database) for work without a connection, SQLite when neither parses.
func (a *app) offlineDialect() dialect.Dialect {
	for _, u := range []string{a.cfg.Database, a.cfg.DevDatabase} {
		if u == "" {
			continue
		}
		if d, _, err := dialects.ForURL(u); err == nil {
			return d
		}
	}
	return sqlite.New()
}

// onEvent prints runner progress in Alembic's manner.
func (a *app) onEvent(e engine.Event) {
	a.flushDBLine()
	switch e.Kind {
	case runner.EventLockWait:
		a.progressf("Waiting for the migration lock (another retort is migrating this database) ...\n")
	case runner.EventResume:
		a.progressf("Resuming %s at statement %d of %d\n", e.Revision, e.Statement, e.Count)
	case runner.EventStart:
		if a.graph != nil {
			if r := a.graph.Get(e.Revision); r != nil {
				a.progressf("%s\n", describeStep(revision.Step{Revision: r, Direction: e.Direction}))
				return
			}
		}
		a.progressf("Running %s %s\n", e.Direction, e.Revision)
	case runner.EventReplan:
		a.progressf("Another retort moved the database meanwhile; planning again from where it is now\n")
	case runner.EventRetry, runner.EventInvalidIndex, runner.EventSessionRestored:
		a.progressf("%s\n", e.Message)
	case runner.EventSquash:
		a.progressf("Recorded squashed revision %s in place of the revisions it replaces, all applied (no SQL run)\n", e.Revision)
	case runner.EventSkip:
		a.progressf("Skipping %s %s: another process already did it\n", e.Direction, e.Revision)
	}
}

// describeStep is "Running upgrade a -> b, message".
func describeStep(st revision.Step) string {
	r := st.Revision
	parents := joinIDs(r.Revises)
	if st.Direction == revision.Down {
		return fmt.Sprintf("Running downgrade %s -> %s, %s", r.ID, parents, r.Message)
	}
	return fmt.Sprintf("Running upgrade %s -> %s, %s", parents, r.ID, r.Message)
}

func joinIDs(ids []string) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += id
	}
	return s
}
