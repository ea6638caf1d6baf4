package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/retortdb/retort/schema"
)

// inspectSecurity reads exclusion constraints, row-level security and
// policies of the inspected tables, and privileges when asked for them.
func (i *inspector) inspectSecurity(ctx context.Context) error {
	if err := i.inspectExclusions(ctx); err != nil {
		return err
	}
	if err := i.inspectRowSecurity(ctx); err != nil {
		return err
	}
	if err := i.inspectPolicies(ctx); err != nil {
		return err
	}
	return i.inspectGrants(ctx)
}

// inspectExclusions reads exclusion constraints as pg_get_constraintdef
// prints them. A partition's copy of its parent's constraint
// (conparentid) is the parent's.
func (i *inspector) inspectExclusions(ctx context.Context) error {
	return i.each(ctx, `SELECT co.conrelid, co.conname, pg_get_constraintdef(co.oid), co.conislocal,
	coalesce(obj_description(co.oid, 'pg_constraint'), '')
FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
WHERE co.contype = 'x' AND co.conparentid = 0 AND `+i.nsFilter("n.nspname")+`
ORDER BY co.conrelid, co.conname`, []any{i.schemas}, func(rows *sql.Rows) error {
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
	return i.each(ctx, `SELECT c.oid, c.relrowsecurity, c.relforcerowsecurity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND (c.relrowsecurity OR c.relforcerowsecurity) AND `+i.nsFilter("n.nspname"), []any{i.schemas}, func(rows *sql.Rows) error {
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
	return i.each(ctx, `SELECT p.polrelid, p.polname, NOT p.polpermissive, p.polcmd,
	(SELECT json_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END) FROM unnest(p.polroles) r)::text,
	coalesce(pg_get_expr(p.polqual, p.polrelid), ''), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
	coalesce(obj_description(p.oid, 'pg_policy'), '')
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE `+i.nsFilter("n.nspname")+`
ORDER BY n.nspname, c.relname, p.polname`, []any{i.schemas}, func(rows *sql.Rows) error {
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

// inspectGrants reads, when asked for privileges, what was granted on or
// revoked from the inspected tables, views, sequences, routines and
// schemas (but public) as differences from each object's default
// privileges (acldefault), leaving out its owner's. Privileges on columns
// and types are refused as unrepresented (privilegesQuery).
func (i *inspector) inspectGrants(ctx context.Context) error {
	if !i.opts.Privileges {
		return nil
	}
	return i.each(ctx, `WITH objs AS (
	SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind, n.nspname AS nsp, c.relname AS name, '' AS args,
		c.relacl AS acl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner) AS def, c.relowner AS owner
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
		AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
	UNION ALL
	SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
		p.proacl, acldefault('f', p.proowner), p.proowner
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE p.prokind IN ('f', 'p') AND `+i.nsFilter("n.nspname")+` AND `+notExtension("p.oid", "pg_proc")+`
	UNION ALL
	SELECT 'SCHEMA', n.nspname, '', '', n.nspacl, acldefault('n', n.nspowner), n.nspowner
	FROM pg_namespace n
	WHERE n.nspname <> 'public' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("n.oid", "pg_namespace")+`
)
SELECT o.kind, o.nsp, o.name, o.args, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
	g.privilege_type, g.is_grantable, g.revoked
FROM objs o CROSS JOIN LATERAL (
	SELECT a.grantee, a.privilege_type, a.is_grantable, false AS revoked FROM aclexplode(coalesce(o.acl, o.def)) a
	EXCEPT SELECT d.grantee, d.privilege_type, d.is_grantable, false FROM aclexplode(o.def) d
	UNION ALL
	(SELECT d.grantee, d.privilege_type, d.is_grantable, true FROM aclexplode(o.def) d
	EXCEPT SELECT a.grantee, a.privilege_type, a.is_grantable, true FROM aclexplode(coalesce(o.acl, o.def)) a)
) g
WHERE g.grantee <> o.owner
UNION ALL
SELECT 'COLUMN', n.nspname, c.relname, a.attname, '', '', false, false
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
UNION ALL
SELECT 'TYPE', n.nspname, t.typname, '', '', '', false, false
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typacl IS NOT NULL AND t.typacl <> acldefault('T', t.typowner) AND `+i.nsFilter("n.nspname")+` AND `+notExtension("t.oid", "pg_type")+`
ORDER BY 1, 2, 3, 4, 5, 6`, []any{i.schemas}, func(rows *sql.Rows) error {
		var kind, nsp, name, args string
		g := &schema.Grant{}
		if err := rows.Scan(&kind, &nsp, &name, &args, &g.Grantee, &g.Privilege, &g.WithGrantOption, &g.Revoked); err != nil {
			return err
		}
		switch kind {
		case "COLUMN", "TYPE":
			// Reported as unrepresented by inspectUnsupported
			// (privilegesQuery), which names them for the refusal.
			return nil
		case "SCHEMA":
			g.Object = "SCHEMA " + quoteIdentIfNeeded(nsp)
		case "FUNCTION", "PROCEDURE":
			g.Object = kind + " " + qualifiedName(nsp, name) + "(" + args + ")"
		default:
			if i.isExcluded(nsp, name) {
				return nil
			}
			g.Object = kind + " " + qualifiedName(nsp, name)
		}
		i.s.Grants = append(i.s.Grants, g)
		return nil
	})
}
