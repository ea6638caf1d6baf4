package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/importer"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
)

// importFlags are the choices of "retort import".
type importFlags struct {
	envsub, repeatable bool
	adopt              bool
	// goSkeletons: goose --go.
	goSkeletons bool
	adoptFlags
}

func (a *app) importCommand() *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   "import TOOL SRC",
		Short: "Convert another tool's migrations into revision files",
		Long: `Reads the migrations directory SRC of TOOL (goose, golang-migrate, dbmate,
flyway, sql-migrate, atlas or alembic) and writes one revision file per
migration into the project, keeping the tool's versions as revision ids
and its order as parents. Each file says where it came from
("Imported-From:"). Importing again adds only the migrations that are new.

Before writing anything, the whole history is replayed on a scratch
database (in memory for SQLite, next to the configured database otherwise)
and the schema it produces is printed. A statement that does not run stops
the import, naming the source file and the statement; nothing is written.
With --adopt, the database's version table of TOOL is then adopted, as
"retort adopt TOOL" does. See docs/import.md for each tool.`,
		Args: exactArgs(2, "the tool and the source directory (for example: {cmd} goose db/migrations)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImport(cmd.Context(), args[0], args[1], f)
		},
	}
	cmd.Flags().BoolVar(&f.envsub, "envsub", false, "goose: expand ENVSUB ON regions from the environment now")
	cmd.Flags().BoolVar(&f.goSkeletons, "go", false, "goose: also write, next to each Go migration's placeholder, a .go file with the retort.GoRevision to port it into")
	cmd.Flags().BoolVar(&f.adopt, "adopt", false, "then adopt the database's version table of TOOL (see retort adopt)")
	cmd.Flags().BoolVar(&f.acceptDrift, "accept-drift", false, "with --adopt: adopt even when the live schema differs from the applied revisions'")
	cmd.Flags().BoolVar(&f.dropOld, "drop-old", false, "with --adopt: drop TOOL's version table once adopted")
	cmd.Flags().BoolVar(&f.repeatable, "repeatable-as-revisions", false, "flyway: append R__ repeatable migrations as revisions after the versioned ones")
	return cmd
}

func (a *app) runImport(ctx context.Context, tool, src string, f importFlags) error {
	conv, err := importer.Lookup(tool)
	if err != nil {
		return usagef("%v", err)
	}
	srcDir := a.path(src)
	if st, err := os.Stat(srcDir); err != nil || !st.IsDir() {
		return usagef("import %s: no directory %s", tool, src)
	}
	res, err := conv.Read(os.DirFS(srcDir), importer.Options{Envsub: f.envsub, Getenv: a.getenv, RepeatableAsRevisions: f.repeatable})
	if err != nil {
		var se *importer.SourceError
		if errors.As(err, &se) {
			se.File = filepath.Join(src, se.File)
		}
		return err
	}
	dir := a.versionsDir()
	var existing []*script.Revision
	if _, err := os.Stat(dir); err == nil {
		if existing, err = script.LoadDir(script.DirFS(dir)); err != nil {
			return err
		}
	}
	fresh, err := newRevisions(tool, existing, res.Revisions, a.rel(dir))
	if err != nil {
		return err
	}
	for _, r := range fresh {
		// Until written, a revision is its source file: errors of the
		// replay name it, with the line there.
		r.Path = filepath.Join(src, r.Path)
	}
	all := append(append([]*script.Revision{}, existing...), fresh...)
	if _, err := revision.New(all); err != nil {
		return fmt.Errorf("import %s: the converted history is not a valid graph: %w", tool, err)
	}
	if err := a.replayImport(ctx, all); err != nil {
		return fmt.Errorf("import %s: %w; nothing was written", tool, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("import %s: %w", tool, err)
	}
	for _, r := range fresh {
		if _, err := script.Write(dir, r); err != nil {
			return err
		}
		a.progressf("  %s  %s  (from %s)\n", r.ID, filepath.Join(a.rel(dir), r.Path), r.ImportedFrom)
	}
	a.progressf("Imported %d new revision(s) from %s %s (%d already imported)\n", len(fresh), tool, src, len(res.Revisions)-len(fresh))
	if len(fresh) > 0 {
		if err := a.updateSum(); err != nil {
			return err
		}
	}
	if err := a.goMigrations(res.GoMigrations, dir, fresh, f.goSkeletons); err != nil {
		return err
	}
	if f.adopt {
		return a.runAdopt(ctx, tool, f.adoptFlags)
	}
	return nil
}

// newRevisions returns the converted revisions the project does not have
// yet. A revision with a converted id that was not imported from this tool
// is a conflict: the two would be one node of the graph.
func newRevisions(tool string, existing, converted []*script.Revision, dir string) ([]*script.Revision, error) {
	have := make(map[string]*script.Revision, len(existing))
	for _, r := range existing {
		have[r.ID] = r
	}
	var fresh []*script.Revision
	for _, r := range converted {
		old, ok := have[r.ID]
		if !ok {
			fresh = append(fresh, r)
			continue
		}
		if !strings.HasPrefix(old.ImportedFrom, tool+" ") {
			return nil, fmt.Errorf("import %s: %s converts to revision %s, but %s already has that id and was not imported from %s: rename one of them (the converted id comes from the tool's version)", tool, r.ImportedFrom, r.ID, filepath.Join(dir, old.Path), tool)
		}
	}
	return fresh, nil
}

// replayImport upgrades a scratch database through revs and prints its
// schema as inspect does. A goose Go placeholder stops the replay there,
// with a warning: its functions are not in the standalone binary.
func (a *app) replayImport(ctx context.Context, revs []*script.Revision) error {
	d := a.offlineDialect()
	// The scratch database goes where migrate puts its own: next to the
	// configured database (or dev database) on its server; SQLite, and a
	// project with no database configured, in memory.
	var u *dialect.URL
	if a.cfg.Database != "" || a.cfg.DevDatabase != "" {
		var opts engine.GenerateOptions
		if err := a.scratchOptions(&opts); err != nil {
			return err
		}
		u = opts.Scratch
		if u == nil && opts.DevDatabase != nil && opts.DevDatabase.OnServer() {
			u = opts.DevDatabase
		}
	}
	db, drop, err := d.CreateScratch(ctx, u)
	if err != nil {
		return fmt.Errorf("create a scratch database: %w", err)
	}
	defer func() {
		db.Close()
		_ = drop(context.WithoutCancel(ctx))
	}()
	m, err := engine.New(d, db, nil, engine.WithRevisions(revs...),
		engine.WithVersionTables(a.cfg.VersionTable, a.cfg.LogTable), engine.WithAllowEmpty())
	if err != nil {
		return err
	}
	a.progressf("Replaying the imported history on a scratch %s database ...\n", d.Name())
	if _, err := m.Upgrade(ctx, "heads"); err != nil {
		var se *runner.StatementError
		if errors.As(err, &se) {
			// The runner's hint is about resuming a real database; the
			// scratch one is gone.
			se.Hint = "fix the statement in the source file and import again"
		}
		var ge *runner.GoUnavailableError
		if !errors.As(err, &ge) {
			return fmt.Errorf("replay on a scratch database: %w", err)
		}
		a.progressf("warning: the replay stopped before %s, a Go revision; the schema below is the one before it\n", ge.Revision)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s, err := d.Inspect(ctx, conn, dialect.InspectOptions{VersionTables: dialect.VersionTables{Revisions: a.cfg.VersionTable, Log: a.cfg.LogTable}})
	if err != nil {
		return fmt.Errorf("inspect the replayed scratch database: %w", err)
	}
	_, err = fmt.Fprint(a.stdout, d.Format(s))
	return err
}
