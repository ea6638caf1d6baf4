package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/retortdb/retort/schema"
)

// inspectSecurity reads exclusion constraints, row-level security and
// policies of the inspected tables.
func (i *inspector) inspectSecurity(ctx context.Context) error {
	if err := i.inspectExclusions(ctx); err != nil {
		return err
	}
	if err := i.inspectRowSecurity(ctx); err != nil {
		return err
	}
	return i.inspectPolicies(ctx)
}

// inspectExclusions reads exclusion constraints as pg_get_constraintdef
// prints them. A partition's copy of its parent's constraint
// (conparentid) is the parent's.
func (i *inspector) inspectExclusions(ctx context.Context) error {
	rows, err := i.query(ctx, `SELECT co.conrelid, co.conname, pg_get_constraintdef(co.oid), co.conislocal,
	coalesce(obj_description(co.oid, 'pg_constraint'), '')
FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
WHERE co.contype = 'x' AND co.conparentid = 0 AND `+i.nsFilter("n.nspname")+`
ORDER BY co.conrelid, co.conname`, i.schemas)
	if err != nil {
		return err
	}
	return scanAll(rows, func() error {
		var (
			relid uint32
			local bool
		)
		x := &schema.Exclusion{}
		if err := rows.Scan(&relid, &x.Name, &x.Definition, &local, &x.Comment); err != nil {
			return err
		}
		if t := i.tables[relid]; t != nil && local {
			t.Exclusions = append(t.Exclusions, x)
		}
		return nil
	})
}

// inspectRowSecurity reads ENABLE and FORCE ROW LEVEL SECURITY.
func (i *inspector) inspectRowSecurity(ctx context.Context) error {
	rows, err := i.query(ctx, `SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity) AND `+i.nsFilter("n.nspname"), i.schemas)
	if err != nil {
		return err
	}
	return scanAll(rows, func() error {
		var (
			relid           uint32
			enabled, forced bool
		)
		if err := rows.Scan(&relid, &enabled, &forced); err != nil {
			return err
		}
		if t := i.tables[relid]; t != nil {
			t.RowSecurity, t.ForceRowSecurity = enabled, forced
		}
		return nil
	})
}

// policyCommands maps pg_policy.polcmd to the SQL command.
var policyCommands = map[string]string{"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}

// inspectPolicies reads policies with their expressions as pg_get_expr
// prints them and their roles by name (role 0 is PUBLIC).
func (i *inspector) inspectPolicies(ctx context.Context) error {
	rows, err := i.query(ctx, `SELECT p.polrelid, p.polname, NOT p.polpermissive, p.polcmd,
	(SELECT json_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END) FROM unnest(p.polroles) r)::text,
	coalesce(pg_get_expr(p.polqual, p.polrelid), ''), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
	coalesce(obj_description(p.oid, 'pg_policy'), '')
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE `+i.nsFilter("n.nspname")+`
ORDER BY n.nspname, c.relname, p.polname`, i.schemas)
	if err != nil {
		return err
	}
	return scanAll(rows, func() error {
		var (
			relid      uint32
			cmd, roles string
		)
		p := &schema.Policy{}
		if err := rows.Scan(&relid, &p.Name, &p.Restrictive, &cmd, &roles, &p.Using, &p.WithCheck, &p.Comment); err != nil {
			return err
		}
		t := i.tables[relid]
		if t == nil {
			return nil
		}
		p.Schema, p.Table, p.Command = t.Schema, t.Name, policyCommands[cmd]
		if err := json.Unmarshal([]byte(roles), &p.Roles); err != nil {
			return fmt.Errorf("policy %s roles: %w", p.Name, err)
		}
		sort.Strings(p.Roles)
		i.s.Policies = append(i.s.Policies, p)
		return nil
	})
}
