package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// ErrNoDatabase is returned by Inspect when the connection has no current
// database (the URL names none and no USE was run).
var ErrNoDatabase = errors.New("mysql: no database selected on the connection")

// PrivilegeError reports an object whose definition the connected user
// may not read, so that inspection would be incomplete.
type PrivilegeError struct {
	// Kind is "view", "procedure", "function" or "trigger".
	Kind string
	// Name is the object's name.
	Name string
	// Need names the privilege that would let the user read it.
	Need string
}

// Error implements error.
func (e *PrivilegeError) Error() string {
	return fmt.Sprintf("mysql: inspect %s %s: the current user may not read its definition (grant %s to the user, or inspect as the object's definer)", e.Kind, e.Name, e.Need)
}

// inspector holds one inspection's state. Every catalog query goes through
// query, which counts them: the count does not depend on the number of
// objects in the database.
type inspector struct {
	conn    *sql.Conn
	opts    dialect.InspectOptions
	s       *schema.Schema
	queries int

	db            string // current database
	mariadb       bool
	tidb          bool // TiDB (tidb_inspect.go)
	defEngine     string
	defCharset    string
	defCollation  string
	tables        map[string]*schema.Table
	tableEngine   map[string]string
	tableCharset  map[string]string
	tableCollName map[string]string
	skip          map[string]bool
	// partitioned names the tables whose CREATE_OPTIONS say
	// "partitioned", for inspectPartitions.
	partitioned []string
}

func (i *inspector) query(ctx context.Context, what, q string, args ...any) (*sql.Rows, error) {
	i.queries++
	rows, err := i.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mysql: inspect %s of database %s: %w", what, i.db, err)
	}
	return rows, nil
}

// Inspect reads the schema of the database conn is connected to: tables
// (with their options and partitioning), columns, keys, indexes, foreign
// keys, checks, views, triggers, routines and events, in a fixed number of
// information_schema queries (plus one SHOW CREATE TABLE per LIST table
// with a partition MariaDB describes as "0", which may be DEFAULT). retort's own
// version tables and opts.Exclude are left out. Objects that the model
// cannot represent are named in Schema.Unrepresented.
func (d *Dialect) Inspect(ctx context.Context, conn *sql.Conn, opts dialect.InspectOptions) (*schema.Schema, error) {
	s, _, err := inspect(ctx, conn, opts)
	return s, err
}

// inspect is Inspect that also returns the number of catalog queries run.
func inspect(ctx context.Context, conn *sql.Conn, opts dialect.InspectOptions) (*schema.Schema, int, error) {
	vt := opts.VersionTables.WithDefaults()
	i := &inspector{
		conn:          conn,
		opts:          opts,
		s:             &schema.Schema{Dialect: "mysql"},
		tables:        map[string]*schema.Table{},
		tableEngine:   map[string]string{},
		tableCharset:  map[string]string{},
		tableCollName: map[string]string{},
		skip:          map[string]bool{vt.Revisions: true, vt.Log: true},
	}
	for _, x := range opts.Exclude {
		i.skip[x] = true
	}
	steps := []func(context.Context) error{
		i.server, i.inspectTables, i.inspectColumns, i.inspectIndexes, i.inspectTiDBKeys,
		i.inspectForeignKeys, i.inspectChecks, i.inspectViews,
		i.inspectTriggers, i.inspectRoutines, i.inspectEvents, i.inspectPartitions,
		i.inspectPrivileges,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, i.queries, err
		}
	}
	sort.Strings(i.s.Warnings)
	sort.SliceStable(i.s.Unrepresented, func(a, b int) bool {
		x, y := i.s.Unrepresented[a], i.s.Unrepresented[b]
		return x.Kind < y.Kind || x.Kind == y.Kind && x.Name < y.Name
	})
	return i.s, i.queries, nil
}

// unrepf records an object the model cannot hold: its kind and name (the
// keys an ignore entry uses), the SQL word that makes it, and a
// description.
func (i *inspector) unrepf(kind, name, keyword, format string, args ...any) {
	i.s.Unrepresented = append(i.s.Unrepresented, schema.Unrepresented{
		Kind: kind, Name: name, Keyword: keyword, Detail: fmt.Sprintf(format, args...),
	})
}

func (i *inspector) warnf(format string, args ...any) {
	i.s.Warnings = append(i.s.Warnings, fmt.Sprintf(format, args...))
}

// server reads the current database, the server flavour and defaults.
func (i *inspector) server(ctx context.Context) error {
	i.db = "(none)"
	// The server hides the triggers of a user without the TRIGGER
	// privilege: the last column says whether the user holds it, globally
	// or on this database (or has a role, which may hold it).
	rows, err := i.query(ctx, "server defaults", `SELECT DATABASE(), VERSION(), @@default_storage_engine,
	COALESCE(s.DEFAULT_CHARACTER_SET_NAME, ''), COALESCE(s.DEFAULT_COLLATION_NAME, ''), CURRENT_USER(),
	@@lower_case_table_names, CURRENT_ROLE() IS NOT NULL
	OR EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES p
		WHERE p.GRANTEE = g.grantee AND p.PRIVILEGE_TYPE = 'TRIGGER')
	OR EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES p
		WHERE p.GRANTEE = g.grantee AND DATABASE() LIKE p.TABLE_SCHEMA AND p.PRIVILEGE_TYPE = 'TRIGGER')
FROM (SELECT CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''',
	SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''') AS grantee) AS g
LEFT JOIN information_schema.SCHEMATA s ON s.SCHEMA_NAME = DATABASE()`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("mysql: inspect server defaults: %w", err)
		}
		return errors.New("mysql: inspect server defaults: no row")
	}
	var db sql.NullString
	var version, user string
	var triggerPriv bool
	var lowerCaseTableNames int
	if err := rows.Scan(&db, &version, &i.defEngine, &i.defCharset, &i.defCollation, &user, &lowerCaseTableNames, &triggerPriv); err != nil {
		return fmt.Errorf("mysql: inspect server defaults: %w", err)
	}
	if !db.Valid || db.String == "" {
		return ErrNoDatabase
	}
	i.db = db.String
	// Column and routine names are never case-sensitive; table and view
	// names are unless lower_case_table_names is 1 (stored lower case) or
	// 2 (stored as given, compared lower case).
	i.s.Names = schema.NameRules{FoldTables: lowerCaseTableNames != 0, FoldColumns: true, FoldRoutines: true, RoutineKinds: true}
	if !triggerPriv {
		i.warnf("triggers not inspected: user %s lacks the TRIGGER privilege on %s, and the server hides triggers without it", user, i.db)
	}
	i.mariadb = strings.Contains(strings.ToLower(version), "mariadb")
	i.tidb = isTiDB(version)
	if err := rows.Close(); err != nil || !i.tidb {
		return err
	}
	return i.tidbServer(ctx)
}

// scanAll runs q and calls fn for every row, closing the rows.
func (i *inspector) scanAll(ctx context.Context, what, q string, fn func(*sql.Rows) error) error {
	rows, err := i.query(ctx, what, q, i.db)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			if pe := (*PrivilegeError)(nil); errors.As(err, &pe) {
				return err // already says what and where
			}
			return fmt.Errorf("mysql: inspect %s of database %s: %w", what, i.db, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mysql: inspect %s of database %s: %w", what, i.db, err)
	}
	return rows.Close()
}

func (i *inspector) inspectTables(ctx context.Context) error {
	// Joining COLLATIONS here costs MariaDB a scan per table: the
	// collations are read by a query of their own.
	charsets := map[string]string{}
	const cq = `SELECT COLLATION_NAME, COALESCE(CHARACTER_SET_NAME, '') FROM information_schema.COLLATIONS WHERE ? <> ''`
	err := i.scanAll(ctx, "collations", cq, func(rows *sql.Rows) error {
		var coll, cs string
		if err := rows.Scan(&coll, &cs); err != nil {
			return err
		}
		charsets[coll] = cs
		return nil
	})
	if err != nil {
		return err
	}
	const q = `SELECT TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, ''),
	COALESCE(CREATE_OPTIONS, ''), COALESCE(TABLE_COMMENT, '')
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME`
	return i.scanAll(ctx, "tables", q, func(rows *sql.Rows) error {
		var name, typ, engine, coll, opts, comment string
		if err := rows.Scan(&name, &typ, &engine, &coll, &opts, &comment); err != nil {
			return err
		}
		charset := charsets[coll]
		if charset == "" {
			charset, _, _ = strings.Cut(coll, "_")
		}
		if i.skip[name] {
			return nil
		}
		switch typ {
		case "BASE TABLE":
		case "VIEW":
			return nil
		case "SEQUENCE":
			i.unrepf("sequence", name, "SEQUENCE", "skipped sequence %s: not supported", name)
			return nil
		case "SYSTEM VERSIONED":
			i.unrepf("system_versioned_table", name, "VERSIONING", "skipped system-versioned table %s: not supported", name)
			return nil
		default:
			i.unrepf(strings.ReplaceAll(strings.ToLower(typ), " ", "_"), name, "TABLE", "skipped %s %s: not supported", strings.ToLower(typ), name)
			return nil
		}
		t := &schema.Table{Name: name, Comment: comment}
		if engine != "" && !strings.EqualFold(engine, i.defEngine) {
			t.Options.Engine = engine
		}
		if coll != "" && coll != i.defCollation {
			t.Options.Collation = coll
			t.Options.Charset = charset
		}
		i.createOptions(t, opts)
		i.tables[name] = t
		i.tableEngine[name] = engine
		i.tableCharset[name] = charset
		i.tableCollName[name] = coll
		i.s.Tables = append(i.s.Tables, t)
		return nil
	})
}

func (i *inspector) inspectColumns(ctx context.Context) error {
	const q = `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COALESCE(EXTRA, ''),
	COALESCE(GENERATION_EXPRESSION, ''), COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''),
	COALESCE(COLUMN_COMMENT, '')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, ORDINAL_POSITION`
	return i.scanAll(ctx, "columns", q, func(rows *sql.Rows) error {
		var table, name, typ, nullable, extra, gen, charset, coll, comment string
		var def sql.NullString
		if err := rows.Scan(&table, &name, &typ, &nullable, &def, &extra, &gen, &charset, &coll, &comment); err != nil {
			return err
		}
		t := i.tables[table]
		if t == nil {
			return nil // a view's column, or a skipped table
		}
		c := &schema.Column{Name: name, Type: typ, Nullable: nullable == "YES", Comment: comment}
		lextra := strings.ToLower(extra)
		if strings.Contains(lextra, "auto_increment") {
			c.AutoIncrement = true
		}
		if strings.Contains(lextra, "generated") && gen != "" {
			c.Generated = gen
			c.Stored = strings.Contains(lextra, "stored")
		}
		if j := strings.Index(lextra, "on update "); j >= 0 {
			c.OnUpdate = onUpdateExpr(extra[j+len("on update "):])
		}
		if strings.Contains(lextra, "invisible") {
			i.unrepf("invisible_column", table+"."+name, "INVISIBLE", "column %s.%s: INVISIBLE not represented", table, name)
		}
		if c.Generated == "" && def.Valid {
			c.Default = i.defaultExpr(def.String, typ, c.Nullable, lextra)
		}
		if coll != "" && coll != i.tableCollName[table] {
			c.Collation = coll
			if charset != i.tableCharset[table] {
				c.Charset = charset
			}
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
}

// onUpdateExpr takes the ON UPDATE expression from the rest of EXTRA.
func onUpdateExpr(s string) string {
	// EXTRA is "on update current_timestamp()" or, on MySQL,
	// "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)".
	s = strings.TrimSpace(s)
	depth := 0
	for k, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ' ':
			if depth == 0 {
				return s[:k]
			}
		}
	}
	return s
}

// defaultExpr turns COLUMN_DEFAULT into a default expression. MariaDB
// (10.2.7+) prints it as an expression already: quoted literals, NULL,
// current_timestamp(). MySQL prints the bare value and marks expression
// defaults with DEFAULT_GENERATED in EXTRA.
func (i *inspector) defaultExpr(v, typ string, nullable bool, lextra string) *string {
	if i.mariadb {
		if v == "NULL" && nullable {
			return nil // same as no default
		}
		return &v
	}
	if e, ok := tidbDefault(v, typ); ok && i.tidb {
		return &e
	}
	switch {
	case strings.Contains(lextra, "default_generated"):
		if strings.HasPrefix(strings.ToUpper(v), "CURRENT_TIMESTAMP") {
			return &v
		}
		e := "(" + v + ")"
		return &e
	case strings.HasPrefix(typ, "bit("):
		return &v // b'0101' is printed as is
	default:
		e := formatLiteral(v)
		return &e
	}
}

func (i *inspector) inspectIndexes(ctx context.Context) error {
	expr := "''"
	if !i.mariadb {
		expr = "COALESCE(EXPRESSION, '')" // functional key parts, MySQL 8.0.13+
	}
	q := `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COALESCE(COLUMN_NAME, ''), SUB_PART, COALESCE(COLLATION, ''),
	COALESCE(INDEX_TYPE, ''), COALESCE(INDEX_COMMENT, ''), ` + expr + `
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`
	var all []*statIndex
	var cur *statIndex
	err := i.scanAll(ctx, "indexes", q, func(rows *sql.Rows) error {
		var table, name, col, coll, typ, comment, ex string
		var nonUnique int
		var sub sql.NullInt64
		if err := rows.Scan(&table, &name, &nonUnique, &col, &sub, &coll, &typ, &comment, &ex); err != nil {
			return err
		}
		if i.tables[table] == nil {
			return nil
		}
		if cur == nil || cur.table != table || cur.name != name {
			cur = &statIndex{table: table, name: name, typ: typ, comment: comment, unique: nonUnique == 0}
			all = append(all, cur)
		}
		p := &schema.IndexPart{Column: col, Desc: coll == "D"}
		if ex != "" {
			p.Column, p.Expr = "", ex
		}
		if sub.Valid && !strings.EqualFold(typ, "SPATIAL") { // SPATIAL reports a 32-byte SUB_PART that cannot be given back
			p.Length = int(sub.Int64)
		}
		cur.parts = append(cur.parts, p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range all {
		i.fileIndex(x)
	}
	return nil
}

// statIndex is one index as information_schema.STATISTICS lists it, its
// key parts gathered.
type statIndex struct {
	table, name, typ, comment string
	unique                    bool
	parts                     []*schema.IndexPart
}

// method is x's index method, "" when it is the table engine's default.
func (i *inspector) method(x *statIndex) string {
	method := strings.ToUpper(x.typ)
	defMethod := "BTREE"
	if strings.EqualFold(i.tableEngine[x.table], "MEMORY") {
		defMethod = "HASH"
	}
	if method == defMethod {
		return ""
	}
	return method
}

// fileIndex puts x on its table: the primary key, a unique constraint
// (a plain unique index: columns only, default method, no comment), or an
// index.
func (i *inspector) fileIndex(x *statIndex) {
	t := i.tables[x.table]
	method := i.method(x)
	plain := method == "" && x.comment == "" && !slices.ContainsFunc(x.parts, func(p *schema.IndexPart) bool {
		return p.Desc || p.Length != 0 || p.Expr != ""
	})
	switch {
	case x.name == "PRIMARY":
		k := &schema.Key{Name: x.name, Columns: partColumns(x.parts)}
		if !plain {
			k.Definition = formatParts(x.parts)
			if method != "" {
				k.Definition += " USING " + method
			}
			k.Comment = x.comment
		}
		t.PrimaryKey = k
	case x.unique && plain:
		t.Uniques = append(t.Uniques, &schema.Key{Name: x.name, Columns: partColumns(x.parts)})
	default:
		t.Indexes = append(t.Indexes, &schema.Index{Name: x.name, Unique: x.unique, Parts: x.parts, Method: method, Comment: x.comment})
	}
}

func partColumns(parts []*schema.IndexPart) []string {
	cols := make([]string, len(parts))
	for k, p := range parts {
		cols[k] = p.Column
	}
	return cols
}

func (i *inspector) inspectForeignKeys(ctx context.Context) error {
	// Two queries joined here: MariaDB joins these two views slowly (0.9 s
	// for 2,000 foreign keys against 0.15 s for both queries).
	type rules struct{ upd, del string }
	actions := map[[2]string]rules{}
	const rq = `SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`
	err := i.scanAll(ctx, "foreign key actions", rq, func(rows *sql.Rows) error {
		var table, name, upd, del string
		if err := rows.Scan(&table, &name, &upd, &del); err != nil {
			return err
		}
		actions[[2]string{table, name}] = rules{upd, del}
		return nil
	})
	if err != nil {
		return err
	}
	const q = `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
	REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`
	var cur *schema.ForeignKey
	var curTable string
	return i.scanAll(ctx, "foreign keys", q, func(rows *sql.Rows) error {
		var table, name, col, refSchema, refTable, refCol string
		if err := rows.Scan(&table, &name, &col, &refSchema, &refTable, &refCol); err != nil {
			return err
		}
		t := i.tables[table]
		if t == nil {
			return nil
		}
		if cur == nil || curTable != table || cur.Name != name {
			a, ok := actions[[2]string{table, name}]
			if !ok {
				return fmt.Errorf("foreign key %s on %s has no referential constraint row", name, table)
			}
			cur = &schema.ForeignKey{Name: name, RefTable: refTable, OnDelete: refAction(a.del), OnUpdate: refAction(a.upd)}
			if refSchema != i.db {
				cur.RefSchema = refSchema
			}
			curTable = table
			t.ForeignKeys = append(t.ForeignKeys, cur)
		}
		cur.Columns = append(cur.Columns, col)
		cur.RefColumns = append(cur.RefColumns, refCol)
		return nil
	})
}

// refAction normalises a referential action. InnoDB checks NO ACTION
// immediately, exactly like RESTRICT, and MariaDB records RESTRICT for an
// action left unsaid: both become "" (the model's NO ACTION), so that
// equal constraints compare equal whichever spelling created them.
func refAction(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "NO ACTION" || s == "RESTRICT" {
		return ""
	}
	return s
}

func (i *inspector) inspectChecks(ctx context.Context) error {
	// MariaDB's CHECK_CONSTRAINTS has TABLE_NAME (and LEVEL: column-level
	// checks, including the json_valid() check of a json column, are named
	// after their column); MySQL's does not, so it is joined.
	// Column-level ones are kept as such (schema.Check.Column): the
	// renderer cannot drop them with DROP CONSTRAINT, and restates them
	// in MODIFY COLUMN.
	q := `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, IF(LEVEL = 'Column', CONSTRAINT_NAME, '')
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?
ORDER BY TABLE_NAME, CONSTRAINT_NAME`
	if !i.mariadb {
		q = `SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, ''
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc
	ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = ?
ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME`
	}
	if i.tidb {
		q = tidbChecksQuery
	}
	return i.scanAll(ctx, "check constraints", q, func(rows *sql.Rows) error {
		var table, name, clause, column string
		if err := rows.Scan(&table, &name, &clause, &column); err != nil {
			return err
		}
		if t := i.tables[table]; t != nil {
			if column != "" {
				column = checkColumn(t, name, clause)
			}
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expr: clause, Column: column})
		}
		return nil
	})
}

// checkColumn returns the column of a column-level check: the one column
// its clause names, as MariaDB prints it (`col`). The check's name is its
// column's only until the column is renamed (the check keeps its name),
// so the name serves only when the clause names no column or several.
func checkColumn(t *schema.Table, name, clause string) string {
	var found []string
	for _, c := range t.Columns {
		if strings.Contains(clause, "`"+strings.ReplaceAll(c.Name, "`", "``")+"`") {
			found = append(found, c.Name)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	if t.Column(name) != nil {
		return name
	}
	return ""
}

func (i *inspector) inspectViews(ctx context.Context) error {
	alg := "'UNDEFINED'"
	if i.mariadb {
		alg = "ALGORITHM"
	}
	// Views have no comments in MySQL or MariaDB (TABLES says "VIEW"), so
	// TABLES, which is slow to join, is not joined.
	q := `SELECT TABLE_NAME, COALESCE(VIEW_DEFINITION, ''), COALESCE(CHECK_OPTION, ''), COALESCE(SECURITY_TYPE, ''),
	` + alg + `
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME`
	return i.scanAll(ctx, "views", q, func(rows *sql.Rows) error {
		var name, def, check, security, algorithm string
		if err := rows.Scan(&name, &def, &check, &security, &algorithm); err != nil {
			return err
		}
		if i.skip[name] {
			return nil
		}
		if def == "" {
			return &PrivilegeError{Kind: "view", Name: name, Need: "SHOW VIEW"}
		}
		v := &schema.View{Name: name, Definition: stripQualifier(def, i.db)}
		if i.tidb {
			check = tidbViewCheckOption(check)
		}
		if c := strings.ToUpper(check); c == "LOCAL" || c == "CASCADED" {
			v.CheckOption = c
		}
		var opts []string
		if a := strings.ToUpper(algorithm); a != "" && a != "UNDEFINED" {
			opts = append(opts, "ALGORITHM="+a)
		}
		if strings.EqualFold(security, "INVOKER") {
			opts = append(opts, "SQL SECURITY INVOKER")
		}
		v.Options = strings.Join(opts, " ")
		i.s.Views = append(i.s.Views, v)
		return nil
	})
}

func (i *inspector) inspectTriggers(ctx context.Context) error {
	const q = `SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = ?
ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, TRIGGER_NAME`
	return i.scanAll(ctx, "triggers", q, func(rows *sql.Rows) error {
		var name, table, timing, event, body string
		if err := rows.Scan(&name, &table, &timing, &event, &body); err != nil {
			return err
		}
		if i.skip[table] {
			return nil
		}
		def := fmt.Sprintf("CREATE TRIGGER %s %s %s ON %s FOR EACH ROW %s",
			quoteIdentIfNeeded(name), strings.ToUpper(timing), strings.ToUpper(event), quoteIdentIfNeeded(table), body)
		i.s.Triggers = append(i.s.Triggers, &schema.Trigger{Table: table, Name: name, Definition: def})
		return nil
	})
}

func (i *inspector) inspectRoutines(ctx context.Context) error {
	type param struct{ mode, name, typ string }
	params := map[string][]param{} // by routine type + name
	returns := map[string]string{} // function return types
	const pq = `SELECT ROUTINE_TYPE, SPECIFIC_NAME, ORDINAL_POSITION, COALESCE(PARAMETER_MODE, ''), COALESCE(PARAMETER_NAME, ''),
	DTD_IDENTIFIER, COALESCE(CHARACTER_SET_NAME, '')
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA = ?
ORDER BY ROUTINE_TYPE, SPECIFIC_NAME, ORDINAL_POSITION`
	err := i.scanAll(ctx, "routine parameters", pq, func(rows *sql.Rows) error {
		var rtype, name, mode, pname, typ, charset string
		var pos int
		if err := rows.Scan(&rtype, &name, &pos, &mode, &pname, &typ, &charset); err != nil {
			return err
		}
		// DTD_IDENTIFIER leaves out the character set; a string parameter
		// without one takes the database's.
		if charset != "" && charset != i.defCharset && !strings.Contains(strings.ToLower(typ), " charset ") {
			typ += " CHARSET " + charset
		}
		key := rtype + " " + name
		if pos == 0 {
			returns[key] = typ
			return nil
		}
		params[key] = append(params[key], param{mode, pname, typ})
		return nil
	})
	if err != nil {
		return err
	}
	const q = `SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION, COALESCE(DTD_IDENTIFIER, ''), IS_DETERMINISTIC,
	SQL_DATA_ACCESS, SECURITY_TYPE, COALESCE(ROUTINE_COMMENT, '')
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = ?
ORDER BY ROUTINE_TYPE, ROUTINE_NAME`
	return i.scanAll(ctx, "routines", q, func(rows *sql.Rows) error {
		var name, rtype, dtd, det, access, security, comment string
		var body sql.NullString
		if err := rows.Scan(&name, &rtype, &body, &dtd, &det, &access, &security, &comment); err != nil {
			return err
		}
		var kind schema.RoutineKind
		switch strings.ToUpper(rtype) {
		case "PROCEDURE":
			kind = schema.Procedure
		case "FUNCTION":
			kind = schema.Function
		default:
			i.unrepf(strings.ToLower(rtype), name, strings.ToUpper(rtype), "skipped %s %s: not supported", strings.ToLower(rtype), name)
			return nil
		}
		if !body.Valid {
			return &PrivilegeError{Kind: string(kind), Name: name, Need: "SHOW ROUTINE (MariaDB) or SHOW_ROUTINE (MySQL)"}
		}
		key := rtype + " " + name
		var sig []string
		for _, p := range params[key] {
			s := quoteIdentIfNeeded(p.name) + " " + p.typ
			if kind == schema.Procedure {
				s = strings.ToUpper(p.mode) + " " + s
			}
			sig = append(sig, s)
		}
		r := &schema.Routine{Kind: kind, Name: name, Signature: strings.Join(sig, ", "), Comment: comment}
		var b strings.Builder
		fmt.Fprintf(&b, "CREATE %s %s(%s)", strings.ToUpper(rtype), quoteIdentIfNeeded(name), r.Signature)
		if kind == schema.Function {
			ret := returns[key]
			if ret == "" {
				ret = dtd
			}
			b.WriteString(" RETURNS " + ret)
		}
		if comment != "" {
			b.WriteString("\n    COMMENT " + formatLiteral(comment))
		}
		if strings.EqualFold(det, "YES") {
			b.WriteString("\n    DETERMINISTIC")
		}
		if a := strings.ToUpper(access); a != "" && a != "CONTAINS SQL" {
			b.WriteString("\n    " + a)
		}
		if strings.EqualFold(security, "INVOKER") {
			b.WriteString("\n    SQL SECURITY INVOKER")
		}
		b.WriteString("\n" + body.String)
		r.Definition = b.String()
		i.s.Routines = append(i.s.Routines, r)
		return nil
	})
}

// inspectPrivileges reports, when privileges are asked for
// (privileges = true), the privileges granted on the database, its tables
// and their columns, which the MySQL model does not hold yet: they are
// refused by name rather than dropped. With privileges off they are
// ignored on every dialect, and the CLI says so once.
func (i *inspector) inspectPrivileges(ctx context.Context) error {
	if !i.opts.Privileges {
		return nil
	}
	const q = `WITH p AS (SELECT ? AS d)
SELECT '', GRANTEE FROM information_schema.SCHEMA_PRIVILEGES, p WHERE TABLE_SCHEMA = p.d
UNION SELECT TABLE_NAME, GRANTEE FROM information_schema.TABLE_PRIVILEGES, p WHERE TABLE_SCHEMA = p.d
UNION SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME), GRANTEE FROM information_schema.COLUMN_PRIVILEGES, p WHERE TABLE_SCHEMA = p.d
ORDER BY 1, 2`
	return i.scanAll(ctx, "privileges", q, func(rows *sql.Rows) error {
		var name, grantee string
		if err := rows.Scan(&name, &grantee); err != nil {
			return err
		}
		table, _, _ := strings.Cut(name, ".")
		if i.skip[table] {
			return nil
		}
		on := "database " + i.db
		if name != "" {
			on = name
		} else {
			name = i.db
		}
		i.unrepf("grant", name, "GRANT", "privileges on %s granted to %s (GRANT/REVOKE): not supported", on, grantee)
		return nil
	})
}

// stripQualifier removes the current database's qualifier from the
// identifiers of a view definition as the server prints it (every
// identifier quoted): `db`.`t`.`c` becomes `t`.`c`, so that the view can
// be created in another database. Only a leading qualifier is removed (a
// table named like the database keeps its name), and string literals are
// left alone.
func stripQualifier(def, db string) string {
	toks, err := sqlsplit.Tokens(def, sqlsplit.MySQL)
	if err != nil {
		return def // the server printed it: it lexes; if not, keep it whole
	}
	qual := backquote(db)
	var b strings.Builder
	at := 0
	for k, t := range toks {
		if t.Kind != sqlsplit.QuotedIdent || t.Text != qual || k+1 == len(toks) {
			continue
		}
		dot := toks[k+1]
		if dot.Text != "." || dot.Pos != t.End() || k > 0 && toks[k-1].Text == "." && toks[k-1].End() == t.Pos {
			continue
		}
		b.WriteString(def[at:t.Pos]) // drop `db`.
		at = dot.End()
	}
	b.WriteString(def[at:])
	return b.String()
}
