package diff

import (
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// security compares PostgreSQL exclusion constraints, row-level security,
// policies and privileges. broken holds the graph nodes code found dropped,
// recreated or with changed columns.
func (d *differ) security(broken map[string]bool) {
	d.exclusions()
	d.rowSecurity()
	d.policies(broken)
	d.grants(broken)
}

// exclusions compares exclusion constraints by (table, name), definition
// and comment, as checks are compared: one whose text changed (a column
// renamed shows in it) is dropped before the table changes and added
// after. A dropped table's constraints are dropped explicitly, so that
// the downgrade, which recreates the table, adds them back.
func (d *differ) exclusions() {
	for _, ft := range d.from.Tables {
		ok := keyOf(ft.Schema, ft.Name)
		var tt *schema.Table
		if nk, matched := d.matched[ok]; matched {
			tt = d.toTables[nk]
		}
		for _, fx := range ft.Exclusions {
			if tt != nil && slices.ContainsFunc(tt.Exclusions, func(x *schema.Exclusion) bool { return *x == *fx }) {
				continue
			}
			d.add(phDropCheck, tableObjKey(ok, "exclude\x00"+fx.Name), &change.DropExclusion{Table: ok.ref(), Exclusion: fx})
		}
	}
	from := d.fromByNewKey()
	for _, tt := range d.to.Tables {
		nk := keyOf(tt.Schema, tt.Name)
		ft := from[nk]
		for _, tx := range tt.Exclusions {
			if ft != nil && slices.ContainsFunc(ft.Exclusions, func(x *schema.Exclusion) bool { return *x == *tx }) {
				continue
			}
			d.add(phAddCheck, tableObjKey(nk, "exclude\x00"+tx.Name), &change.AddExclusion{Table: nk.ref(), Exclusion: tx})
		}
	}
}

// fromByNewKey maps the key in to of every table on both sides to its
// from table.
func (d *differ) fromByNewKey() map[tkey]*schema.Table {
	from := make(map[tkey]*schema.Table, len(d.matched))
	for _, ft := range d.from.Tables {
		if nk, ok := d.matched[keyOf(ft.Schema, ft.Name)]; ok {
			from[nk] = ft
		}
	}
	return from
}

func rowSecurityOf(t *schema.Table) change.RowSecurity {
	if t == nil {
		return change.RowSecurity{}
	}
	return change.RowSecurity{Enabled: t.RowSecurity, Forced: t.ForceRowSecurity}
}

// rowSecurity compares ENABLE and FORCE ROW LEVEL SECURITY. It is turned
// on after the table's policies are created and off before a table that
// has it is dropped (so the downgrade turns it on again).
func (d *differ) rowSecurity() {
	for _, ft := range d.from.Tables {
		ok := keyOf(ft.Schema, ft.Name)
		if _, matched := d.matched[ok]; !matched && rowSecurityOf(ft) != (change.RowSecurity{}) {
			d.add(phDropRule, tableObjKey(ok, "row security"), &change.SetRowSecurity{Table: ok.ref(), From: rowSecurityOf(ft)})
		}
	}
	from := d.fromByNewKey()
	for _, tt := range d.to.Tables {
		nk := keyOf(tt.Schema, tt.Name)
		f, t := rowSecurityOf(from[nk]), rowSecurityOf(tt)
		if f != t {
			d.add(phAddRule, tableObjKey(nk, "\x7frow security"), &change.SetRowSecurity{Table: nk.ref(), From: f, To: t})
		}
	}
}

// policyKey identifies a policy: its table's key in to and its name.
type policyKey struct {
	table tkey
	name  string
}

func policyEq(a, b *schema.Policy) bool {
	return a.Restrictive == b.Restrictive && a.Command == b.Command && slices.Equal(a.Roles, b.Roles) &&
		a.Using == b.Using && a.WithCheck == b.WithCheck && a.Comment == b.Comment
}

// policies compares row-level security policies by (table, name) and
// content. Like rules, a policy depends on its table and on what its
// expressions name, which PostgreSQL refuses to drop or retype under it:
// policies are dropped first and created last, and one that reads
// something broken is dropped and created again around the change. A
// changed policy is dropped and created (ALTER POLICY cannot change its
// command or remove an expression).
func (d *differ) policies(broken map[string]bool) {
	if len(d.from.Policies) == 0 && len(d.to.Policies) == 0 {
		return
	}
	to := make(map[policyKey]*schema.Policy, len(d.to.Policies))
	for _, p := range d.to.Policies {
		to[policyKey{keyOf(p.Schema, p.Table), p.Name}] = p
	}
	reads := d.textReadsBroken(broken)
	seen := map[policyKey]bool{}
	for _, fp := range d.from.Policies {
		k := policyKey{d.newKey(keyOf(fp.Schema, fp.Table)), fp.Name}
		if tp := to[k]; tp != nil && policyEq(fp, tp) && !reads(fp.Schema, fp.Table, fp.Using+"\n"+fp.WithCheck) {
			seen[k] = true
			continue
		}
		d.add(phDropRule, tableObjKey(keyOf(fp.Schema, fp.Table), "policy\x00"+fp.Name), &change.DropPolicy{Policy: fp})
	}
	for _, tp := range d.to.Policies {
		k := policyKey{keyOf(tp.Schema, tp.Table), tp.Name}
		if !seen[k] {
			d.add(phAddRule, tableObjKey(k.table, "policy\x00"+tp.Name), &change.AddPolicy{Policy: tp})
		}
	}
}

// textReadsBroken returns a test of whether an object on table
// (schemaName, table) of from whose text is text depends on something
// broken: its table, or a table, view or routine of from its text names
// (conservatively, by word).
func (d *differ) textReadsBroken(broken map[string]bool) func(schemaName, table, text string) bool {
	named := map[string][]string{}
	for _, t := range d.from.Tables {
		named[strings.ToLower(t.Name)] = append(named[strings.ToLower(t.Name)], d.relNode(t.Schema, t.Name))
	}
	for _, v := range d.from.Views {
		named[strings.ToLower(v.Name)] = append(named[strings.ToLower(v.Name)], d.relNode(v.Schema, v.Name))
	}
	for _, r := range d.from.Routines {
		named[strings.ToLower(r.Name)] = append(named[strings.ToLower(r.Name)], d.fnNode(r.Schema, r.Name, r.Signature))
	}
	return func(schemaName, table, text string) bool {
		if broken[d.relNode(schemaName, table)] {
			return true
		}
		for w := range words(text) {
			for _, n := range named[w] {
				if broken[n] {
					return true
				}
			}
		}
		return false
	}
}

// grantKey identifies a privilege: object, grantee and privilege.
type grantKey struct{ object, grantee, privilege string }

// grants compares privileges, present only when both schemas were
// inspected with them. A privilege on a view or routine that is dropped
// and created again (broken) is revoked before and granted again after,
// since the new object starts with default privileges. Privileges are
// revoked first and granted last.
func (d *differ) grants(broken map[string]bool) {
	if len(d.from.Grants) == 0 && len(d.to.Grants) == 0 {
		return
	}
	code := map[string]bool{}
	for _, v := range d.from.Views {
		code[relNode(v.Schema, v.Name)] = true
	}
	for _, r := range d.from.Routines {
		code[fnNode(r.Schema, r.Name, r.Signature)] = true
	}
	recreated := func(object string) bool {
		node, _, ok := parseDesignation(object)
		return ok && code[node] && broken[node]
	}
	to := make(map[grantKey]*schema.Grant, len(d.to.Grants))
	for _, g := range d.to.Grants {
		to[grantKey{g.Object, g.Grantee, g.Privilege}] = g
	}
	seen := map[grantKey]bool{}
	for _, fg := range d.from.Grants {
		k := grantKey{fg.Object, fg.Grantee, fg.Privilege}
		if tg := to[k]; tg != nil && *tg == *fg && !recreated(fg.Object) {
			seen[k] = true
			continue
		}
		d.add(phDropRule, sig("grant", k.object, k.grantee, k.privilege), &change.DropGrant{Grant: fg})
	}
	for _, tg := range d.to.Grants {
		k := grantKey{tg.Object, tg.Grantee, tg.Privilege}
		if !seen[k] {
			d.add(phAddRule, sig("grant", k.object, k.grantee, k.privilege), &change.AddGrant{Grant: tg})
		}
	}
}
