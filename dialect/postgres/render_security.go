package postgres

import (
	"fmt"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// AddExclusion adds the exclusion constraint from its definition (the
// server's text), and its comment.
func (r *renderer) AddExclusion(c *change.AddExclusion) error {
	if c.Exclusion == nil || c.Exclusion.Definition == "" {
		return fmt.Errorf("exclusion constraint without a definition: inspect the database again or write this revision by hand")
	}
	r.addConstraint(c.Table, c.Exclusion.Name, c.Exclusion.Definition, c.Exclusion.Comment)
	return nil
}

// DropExclusion drops the exclusion constraint.
func (r *renderer) DropExclusion(c *change.DropExclusion) error {
	r.dropConstraint(c.Table, c.Exclusion.Name)
	return nil
}

// SetRowSecurity enables or disables, forces or stops forcing, the
// table's row-level security.
func (r *renderer) SetRowSecurity(c *change.SetRowSecurity) error {
	r.out = append(r.out, rowSecuritySQL(tableName(c.Table), c.From, c.To)...)
	return nil
}

// AddPolicy creates the policy and its comment.
func (r *renderer) AddPolicy(c *change.AddPolicy) error {
	r.emit("%s", policySQL(c.Policy))
	r.comment(policyObject(c.Policy), c.Policy.Comment, false)
	return nil
}

// DropPolicy drops the policy.
func (r *renderer) DropPolicy(c *change.DropPolicy) error {
	r.emit("DROP POLICY %s ON %s", quoteIdentIfNeeded(c.Policy.Name), qualifiedName(c.Policy.Schema, c.Policy.Table))
	return nil
}

// AddGrant gives the privilege (or, for a revoked one, takes it).
func (r *renderer) AddGrant(c *change.AddGrant) error {
	r.emit("%s", grantSQL(c.Grant, false))
	return nil
}

// DropGrant undoes what AddGrant does for the same grant.
func (r *renderer) DropGrant(c *change.DropGrant) error {
	r.emit("%s", grantSQL(c.Grant, true))
	return nil
}

// grantSQL is the GRANT (or, for a Revoked grant, the REVOKE) that gives
// g; with undo, the statement that takes it back.
func grantSQL(g *schema.Grant, undo bool) string {
	if g.Revoked == undo {
		s := "GRANT " + g.Privilege + " ON " + g.Object + " TO " + g.Grantee
		if g.WithGrantOption {
			s += " WITH GRANT OPTION"
		}
		return s
	}
	return "REVOKE " + g.Privilege + " ON " + g.Object + " FROM " + g.Grantee
}

// regrant gives object, just created again with default privileges, the
// privileges the target schema holds on it (none unless privileges were
// inspected): diff sees the object's privileges unchanged and emits no
// change for them.
func (r *renderer) regrant(object string) {
	for _, g := range r.to.Grants {
		if g.Object == object {
			r.emit("%s", grantSQL(g, false))
		}
	}
}

// writeGrants prints the privileges, sorted, after every object.
func writeGrants(b *strings.Builder, s *schema.Schema) {
	if len(s.Grants) == 0 {
		return
	}
	gs := append([]*schema.Grant{}, s.Grants...)
	sort.Slice(gs, func(a, c int) bool {
		x, y := gs[a], gs[c]
		if x.Object != y.Object {
			return x.Object < y.Object
		}
		if x.Grantee != y.Grantee {
			return x.Grantee < y.Grantee
		}
		return x.Privilege < y.Privilege
	})
	b.WriteString("\n")
	for _, g := range gs {
		b.WriteString(grantSQL(g, false) + ";\n")
	}
}

// rowSecuritySQL returns the ALTER TABLE statements that take table tn's
// row-level security from from to to.
func rowSecuritySQL(tn string, from, to change.RowSecurity) []string {
	var out []string
	if from.Enabled != to.Enabled {
		verb := "DISABLE"
		if to.Enabled {
			verb = "ENABLE"
		}
		out = append(out, "ALTER TABLE "+tn+" "+verb+" ROW LEVEL SECURITY")
	}
	if from.Forced != to.Forced {
		verb := "NO FORCE"
		if to.Forced {
			verb = "FORCE"
		}
		out = append(out, "ALTER TABLE "+tn+" "+verb+" ROW LEVEL SECURITY")
	}
	return out
}

// policyObject is a policy's designation for COMMENT ON.
func policyObject(p *schema.Policy) string {
	return "POLICY " + quoteIdentIfNeeded(p.Name) + " ON " + qualifiedName(p.Schema, p.Table)
}

// policySQL is the CREATE POLICY statement of p, without a terminator,
// leaving out what is the default (PERMISSIVE, FOR ALL, TO PUBLIC).
func policySQL(p *schema.Policy) string {
	var b strings.Builder
	b.WriteString("CREATE POLICY " + quoteIdentIfNeeded(p.Name) + " ON " + qualifiedName(p.Schema, p.Table))
	if p.Restrictive {
		b.WriteString(" AS RESTRICTIVE")
	}
	if p.Command != "" && p.Command != "ALL" {
		b.WriteString(" FOR " + p.Command)
	}
	if len(p.Roles) > 0 && !(len(p.Roles) == 1 && p.Roles[0] == "PUBLIC") {
		b.WriteString(" TO " + strings.Join(p.Roles, ", "))
	}
	if p.Using != "" {
		b.WriteString(" USING (" + p.Using + ")")
	}
	if p.WithCheck != "" {
		b.WriteString(" WITH CHECK (" + p.WithCheck + ")")
	}
	return b.String()
}

// writeSecurity prints exclusion constraints, policies and row-level
// security, table by table, with the comments on constraints and
// policies; Format prints it after everything the expressions may name.
func writeSecurity(b *strings.Builder, s *schema.Schema) {
	var out, comments strings.Builder
	com := func(obj, text string) {
		if text != "" {
			fmt.Fprintf(&comments, "COMMENT ON %s IS %s;\n", obj, quoteLiteralSQL(text))
		}
	}
	policies := map[string][]*schema.Policy{}
	for _, p := range s.Policies {
		tn := qualifiedName(p.Schema, p.Table)
		policies[tn] = append(policies[tn], p)
	}
	for _, t := range sortedByName(s.Tables) {
		tn := qualifiedName(t.Schema, t.Name)
		xs := append([]*schema.Exclusion{}, t.Exclusions...)
		sort.Slice(xs, func(a, c int) bool { return xs[a].Name < xs[c].Name })
		for _, x := range xs {
			fmt.Fprintf(&out, "ALTER TABLE %s ADD CONSTRAINT %s %s;\n", tn, quoteIdentIfNeeded(x.Name), x.Definition)
			com("CONSTRAINT "+quoteIdentIfNeeded(x.Name)+" ON "+tn, x.Comment)
		}
		ps := policies[tn]
		sort.Slice(ps, func(a, c int) bool { return ps[a].Name < ps[c].Name })
		for _, p := range ps {
			out.WriteString(policySQL(p) + ";\n")
			com(policyObject(p), p.Comment)
		}
		for _, stmt := range rowSecuritySQL(tn, change.RowSecurity{}, change.RowSecurity{Enabled: t.RowSecurity, Forced: t.ForceRowSecurity}) {
			out.WriteString(stmt + ";\n")
		}
	}
	if out.Len() > 0 {
		b.WriteString("\n" + out.String())
	}
	if comments.Len() > 0 {
		b.WriteString("\n" + comments.String())
	}
}
