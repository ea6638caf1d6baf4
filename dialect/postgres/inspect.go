package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

// inspector holds one inspection's state. Every catalog query goes through
// query, which counts them.
//
// Shared with inspect_code.go: schemas (the namespace filter argument, see
// nsFilter) and tables (the inspected tables by oid).
type inspector struct {
	conn    *sql.Conn
	opts    dialect.InspectOptions
	s       *schema.Schema
	queries int

	// schemas is opts.Schemas as the text[] argument of nsFilter.
	schemas []string
	// tables maps a table's oid to its model; only kept tables are in it.
	tables map[uint32]*schema.Table
	// compositeByRel maps a composite type's relation oid (typrelid) to
	// its model, domains a domain's type oid.
	compositeByRel map[uint32]*schema.Type
	domains        map[uint32]*schema.Type
	// excluded holds the version tables and opts.Exclude, by name and by
	// "schema.name".
	excluded map[string]bool
}

func (i *inspector) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	i.queries++
	return i.conn.QueryContext(ctx, q, args...)
}

// nsFilter returns the SQL condition that keeps the namespaces retort
// inspects, for the namespace name column col: no system schema, and only
// opts.Schemas when set. The query must pass i.schemas as its $1.
func (i *inspector) nsFilter(col string) string {
	return fmt.Sprintf(`%[1]s NOT IN ('pg_catalog', 'information_schema') AND %[1]s NOT LIKE 'pg\_toast%%' AND %[1]s NOT LIKE 'pg\_temp\_%%'
	AND (cardinality($1::text[]) = 0 OR %[1]s = ANY($1::text[]))`, col)
}

// notExtension returns the SQL condition that drops objects that belong to
// an extension: objCol is the object's oid column, catalog its system
// catalog ("pg_class", "pg_type", ...).
func notExtension(objCol, catalog string) string {
	return fmt.Sprintf(`NOT EXISTS (SELECT 1 FROM pg_depend xd WHERE xd.classid = '%s'::regclass AND xd.objid = %s AND xd.deptype = 'e')`, catalog, objCol)
}

// Inspect reads the schema of the database conn is connected to: every
// non-system namespace (or opts.Schemas), leaving out retort's own tables,
// opts.Exclude and every object that belongs to an extension. It runs a
// fixed number of catalog queries, whatever the number of objects.
func (d *Dialect) Inspect(ctx context.Context, conn *sql.Conn, opts dialect.InspectOptions) (*schema.Schema, error) {
	i := newInspector(conn, opts)
	if err := i.run(ctx); err != nil {
		return nil, err
	}
	return i.s, nil
}

// CatalogAccessError is returned by Inspect when the database user may not
// read a system catalog that inspection needs.
type CatalogAccessError struct {
	// What names the objects being read ("tables", "indexes", ...).
	What string
	// Err is the server's error.
	Err error
}

// Error says which objects could not be read and what to do about it.
func (e *CatalogAccessError) Error() string {
	return fmt.Sprintf("postgres: inspect %s: the database user may not read the system catalogs (grant it SELECT on pg_catalog, or inspect as the schema owner): %v", e.What, e.Err)
}

// Unwrap returns the server's error.
func (e *CatalogAccessError) Unwrap() error { return e.Err }

func newInspector(conn *sql.Conn, opts dialect.InspectOptions) *inspector {
	opts.VersionTables = opts.VersionTables.WithDefaults()
	vt := opts.VersionTables
	i := &inspector{
		conn:           conn,
		opts:           opts,
		s:              &schema.Schema{Dialect: "postgres"},
		schemas:        append([]string{}, opts.Schemas...), // never nil: NULL would match nothing
		tables:         map[uint32]*schema.Table{},
		compositeByRel: map[uint32]*schema.Type{},
		domains:        map[uint32]*schema.Type{},
		excluded:       map[string]bool{vt.Revisions: true, vt.Log: true},
	}
	for _, e := range opts.Exclude {
		i.excluded[e] = true
	}
	return i
}

// isPermissionDenied reports a server error insufficient_privilege.
func isPermissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

func (i *inspector) isExcluded(nsp, name string) bool {
	return i.excluded[name] || i.excluded[nsp+"."+name]
}

func (i *inspector) run(ctx context.Context) error {
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"namespaces", i.inspectNamespaces},
		{"extensions", i.inspectExtensions},
		{"types", i.inspectTypes},
		{"sequences", i.inspectSequences},
		{"tables", i.inspectTables},
		{"columns", i.inspectColumns},
		{"constraints", i.inspectConstraints},
		{"indexes", i.inspectIndexes},
		{"exclusion constraints, row security, policies and privileges", i.inspectSecurity},
		{"unsupported objects", i.inspectUnsupported},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			if isPermissionDenied(err) {
				return &CatalogAccessError{What: st.what, Err: err}
			}
			return fmt.Errorf("postgres: inspect %s: %w", st.what, err)
		}
	}
	if err := i.inspectCode(ctx); err != nil {
		if isPermissionDenied(err) {
			return &CatalogAccessError{What: "views, routines and triggers", Err: err}
		}
		return err
	}
	s := i.s
	sort.Slice(s.Tables, func(a, b int) bool {
		return lessQualified(s.Tables[a].Schema, s.Tables[a].Name, s.Tables[b].Schema, s.Tables[b].Name)
	})
	for _, t := range s.Tables {
		sort.Slice(t.Uniques, func(a, b int) bool { return t.Uniques[a].Name < t.Uniques[b].Name })
		sort.Slice(t.Indexes, func(a, b int) bool { return t.Indexes[a].Name < t.Indexes[b].Name })
		sort.Slice(t.ForeignKeys, func(a, b int) bool { return t.ForeignKeys[a].Name < t.ForeignKeys[b].Name })
		sort.Slice(t.Checks, func(a, b int) bool { return t.Checks[a].Name < t.Checks[b].Name })
	}
	// Names are sorted here, byte-wise, not by the database's collation.
	sort.Slice(s.Namespaces, func(a, b int) bool { return s.Namespaces[a].Name < s.Namespaces[b].Name })
	sort.Slice(s.Extensions, func(a, b int) bool { return s.Extensions[a].Name < s.Extensions[b].Name })
	sort.SliceStable(s.Types, func(a, b int) bool {
		return lessQualified(s.Types[a].Schema, s.Types[a].Name, s.Types[b].Schema, s.Types[b].Name)
	})
	sort.Slice(s.Sequences, func(a, b int) bool {
		return lessQualified(s.Sequences[a].Schema, s.Sequences[a].Name, s.Sequences[b].Schema, s.Sequences[b].Name)
	})
	for _, t := range s.Types {
		sort.Slice(t.Checks, func(a, b int) bool { return t.Checks[a].Name < t.Checks[b].Name })
	}
	return nil
}

func lessQualified(s1, n1, s2, n2 string) bool {
	if s1 != s2 {
		return s1 < s2
	}
	return n1 < n2
}

// each runs catalog query q with args and calls row for every row it
// returns; it closes the rows and returns the first error of querying,
// scanning or iterating.
func (i *inspector) each(ctx context.Context, q string, args []any, row func(*sql.Rows) error) error {
	rows, err := i.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inspectNamespaces reads the schemas. public is left out unless its
// comment is not the one a new database has.
func (i *inspector) inspectNamespaces(ctx context.Context) error {
	return i.each(ctx, `SELECT n.nspname, coalesce(obj_description(n.oid, 'pg_namespace'), '')
FROM pg_namespace n
WHERE `+i.nsFilter("n.nspname")+` AND `+notExtension("n.oid", "pg_namespace")+`
	AND (n.nspname <> 'public' OR obj_description(n.oid, 'pg_namespace') IS DISTINCT FROM '`+publicDefaultComment+`')
ORDER BY n.nspname`, []any{i.schemas}, func(rows *sql.Rows) error {
		ns := &schema.Namespace{}
		if err := rows.Scan(&ns.Name, &ns.Comment); err != nil {
			return err
		}
		i.s.Namespaces = append(i.s.Namespaces, ns)
		return nil
	})
}

func (i *inspector) inspectExtensions(ctx context.Context) error {
	// The comment is kept only where it is not the one the extension's
	// control file sets.
	return i.each(ctx, `SELECT e.extname, n.nspname,
	coalesce(nullif(obj_description(e.oid, 'pg_extension'), (SELECT av.comment FROM pg_available_extensions av WHERE av.name = e.extname)), '')
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE NOT (e.extname = 'plpgsql' AND n.nspname = 'pg_catalog')
	AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1::text[]))
ORDER BY e.extname`, []any{i.schemas}, func(rows *sql.Rows) error {
		e := &schema.Extension{}
		if err := rows.Scan(&e.Name, &e.Schema, &e.Comment); err != nil {
			return err
		}
		i.s.Extensions = append(i.s.Extensions, e)
		return nil
	})
}

// collationSQL is the SQL expression that names collation oid col as SQL
// (schema-qualified outside pg_catalog).
func collationSQL(col string) string {
	return fmt.Sprintf(`(SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname) ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
	FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = %s)`, col)
}

func (i *inspector) inspectTypes(ctx context.Context) error {
	return i.each(ctx, `SELECT t.oid, t.typrelid, n.nspname, t.typname, t.typtype,
	CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)::text END,
	CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
		WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END,
	t.typnotnull, t.typdefault,
	CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
		THEN `+collationSQL("t.typcollation")+` END,
	coalesce(obj_description(t.oid, 'pg_type'), '')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE `+i.nsFilter("n.nspname")+` AND `+notExtension("t.oid", "pg_type")+`
	AND (t.typtype IN ('e', 'd', 'r') OR t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
ORDER BY n.nspname, t.typname`, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid, relid          uint32
			kind                string
			labels, base, deflt sql.NullString
			coll                sql.NullString
		)
		t := &schema.Type{}
		if err := rows.Scan(&oid, &relid, &t.Schema, &t.Name, &kind, &labels, &base, &t.NotNull, &deflt, &coll, &t.Comment); err != nil {
			return err
		}
		switch kind {
		case "e":
			t.Kind = schema.EnumType
			if labels.Valid {
				if err := json.Unmarshal([]byte(labels.String), &t.Values); err != nil {
					return fmt.Errorf("enum %s labels: %w", t.Name, err)
				}
			}
		case "d":
			t.Kind = schema.DomainType
			i.domains[oid] = t
		case "c":
			t.Kind = schema.CompositeType
			i.compositeByRel[relid] = t
		case "r":
			t.Kind = schema.RangeType
		}
		t.Base = base.String
		if deflt.Valid {
			v := deflt.String
			t.Default = &v
		}
		t.Collation = coll.String
		i.s.Types = append(i.s.Types, t)
		return nil
	})
}

// Sequence bounds by type, for telling default options from chosen ones.
var seqTypeBounds = map[string][2]int64{
	"smallint": {-32768, 32767},
	"integer":  {-2147483648, 2147483647},
	"bigint":   {-9223372036854775808, 9223372036854775807},
}

// seqOptions returns a sequence's options that differ from the defaults
// for its type, as SQL in a fixed order.
func seqOptions(typ string, start, inc, min, max, cache int64, cycle bool) string {
	bounds, ok := seqTypeBounds[typ]
	if !ok {
		bounds = seqTypeBounds["bigint"]
	}
	defMin, defMax := int64(1), bounds[1]
	if inc < 0 {
		defMin, defMax = bounds[0], -1
	}
	defStart := min
	if inc < 0 {
		defStart = max
	}
	var parts []string
	if inc != 1 {
		parts = append(parts, fmt.Sprintf("INCREMENT BY %d", inc))
	}
	if min != defMin {
		parts = append(parts, fmt.Sprintf("MINVALUE %d", min))
	}
	if max != defMax {
		parts = append(parts, fmt.Sprintf("MAXVALUE %d", max))
	}
	if start != defStart {
		parts = append(parts, fmt.Sprintf("START WITH %d", start))
	}
	if cache != 1 {
		parts = append(parts, fmt.Sprintf("CACHE %d", cache))
	}
	if cycle {
		parts = append(parts, "CYCLE")
	}
	return strings.Join(parts, " ")
}

func (i *inspector) inspectSequences(ctx context.Context) error {
	return i.each(ctx, `SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
	o.nspname, o.relname, o.attname,
	coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
	SELECT tn.nspname, tc.relname, a.attname
	FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
	JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
	WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
	LIMIT 1) o ON true
WHERE `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
ORDER BY n.nspname, c.relname`, []any{i.schemas}, func(rows *sql.Rows) error {
		q := &schema.Sequence{}
		var on, ot, oc sql.NullString
		if err := rows.Scan(&q.Schema, &q.Name, &q.Type, &q.Start, &q.Increment, &q.Min, &q.Max, &q.Cache, &q.Cycle, &on, &ot, &oc, &q.Comment); err != nil {
			return err
		}
		if ot.Valid {
			if i.isExcluded(on.String, ot.String) {
				return nil
			}
			q.OwnedBy = qualifiedName(on.String, ot.String) + "." + quoteIdentIfNeeded(oc.String)
		}
		i.s.Sequences = append(i.s.Sequences, q)
		return nil
	})
}

func (i *inspector) inspectTables(ctx context.Context) error {
	return i.each(ctx, `SELECT c.oid, n.nspname, c.relname, c.relpersistence = 'u', c.relispartition,
	CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
	CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
	(SELECT json_agg(json_build_array(pn.nspname, pc.relname) ORDER BY h.inhseqno)
		FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
		WHERE h.inhrelid = c.oid)::text,
	(SELECT ic.relname FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indrelid = c.oid AND ix.indisclustered LIMIT 1),
	coalesce(obj_description(c.oid, 'pg_class'), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
ORDER BY n.nspname, c.relname`, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			oid                   uint32
			partition             bool
			partBy, bound, parent sql.NullString
			cluster               sql.NullString
		)
		t := &schema.Table{}
		if err := rows.Scan(&oid, &t.Schema, &t.Name, &t.Options.Unlogged, &partition, &partBy, &bound, &parent, &cluster, &t.Comment); err != nil {
			return err
		}
		if i.isExcluded(t.Schema, t.Name) {
			return nil
		}
		t.Options.PartitionBy = partBy.String
		t.Options.ClusterOn = cluster.String
		var parents [][2]string
		if parent.Valid {
			if err := json.Unmarshal([]byte(parent.String), &parents); err != nil {
				return fmt.Errorf("table %s parents: %w", t.Name, err)
			}
		}
		for _, p := range parents {
			name := qualifiedName(p[0], p[1])
			if partition {
				t.Options.PartitionOf = name
			} else {
				t.Options.Inherits = append(t.Options.Inherits, name)
			}
		}
		if partition {
			t.Options.PartitionBound = bound.String
		}
		t.Columns = []*schema.Column{}
		i.tables[oid] = t
		i.s.Tables = append(i.s.Tables, t)
		return nil
	})
}

func (i *inspector) inspectColumns(ctx context.Context) error {
	return i.each(ctx, `SELECT a.attrelid, c.relname, s.seqname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
	pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity,
	s.seqtypid IS NOT NULL, coalesce(format_type(s.seqtypid, NULL), ''), coalesce(s.seqstart, 0), coalesce(s.seqincrement, 0), coalesce(s.seqmin, 0),
	coalesce(s.seqmax, 0), coalesce(s.seqcache, 0), coalesce(s.seqcycle, false),
	CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN `+collationSQL("a.attcollation")+` END,
	coalesce(de.description, ''), NOT a.attislocal AND NOT c.relispartition
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description de ON de.objoid = a.attrelid AND de.classoid = 'pg_class'::regclass AND de.objsubid = a.attnum
LEFT JOIN LATERAL (
	SELECT sq.*, sc.relname AS seqname FROM pg_depend d JOIN pg_sequence sq ON sq.seqrelid = d.objid JOIN pg_class sc ON sc.oid = sq.seqrelid
	WHERE a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
		AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
	LIMIT 1) s ON true
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'c') AND `+i.nsFilter("n.nspname")+`
ORDER BY a.attrelid, a.attnum`, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			relid                             uint32
			relname                           string
			seqName                           sql.NullString
			def, coll                         sql.NullString
			generated, identity               string
			hasSeq, cycle                     bool
			seqType                           string
			start, inc, min, max, cacheAmount int64
			notNull                           bool
		)
		c := &schema.Column{}
		if err := rows.Scan(&relid, &relname, &seqName, &c.Name, &c.Type, &notNull, &def, &generated, &identity,
			&hasSeq, &seqType, &start, &inc, &min, &max, &cacheAmount, &cycle, &coll, &c.Comment, &c.Inherited); err != nil {
			return err
		}
		c.Nullable = !notNull
		c.Collation = coll.String
		switch {
		case generated != "":
			c.Generated = def.String
			c.Stored = generated == "s"
		case def.Valid:
			v := def.String
			c.Default = &v
		}
		switch identity {
		case "a":
			c.Identity = "ALWAYS"
		case "d":
			c.Identity = "BY DEFAULT"
		}
		if c.Identity != "" && hasSeq {
			c.IdentityOptions = seqOptions(seqType, start, inc, min, max, cacheAmount, cycle)
			// The server names the sequence table_column_seq unless told
			// otherwise (or that name is taken or too long).
			if def := relname + "_" + c.Name + "_seq"; len(def) <= 63 && seqName.String != def {
				c.IdentityOptions = strings.TrimSpace("SEQUENCE NAME " + quoteIdentIfNeeded(seqName.String) + " " + c.IdentityOptions)
			}
		}
		if t := i.tables[relid]; t != nil {
			t.Columns = append(t.Columns, c)
		} else if ct := i.compositeByRel[relid]; ct != nil {
			ct.Attributes = append(ct.Attributes, c)
		}
		return nil
	})
}

// checkExpr extracts the expression from a CHECK constraint definition as
// pg_get_constraintdef prints it: "CHECK ((a > 0)) NO INHERIT NOT VALID"
// gives "(a > 0)".
func checkExpr(def string) string {
	def = strings.TrimSuffix(def, " NOT VALID")
	def = strings.TrimSuffix(def, " NO INHERIT")
	if strings.HasPrefix(def, "CHECK (") && strings.HasSuffix(def, ")") {
		return def[len("CHECK (") : len(def)-1]
	}
	return def
}

// fkAction maps pg_constraint's action codes to SQL; NO ACTION is empty.
func fkAction(code string) string {
	switch code {
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	case "r":
		return "RESTRICT"
	}
	return ""
}

func (i *inspector) inspectConstraints(ctx context.Context) error {
	return i.each(ctx, `SELECT co.conrelid, co.contypid, co.conname, co.contype, pg_get_constraintdef(co.oid),
	co.condeferrable, co.condeferred, co.convalidated, co.connoinherit, co.conislocal,
	(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(co.conkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num)::text,
	rn.nspname, rc.relname,
	(SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(co.confkey) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num)::text,
	co.confupdtype, co.confdeltype, co.confmatchtype,
	CASE WHEN co.contype IN ('p', 'u') THEN (SELECT json_agg(a.attname ORDER BY k.ord)
		FROM pg_index ix, unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
		JOIN pg_attribute a ON a.attnum = k.num
		WHERE ix.indexrelid = co.conindid AND a.attrelid = ix.indrelid AND k.ord > ix.indnkeyatts)::text END,
	coalesce(obj_description(co.oid, 'pg_constraint'), '')
FROM pg_constraint co
JOIN pg_namespace n ON n.oid = co.connamespace
LEFT JOIN pg_class rc ON rc.oid = co.confrelid
LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE co.contype IN ('p', 'u', 'f', 'c') AND co.conparentid = 0 AND `+i.nsFilter("n.nspname")+`
ORDER BY co.conrelid, co.contypid, co.conname`, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			relid, typid                      uint32
			name, kind, def                   string
			deferrable, deferred, valid       bool
			noInherit, local                  bool
			cols, refNsp, refTab, refCols     sql.NullString
			updType, delType, matchType, incl sql.NullString
			comment                           string
		)
		if err := rows.Scan(&relid, &typid, &name, &kind, &def, &deferrable, &deferred, &valid, &noInherit, &local,
			&cols, &refNsp, &refTab, &refCols, &updType, &delType, &matchType, &incl, &comment); err != nil {
			return err
		}
		if typid != 0 {
			if d := i.domains[typid]; d != nil && kind == "c" {
				d.Checks = append(d.Checks, &schema.Check{Name: name, Expr: checkExpr(def), NotValid: !valid, Comment: comment})
			}
			return nil
		}
		t := i.tables[relid]
		if t == nil || !local {
			return nil
		}
		var columns, refColumns, include []string
		for _, v := range []struct {
			s   sql.NullString
			dst *[]string
		}{{cols, &columns}, {refCols, &refColumns}, {incl, &include}} {
			if v.s.Valid {
				if err := json.Unmarshal([]byte(v.s.String), v.dst); err != nil {
					return fmt.Errorf("constraint %s columns: %w", name, err)
				}
			}
		}
		switch kind {
		case "p", "u":
			k := &schema.Key{Name: name, Columns: columns, Deferrable: deferrable, InitiallyDeferred: deferred,
				Include: include, NullsNotDistinct: strings.Contains(def, "NULLS NOT DISTINCT"), Definition: def, Comment: comment}
			if kind == "p" {
				t.PrimaryKey = k
			} else {
				t.Uniques = append(t.Uniques, k)
			}
		case "f":
			fk := &schema.ForeignKey{Name: name, Columns: columns, RefSchema: refNsp.String, RefTable: refTab.String, RefColumns: refColumns,
				OnDelete: fkAction(delType.String), OnUpdate: fkAction(updType.String),
				Deferrable: deferrable, InitiallyDeferred: deferred, NotValid: !valid, Definition: def, Comment: comment}
			switch matchType.String {
			case "f":
				fk.Match = "FULL"
			case "p":
				fk.Match = "PARTIAL"
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		case "c":
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expr: checkExpr(def), NoInherit: noInherit, NotValid: !valid, Comment: comment})
		}
		return nil
	})
}

type indexPartRow struct {
	Attnum int    `json:"n"`
	Name   string `json:"a"`
	Def    string `json:"d"`
	Option int    `json:"o"`
}

func (i *inspector) inspectIndexes(ctx context.Context) error {
	return i.each(ctx, `SELECT ix.indrelid, ic.relname, pg_get_indexdef(ix.indexrelid), ix.indisunique, am.amname, ix.indnkeyatts,
	pg_get_expr(ix.indpred, ix.indrelid),
	(SELECT json_agg(json_build_object('n', ix.indkey[k - 1], 'a', coalesce(a.attname, ''),
			'd', CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true) ELSE '' END,
			'o', coalesce(ix.indoption[k - 1], 0)) ORDER BY k)
		FROM generate_series(1, ix.indnatts) k
		LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k - 1] AND ix.indkey[k - 1] > 0)::text,
	coalesce(obj_description(ix.indexrelid, 'pg_class'), '')
FROM pg_index ix
JOIN pg_class ic ON ic.oid = ix.indexrelid
JOIN pg_class tc ON tc.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = tc.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE tc.relkind IN ('r', 'p') AND `+i.nsFilter("n.nspname")+`
	AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = ix.indexrelid AND co.conrelid = ix.indrelid AND co.contype IN ('p', 'u', 'x'))
ORDER BY ix.indrelid, ic.relname`, []any{i.schemas}, func(rows *sql.Rows) error {
		var (
			relid     uint32
			nkey      int
			pred      sql.NullString
			partsJSON sql.NullString
		)
		x := &schema.Index{}
		if err := rows.Scan(&relid, &x.Name, &x.Definition, &x.Unique, &x.Method, &nkey, &pred, &partsJSON, &x.Comment); err != nil {
			return err
		}
		t := i.tables[relid]
		if t == nil {
			return nil
		}
		if x.Method == "btree" {
			x.Method = ""
		}
		x.Where = pred.String
		var parts []indexPartRow
		if partsJSON.Valid {
			if err := json.Unmarshal([]byte(partsJSON.String), &parts); err != nil {
				return fmt.Errorf("index %s parts: %w", x.Name, err)
			}
		}
		x.Parts = []*schema.IndexPart{}
		for k, p := range parts {
			if k >= nkey {
				x.Include = append(x.Include, p.Name)
				continue
			}
			ip := &schema.IndexPart{}
			if p.Attnum > 0 {
				ip.Column = p.Name
			} else {
				ip.Expr = p.Def
			}
			ip.Desc = p.Option&1 != 0
			nullsFirst := p.Option&2 != 0
			if ip.Desc && !nullsFirst {
				ip.Nulls = "LAST"
			} else if !ip.Desc && nullsFirst {
				ip.Nulls = "FIRST"
			}
			x.Parts = append(x.Parts, ip)
		}
		t.Indexes = append(t.Indexes, x)
		return nil
	})
}

// inspectUnsupported names what retort finds but cannot represent, so
// that nothing is dropped silently. Each row is an unrepresented object
// (kind, qualified name, description, the SQL word that makes it), or a
// warning when its kind is empty.
func (i *inspector) inspectUnsupported(ctx context.Context) error {
	return i.each(ctx, `SELECT k, nm, w, kw FROM (
	SELECT 1 AS o, 'foreign_table' AS k, concat_ws('.', n.nspname, c.relname) AS nm, format('skipped foreign table %s: not supported', c.oid::regclass) AS w, 'FOREIGN' AS kw
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'f' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 3, 'base_type', concat_ws('.', n.nspname, t.typname), format('skipped base type %s: not supported', t.oid::regtype), 'TYPE'
		FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE t.typtype = 'b' AND t.typcategory <> 'A' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("t.oid", "pg_type")+`
	UNION ALL
	SELECT 7, 'statistics', concat_ws('.', n.nspname, st.stxname), format('skipped extended statistics %I.%I: not supported', n.nspname, st.stxname), 'STATISTICS'
		FROM pg_statistic_ext st JOIN pg_namespace n ON n.oid = st.stxnamespace
		WHERE `+i.nsFilter("n.nspname")+`
	UNION ALL
	SELECT 8, 'range_options', concat_ws('.', n.nspname, t.typname), format('skipped options of range type %s (only its subtype is kept)', r.rngtypid::regtype), 'RANGE'
		FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE (r.rngcanonical <> 0 OR r.rngsubdiff <> 0
			OR r.rngcollation <> 0 AND r.rngcollation <> (SELECT st.typcollation FROM pg_type st WHERE st.oid = r.rngsubtype)
			OR r.rngsubopc <> (SELECT oc.oid FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
				WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype = r.rngsubtype))
			AND `+i.nsFilter("n.nspname")+` AND `+notExtension("t.oid", "pg_type")+`
	UNION ALL
	SELECT 9, 'storage_parameters', concat_ws('.', n.nspname, c.relname), format('skipped storage parameters of table %s: not supported', c.oid::regclass), 'WITH|SET'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND c.reloptions IS NOT NULL AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 10, 'tablespace', concat_ws('.', n.nspname, c.relname), format('skipped tablespace %I of %s: not supported', ts.spcname, c.oid::regclass), 'TABLESPACE'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_tablespace ts ON ts.oid = c.reltablespace
		WHERE c.relkind IN ('r', 'p', 'i', 'I') AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 11, 'typed_table', concat_ws('.', n.nspname, c.relname), format('table %s is a typed table (OF %s): printed as a plain table', c.oid::regclass, c.reloftype::regtype), 'OF'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND c.reloftype <> 0 AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 12, 'unlogged_sequence', concat_ws('.', n.nspname, c.relname), format('skipped UNLOGGED of sequence %s: not supported', c.oid::regclass), 'UNLOGGED'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind = 'S' AND c.relpersistence = 'u' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 13, 'column_storage', concat_ws('.', n.nspname, c.relname, a.attname), format('skipped %s of column %I of table %s: not supported', concat_ws(', ',
			CASE WHEN a.attcompression <> '' THEN 'COMPRESSION' END,
			CASE WHEN a.attstorage <> t.typstorage THEN 'STORAGE' END,
			CASE WHEN a.attstattarget >= 0 THEN 'STATISTICS' END), a.attname, c.oid::regclass), 'SET'
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid
		WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
			AND (a.attcompression <> '' OR a.attstorage <> t.typstorage OR a.attstattarget >= 0)
			AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 14, 'replica_identity', concat_ws('.', n.nspname, c.relname), format('skipped REPLICA IDENTITY of table %s: not supported', c.oid::regclass), 'REPLICA'
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND c.relreplident <> 'd' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 15, '', '', format('index %s is INVALID (a failed CREATE INDEX CONCURRENTLY?): drop and recreate it', ix.indexrelid::regclass), ''
		FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE NOT ix.indisvalid AND c.relkind = 'r' AND `+i.nsFilter("n.nspname")+` AND `+notExtension("c.oid", "pg_class")+`
	UNION ALL
	SELECT 16, 'publication', pb.pubname::text, format('skipped publication %I: not supported', pb.pubname), 'PUBLICATION' FROM pg_publication pb
	UNION ALL
	SELECT 22, 'cast', format('%s.%s', format_type(ca.castsource, NULL), format_type(ca.casttarget, NULL)), format('skipped cast (%s AS %s): not supported', format_type(ca.castsource, NULL), format_type(ca.casttarget, NULL)), 'CAST'
		FROM pg_cast ca WHERE ca.oid >= 16384 AND `+notExtension("ca.oid", "pg_cast")+`
			AND NOT EXISTS (SELECT 1 FROM pg_depend cd WHERE cd.classid = 'pg_cast'::regclass AND cd.objid = ca.oid AND cd.deptype = 'i')
	`+i.nsObjects()+`
	UNION ALL
	SELECT 24, 'foreign_server', fs.srvname::text, format('skipped foreign server %I: not supported', fs.srvname), 'SERVER'
		FROM pg_foreign_server fs WHERE `+notExtension("fs.oid", "pg_foreign_server")+`
	UNION ALL
	SELECT 25, 'foreign_data_wrapper', fdw.fdwname::text, format('skipped foreign-data wrapper %I: not supported', fdw.fdwname), 'WRAPPER'
		FROM pg_foreign_data_wrapper fdw WHERE `+notExtension("fdw.oid", "pg_foreign_data_wrapper")+`
	`+i.privilegesQuery()+`
) u ORDER BY o, w`, []any{i.schemas}, func(rows *sql.Rows) error {
		var u schema.Unrepresented
		if err := rows.Scan(&u.Kind, &u.Name, &u.Detail, &u.Keyword); err != nil {
			return err
		}
		if u.Kind == "" {
			i.s.Warnings = append(i.s.Warnings, u.Detail)
		} else {
			i.s.Unrepresented = append(i.s.Unrepresented, u)
		}
		return nil
	})
}

// nsObject is a kind of catalog object that lives in a schema and that
// retort does not model: inspectUnsupported names each one in the
// inspected schemas that no extension owns.
type nsObject struct {
	order   int    // the row's place in inspectUnsupported's order
	kind    string // schema.Unrepresented.Kind
	what    string // the kind in the warning: "skipped <what> <name>"
	catalog string // its catalog, and the alias the query gives it
	alias   string
	name    string // the catalog's name and namespace columns
	ns      string
	reg     string // an oid alias type that prints the name, else %I.%I
	keyword string // the SQL word that makes one
	where   string // a further condition, or ""
}

// unmodelled are the nsObject kinds (inspectUnsupported's rows are
// sorted by order, wherever their branch stands in the query).
var unmodelled = []nsObject{
	{order: 4, kind: "collation", what: "collation", keyword: "COLLATION",
		catalog: "pg_collation", alias: "co", name: "collname", ns: "collnamespace"},
	{order: 17, kind: "operator", what: "operator", keyword: "OPERATOR", reg: "regoperator",
		catalog: "pg_operator", alias: "o", name: "oprname", ns: "oprnamespace"},
	{order: 18, kind: "operator_class", what: "operator class", keyword: "CLASS",
		catalog: "pg_opclass", alias: "oc", name: "opcname", ns: "opcnamespace"},
	// A family made by CREATE OPERATOR CLASS (same name and schema) goes
	// with its class.
	{order: 19, kind: "operator_family", what: "operator family", keyword: "FAMILY",
		catalog: "pg_opfamily", alias: "opf", name: "opfname", ns: "opfnamespace",
		where: "NOT EXISTS (SELECT 1 FROM pg_opclass oc WHERE oc.opcfamily = opf.oid AND oc.opcname = opf.opfname AND oc.opcnamespace = opf.opfnamespace)"},
	{order: 20, kind: "text_search_configuration", what: "text search configuration", keyword: "CONFIGURATION", reg: "regconfig",
		catalog: "pg_ts_config", alias: "cfg", name: "cfgname", ns: "cfgnamespace"},
	{order: 21, kind: "text_search_dictionary", what: "text search dictionary", keyword: "DICTIONARY", reg: "regdictionary",
		catalog: "pg_ts_dict", alias: "dict", name: "dictname", ns: "dictnamespace"},
	{order: 23, kind: "conversion", what: "conversion", keyword: "CONVERSION",
		catalog: "pg_conversion", alias: "cv", name: "conname", ns: "connamespace"},
}

// nsObjects writes one UNION ALL branch of inspectUnsupported per
// unmodelled kind.
func (i *inspector) nsObjects() string {
	var b strings.Builder
	for _, k := range unmodelled {
		a := k.alias
		shown := fmt.Sprintf("'skipped %s %%I.%%I: not supported', n.nspname, %s.%s", k.what, a, k.name)
		if k.reg != "" {
			shown = fmt.Sprintf("'skipped %s %%s: not supported', %s.oid::%s", k.what, a, k.reg)
		}
		where := i.nsFilter("n.nspname") + " AND " + notExtension(a+".oid", k.catalog)
		if k.where != "" {
			where += " AND " + k.where
		}
		fmt.Fprintf(&b, "UNION ALL\n\tSELECT %d, '%s', concat_ws('.', n.nspname, %s.%s), format(%s), '%s'\n\t\tFROM %s %s JOIN pg_namespace n ON n.oid = %s.%s\n\t\tWHERE %s\n\t",
			k.order, k.kind, a, k.name, shown, k.keyword, k.catalog, a, a, k.ns, where)
	}
	return b.String()
}

// privilegesQuery selects, as rows of inspectUnsupported, the privileges
// the model does not hold even with privileges = true: column privileges,
// privileges on types and default privileges (ALTER DEFAULT PRIVILEGES).
// A grant dropped in silence is access lost or leaked later. With
// privileges off every privilege is ignored (the CLI says so once), so
// this is asked only when they are inspected. nsFilter keeps the inspected
// namespaces.
func (i *inspector) privilegesQuery() string {
	if !i.opts.Privileges {
		return ""
	}
	nsFilter := i.nsFilter("n.nspname")
	return `UNION ALL
	SELECT 26, 'grant', concat_ws('.', n.nspname, c.relname, a.attname), format('privileges on column %I of %s (GRANT/REVOKE): not supported', a.attname, c.oid::regclass), 'GRANT'
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND ` + nsFilter + ` AND ` + notExtension("c.oid", "pg_class") + `
	UNION ALL
	SELECT 26, 'grant', concat_ws('.', n.nspname, t.typname), format('privileges on type %s (GRANT/REVOKE): not supported', t.oid::regtype), 'GRANT'
		FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
		WHERE t.typacl IS NOT NULL AND t.typacl <> acldefault('T', t.typowner) AND ` + nsFilter + ` AND ` + notExtension("t.oid", "pg_type") + `
	UNION ALL
	SELECT 26, 'grant', concat_ws('.', n.nspname, 'default'), format('default privileges for role %I%s (ALTER DEFAULT PRIVILEGES): not supported', pg_get_userbyid(d.defaclrole), coalesce(' in schema ' || quote_ident(n.nspname), '')), 'PRIVILEGES'
		FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`
}
