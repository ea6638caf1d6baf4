package cli

import (
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// goRevisionFile is the Go source of the revision skeleton that "import
// goose --go" writes next to a goose Go migration's placeholder r: a
// retort.GoRevision under the same id and parents, whose functions fail
// until they are ported, so that an unported skeleton never records the
// revision as applied without its work. pkg is the package clause's name.
func goRevisionFile(r *script.Revision, pkg string) ([]byte, error) {
	from := strings.TrimPrefix(r.ImportedFrom, "goose ")
	name := "Revision" + strings.ReplaceAll(r.ID, "-", "_")
	notPorted := func(fn string) string {
		return fmt.Sprintf("return errors.New(%q)", fmt.Sprintf("revision %s: %s of goose's %s is not ported yet", r.ID, fn, from))
	}
	src := fmt.Sprintf(`// Written by "retort import goose --go" from goose's Go migration %s.

package %s

import (
	"context"
	"database/sql"
	"errors"

	"github.com/retortdb/retort/internal/engine"
)

// %s replaces goose's Go migration %s: port its Up and Down
// functions here (goose ran them in a transaction unless registered with
// goose.AddMigrationNoTx; then use UpNoTx and DownNoTx), then register it
// with the application (cli.WithGoRevisions / retort.WithGoRevisions). Its
// placeholder %s keeps it in the standalone binary's graph.
var %s = %s
`, from, pkg, name, from, r.Path, name, goRevisionLiteral(r, "", notPorted("Up"), notPorted("Down")))
	out, err := format.Source([]byte(src))
	if err != nil {
		return nil, fmt.Errorf("format the Go revision skeleton of %s: %w", r.ID, err)
	}
	return out, nil
}

// goMigrations warns about each goose Go migration (names), whose
// revision is a placeholder, and with skeletons writes the Go revision
// skeletons of the placeholders among fresh, written into dir.
func (a *app) goMigrations(names []string, dir string, fresh []*script.Revision, skeletons bool) error {
	for _, g := range names {
		a.progressf("warning: %s is a goose Go migration: its revision is a placeholder (Go: true); port its functions to a retort.GoRevision with the same id, or replace the placeholder by SQL\n", g)
	}
	if !skeletons {
		return nil
	}
	return a.writeGoRevisions(dir, fresh)
}

// writeGoRevisions writes, for each goose Go migration's placeholder
// among revs (written into dir), its Go revision skeleton as a .go file of
// the same name next to it. An existing file is left alone: it may hold
// the ported code.
func (a *app) writeGoRevisions(dir string, revs []*script.Revision) error {
	pkg := goPackageName(filepath.Base(dir))
	for _, r := range revs {
		if !r.Go {
			continue
		}
		path := filepath.Join(dir, strings.TrimSuffix(r.Path, ".sql")+".go")
		src, err := goRevisionFile(r, pkg)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if os.IsExist(err) {
			a.progressf("note: %s exists: left as it is\n", a.rel(path))
			continue
		}
		if err != nil {
			return fmt.Errorf("import goose --go: %w", err)
		}
		_, werr := f.Write(src)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("import goose --go: write %s: %w", a.rel(path), werr)
		}
		a.progressf("  %s  %s  (Go revision skeleton: port %s into it)\n", r.ID, a.rel(path), strings.TrimPrefix(r.ImportedFrom, "goose "))
	}
	return nil
}

// goPackageName makes a Go package name of a directory's name: lower-case
// letters, digits and underscores, not starting with a digit.
func goPackageName(dir string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(dir) {
		switch {
		case c >= 'a' && c <= 'z', c == '_', c >= '0' && c <= '9' && b.Len() > 0:
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "migrations"
	}
	return b.String()
}
