package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// PostgreSQL row-level security, policies and exclusion constraints in
// the random schema generator (issue 19). Only PostgreSQL tables get them;
// the other dialects' random sequences are unchanged.

// gSecurity is a PostgreSQL table's row-level security, its policies
// (each reads one column: "col IS NOT NULL", which holds for any type a
// column changes to) and its exclusion constraints (EXCLUDE USING btree
// (col WITH =), on a column of A whose rows hold distinct values).
type gSecurity struct {
	rls, force bool
	policies   []*gCheck
	excludes   []*gCheck
	// grants are the privileges (SELECT, INSERT, ...) pg_monitor holds.
	grants []string
}

func (s gSecurity) clone() gSecurity {
	c := s
	c.policies = slices.Clone(s.policies)
	c.excludes = slices.Clone(s.excludes)
	c.grants = slices.Clone(s.grants)
	return c
}

// dropColumn removes the policies and exclusion constraints on col.
func (s *gSecurity) dropColumn(col string) {
	on := func(x *gCheck) bool { return x.col == col }
	s.policies = slices.DeleteFunc(s.policies, on)
	s.excludes = slices.DeleteFunc(s.excludes, on)
}

// sql prints the statements that give table its security.
func (s gSecurity) sql(table string) string {
	var b strings.Builder
	for _, x := range s.excludes {
		fmt.Fprintf(&b, "ALTER TABLE %s ADD CONSTRAINT %s EXCLUDE USING btree (%s WITH =);\n", table, x.name, x.col)
	}
	for _, p := range s.policies {
		fmt.Fprintf(&b, "CREATE POLICY %s ON %s USING (%s IS NOT NULL);\n", p.name, table, p.col)
	}
	if s.rls {
		fmt.Fprintf(&b, "ALTER TABLE %s ENABLE ROW LEVEL SECURITY;\n", table)
	}
	if s.force {
		fmt.Fprintf(&b, "ALTER TABLE %s FORCE ROW LEVEL SECURITY;\n", table)
	}
	for _, priv := range s.grants {
		fmt.Fprintf(&b, "GRANT %s ON %s TO pg_monitor;\n", priv, table)
	}
	return b.String()
}

// securityMutations is the number of mutateOnce cases beyond the common
// ones, each a mutateSecurity: three on PostgreSQL (so that about one
// pair in three changes its security), none elsewhere.
func (g *gen) securityMutations() int {
	if g.dialect == "postgres" {
		return 3
	}
	return 0
}

// addSecurity gives a new PostgreSQL table of schema A up to two random
// security mutations; elsewhere it draws nothing from the random source.
func (g *gen) addSecurity(s *genSchema, t *gTable) {
	if g.securityMutations() == 0 {
		return
	}
	for range g.pick(g.securityMutations()) {
		g.mutateSecurity(s, nil, t)
	}
}

// mutateSecurity toggles ENABLE or FORCE ROW LEVEL SECURITY or a
// privilege of pg_monitor, or adds or drops a policy or an exclusion
// constraint of t (a is the original
// schema, whose rows an added exclusion constraint must accept).
func (g *gen) mutateSecurity(b, a *genSchema, t *gTable) string {
	sec := &t.sec
	switch g.pick(5) {
	case 0:
		sec.rls = !sec.rls
		return fmt.Sprintf("row level security on %s=%v", t.name, sec.rls)
	case 1:
		sec.force = !sec.force
		return fmt.Sprintf("force row level security on %s=%v", t.name, sec.force)
	case 2:
		if len(sec.policies) > 0 && g.chance(0.5) {
			i := g.pick(len(sec.policies))
			sec.policies = slices.Delete(sec.policies, i, i+1)
			return "drop policy on " + t.name
		}
		c := t.cols[g.pick(len(t.cols))]
		sec.policies = append(sec.policies, &gCheck{name: b.name("pol"), col: c.name})
		return "add policy on " + t.name + " reading " + c.name
	case 3:
		priv := []string{"SELECT", "INSERT", "UPDATE", "DELETE"}[g.pick(4)]
		if i := slices.Index(sec.grants, priv); i >= 0 {
			sec.grants = slices.Delete(sec.grants, i, i+1)
			return "revoke " + priv + " on " + t.name + " from pg_monitor"
		}
		sec.grants = append(sec.grants, priv)
		return "grant " + priv + " on " + t.name + " to pg_monitor"
	}
	if len(sec.excludes) > 0 && g.chance(0.5) {
		i := g.pick(len(sec.excludes))
		sec.excludes = slices.Delete(sec.excludes, i, i+1)
		return "drop exclusion constraint on " + t.name
	}
	var at *gTable
	if a != nil {
		at = a.table(t.name)
	}
	var cands []string
	for _, c := range t.cols {
		if c.name != "id" && !c.ref && g.indexable(c, true) && (at == nil || at.col(c.name) != nil) {
			cands = append(cands, c.name)
		}
	}
	if len(cands) == 0 {
		return ""
	}
	col := cands[g.pick(len(cands))]
	sec.excludes = append(sec.excludes, &gCheck{name: b.name("ex"), col: col})
	return "add exclusion constraint on " + t.name + "." + col
}
