package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

// Inspect reads the schema of the main database of the SQLite database conn
// is connected to: tables with their columns, keys, indexes, foreign keys
// and checks, views and triggers. SQLite's internal tables (sqlite_%),
// retort's version tables and opts.Exclude are left out; virtual tables and
// their shadow tables are reported in Schema.Unrepresented, and so is any
// clause the model cannot hold (ON CONFLICT, a name on a NOT NULL). A view's
// DependsOn lists the other views its text names ("VIEW v").
//
// It runs a fixed number of catalog queries (inspectQueries), whatever the
// number of tables: the pragmas are used as table-valued functions joined
// against sqlite_schema.
func (d *Dialect) Inspect(ctx context.Context, conn *sql.Conn, opts dialect.InspectOptions) (*schema.Schema, error) {
	in := &inspector{conn: conn}
	return in.inspect(ctx, opts)
}

// inspectQueries is the number of catalog queries one inspection runs.
const inspectQueries = 4

// inspector holds one inspection. Every catalog query goes through query,
// which counts them.
type inspector struct {
	conn    *sql.Conn
	queries int
}

func (in *inspector) query(ctx context.Context, what, q string) (*sql.Rows, error) {
	in.queries++
	rows, err := in.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect %s: %w", what, err)
	}
	return rows, nil
}

// catalogObject is one row of sqlite_schema.
type catalogObject struct {
	typ, name, table, sql string
	listType              string // "shadow" for the shadow table of a virtual table
}

// userTableFilter selects the ordinary tables of the main schema.
const userTableFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'`

func (in *inspector) inspect(ctx context.Context, opts dialect.InspectOptions) (*schema.Schema, error) {
	// SQLite identifiers are case-insensitive (for ASCII letters).
	s := &schema.Schema{Dialect: "sqlite", Names: schema.NameRules{FoldTables: true, FoldColumns: true}}
	// 1. Every object, with its kind as pragma_table_list sees it.
	objs, err := in.objects(ctx)
	if err != nil {
		return nil, err
	}
	c := &catalog{s: s, tables: map[string]*schema.Table{}, ddls: map[string]*tableDDL{}, indexSQL: map[string]string{}}
	excluded := excluder(opts)
	for _, o := range objs {
		if excluded(o.name) || (o.typ == "index" || o.typ == "trigger") && excluded(o.table) {
			continue
		}
		if err := c.add(o); err != nil {
			return nil, err
		}
	}
	// 2. Columns.
	if err := in.columns(ctx, c.tables, c.ddls); err != nil {
		return nil, err
	}
	// 3. Indexes, unique constraints and primary keys.
	if err := in.indexes(ctx, c.tables, c.ddls, c.indexSQL); err != nil {
		return nil, err
	}
	// 4. Foreign keys.
	if err := in.foreignKeys(ctx, c.tables, c.ddls); err != nil {
		return nil, err
	}
	byName := map[string]*schema.View{}
	for _, v := range s.Views {
		byName[strings.ToLower(v.Name)] = v
	}
	for _, v := range s.Views {
		for _, d := range viewDeps(v, byName) {
			v.DependsOn = append(v.DependsOn, "VIEW "+d.Name)
		}
	}
	sortSchema(s)
	return s, nil
}

// excluder reports whether a name is left out of the inspection: retort's
// version tables, the names opts excludes, and SQLite's own sqlite_ ones.
func excluder(opts dialect.InspectOptions) func(string) bool {
	vt := opts.VersionTables.WithDefaults()
	skip := map[string]bool{strings.ToLower(vt.Revisions): true, strings.ToLower(vt.Log): true}
	for _, n := range opts.Exclude {
		skip[strings.ToLower(n)] = true
	}
	return func(name string) bool {
		return skip[strings.ToLower(name)] || strings.HasPrefix(strings.ToLower(name), "sqlite_")
	}
}

// catalog is what the first pass over the schema objects found: the
// schema so far, and each table's parsed CREATE TABLE and each index's
// SQL for the passes after it.
type catalog struct {
	s        *schema.Schema
	tables   map[string]*schema.Table // by lower-case name
	ddls     map[string]*tableDDL
	indexSQL map[string]string // index name -> sql
}

// add files one schema object.
func (c *catalog) add(o catalogObject) error {
	switch o.typ {
	case "table":
		return c.addTable(o)
	case "index":
		c.indexSQL[o.name] = o.sql
	case "view":
		cols, def, err := parseCreateView(o.sql)
		if err != nil {
			return fmt.Errorf("sqlite: inspect view %s: %w", o.name, err)
		}
		c.s.Views = append(c.s.Views, &schema.View{Name: o.name, Definition: def, Columns: cols})
	case "trigger":
		c.s.Triggers = append(c.s.Triggers, &schema.Trigger{Table: o.table, Name: o.name, Definition: normText(o.sql)})
	default:
		c.s.Unrepresented = append(c.s.Unrepresented, schema.Unrepresented{Kind: o.typ, Name: o.name, Keyword: strings.ToUpper(o.typ), Detail: fmt.Sprintf("skipped %s %s: not supported", o.typ, o.name)})
	}
	return nil
}

// addTable files a table from its CREATE TABLE text; a virtual table is
// reported as not supported, and its shadow tables with it.
func (c *catalog) addTable(o catalogObject) error {
	s := c.s
	switch {
	case strings.HasPrefix(strings.ToUpper(o.sql), "CREATE VIRTUAL TABLE"):
		s.Unrepresented = append(s.Unrepresented, schema.Unrepresented{Kind: "virtual_table", Name: o.name, Keyword: "VIRTUAL", Detail: fmt.Sprintf("skipped virtual table %s: not supported", o.name)})
		return nil
	case o.listType == "shadow":
		// Part of its virtual table, which is reported (and refused or
		// ignored) as the object.
		s.Warnings = append(s.Warnings, fmt.Sprintf("skipped shadow table %s of a virtual table: not supported", o.name))
		return nil
	}
	td, err := parseCreateTable(o.sql)
	if err != nil {
		return fmt.Errorf("sqlite: inspect table %s: read its CREATE TABLE text: %w", o.name, err)
	}
	t := &schema.Table{Name: o.name}
	t.Options.WithoutRowID = td.withoutRowID
	t.Options.Strict = td.strict
	t.Checks = td.checks
	for _, n := range td.notes {
		s.Unrepresented = append(s.Unrepresented, schema.Unrepresented{Kind: "table_clause", Name: o.name, Keyword: "TABLE", Detail: fmt.Sprintf("table %s: %s is not kept", o.name, n)})
	}
	c.tables[strings.ToLower(o.name)] = t
	c.ddls[strings.ToLower(o.name)] = td
	s.Tables = append(s.Tables, t)
	return nil
}

func (in *inspector) objects(ctx context.Context) ([]catalogObject, error) {
	rows, err := in.query(ctx, "schema objects", `
WITH shadow AS MATERIALIZED (
  SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'
)
SELECT m.type, m.name, m.tbl_name, coalesce(m.sql, ''), coalesce(l.type, '')
FROM sqlite_schema AS m
LEFT JOIN shadow AS l ON l.name = m.name AND m.type = 'table'
ORDER BY m.type, m.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var objs []catalogObject
	for rows.Next() {
		var o catalogObject
		if err := rows.Scan(&o.typ, &o.name, &o.table, &o.sql, &o.listType); err != nil {
			return nil, fmt.Errorf("sqlite: inspect schema objects: %w", err)
		}
		objs = append(objs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inspect schema objects: %w", err)
	}
	return objs, nil
}

func (in *inspector) columns(ctx context.Context, tables map[string]*schema.Table, ddls map[string]*tableDDL) error {
	rows, err := in.query(ctx, "columns", `
SELECT m.name, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden
FROM sqlite_schema AS m
JOIN pragma_table_xinfo(m.name, 'main') AS c
WHERE `+userTableFilter+`
ORDER BY m.name, c.cid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	pks := map[*schema.Table]map[int]string{}
	for rows.Next() {
		var (
			table, name, typ string
			notNull          bool
			dflt             sql.NullString
			pk, hidden       int
		)
		if err := rows.Scan(&table, &name, &typ, &notNull, &dflt, &pk, &hidden); err != nil {
			return fmt.Errorf("sqlite: inspect columns: %w", err)
		}
		t := tables[strings.ToLower(table)]
		if t == nil {
			continue
		}
		td := ddls[strings.ToLower(table)]
		c := &schema.Column{Name: name, Type: normType(typ), Nullable: !notNull}
		if dflt.Valid {
			d := normExpr(ddlLex(dflt.String))
			c.Default = &d
		}
		if cd := td.cols[strings.ToLower(name)]; cd != nil {
			c.Collation = cd.collation
			if hidden == 2 || hidden == 3 {
				c.Generated = cd.generated
				c.Stored = hidden == 3
			}
		}
		if pk > 0 {
			if pks[t] == nil {
				pks[t] = map[int]string{}
			}
			pks[t][pk] = name
			if strings.EqualFold(td.pkAutoinc, name) {
				c.AutoIncrement = true
			}
		}
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: inspect columns: %w", err)
	}
	for t, cols := range pks {
		k := &schema.Key{Name: ddls[strings.ToLower(t.Name)].pkName}
		for i := 1; i <= len(cols); i++ {
			k.Columns = append(k.Columns, cols[i])
		}
		t.PrimaryKey = k
		// An INTEGER PRIMARY KEY of a rowid table is the rowid: it can never
		// hold NULL, whether or not the text says NOT NULL (the pragma says
		// nullable). Report what is true, so that "id INTEGER PRIMARY KEY"
		// and "id INTEGER NOT NULL PRIMARY KEY" are the same schema.
		if len(k.Columns) == 1 && !t.Options.WithoutRowID {
			if c := t.Column(k.Columns[0]); c != nil && c.Type == "INTEGER" {
				c.Nullable = false
			}
		}
	}
	return nil
}

// indexRow is one key of an index: a row of pragma_index_xinfo joined to
// its pragma_index_list row.
type indexRow struct {
	table, index, origin string
	unique, partial      bool
	seqno, cid           int
	column, coll         string
	desc                 bool
}

func (in *inspector) indexes(ctx context.Context, tables map[string]*schema.Table, ddls map[string]*tableDDL, indexSQL map[string]string) error {
	rows, err := in.query(ctx, "indexes", `
SELECT m.name, il.name, il."unique", il.origin, il.partial,
       ix.seqno, ix.cid, coalesce(ix.name, ''), ix."desc", coalesce(ix.coll, '')
FROM sqlite_schema AS m
JOIN pragma_index_list(m.name, 'main') AS il
JOIN pragma_index_xinfo(il.name, 'main') AS ix
WHERE `+userTableFilter+` AND ix.key = 1
ORDER BY m.name, il.name, ix.seqno`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var all [][]indexRow
	for rows.Next() {
		var r indexRow
		if err := rows.Scan(&r.table, &r.index, &r.unique, &r.origin, &r.partial, &r.seqno, &r.cid, &r.column, &r.desc, &r.coll); err != nil {
			return fmt.Errorf("sqlite: inspect indexes: %w", err)
		}
		if n := len(all); n > 0 && all[n-1][0].index == r.index && all[n-1][0].table == r.table {
			all[n-1] = append(all[n-1], r)
		} else {
			all = append(all, []indexRow{r})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: inspect indexes: %w", err)
	}
	for _, keys := range all {
		first := keys[0]
		t := tables[strings.ToLower(first.table)]
		if t == nil {
			continue
		}
		switch first.origin {
		case "pk":
			// The primary key comes from pragma_table_xinfo.
		case "u":
			td := ddls[strings.ToLower(t.Name)]
			k := &schema.Key{}
			for _, r := range keys {
				k.Columns = append(k.Columns, r.column)
			}
			k.Name = td.uniqueName(k.Columns)
			t.Uniques = append(t.Uniques, k)
		default:
			idx, err := buildIndex(t, keys, indexSQL[first.index])
			if err != nil {
				return fmt.Errorf("sqlite: inspect index %s on %s: %w", first.index, t.Name, err)
			}
			t.Indexes = append(t.Indexes, idx)
		}
	}
	return nil
}

// uniqueName finds the name the CREATE TABLE text gives the unique
// constraint on cols ("" when unnamed).
func (td *tableDDL) uniqueName(cols []string) string {
	for i, u := range td.uniques {
		if len(u.cols) != len(cols) {
			continue
		}
		same := true
		for j := range cols {
			if !strings.EqualFold(u.cols[j], cols[j]) {
				same = false
				break
			}
		}
		if same {
			td.uniques = append(td.uniques[:i:i], td.uniques[i+1:]...)
			return u.name
		}
	}
	return ""
}

func buildIndex(t *schema.Table, keys []indexRow, text string) (*schema.Index, error) {
	id, err := parseCreateIndex(text)
	if err != nil {
		return nil, err
	}
	if len(id.exprs) != len(keys) {
		return nil, fmt.Errorf("its text has %d keys, pragma_index_xinfo %d", len(id.exprs), len(keys))
	}
	idx := &schema.Index{Name: keys[0].index, Unique: keys[0].unique, Where: id.where}
	for i, r := range keys {
		p := &schema.IndexPart{Desc: r.desc}
		colColl := ""
		if r.cid >= 0 {
			p.Column = r.column
			if c := t.Column(r.column); c != nil {
				colColl = c.Collation
			}
		} else {
			p.Expr = id.exprs[i]
		}
		if coll := strings.ToUpper(r.coll); coll != "" && coll != "BINARY" && coll != colColl || coll == "BINARY" && colColl != "" {
			p.Collation = coll
		}
		idx.Parts = append(idx.Parts, p)
	}
	idx.Definition = formatIndex(t.Name, idx)
	return idx, nil
}

func (in *inspector) foreignKeys(ctx context.Context, tables map[string]*schema.Table, ddls map[string]*tableDDL) error {
	rows, err := in.query(ctx, "foreign keys", `
SELECT m.name, f.id, f."table", f."from", coalesce(f."to", ''), f.on_update, f.on_delete, f."match"
FROM sqlite_schema AS m
JOIN pragma_foreign_key_list(m.name, 'main') AS f
WHERE `+userTableFilter+`
ORDER BY m.name, f.id DESC, f.seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type fkRef struct {
		table string
		id    int
	}
	var order []fkRef
	fks := map[fkRef]*schema.ForeignKey{}
	for rows.Next() {
		var (
			table, ref, from, to, onUpdate, onDelete, match string // match is always NONE
			id                                              int
		)
		if err := rows.Scan(&table, &id, &ref, &from, &to, &onUpdate, &onDelete, &match); err != nil {
			return fmt.Errorf("sqlite: inspect foreign keys: %w", err)
		}
		key := fkRef{table, id}
		fk := fks[key]
		if fk == nil {
			fk = &schema.ForeignKey{RefTable: ref, OnDelete: fkAction(onDelete), OnUpdate: fkAction(onUpdate)}
			fks[key] = fk
			order = append(order, key)
		}
		fk.Columns = append(fk.Columns, from)
		if to != "" {
			fk.RefColumns = append(fk.RefColumns, to)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: inspect foreign keys: %w", err)
	}
	for _, key := range order {
		t := tables[strings.ToLower(key.table)]
		if t == nil {
			continue
		}
		fk := fks[key]
		if len(fk.RefColumns) == 0 {
			// REFERENCES parent without columns means the parent's
			// primary key.
			if p := tables[strings.ToLower(fk.RefTable)]; p != nil && p.PrimaryKey != nil && len(p.PrimaryKey.Columns) == len(fk.Columns) {
				fk.RefColumns = append([]string(nil), p.PrimaryKey.Columns...)
			}
		}
		td := ddls[strings.ToLower(t.Name)]
		for i := range td.fks {
			d := &td.fks[i]
			if d.used || !strings.EqualFold(d.refTable, fk.RefTable) || !fmtEqualFoldAll(d.cols, fk.Columns) {
				continue
			}
			d.used = true
			fk.Name = d.name
			if d.match != "" && d.match != "NONE" {
				fk.Match = d.match
			}
			fk.Deferrable = d.deferrable
			fk.InitiallyDeferred = d.initiallyDeferred
			break
		}
		t.ForeignKeys = append(t.ForeignKeys, fk)
	}
	return nil
}

func fkAction(a string) string {
	a = strings.ToUpper(a)
	if a == "NO ACTION" {
		return ""
	}
	return a
}

func fmtEqualFoldAll(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// sortSchema puts everything but columns in name order.
func sortSchema(s *schema.Schema) {
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].Name < s.Tables[j].Name })
	for _, t := range s.Tables {
		sort.SliceStable(t.Uniques, func(i, j int) bool {
			a, b := t.Uniques[i], t.Uniques[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return strings.Join(a.Columns, "\x00") < strings.Join(b.Columns, "\x00")
		})
		sort.Slice(t.Indexes, func(i, j int) bool { return t.Indexes[i].Name < t.Indexes[j].Name })
		sort.SliceStable(t.ForeignKeys, func(i, j int) bool {
			return fkSortKey(t.ForeignKeys[i]) < fkSortKey(t.ForeignKeys[j])
		})
		sort.SliceStable(t.Checks, func(i, j int) bool {
			a, b := t.Checks[i], t.Checks[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return a.Expr < b.Expr
		})
	}
	sort.Slice(s.Views, func(i, j int) bool { return s.Views[i].Name < s.Views[j].Name })
	sort.Slice(s.Triggers, func(i, j int) bool { return s.Triggers[i].Name < s.Triggers[j].Name })
	sort.Strings(s.Warnings)
	sort.Slice(s.Unrepresented, func(i, j int) bool { return s.Unrepresented[i].Detail < s.Unrepresented[j].Detail })
}

func fkSortKey(fk *schema.ForeignKey) string {
	return fk.Name + "\x00" + strings.Join(fk.Columns, "\x01") + "\x00" + fk.RefTable + "\x00" + strings.Join(fk.RefColumns, "\x01")
}
