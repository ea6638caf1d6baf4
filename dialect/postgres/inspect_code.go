package postgres

import (
	"container/heap"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/retortdb/retort/schema"
)

// This file reads and prints PostgreSQL's code objects: views, materialized
// views (with their indexes), functions, procedures, aggregates, triggers
// and rules. Definitions are kept as the server prints them
// (pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef, pg_get_ruledef),
// so two schemas that went through the same server compare as text.
//
// The server prints references to objects outside the connection's
// search_path schema-qualified and those inside it bare, so the canonical
// output is meant to be applied with the default search_path ("$user",
// public), as psql and retort's runner do.
//
// inspectCode runs a fixed number of catalog queries (codeQueries), however
// many objects the database holds.

// codeQueries is the number of catalog queries inspectCode runs.
const codeQueries = 8

// inspectCode fills the views, materialized views, routines, triggers and
// rules of i.s.
func (i *inspector) inspectCode(ctx context.Context) error {
	var (
		views    map[int64]*schema.View
		routines map[int64]*schema.Routine
		err      error
	)
	steps := []struct {
		what string
		fn   func() error
	}{
		{"views", func() error { views, err = i.inspectViews(ctx); return err }},
		{"view columns", func() error { return i.inspectViewColumns(ctx, views) }},
		{"materialized view indexes", func() error { return i.inspectMatViewIndexes(ctx, views) }},
		{"routines", func() error { routines, err = i.inspectRoutines(ctx); return err }},
		{"dependencies of views and routines", func() error { return i.inspectCodeDepends(ctx, views, routines) }},
		{"dependencies of types", func() error { return i.inspectTypeDepends(ctx) }},
		{"triggers", func() error { return i.inspectTriggers(ctx) }},
		{"rules", func() error { return i.inspectRules(ctx) }},
		{"event triggers", func() error { return i.inspectEventTriggers(ctx) }},
	}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) {
				switch pgErr.Code {
				case "42501": // insufficient_privilege
					return &CatalogAccessError{What: st.what, Err: err}
				case "53200": // out_of_memory: the lock table is full
					return fmt.Errorf("postgres: inspect %s: %w (pg_get_viewdef locks every relation a view reads, all in one statement: raise max_locks_per_transaction)", st.what, err)
				}
			}
			return fmt.Errorf("postgres: inspect %s: %w", st.what, err)
		}
	}

	i.s.Views = slices.AppendSeq(i.s.Views, maps.Values(views))
	sort.Slice(i.s.Views, func(a, b int) bool {
		va, vb := i.s.Views[a], i.s.Views[b]
		return lessQualified(va.Schema, va.Name, vb.Schema, vb.Name)
	})
	i.s.Routines = slices.AppendSeq(i.s.Routines, maps.Values(routines))
	sort.Slice(i.s.Routines, func(a, b int) bool {
		ra, rb := i.s.Routines[a], i.s.Routines[b]
		if ra.Schema == rb.Schema && ra.Name == rb.Name {
			return ra.Signature < rb.Signature
		}
		return lessQualified(ra.Schema, ra.Name, rb.Schema, rb.Name)
	})
	sort.Slice(i.s.Comments, func(a, b int) bool { return i.s.Comments[a].Object < i.s.Comments[b].Object })
	return nil
}

// inspectViews reads views and materialized views, keyed by oid.
func (i *inspector) inspectViews(ctx context.Context) (map[int64]*schema.View, error) {
	q := `SELECT c.oid::bigint, n.nspname, c.relname, c.relkind = 'm',
       pg_catalog.pg_get_viewdef(c.oid, true),
       coalesce(pg_catalog.array_to_json(c.reloptions)::text, '[]'),
       coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ` + i.nsFilter("n.nspname") + `
  AND ` + notExtension("c.oid", "pg_class")
	views := make(map[int64]*schema.View)
	err := i.each(ctx, q, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid     int64
			v       schema.View
			def     string
			relopts string
		)
		if err := rows.Scan(&oid, &v.Schema, &v.Name, &v.Materialized, &def, &relopts, &v.Comment); err != nil {
			return err
		}
		if i.isExcluded(v.Schema, v.Name) {
			return nil
		}
		v.Definition = strings.TrimSuffix(strings.TrimSpace(def), ";")
		var opts []string
		if err := json.Unmarshal([]byte(relopts), &opts); err != nil {
			return fmt.Errorf("view %s.%s: options %s: %w", v.Schema, v.Name, relopts, err)
		}
		var keep []string
		for _, o := range opts {
			if val, ok := strings.CutPrefix(o, "check_option="); ok {
				v.CheckOption = strings.ToUpper(val)
				continue
			}
			keep = append(keep, o)
		}
		sort.Strings(keep)
		v.Options = strings.Join(keep, ", ")
		views[oid] = &v
		return nil
	})
	if err != nil {
		return nil, err
	}
	return views, nil
}

// inspectViewColumns fills the column names of views and adds their column
// comments to i.s.Comments.
func (i *inspector) inspectViewColumns(ctx context.Context, views map[int64]*schema.View) error {
	q := `SELECT a.attrelid::bigint, a.attname, coalesce(pg_catalog.col_description(a.attrelid, a.attnum), '')
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND ` + i.nsFilter("n.nspname") + `
ORDER BY a.attrelid, a.attnum`
	return i.each(ctx, q, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid           int64
			name, comment string
		)
		if err := rows.Scan(&oid, &name, &comment); err != nil {
			return err
		}
		v := views[oid]
		if v == nil {
			return nil
		}
		v.Columns = append(v.Columns, name)
		if comment != "" {
			i.s.Comments = append(i.s.Comments, &schema.Comment{
				Object: "COLUMN " + qualifiedName(v.Schema, v.Name) + "." + quoteIdentIfNeeded(name),
				Text:   comment,
			})
		}
		return nil
	})
}

// inspectMatViewIndexes reads the indexes of materialized views.
func (i *inspector) inspectMatViewIndexes(ctx context.Context, views map[int64]*schema.View) error {
	q := `SELECT x.indrelid::bigint, ic.relname, x.indisunique, pg_catalog.pg_get_indexdef(x.indexrelid),
       am.amname, coalesce(pg_catalog.pg_get_expr(x.indpred, x.indrelid, true), ''),
       coalesce(pg_catalog.obj_description(x.indexrelid, 'pg_class'), ''),
       x.indnkeyatts::int, x.indkey::text, x.indoption::text,
       pg_catalog.array_to_json(ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, k, true)
                                      FROM pg_catalog.generate_series(1, x.indnatts::int) AS k ORDER BY k))::text
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'm' AND ` + i.nsFilter("n.nspname") + `
ORDER BY x.indrelid, ic.relname`
	return i.each(ctx, q, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid                   int64
			ix                    schema.Index
			method                string
			nkey                  int
			indkey, indopt, colsJ string
		)
		if err := rows.Scan(&oid, &ix.Name, &ix.Unique, &ix.Definition, &method, &ix.Where, &ix.Comment, &nkey, &indkey, &indopt, &colsJ); err != nil {
			return err
		}
		v := views[oid]
		if v == nil {
			return nil
		}
		if method != "btree" {
			ix.Method = method
		}
		var cols []string
		if err := json.Unmarshal([]byte(colsJ), &cols); err != nil {
			return fmt.Errorf("index %s: key columns %s: %w", ix.Name, colsJ, err)
		}
		keys, opts := strings.Fields(indkey), strings.Fields(indopt)
		for k, col := range cols {
			if k >= nkey {
				ix.Include = append(ix.Include, col)
				continue
			}
			p := &schema.IndexPart{}
			if k < len(keys) && keys[k] == "0" {
				p.Expr = col
			} else {
				p.Column = col
			}
			if k < len(opts) {
				o, _ := strconv.Atoi(opts[k])
				p.Desc = o&1 != 0
				nullsFirst := o&2 != 0
				switch {
				case p.Desc && !nullsFirst:
					p.Nulls = "LAST"
				case !p.Desc && nullsFirst:
					p.Nulls = "FIRST"
				}
			}
			ix.Parts = append(ix.Parts, p)
		}
		v.Indexes = append(v.Indexes, &ix)
		return nil
	})
}

// inspectRoutines reads functions, procedures and aggregates, keyed by oid.
func (i *inspector) inspectRoutines(ctx context.Context) (map[int64]*schema.Routine, error) {
	q := `SELECT p.oid::bigint, n.nspname, p.proname, p.prokind::text,
       pg_catalog.pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind = 'a' THEN '' ELSE pg_catalog.pg_get_functiondef(p.oid) END,
       coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), ''),
       coalesce(pg_catalog.pg_get_function_arguments(p.oid), ''),
       coalesce(a.aggkind::text, ''),
       coalesce(a.aggtransfn::text, '-'), coalesce(a.aggfinalfn::text, '-'),
       coalesce(a.aggcombinefn::text, '-'), coalesce(a.aggserialfn::text, '-'),
       coalesce(a.aggdeserialfn::text, '-'), coalesce(a.aggmtransfn::text, '-'),
       coalesce(a.aggminvtransfn::text, '-'), coalesce(a.aggmfinalfn::text, '-'),
       coalesce(a.aggfinalextra, false), coalesce(a.aggmfinalextra, false),
       coalesce(a.aggfinalmodify::text, ''), coalesce(a.aggmfinalmodify::text, ''),
       coalesce((SELECT 'OPERATOR(' || pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname || ')'
                 FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace
                 WHERE o.oid = a.aggsortop), ''),
       coalesce(pg_catalog.format_type(a.aggtranstype, NULL), ''), coalesce(a.aggtransspace, 0),
       coalesce(CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END, ''),
       coalesce(a.aggmtransspace, 0),
       a.agginitval, a.aggminitval, p.proparallel::text
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
WHERE ` + i.nsFilter("n.nspname") + `
  AND ` + notExtension("p.oid", "pg_proc") + `
  -- Functions the server made for another object (a range type's
  -- constructors) are recreated with it, not on their own.
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`
	routines := make(map[int64]*schema.Routine)
	err := i.each(ctx, q, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid       int64
			r         schema.Routine
			kind, def string
			agg       aggregateDef
		)
		if err := rows.Scan(&oid, &r.Schema, &r.Name, &kind, &r.Signature, &def, &r.Comment,
			&agg.args, &agg.kind, &agg.sfunc, &agg.plain.final, &agg.combinefunc, &agg.serialfunc,
			&agg.deserialfunc, &agg.msfunc, &agg.minvfunc, &agg.moving.final,
			&agg.plain.finalExtra, &agg.moving.finalExtra, &agg.plain.finalModify, &agg.moving.finalModify,
			&agg.sortop, &agg.plain.stype, &agg.plain.space, &agg.moving.stype, &agg.moving.space,
			&agg.plain.initcond, &agg.moving.initcond, &agg.parallel); err != nil {
			return err
		}
		switch kind {
		case "a":
			r.Kind = schema.Aggregate
			agg.name = qualifiedName(r.Schema, r.Name)
			r.Definition = agg.String()
		case "p":
			r.Kind = schema.Procedure
			r.Definition = strings.TrimRightFunc(def, isSpace)
		default: // f, w
			r.Kind = schema.Function
			r.Definition = strings.TrimRightFunc(def, isSpace)
		}
		routines[oid] = &r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return routines, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }

// aggregateDef holds what CREATE AGGREGATE needs from pg_aggregate.
type aggregateDef struct {
	name, args, kind               string
	sfunc, combinefunc, serialfunc string
	deserialfunc, msfunc, minvfunc string
	sortop, parallel               string
	plain, moving                  aggState
}

// aggState is one of an aggregate's two states, the plain one and the
// moving one: its type, the type's size estimate, its final function with
// that function's options, and its initial value.
type aggState struct {
	stype, final, finalModify string
	space                     int64
	finalExtra                bool
	initcond                  sql.NullString
}

// aggParams are the parameters of a CREATE AGGREGATE, in order.
type aggParams []string

// add appends key = v, unless v is empty or pg_aggregate's "-" (none).
func (p *aggParams) add(key, v string) {
	if v != "" && v != "-" {
		*p = append(*p, key+" = "+v)
	}
}

// addState appends the parameters of state s from its type to its final
// function's modify option, each key with prefix ("" for the plain state,
// "M" for the moving one); defModify is the modify option's default.
func (p *aggParams) addState(prefix string, s aggState, defModify string) {
	p.add(prefix+"STYPE", s.stype)
	if s.space != 0 {
		p.add(prefix+"SSPACE", strconv.FormatInt(s.space, 10))
	}
	p.add(prefix+"FINALFUNC", s.final)
	if s.finalExtra {
		*p = append(*p, prefix+"FINALFUNC_EXTRA")
	}
	if s.finalModify != "" && s.finalModify != defModify {
		p.add(prefix+"FINALFUNC_MODIFY", map[string]string{"r": "READ_ONLY", "s": "SHAREABLE", "w": "READ_WRITE"}[s.finalModify])
	}
}

// addInit appends key = the literal of s's initial value, when it has one.
func (p *aggParams) addInit(key string, s aggState) {
	if s.initcond.Valid {
		p.add(key, quoteLiteralSQL(s.initcond.String))
	}
}

// String prints the CREATE AGGREGATE statement, without a terminator, in
// the order the PostgreSQL manual lists the parameters. Parameters at their
// default are left out.
func (a *aggregateDef) String() string {
	args := a.args
	if args == "" {
		args = "*"
	}
	var p aggParams
	p.add("SFUNC", a.sfunc)
	defModify := "r"
	if a.kind != "n" {
		defModify = "w"
	}
	p.addState("", a.plain, defModify)
	p.add("COMBINEFUNC", a.combinefunc)
	p.add("SERIALFUNC", a.serialfunc)
	p.add("DESERIALFUNC", a.deserialfunc)
	p.addInit("INITCOND", a.plain)
	p.add("MSFUNC", a.msfunc)
	p.add("MINVFUNC", a.minvfunc)
	if a.msfunc != "-" && a.msfunc != "" {
		p.addState("M", a.moving, "r")
		p.addInit("MINITCOND", a.moving)
	}
	p.add("SORTOP", a.sortop)
	switch a.parallel {
	case "s":
		p = append(p, "PARALLEL = SAFE")
	case "r":
		p = append(p, "PARALLEL = RESTRICTED")
	}
	if a.kind == "h" {
		p = append(p, "HYPOTHETICAL")
	}
	return "CREATE AGGREGATE " + a.name + "(" + args + ") (\n    " + strings.Join(p, ",\n    ") + "\n)"
}

// inspectCodeDepends fills DependsOn of views and routines from pg_depend:
// what a view's rewrite rule reads, and what a routine's signature or body
// needs (row types count as their relation; enums, domains and ranges are
// TYPE designations).
func (i *inspector) inspectCodeDepends(ctx context.Context, views map[int64]*schema.View, routines map[int64]*schema.Routine) error {
	q := `WITH deps AS (
    SELECT 'v'::text AS kind, r.ev_class AS oid, d.refclassid, d.refobjid
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
    WHERE d.deptype = 'n' AND d.refobjid <> r.ev_class
    UNION
    SELECT 'f', d.objid, d.refclassid, d.refobjid
    FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'n'
), norm AS (
    SELECT deps.kind, deps.oid, 'pg_class'::regclass AS refclassid,
           CASE WHEN t.typrelid <> 0 THEN t.typrelid ELSE el.typrelid END AS refobjid
    FROM deps
    JOIN pg_catalog.pg_type t ON t.oid = deps.refobjid
    LEFT JOIN pg_catalog.pg_type el ON el.oid = t.typelem
    WHERE deps.refclassid = 'pg_type'::regclass AND (t.typrelid <> 0 OR coalesce(el.typrelid, 0) <> 0)
    UNION
    -- enums, domains and ranges (or arrays of them) a routine's
    -- signature or body uses: created before it
    SELECT deps.kind, deps.oid, 'pg_type'::regclass,
           CASE WHEN t.typtype IN ('e', 'd', 'r') THEN t.oid ELSE el.oid END
    FROM deps
    JOIN pg_catalog.pg_type t ON t.oid = deps.refobjid
    LEFT JOIN pg_catalog.pg_type el ON el.oid = t.typelem
    WHERE deps.kind = 'f' AND deps.refclassid = 'pg_type'::regclass
      AND (t.typtype IN ('e', 'd', 'r') OR el.typtype IN ('e', 'd', 'r'))
    UNION
    SELECT kind, oid, refclassid, refobjid FROM deps
    WHERE refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass)
)
SELECT DISTINCT norm.kind, norm.oid::bigint,
       CASE norm.refclassid WHEN 'pg_proc'::regclass THEN 'proc' WHEN 'pg_type'::regclass THEN 'type' ELSE 'rel' END,
       coalesce(rn.nspname, pn.nspname, yn.nspname), coalesce(rc.relname, p.proname, y.typname),
       coalesce(rc.relkind::text, p.prokind::text, 'c'),
       coalesce(pg_catalog.pg_get_function_identity_arguments(p.oid), '')
FROM norm
LEFT JOIN pg_catalog.pg_class rc ON norm.refclassid = 'pg_class'::regclass AND rc.oid = norm.refobjid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_proc p ON norm.refclassid = 'pg_proc'::regclass AND p.oid = norm.refobjid
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_type y ON norm.refclassid = 'pg_type'::regclass AND y.oid = norm.refobjid
LEFT JOIN pg_catalog.pg_namespace yn ON yn.oid = y.typnamespace
WHERE (rc.oid IS NOT NULL OR p.oid IS NOT NULL OR y.oid IS NOT NULL) AND norm.oid <> norm.refobjid
  AND coalesce(rn.nspname, pn.nspname, yn.nspname) NOT IN ('pg_catalog', 'information_schema')`
	err := i.each(ctx, q, nil, func(rows *sql.Rows) error {
		var (
			kind, class, nsp, name, refkind, sig string
			oid                                  int64
		)
		if err := rows.Scan(&kind, &oid, &class, &nsp, &name, &refkind, &sig); err != nil {
			return err
		}
		ref := relationDesignation(refkind, nsp, name) // a type's kind is "c": TYPE
		if class == "proc" {
			ref = routineDesignation(prokindKind(refkind), nsp, name, sig)
		}
		switch kind {
		case "v":
			if v := views[oid]; v != nil {
				v.DependsOn = append(v.DependsOn, ref)
			}
		case "f":
			if r := routines[oid]; r != nil {
				r.DependsOn = append(r.DependsOn, ref)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, v := range views {
		sort.Strings(v.DependsOn)
		v.DependsOn = slices.Compact(v.DependsOn)
	}
	for _, r := range routines {
		sort.Strings(r.DependsOn)
		r.DependsOn = slices.Compact(r.DependsOn)
	}
	return nil
}

// inspectTypeDepends fills DependsOn of types from pg_depend: the routines
// and types that a type, its constraints (a domain's CHECK) and its default
// use, so that they are created before it.
func (i *inspector) inspectTypeDepends(ctx context.Context) error {
	if len(i.s.Types) == 0 {
		return nil
	}
	types := make(map[string]*schema.Type, len(i.s.Types))
	for _, t := range i.s.Types {
		types[t.Schema+"\x00"+t.Name] = t
	}
	err := i.each(ctx, `WITH deps AS (
    SELECT t.oid AS typ, d.refclassid, d.refobjid
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'n'
    UNION
    SELECT co.contypid, d.refclassid, d.refobjid
    FROM pg_catalog.pg_constraint co
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = co.oid AND d.deptype = 'n'
    WHERE co.contypid <> 0
)
SELECT DISTINCT tn.nspname, t.typname, deps.refclassid = 'pg_proc'::regclass,
       coalesce(pn.nspname, yn.nspname), coalesce(p.proname, y.typname), coalesce(p.prokind::text, ''),
       coalesce(pg_catalog.pg_get_function_identity_arguments(p.oid), '')
FROM deps
JOIN pg_catalog.pg_type t ON t.oid = deps.typ
JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_proc p ON deps.refclassid = 'pg_proc'::regclass AND p.oid = deps.refobjid
LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_type y ON deps.refclassid = 'pg_type'::regclass AND y.oid = deps.refobjid
LEFT JOIN pg_catalog.pg_namespace yn ON yn.oid = y.typnamespace
WHERE (p.oid IS NOT NULL OR y.oid IS NOT NULL) AND deps.refobjid <> deps.typ
  AND coalesce(pn.nspname, yn.nspname) NOT IN ('pg_catalog', 'information_schema')
  AND `+i.nsFilter("tn.nspname"), []any{i.schemas}, func(rows *sql.Rows) error {
		var nsp, name, refNsp, refName, prokind, sig string
		var isProc bool
		if err := rows.Scan(&nsp, &name, &isProc, &refNsp, &refName, &prokind, &sig); err != nil {
			return err
		}
		t := types[nsp+"\x00"+name]
		if t == nil {
			return nil
		}
		ref := relationDesignation("c", refNsp, refName)
		if isProc {
			ref = routineDesignation(prokindKind(prokind), refNsp, refName, sig)
		}
		t.DependsOn = append(t.DependsOn, ref)
		return nil
	})
	for _, t := range i.s.Types {
		sort.Strings(t.DependsOn)
		t.DependsOn = slices.Compact(t.DependsOn)
	}
	return err
}

// prokindKind maps pg_proc.prokind to a routine kind.
func prokindKind(k string) schema.RoutineKind {
	switch k {
	case "a":
		return schema.Aggregate
	case "p":
		return schema.Procedure
	}
	return schema.Function
}

// relationDesignation names a relation the way COMMENT ON would.
func relationDesignation(relkind, schemaName, name string) string {
	kw := "TABLE"
	switch relkind {
	case "v":
		kw = "VIEW"
	case "m":
		kw = "MATERIALIZED VIEW"
	case "f":
		kw = "FOREIGN TABLE"
	case "S":
		kw = "SEQUENCE"
	case "c":
		kw = "TYPE"
	}
	return kw + " " + qualifiedName(schemaName, name)
}

// routineDesignation names a routine the way COMMENT ON would.
func routineDesignation(kind schema.RoutineKind, schemaName, name, signature string) string {
	kw := "FUNCTION"
	switch kind {
	case schema.Procedure:
		kw = "PROCEDURE"
	case schema.Aggregate:
		kw = "AGGREGATE"
		if signature == "" {
			signature = "*"
		}
	}
	return kw + " " + qualifiedName(schemaName, name) + "(" + signature + ")"
}

// viewDesignation names a view the way COMMENT ON would.
func viewDesignation(v *schema.View) string {
	if v.Materialized {
		return "MATERIALIZED VIEW " + qualifiedName(v.Schema, v.Name)
	}
	return "VIEW " + qualifiedName(v.Schema, v.Name)
}

// inspectTriggers reads the triggers that are not internal (foreign key
// triggers) nor clones of a partitioned table's trigger on its partitions.
func (i *inspector) inspectTriggers(ctx context.Context) error {
	triggers := tableCodeCatalog{kind: "trigger", catalog: "pg_trigger", name: "tgname", def: "pg_get_triggerdef",
		table: "tgrelid", enabled: "tgenabled",
		where: "NOT x.tgisinternal AND x.tgparentid = 0 AND " + notExtension("x.oid", "pg_trigger")}
	return i.inspectTableCode(ctx, triggers, func(c tableCode) {
		i.s.Triggers = append(i.s.Triggers, &schema.Trigger{Schema: c.schema, Table: c.table, Name: c.name,
			Definition: strings.TrimSpace(c.definition), Comment: c.comment})
	})
}

// inspectRules reads rewrite rules other than the _RETURN rules of views.
func (i *inspector) inspectRules(ctx context.Context) error {
	rules := tableCodeCatalog{kind: "rule", catalog: "pg_rewrite", name: "rulename", def: "pg_get_ruledef",
		table: "ev_class", enabled: "ev_enabled", where: "x.rulename <> '_RETURN'"}
	return i.inspectTableCode(ctx, rules, func(c tableCode) {
		i.s.Rules = append(i.s.Rules, &schema.Rule{Schema: c.schema, Table: c.table, Name: c.name,
			Definition: strings.TrimSuffix(strings.TrimSpace(c.definition), ";"), Comment: c.comment})
	})
}

// tableCodeCatalog is where inspectTableCode reads objects that belong to
// a table and are kept as their definition: triggers and rules. The
// catalog is aliased x in the query.
type tableCodeCatalog struct {
	kind    string // "trigger" or "rule", for the warnings
	catalog string // the system catalog
	name    string // x's column that holds the object's name
	def     string // the function that prints its definition from x.oid
	table   string // x's column that holds the table's oid
	enabled string // x's column that holds the firing state
	where   string // the condition, on x, of the objects to read
}

// tableCode is a row of inspectTableCode.
type tableCode struct {
	schema, table, name, definition, comment string
}

// inspectTableCode reads the objects of cat on the tables of the inspected
// namespaces that no extension owns, in schema, table and name order. It
// leaves out those of excluded tables, warns of a firing state the model
// does not keep, and gives the others to keep.
func (i *inspector) inspectTableCode(ctx context.Context, cat tableCodeCatalog, keep func(tableCode)) error {
	q := `SELECT n.nspname, c.relname, x.` + cat.name + `, pg_catalog.` + cat.def + `(x.oid, true),
       coalesce(pg_catalog.obj_description(x.oid, '` + cat.catalog + `'), ''), x.` + cat.enabled + `::text
FROM pg_catalog.` + cat.catalog + ` x
JOIN pg_catalog.pg_class c ON c.oid = x.` + cat.table + `
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ` + cat.where + ` AND ` + i.nsFilter("n.nspname") + `
  AND ` + notExtension("c.oid", "pg_class") + `
ORDER BY 1, 2, 3`
	return i.each(ctx, q, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			c       tableCode
			enabled string
		)
		if err := rows.Scan(&c.schema, &c.table, &c.name, &c.definition, &c.comment, &enabled); err != nil {
			return err
		}
		if i.isExcluded(c.schema, c.table) {
			return nil
		}
		if w := firingWarning(cat.kind, c.name, c.schema, c.table, enabled); w != "" {
			i.s.Warnings = append(i.s.Warnings, w)
		}
		keep(c)
		return nil
	})
}

// firingWarning returns the warning for a trigger or rule whose firing
// state (pg_trigger.tgenabled, pg_rewrite.ev_enabled) is not the default
// 'O': the model keeps only the definition, which does not carry the state.
func firingWarning(kind, name, schemaName, table, enabled string) string {
	state := map[string]string{"D": "disabled", "R": "enabled for replica sessions only", "A": "enabled always"}[enabled]
	if state == "" {
		return ""
	}
	return fmt.Sprintf("%s %s on %s is %s: the firing state is not kept (it is created enabled)", kind, quoteIdentIfNeeded(name), qualifiedName(schemaName, table), state)
}

// inspectEventTriggers reports event triggers, which the model does not
// hold, as unrepresented objects.
func (i *inspector) inspectEventTriggers(ctx context.Context) error {
	q := `SELECT e.evtname FROM pg_catalog.pg_event_trigger e
WHERE ` + notExtension("e.oid", "pg_event_trigger") + `
ORDER BY 1`
	return i.each(ctx, q, nil, func(rows *sql.Rows) error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		i.s.Unrepresented = append(i.s.Unrepresented, schema.Unrepresented{
			Kind: "event_trigger", Name: name, Keyword: "EVENT",
			Detail: "skipped event trigger " + quoteIdentIfNeeded(name) + ": not supported",
		})
		return nil
	})
}

// writeRoutines prints functions, procedures and aggregates, but those
// in printed (writeTypes printed them before a type that needs them).
//
// Routines that need a table or view to exist (a row type in the signature,
// an SQL-standard body that reads a table) are left to writeViews, which
// runs after the tables. The others are printed in dependency order
// (an aggregate after its support functions), by name otherwise.
func writeRoutines(b *strings.Builder, s *schema.Schema, printed map[*schema.Routine]bool) {
	deferred := deferredRoutines(s)
	var items []codeItem
	for _, r := range s.Routines {
		if !deferred[r] && !printed[r] {
			items = append(items, codeItem{routine: r})
		}
	}
	for _, it := range orderCode(items) {
		writeRoutine(b, it.routine)
	}
}

// writeRoutine prints one routine and its comment.
func writeRoutine(b *strings.Builder, r *schema.Routine) {
	b.WriteString(strings.TrimRightFunc(r.Definition, isSpace))
	b.WriteString(";\n\n")
	if r.Comment != "" {
		fmt.Fprintf(b, "COMMENT ON %s IS %s;\n\n", routineDesignation(r.Kind, r.Schema, r.Name, r.Signature), quoteLiteralSQL(r.Comment))
	}
}

// deferredRoutines returns the routines that cannot be created before the
// tables: those that depend on a relation, directly or through another
// routine.
func deferredRoutines(s *schema.Schema) map[*schema.Routine]bool {
	byKey := make(map[string]*schema.Routine, len(s.Routines))
	for _, r := range s.Routines {
		byKey[routineDesignation(r.Kind, r.Schema, r.Name, r.Signature)] = r
	}
	deferred := make(map[*schema.Routine]bool)
	state := make(map[*schema.Routine]int) // 1 visiting, 2 done
	var visit func(r *schema.Routine) bool
	visit = func(r *schema.Routine) bool {
		switch state[r] {
		case 1:
			return false // a cycle: decided by the other members
		case 2:
			return deferred[r]
		}
		state[r] = 1
		d := false
		for _, dep := range r.DependsOn {
			if isRoutineDesignation(dep) {
				if o := byKey[dep]; o != nil && visit(o) {
					d = true
				}
				continue
			}
			if !strings.HasPrefix(dep, "TYPE ") {
				d = true
			}
		}
		state[r] = 2
		deferred[r] = d
		return d
	}
	for _, r := range s.Routines {
		visit(r)
	}
	return deferred
}

func isRoutineDesignation(d string) bool {
	return strings.HasPrefix(d, "FUNCTION ") || strings.HasPrefix(d, "PROCEDURE ") || strings.HasPrefix(d, "AGGREGATE ")
}

// codeItem is a view or a routine in writeViews' ordering.
type codeItem struct {
	view    *schema.View
	routine *schema.Routine
}

func (it codeItem) key() string {
	if it.view != nil {
		return viewDesignation(it.view)
	}
	r := it.routine
	return routineDesignation(r.Kind, r.Schema, r.Name, r.Signature)
}

func (it codeItem) deps() []string {
	if it.view != nil {
		return it.view.DependsOn
	}
	return it.routine.DependsOn
}

// orderCode sorts items so that each comes after the items it depends on,
// keeping the given order where dependencies allow it. Members of a cycle
// (which the server would not have allowed) keep their given order.
func orderCode(items []codeItem) []codeItem {
	index := make(map[string]int, len(items))
	for n, it := range items {
		index[it.key()] = n
	}
	pending := make([]int, len(items))
	dependents := make([][]int, len(items))
	for n, it := range items {
		for _, d := range it.deps() {
			if m, ok := index[d]; ok && m != n {
				pending[n]++
				dependents[m] = append(dependents[m], n)
			}
		}
	}
	ready := &intHeap{}
	for n := range items {
		if pending[n] == 0 {
			heap.Push(ready, n)
		}
	}
	out := make([]codeItem, 0, len(items))
	done := make([]bool, len(items))
	for len(out) < len(items) {
		if ready.Len() == 0 {
			// A cycle: release the first remaining item.
			for n := range items {
				if !done[n] {
					pending[n] = 0
					heap.Push(ready, n)
					break
				}
			}
		}
		n := heap.Pop(ready).(int)
		if done[n] {
			continue
		}
		done[n] = true
		out = append(out, items[n])
		for _, m := range dependents[n] {
			pending[m]--
			if pending[m] == 0 && !done[m] {
				heap.Push(ready, m)
			}
		}
	}
	return out
}

// intHeap is a min-heap of item positions.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(a, b int) bool { return h[a] < h[b] }
func (h intHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// writeViews prints views and materialized views (with their indexes) in
// dependency order, together with the routines that writeRoutines left out
// because they need a table or a view.
func writeViews(b *strings.Builder, s *schema.Schema) {
	deferred := deferredRoutines(s)
	var items []codeItem
	for _, r := range s.Routines {
		if deferred[r] {
			items = append(items, codeItem{routine: r})
		}
	}
	for _, v := range s.Views {
		items = append(items, codeItem{view: v})
	}
	for _, it := range orderCode(items) {
		if it.routine != nil {
			writeRoutine(b, it.routine)
			continue
		}
		writeView(b, it.view)
	}
}

// writeView prints one view or materialized view, its comment and, for a
// materialized view, its indexes.
func writeView(b *strings.Builder, v *schema.View) {
	b.WriteString(createView(v))
	if v.Materialized {
		b.WriteString("\n  WITH NO DATA")
	}
	b.WriteString(";\n\n")
	if v.Comment != "" {
		fmt.Fprintf(b, "COMMENT ON %s IS %s;\n\n", viewDesignation(v), quoteLiteralSQL(v.Comment))
	}
	for _, ix := range v.Indexes {
		b.WriteString(matViewIndexDef(v, ix))
		b.WriteString(";\n\n")
		if ix.Comment != "" {
			fmt.Fprintf(b, "COMMENT ON INDEX %s IS %s;\n\n", qualifiedName(v.Schema, ix.Name), quoteLiteralSQL(ix.Comment))
		}
	}
}

// createView returns the CREATE VIEW or CREATE MATERIALIZED VIEW
// statement of v, without a terminator: a materialized view is populated
// (add WITH NO DATA to create it empty).
func createView(v *schema.View) string {
	kw := "CREATE VIEW "
	if v.Materialized {
		kw = "CREATE MATERIALIZED VIEW "
	}
	s := kw + qualifiedName(v.Schema, v.Name)
	if v.Options != "" {
		s += " WITH (" + v.Options + ")"
	}
	def := strings.TrimSuffix(strings.TrimRightFunc(v.Definition, isSpace), ";")
	if !strings.HasPrefix(def, " ") {
		def = " " + def
	}
	s += " AS\n" + def
	if !v.Materialized && v.CheckOption != "" {
		s += "\n  WITH " + strings.ToUpper(v.CheckOption) + " CHECK OPTION"
	}
	return s
}

// matViewIndexDef returns the CREATE INDEX statement of an index on a
// materialized view: its Definition when the server gave one, otherwise one
// built from its parts.
func matViewIndexDef(v *schema.View, ix *schema.Index) string {
	if ix.Definition != "" {
		return strings.TrimSuffix(strings.TrimSpace(ix.Definition), ";")
	}
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX " + quoteIdentIfNeeded(ix.Name) + " ON " + qualifiedName(v.Schema, v.Name))
	method := ix.Method
	if method == "" {
		method = "btree"
	}
	b.WriteString(" USING " + method + " (")
	for n, p := range ix.Parts {
		if n > 0 {
			b.WriteString(", ")
		}
		if p.Expr != "" {
			b.WriteString("(" + p.Expr + ")")
		} else {
			b.WriteString(quoteIdentIfNeeded(p.Column))
		}
		if p.Desc {
			b.WriteString(" DESC")
		}
		if p.Nulls != "" {
			b.WriteString(" NULLS " + p.Nulls)
		}
	}
	b.WriteString(")")
	if len(ix.Include) > 0 {
		inc := make([]string, len(ix.Include))
		for n, c := range ix.Include {
			inc[n] = quoteIdentIfNeeded(c)
		}
		b.WriteString(" INCLUDE (" + strings.Join(inc, ", ") + ")")
	}
	if ix.Where != "" {
		b.WriteString(" WHERE " + ix.Where)
	}
	return b.String()
}

// writeTriggersAndRules prints triggers and rules.
func writeTriggersAndRules(b *strings.Builder, s *schema.Schema) {
	for _, t := range s.Triggers {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(t.Definition), ";"))
		b.WriteString(";\n\n")
		if t.Comment != "" {
			fmt.Fprintf(b, "COMMENT ON TRIGGER %s ON %s IS %s;\n\n", quoteIdentIfNeeded(t.Name), qualifiedName(t.Schema, t.Table), quoteLiteralSQL(t.Comment))
		}
	}
	for _, r := range s.Rules {
		b.WriteString(strings.TrimSuffix(strings.TrimSpace(r.Definition), ";"))
		b.WriteString(";\n\n")
		if r.Comment != "" {
			fmt.Fprintf(b, "COMMENT ON RULE %s ON %s IS %s;\n\n", quoteIdentIfNeeded(r.Name), qualifiedName(r.Schema, r.Table), quoteLiteralSQL(r.Comment))
		}
	}
}
