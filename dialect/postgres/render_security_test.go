package postgres

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// bookingSQL is a table of room bookings whose periods must not overlap,
// the documentation's example of an exclusion constraint.
const bookingSQL = `CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE booking (
    id integer PRIMARY KEY,
    room integer NOT NULL,
    owner text NOT NULL,
    during tstzrange NOT NULL
);
`

const bookingExclusion = `ALTER TABLE booking ADD CONSTRAINT "no overlap" EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (room > 0);
COMMENT ON CONSTRAINT "no overlap" ON booking IS 'one booking per room at a time';
`

const bookingPolicies = `CREATE POLICY own ON booking AS RESTRICTIVE FOR UPDATE TO pg_read_all_stats, pg_monitor USING (owner = CURRENT_USER) WITH CHECK (owner = CURRENT_USER AND room > 0);
CREATE POLICY "see all" ON booking FOR SELECT USING (true);
COMMENT ON POLICY "see all" ON booking IS 'everyone reads';
`

func mustPolicyR(t *testing.T, s *schema.Schema, name string) *schema.Policy {
	t.Helper()
	for _, p := range s.Policies {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no policy %s", name)
	return nil
}

func mustExclusionR(t *testing.T, s *schema.Schema, table, name string) *schema.Exclusion {
	t.Helper()
	for _, x := range mustTableR(t, s, table).Exclusions {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no exclusion constraint %s on %s", name, table)
	return nil
}

// TestRenderSecurity renders exclusion constraints, row-level security
// and policies built by hand, checks them against their golden files,
// requires diff.Compare to find the same changes, applies the upgrade and
// the downgrade and checks each inspects as the schema it should be (so
// the inspector reads back what Format and Render print), and checks that
// the objects do their work: an overlapping booking is refused.
func TestRenderSecurity(t *testing.T) {
	overlap := `INSERT INTO booking VALUES (1, 7, 'a', '[2026-01-01,2026-01-03)'), (2, 7, 'b', '[2026-01-02,2026-01-04)')`
	cases := []struct {
		name     string
		from, to string
		changes  func(t *testing.T, from, to *schema.Schema) []change.Change
		// upOverlap: after the upgrade, overlapping bookings are refused.
		upOverlap bool
	}{
		{
			name: "exclusion_add",
			from: bookingSQL,
			to:   bookingSQL + bookingExclusion,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddExclusion{Table: ref("booking"), Exclusion: mustExclusionR(t, to, "booking", "no overlap")}}
			},
			upOverlap: true,
		},
		{
			name: "exclusion_with_table",
			from: `CREATE EXTENSION IF NOT EXISTS btree_gist;`,
			to:   bookingSQL + bookingExclusion,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddTable{Table: mustTableR(t, to, "booking")},
					&change.AddExclusion{Table: ref("booking"), Exclusion: mustExclusionR(t, to, "booking", "no overlap")},
				}
			},
			upOverlap: true,
		},
		{
			name: "row_security_enable_force",
			from: bookingSQL,
			to:   bookingSQL + "ALTER TABLE booking ENABLE ROW LEVEL SECURITY;\nALTER TABLE booking FORCE ROW LEVEL SECURITY;\n",
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.SetRowSecurity{Table: ref("booking"), To: change.RowSecurity{Enabled: true, Forced: true}}}
			},
		},
		{
			name: "policy_add",
			from: bookingSQL,
			to:   bookingSQL + bookingPolicies + "ALTER TABLE booking ENABLE ROW LEVEL SECURITY;\n",
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddPolicy{Policy: mustPolicyR(t, to, "own")},
					&change.AddPolicy{Policy: mustPolicyR(t, to, "see all")},
					&change.SetRowSecurity{Table: ref("booking"), To: change.RowSecurity{Enabled: true}},
				}
			},
		},
		{
			name: "policy_change",
			from: bookingSQL + bookingPolicies,
			to:   bookingSQL + strings.Replace(bookingPolicies, "USING (true)", "USING (room > 0)", 1),
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.DropPolicy{Policy: mustPolicyR(t, from, "see all")},
					&change.AddPolicy{Policy: mustPolicyR(t, to, "see all")},
				}
			},
		},
		{
			name: "security_drop_table",
			from: bookingSQL + bookingExclusion + bookingPolicies + "ALTER TABLE booking ENABLE ROW LEVEL SECURITY;\n",
			to:   `CREATE EXTENSION IF NOT EXISTS btree_gist;`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.DropPolicy{Policy: mustPolicyR(t, from, "own")},
					&change.DropPolicy{Policy: mustPolicyR(t, from, "see all")},
					&change.SetRowSecurity{Table: ref("booking"), From: change.RowSecurity{Enabled: true}},
					&change.DropExclusion{Table: ref("booking"), Exclusion: mustExclusionR(t, from, "booking", "no overlap")},
					&change.DropTable{Table: mustTableR(t, from, "booking")},
				}
			},
		},
	}
	d := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbFrom, from, to, fromText, toText := renderPair(t, d, tc.from, tc.to)
			up, down := renderBothWays(t, d, tc.name, from, to, tc.changes(t, from, to), true)
			applyChecked(t, dbFrom, "upgrade", up, d.Format, toText)
			if tc.upOverlap {
				if _, err := dbFrom.DB.ExecContext(renderCtx(t), overlap); err == nil || !strings.Contains(err.Error(), "no overlap") {
					t.Errorf("after the upgrade overlapping bookings: err = %v, want a violation of \"no overlap\"", err)
				}
			}
			applyChecked(t, dbFrom, "downgrade", down, d.Format, fromText)
		})
	}
}
