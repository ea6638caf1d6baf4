package retort_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/source"
)

// TestNewRefusesOptions checks that New refuses invalid options with an
// OptionError naming the option, and a nil dialect.
func TestNewRefusesOptions(t *testing.T) {
	desired := retort.DesiredFunc(func(dialect.Dialect) ([]source.File, error) { return nil, nil })
	fsys := fstest.MapFS{"a1.sql": revFile("a1", "", "CREATE TABLE t (id integer);", "DROP TABLE t;")}
	for _, tc := range []struct {
		name   string
		opts   []retort.Option
		option string
	}{
		{"negative lock timeout", []retort.Option{retort.WithLockTimeout(-time.Second)}, "WithLockTimeout"},
		{"empty revisions table", []retort.Option{retort.WithVersionTables("", "retort_log")}, "WithVersionTables"},
		{"empty log table", []retort.Option{retort.WithVersionTables("retort_revisions", "")}, "WithVersionTables"},
		{"one table for both", []retort.Option{retort.WithVersionTables("v", "v")}, "WithVersionTables"},
		{"desired source twice", []retort.Option{retort.WithDesiredSource(desired), retort.WithDesiredSource(desired)}, "WithDesiredSource"},
		{"nil desired source", []retort.Option{retort.WithDesiredSource(nil)}, "WithDesiredSource"},
		{"nil logger", []retort.Option{retort.WithLogger(nil)}, "WithLogger"},
		{"nil progress", []retort.Option{retort.WithProgress(nil)}, "WithProgress"},
		{"empty version", []retort.Option{retort.WithVersion("")}, "WithVersion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := retort.New(sqlite.New(), nil, fsys, tc.opts...)
			var oe *retort.OptionError
			if !errors.Is(err, retort.ErrInvalidOption) || !errors.As(err, &oe) || oe.Option != tc.option {
				t.Fatalf("New: %v; want an OptionError for %s", err, tc.option)
			}
		})
	}
	if _, err := retort.New(nil, nil, fsys); !errors.Is(err, retort.ErrInvalidOption) {
		t.Fatalf("New with a nil dialect: %v; want ErrInvalidOption", err)
	}
	if _, err := retort.New(sqlite.New(), nil, fsys, retort.WithLockTimeout(0), retort.WithVersionTables("a", "b")); err != nil {
		t.Fatalf("valid options refused: %v", err)
	}
}

// TestNoRevisions checks ErrNoRevisions: an empty source, no source, and
// a source with only non-revision files.
func TestNoRevisions(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{"empty": {}, "nil": nil, "readme only": {"README.md": {Data: []byte("# notes")}}} {
		var src = fsys
		t.Run(name, func(t *testing.T) {
			var err error
			if src == nil {
				_, err = retort.New(sqlite.New(), nil, nil)
			} else {
				_, err = retort.New(sqlite.New(), nil, src)
			}
			if !errors.Is(err, retort.ErrNoRevisions) {
				t.Fatalf("New: %v; want ErrNoRevisions", err)
			}
		})
	}
}

// TestLibraryDependencies checks the promise of the library's layout: a
// program that imports the root package and one dialect compiles in that
// dialect's driver only, and no go/packages (models).
func TestLibraryDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped under -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/retortdb/retort", "github.com/retortdb/retort/dialect/postgres").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, d := range deps {
		for _, bad := range []string{"modernc.org/sqlite", "github.com/go-sql-driver/mysql", "golang.org/x/tools", "github.com/retortdb/retort/models", "github.com/retortdb/retort/dialect/mysql", "github.com/retortdb/retort/dialect/sqlite", "github.com/spf13/cobra"} {
			if d == bad || strings.HasPrefix(d, bad+"/") {
				t.Errorf("the root package with the PostgreSQL dialect depends on %s", d)
			}
		}
	}
	t.Logf("%d packages in a root+postgres program", len(deps))
}

// TestNamesOutsideTheModule checks that an application can name what the
// methods take and return: the root package's own types (Revision, Plan,
// Graph) and its names for the rest (Up, Down).
func TestNamesOutsideTheModule(t *testing.T) {
	m, err := retort.New(sqlite.New(), nil, fstest.MapFS{"a1.sql": revFile("a1", "", "CREATE TABLE t (id integer);", "DROP TABLE t;")})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := m.SQL(&b, retort.Up, "base", "a1"); err != nil || !strings.Contains(b.String(), "CREATE TABLE t") {
		t.Fatalf("SQL up: %v\n%s", err, b.String())
	}
	var revs []retort.Revision = m.History()
	var dir retort.Direction = retort.Down
	if len(revs) != 1 || dir == retort.Up || revs[0].Upgrade != "CREATE TABLE t (id integer);\n" || revs[0].Irreversible {
		t.Fatalf("history %+v, direction %v", revs, dir)
	}
	var g *retort.Graph = m.Graph()
	if r, err := g.Revision("a"); err != nil || r.ID != "a1" || len(g.Heads()) != 1 {
		t.Fatalf("graph: %+v, %v", r, err)
	}
	if _, err := g.Revision("zz"); !errors.Is(err, retort.ErrUnknownRevision) {
		t.Fatalf("unknown revision: %v; want ErrUnknownRevision", err)
	}
}
