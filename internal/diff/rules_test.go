package diff

import (
	"errors"
	"slices"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// Rule scenarios name their tables with a "t_" prefix: the simulator then
// refuses a rule created before a table its action names (simWants).

func payment() *schema.Table {
	return table("t_payment", notNull(col("payment_id", "integer")), notNull(col("payment_date", "date")))
}

func paymentChild() *schema.Table {
	return table("t_payment_p1", notNull(col("payment_id", "integer")), notNull(col("payment_date", "date")))
}

// routeRule is an INSERT rule on t_payment that routes rows into
// t_payment_p1, as the jOOQ Sakila schema's rules do.
func routeRule(where string) *schema.Rule {
	return &schema.Rule{Table: "t_payment", Name: "payment_insert_p1", Definition: "CREATE RULE payment_insert_p1 AS\n    ON INSERT TO t_payment\n   WHERE new.payment_date < '" + where + "'::date DO INSTEAD  INSERT INTO t_payment_p1 (payment_id, payment_date)\n  VALUES (new.payment_id, new.payment_date)"}
}

func withRules(s *schema.Schema, rules ...*schema.Rule) *schema.Schema {
	s.Rules = append(s.Rules, rules...)
	return s
}

func TestCompareRules(t *testing.T) {
	commented := func(r *schema.Rule, text string) *schema.Rule { r.Comment = text; return r }
	runCases(t, []compareCase{
		{
			name: "rule added after every table, dropped before them",
			from: sch(),
			to:   withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			want: []string{
				"added table 't_payment'",
				"added table 't_payment_p1'",
				"added rule 'payment_insert_p1' on 't_payment'",
			},
		},
		{
			name: "rule removed with its tables goes first",
			from: withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			to:   sch(),
			want: []string{
				"removed rule 'payment_insert_p1' on 't_payment'",
				"removed table 't_payment'",
				"removed table 't_payment_p1'",
			},
		},
		{
			name: "rule added on existing tables",
			from: sch(payment(), paymentChild()),
			to:   withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			want: []string{"added rule 'payment_insert_p1' on 't_payment'"},
		},
		{
			name: "changed definition is replaced in place",
			from: withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			to:   withRules(sch(payment(), paymentChild()), routeRule("2007-03-01")),
			want: []string{"changed rule 'payment_insert_p1' on 't_payment'"},
		},
		{
			name: "changed comment is replaced in place",
			from: withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			to:   withRules(sch(payment(), paymentChild()), commented(routeRule("2007-02-01"), "route")),
			want: []string{"changed rule 'payment_insert_p1' on 't_payment'"},
		},
		{
			name: "column type change in the table the action writes recreates the rule around it",
			from: withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			to: func() *schema.Schema {
				c := paymentChild()
				c.Columns[0].Type = "bigint"
				return withRules(sch(payment(), c), routeRule("2007-02-01"))
			}(),
			want: []string{
				"removed rule 'payment_insert_p1' on 't_payment'",
				"altered column 't_payment_p1.payment_id' (type integer -> bigint)",
				"added rule 'payment_insert_p1' on 't_payment'",
			},
		},
		{
			name: "column dropped from the rule's own table recreates the rule around it",
			from: func() *schema.Schema {
				p := payment()
				p.Columns = append(p.Columns, col("note", "text"))
				return withRules(sch(p, paymentChild()), routeRule("2007-02-01"))
			}(),
			to: withRules(sch(payment(), paymentChild()), routeRule("2007-02-01")),
			want: []string{
				"removed rule 'payment_insert_p1' on 't_payment'",
				"removed column 't_payment.note'",
				"added rule 'payment_insert_p1' on 't_payment'",
			},
		},
		{
			name: "a column added elsewhere leaves the rule alone",
			from: withRules(sch(payment(), paymentChild(), items()), routeRule("2007-02-01")),
			to: func() *schema.Schema {
				it := items()
				it.Columns = append(it.Columns, col("note", "text"))
				return withRules(sch(payment(), paymentChild(), it), routeRule("2007-02-01"))
			}(),
			want: []string{"added column 'items.note'"},
		},
		{
			name: "rule on a dropped view goes before the view",
			from: withRules(sch(payment(), paymentChild(),
				&schema.View{Name: "t_recent", Definition: "SELECT * FROM t_payment", DependsOn: []string{"TABLE t_payment"}}),
				&schema.Rule{Table: "t_recent", Name: "recent_ins", Definition: "CREATE RULE recent_ins AS ON INSERT TO t_recent DO INSTEAD INSERT INTO t_payment_p1 VALUES (new.payment_id, new.payment_date)"}),
			to: sch(payment(), paymentChild()),
			want: []string{
				"removed rule 'recent_ins' on 't_recent'",
				"removed view 't_recent'",
			},
		},
	})
}

// TestCompareRuleRenamedTable checks that a rule on a renamed table, whose
// printed definition names the new table, is dropped before the rename and
// created after it.
func TestCompareRuleRenamedTable(t *testing.T) {
	from := withRules(sch(payment(), paymentChild()), routeRule("2007-02-01"))
	renamed := routeRule("2007-02-01")
	renamed.Table = "t_payments"
	renamed.Definition = "CREATE RULE payment_insert_p1 AS ON INSERT TO t_payments DO INSTEAD INSERT INTO t_payment_p1 VALUES (new.*)"
	p := payment()
	p.Name = "t_payments"
	to := withRules(sch(p, paymentChild()), renamed)
	got, err := Compare(from, to, Options{Renames: map[string]string{"t_payment": "t_payments"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"removed rule 'payment_insert_p1' on 't_payment'",
		"renamed table 't_payment' to 't_payments'",
		"added rule 'payment_insert_p1' on 't_payments'",
	}
	if d := describe(got); !slices.Equal(d, want) {
		t.Fatalf("changes:\n  got  %q\n  want %q", d, want)
	}
	if _, err := simulate(from, got); err != nil {
		t.Fatalf("upgrade does not apply: %v", err)
	}
	if _, err := simulate(to, change.Invert(got)); err != nil {
		t.Fatalf("downgrade does not apply: %v", err)
	}
}

// TestCompareRulesNotUnsupported checks that rules are no longer reported
// as differences autogenerate cannot express, while Schema.Comments still
// are.
func TestCompareRulesNotUnsupported(t *testing.T) {
	to := withRules(sch(payment(), paymentChild()), routeRule("2007-02-01"))
	if _, err := Compare(sch(), to, Options{}); err != nil {
		t.Fatalf("a rule is a difference autogenerate expresses now, got %v", err)
	}
	to.Comments = []*schema.Comment{{Object: "CONSTRAINT c ON t_payment", Text: "x"}}
	_, err := Compare(sch(), to, Options{})
	var ue *UnsupportedError
	if !errors.As(err, &ue) {
		t.Fatalf("a comment in Schema.Comments: got %v, want an *UnsupportedError", err)
	}
}

// TestSimulatorRefusesMisorderedRules proves that the simulator the other
// rule tests rely on would catch a wrong order: a rule created before the
// table its action writes, and a table dropped while a rule still reads it.
func TestSimulatorRefusesMisorderedRules(t *testing.T) {
	rule := routeRule("2007-02-01")
	if _, err := simulate(sch(), []change.Change{
		&change.AddTable{Table: payment()},
		&change.AddRule{Rule: rule},
		&change.AddTable{Table: paymentChild()},
	}); err == nil {
		t.Error("a rule created before the table its action writes was accepted")
	}
	if _, err := simulate(withRules(sch(payment(), paymentChild()), rule), []change.Change{
		&change.DropTable{Table: paymentChild()},
	}); err == nil {
		t.Error("a table dropped while a rule writes into it was accepted")
	}
}
