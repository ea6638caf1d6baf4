package postgres

import (
	"strconv"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// paymentSQL is the shape of the jOOQ Sakila PostgreSQL payment table and
// one of its INHERITS children.
const paymentSQL = `CREATE TABLE payment (
    payment_id integer NOT NULL,
    payment_date date NOT NULL
);
CREATE TABLE payment_p2007_01 (
    CONSTRAINT payment_p2007_01_payment_date_check CHECK (payment_date < '2007-02-01')
) INHERITS (payment);
`

// paymentRule routes rows of January 2007 into the child, as Sakila's
// payment_insert_p2007_01 does.
const paymentRule = `CREATE RULE "Route Jan" AS ON INSERT TO payment
    WHERE payment_date < '2007-02-01'
    DO INSTEAD INSERT INTO payment_p2007_01 VALUES (NEW.*);
`

func mustRuleR(t *testing.T, s *schema.Schema, name string) *schema.Rule {
	t.Helper()
	for _, r := range s.Rules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %s", name)
	return nil
}

// TestRenderRules renders rule changes built by hand, checks them against
// their golden files and requires diff.Compare to find the same changes;
// applies the upgrade to the "from" database, proves the rule is there and
// works (an INSERT into payment lands where the rule sends it), checks the
// result inspects as "to", then applies the downgrade and checks it
// inspects as "from" again and the rows land as "from" sends them.
func TestRenderRules(t *testing.T) {
	// where inserts a payment dated date; landed tells which table the
	// payment went to (the id makes each text differ, so that pgx caches
	// no plan across schema changes).
	where := func(id int, date string) string {
		return "INSERT INTO payment VALUES (" + strconv.Itoa(id) + ", '" + date + "')"
	}
	landed := func(id int) string {
		return "SELECT coalesce((SELECT tableoid::regclass::text FROM payment WHERE payment_id = " + strconv.Itoa(id) + "), 'nowhere')"
	}
	cases := []struct {
		name     string
		from, to string
		changes  func(t *testing.T, from, to *schema.Schema) []change.Change
		// After the upgrade, inserting upID dated upDate lands in upWant;
		// after the downgrade, downID dated downDate in downWant (no
		// check when downWant is "": the downgrade drops the tables).
		upID               int
		upDate, upWant     string
		downID             int
		downDate, downWant string
	}{
		{
			name: "rule_add",
			from: paymentSQL,
			to:   paymentSQL + paymentRule + `COMMENT ON RULE "Route Jan" ON payment IS 'January''s rows';`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddRule{Rule: mustRuleR(t, to, "Route Jan")}}
			},
			upID: 1, upDate: "2007-01-15", upWant: "payment_p2007_01",
			downID: 2, downDate: "2007-01-15", downWant: "payment",
		},
		{
			name: "rule_replace",
			from: paymentSQL + paymentRule + `COMMENT ON RULE "Route Jan" ON payment IS 'old';`,
			to:   paymentSQL + strings.Replace(paymentRule, "'2007-02-01'", "'2007-01-10'", 1) + `COMMENT ON RULE "Route Jan" ON payment IS 'new';`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.ReplaceRule{From: mustRuleR(t, from, "Route Jan"), To: mustRuleR(t, to, "Route Jan")}}
			},
			// The 15th of January is routed before, not after.
			upID: 3, upDate: "2007-01-15", upWant: "payment",
			downID: 4, downDate: "2007-01-15", downWant: "payment_p2007_01",
		},
		{
			name: "rule_with_tables",
			from: ``,
			to:   paymentSQL + paymentRule,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddTable{Table: mustTableR(t, to, "payment")},
					&change.AddTable{Table: mustTableR(t, to, "payment_p2007_01")},
					&change.AddRule{Rule: mustRuleR(t, to, "Route Jan")},
				}
			},
			upID: 5, upDate: "2007-01-15", upWant: "payment_p2007_01",
		},
	}
	d := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbFrom, from, to, fromText, toText := renderPair(t, d, tc.from, tc.to)
			up, down := renderBothWays(t, d, tc.name, from, to, tc.changes(t, from, to), true)

			applyChecked(t, dbFrom, "upgrade", up, d.Format, toText)
			renderExec(t, dbFrom, where(tc.upID, tc.upDate))
			if got := renderQuery(t, dbFrom, landed(tc.upID)); got != tc.upWant {
				t.Errorf("after the upgrade a payment of %s landed in %s, want %s", tc.upDate, got, tc.upWant)
			}
			applyChecked(t, dbFrom, "downgrade", down, d.Format, fromText)
			if tc.downWant != "" {
				renderExec(t, dbFrom, where(tc.downID, tc.downDate))
				if got := renderQuery(t, dbFrom, landed(tc.downID)+" /* after downgrade */"); got != tc.downWant {
					t.Errorf("after the downgrade a payment of %s landed in %s, want %s", tc.downDate, got, tc.downWant)
				}
			}
		})
	}
}

func describeAll(changes []change.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.Describe()
	}
	return out
}
