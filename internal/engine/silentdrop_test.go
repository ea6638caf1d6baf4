package engine

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/source"
)

// checkDropper is SQLite whose server, as a TiDB with
// tidb_enable_check_constraint OFF would, drops every CHECK constraint
// (what SilentDrops decides on TiDB is tested in dialect/mysql).
type checkDropper struct{ *sqlite.Dialect }

func (checkDropper) SilentDrops(ctx context.Context, db *sql.DB, stmts []string) (string, []int, error) {
	var dropped []int
	for k, s := range stmts {
		if strings.Contains(s, "CHECK") {
			dropped = append(dropped, k)
		}
	}
	if dropped == nil {
		return "", nil, nil
	}
	return "this server drops CHECK constraints", dropped, nil
}

// TestSilentDropWarnings: drift warns at the applied revisions' statements
// the server drops, check (and migrate) at the desired schema's, with
// their files and lines; a server that drops nothing gives no warning.
func TestSilentDropWarnings(t *testing.T) {
	ctx := context.Background()
	rev := "-- t\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id INTEGER);\nCREATE TABLE u (\n  a INTEGER CHECK (a > 0)\n);\n\n-- +downgrade\nDROP TABLE u;\nDROP TABLE t;\n"
	fsys := fstest.MapFS{"a1_t.sql": {Data: []byte(rev)}}
	desired := []source.File{{Path: "schema.sql", SQL: "CREATE TABLE t (id INTEGER);\n\nCREATE TABLE u (a INTEGER CHECK (a > 0));\n"}}
	for name, d := range map[string]dialect.Dialect{"dropper": checkDropper{sqlite.New()}, "sqlite": sqlite.New()} {
		t.Run(name, func(t *testing.T) {
			db, err := d.Open(ctx, &dialect.URL{Dialect: "sqlite", Path: filepath.Join(t.TempDir(), "live.db")})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			m, err := New(d, db, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.Upgrade(ctx, "heads"); err != nil {
				t.Fatal(err)
			}
			var got []string
			opts := GenerateOptions{Notify: func(n source.Notice) {
				if !n.Verbose {
					got = append(got, n.String())
				}
			}}
			if _, err := m.Drift(ctx, opts); err != nil {
				t.Fatalf("drift: %v", err)
			}
			opts.Desired = desired
			if _, err := m.CheckWith(ctx, opts); err != nil {
				t.Fatalf("check: %v", err)
			}
			var want []string
			if name == "dropper" {
				want = []string{"a1_t.sql:8: this server drops CHECK constraints (the statements at a1_t.sql:8)",
					"schema.sql:3: this server drops CHECK constraints (the statements at schema.sql:3)"}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
