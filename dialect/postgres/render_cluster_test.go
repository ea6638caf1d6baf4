package postgres

import (
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// TestRenderClusterIndex renders a change of the index CLUSTER orders a
// table by (set, moved to another index, removed), checks it against its
// golden file, requires diff.Compare to find the same change, and applies
// both directions to a database, which must then inspect as each side.
func TestRenderClusterIndex(t *testing.T) {
	const base = `CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX t_a ON t (a);`
	cases := []struct {
		name, from, to string
		change         *change.SetClusterIndex
	}{
		{"cluster_on_set", base, base + `ALTER TABLE t CLUSTER ON t_a;`,
			&change.SetClusterIndex{Table: change.Ref{Schema: "public", Name: "t"}, To: "t_a"}},
		// The index it names is new: the change comes after it (and, in
		// the downgrade, before it goes).
		{"cluster_on_new_index", base, base + `CREATE INDEX t_b ON t (b); ALTER TABLE t CLUSTER ON t_b;`, nil},
		{"cluster_on_moved", base + `CREATE INDEX t_b ON t (b); ALTER TABLE t CLUSTER ON t_b;`, base + `CREATE INDEX t_b ON t (b); ALTER TABLE t CLUSTER ON t_a;`,
			&change.SetClusterIndex{Table: change.Ref{Schema: "public", Name: "t"}, From: "t_b", To: "t_a"}},
	}
	d := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbFrom, dbTo := testdb.New(t, "postgres"), testdb.New(t, "postgres")
			renderExec(t, dbFrom, tc.from)
			renderExec(t, dbTo, tc.to)
			from, to := renderInspect(t, dbFrom), renderInspect(t, dbTo)
			var changes []change.Change
			if tc.change != nil {
				changes = []change.Change{tc.change}
			} else {
				var tb *schema.Index
				for _, x := range mustTable(t, to, "public", "t").Indexes {
					if x.Name == "t_b" {
						tb = x
					}
				}
				changes = []change.Change{
					&change.AddIndex{Table: change.Ref{Schema: "public", Name: "t"}, Index: tb},
					&change.SetClusterIndex{Table: change.Ref{Schema: "public", Name: "t"}, To: "t_b"},
				}
			}
			up, down := renderBothWays(t, d, tc.name, from, to, changes, true)
			text := func(s *schema.Schema) string { return d.Format(s) }
			applyChecked(t, dbFrom, "upgrade", up, text, d.Format(to))
			applyChecked(t, dbFrom, "downgrade", down, text, d.Format(from))
		})
	}
}
