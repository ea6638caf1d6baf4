package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// TestVerifyCatchesTamperedRevision breaks a generated revision on purpose
// and checks that the one-load verification (issue 14) refuses it: a
// downgrade that leaves a column, a downgrade statement that fails, an
// upgrade that adds the wrong column, an upgrade statement that fails.
// The untouched revision passes.
func TestVerifyCatchesTamperedRevision(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			m, scratchURL := headMigrator(t, d, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER);", "DROP TABLE t;")
			opts := GenerateOptions{
				Desired:  []source.File{{Path: "schema.sql", SQL: "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b INTEGER);\n"}},
				Scratch:  scratchURL,
				NoVerify: true,
			}
			g, err := m.Generate(ctx, opts)
			if err != nil || len(g.Up) != 1 || len(g.Down) != 1 {
				t.Fatalf("Generate: %+v, %v; want one statement each way", g, err)
			}
			verify := func(tampered *Generated) error {
				_, sc, err := m.loadDesired(ctx, opts)
				if err != nil {
					t.Fatal(err)
				}
				defer sc.close()
				return m.verify(ctx, sc, tampered, nil)
			}
			if err := verify(g); err != nil {
				t.Fatalf("verify of the generated revision: %v", err)
			}
			quote := m.dialect.QuoteIdent
			for _, tc := range []struct {
				name     string
				up, down []string
				dir      revision.Direction
				want     string
			}{
				{"downgrade leaves b", g.Up, []string{"ALTER TABLE " + quote("t") + " ADD COLUMN " + quote("c") + " INTEGER"}, revision.Down, "does not reproduce"},
				{"downgrade fails", g.Up, []string{"ALTER TABLE " + quote("t") + " DROP COLUMN " + quote("nosuch")}, revision.Down, "failed on the scratch database at statement 1 of 1"},
				{"upgrade adds the wrong column", []string{"ALTER TABLE " + quote("t") + " ADD COLUMN " + quote("c") + " INTEGER"}, g.Down, revision.Up, "does not reproduce"},
				{"upgrade fails", []string{"ALTER TABLE " + quote("nosuch") + " ADD COLUMN " + quote("b") + " INTEGER"}, g.Down, revision.Up, "failed on the scratch database at statement 1 of 1"},
			} {
				tampered := *g
				tampered.Up, tampered.Down = tc.up, tc.down
				err := verify(&tampered)
				var ve *VerifyError
				if !errors.As(err, &ve) || ve.Direction != tc.dir || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bug in retort") {
					t.Errorf("%s: verify = %v; want a VerifyError of the %s with %q", tc.name, err, tc.dir, tc.want)
				}
				// Issue 12 item 9: inside migrate there is no file to fix
				// and nothing to resolve; the failed statement is shown.
				for _, advice := range []string{"resolve", "retort_verify", "fix the file", "nothing of it ran", "rolled back"} {
					if strings.Contains(err.Error(), advice) {
						t.Errorf("%s: %v: runner advice (%q) inside migrate", tc.name, err, advice)
					}
				}
				if strings.Contains(tc.want, "failed") && !strings.Contains(err.Error(), "\n    ALTER TABLE ") {
					t.Errorf("%s: %v: the failed statement is not shown", tc.name, err)
				}
			}
		})
	}
}
