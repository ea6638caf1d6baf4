package change

import "github.com/retortdb/retort/schema"

// AddExclusion adds a PostgreSQL exclusion constraint to a table.
type AddExclusion struct {
	Table     Ref
	Exclusion *schema.Exclusion
}

// DropExclusion drops a PostgreSQL exclusion constraint.
type DropExclusion struct {
	Table     Ref
	Exclusion *schema.Exclusion
}

// RowSecurity is a table's row-level security state: ENABLE and FORCE ROW
// LEVEL SECURITY.
type RowSecurity struct {
	Enabled, Forced bool
}

// SetRowSecurity changes a table's row-level security from From to To.
type SetRowSecurity struct {
	Table    Ref
	From, To RowSecurity
}

// AddPolicy creates a row-level security policy. A changed policy is a
// DropPolicy and an AddPolicy.
type AddPolicy struct{ Policy *schema.Policy }

// DropPolicy drops a row-level security policy.
type DropPolicy struct{ Policy *schema.Policy }

// Inverse implements Change.
func (c *AddExclusion) Inverse() Change {
	return &DropExclusion{Table: c.Table, Exclusion: c.Exclusion}
}

// Inverse implements Change.
func (c *DropExclusion) Inverse() Change {
	return &AddExclusion{Table: c.Table, Exclusion: c.Exclusion}
}

// Inverse implements Change.
func (c *SetRowSecurity) Inverse() Change {
	return &SetRowSecurity{Table: c.Table, From: c.To, To: c.From}
}

// Inverse implements Change.
func (c *AddPolicy) Inverse() Change { return &DropPolicy{Policy: c.Policy} }

// Inverse implements Change.
func (c *DropPolicy) Inverse() Change { return &AddPolicy{Policy: c.Policy} }

// Describe implements Change.
func (c *AddExclusion) Describe() string {
	return "added exclusion constraint " + tobj(c.Table, c.Exclusion.Name)
}

// Describe implements Change.
func (c *DropExclusion) Describe() string {
	return "removed exclusion constraint " + tobj(c.Table, c.Exclusion.Name)
}

// Describe implements Change: "enabled", "disabled", "forced" or
// "unforced" row level security, joined when both change.
func (c *SetRowSecurity) Describe() string {
	var what string
	switch {
	case c.From.Enabled != c.To.Enabled && c.To.Enabled:
		what = "enabled"
	case c.From.Enabled != c.To.Enabled:
		what = "disabled"
	}
	if c.From.Forced != c.To.Forced {
		if what != "" {
			what += " and "
		}
		if c.To.Forced {
			what += "forced"
		} else {
			what += "unforced"
		}
	}
	return what + " row level security on " + q(c.Table.String())
}

func policyOn(p *schema.Policy) Ref { return Ref{Schema: p.Schema, Name: p.Table} }

// Describe implements Change.
func (c *AddPolicy) Describe() string {
	return "added policy " + tobj(policyOn(c.Policy), c.Policy.Name)
}

// Describe implements Change.
func (c *DropPolicy) Describe() string {
	return "removed policy " + tobj(policyOn(c.Policy), c.Policy.Name)
}

// On implements Change.
func (c *AddExclusion) On() Ref { return c.Table }

// On implements Change.
func (c *DropExclusion) On() Ref { return c.Table }

// On implements Change.
func (c *SetRowSecurity) On() Ref { return c.Table }

// On implements Change.
func (c *AddPolicy) On() Ref { return policyOn(c.Policy) }

// On implements Change.
func (c *DropPolicy) On() Ref { return policyOn(c.Policy) }

// AddGrant grants a privilege (GRANT), or for a Revoked grant revokes a
// default privilege (REVOKE).
type AddGrant struct{ Grant *schema.Grant }

// DropGrant undoes AddGrant: REVOKE, or GRANT for a Revoked grant.
type DropGrant struct{ Grant *schema.Grant }

// Inverse implements Change.
func (c *AddGrant) Inverse() Change { return &DropGrant{Grant: c.Grant} }

// Inverse implements Change.
func (c *DropGrant) Inverse() Change { return &AddGrant{Grant: c.Grant} }

// grantWords says what granting g does: "granted SELECT on TABLE t to
// alice" (or, for a Revoked grant, "revoked EXECUTE on ... from PUBLIC");
// undo says what taking it back does.
func grantWords(g *schema.Grant, undo bool) string {
	if g.Revoked == undo {
		return "granted " + g.Privilege + " on " + g.Object + " to " + g.Grantee
	}
	return "revoked " + g.Privilege + " on " + g.Object + " from " + g.Grantee
}

// Describe implements Change.
func (c *AddGrant) Describe() string { return grantWords(c.Grant, false) }

// Describe implements Change.
func (c *DropGrant) Describe() string { return grantWords(c.Grant, true) }

// On implements Change.
func (c *AddGrant) On() Ref { return Ref{} }

// On implements Change.
func (c *DropGrant) On() Ref { return Ref{} }

// SetClusterIndex changes the index PostgreSQL's CLUSTER orders a table
// by (ALTER TABLE ... CLUSTER ON, or SET WITHOUT CLUSTER when To is
// empty). It marks the index only: no row moves until CLUSTER runs.
type SetClusterIndex struct {
	Table    Ref
	From, To string // index names, "" for none
}

// Inverse implements Change.
func (c *SetClusterIndex) Inverse() Change {
	return &SetClusterIndex{Table: c.Table, From: c.To, To: c.From}
}

// On implements Change.
func (c *SetClusterIndex) On() Ref { return c.Table }

// Describe implements Change.
func (c *SetClusterIndex) Describe() string {
	if c.To == "" {
		return "removed CLUSTER ON " + q(c.From) + " of table " + q(c.Table.String())
	}
	return "set CLUSTER ON " + q(c.To) + " of table " + q(c.Table.String())
}
