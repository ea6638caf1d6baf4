package models

import (
	"fmt"
	"strconv"
	"strings"
)

// pkCol is a primary-key candidate: its column, its Go type and its
// explicit autoincrement setting (nil when the tags say nothing).
type pkCol struct {
	col   *Column
	gtype *goType
	auto  *bool
}

// tableBuild is one struct's table while its fields are read, one
// concern per method: tags, type, name, nullability, keys, indexes,
// checks and foreign keys.
type tableBuild struct {
	b        *builder
	gs       *goStruct
	t        *Table
	cols     map[string]string // Go field name -> column
	gormMode bool
	pk       []pkCol
	idField  *pkCol
	indexes  map[string]*Index
}

// table builds one struct's table.
func (b *builder) table(gs *goStruct, fields []*flatField, gormMode bool) (*Table, error) {
	tb := &tableBuild{
		b: b, gs: gs, gormMode: gormMode,
		t:       &Table{Name: gs.TableName, Struct: gs.Name},
		cols:    map[string]string{},
		indexes: map[string]*Index{},
	}
	if tb.t.Name == "" {
		tb.t.Name = plural(snake(gs.Name))
	}
	b.fieldCols[gs.Name] = tb.cols
	b.byStruct[gs.Name] = tb.t
	for _, f := range fields {
		if err := tb.field(f); err != nil {
			return nil, err
		}
	}
	if err := tb.primaryKey(); err != nil {
		return nil, err
	}
	if len(tb.t.Columns) == 0 {
		return nil, &StructError{Struct: gs.Name, Msg: "has no fields that map to columns"}
	}
	return tb.t, nil
}

// fieldErr is a FieldError for f.
func (tb *tableBuild) fieldErr(f *flatField, format string, args ...any) error {
	return &FieldError{Struct: tb.gs.Name, Field: strings.TrimPrefix(f.path, tb.gs.Name+"."), Msg: fmt.Sprintf(format, args...)}
}

// field reads one field: a relationship (relationField), or a column
// (newColumn) with its size, nullability, default, key and constraints.
func (tb *tableBuild) field(f *flatField) error {
	ferr := func(format string, args ...any) error { return tb.fieldErr(f, format, args...) }
	if err := checkTags(f, ferr); err != nil {
		return err
	}
	sqlType, hasType, err := explicitType(f, ferr)
	if err != nil {
		return err
	}
	ft, _ := f.Type.deref()
	lt, nullable, rel := classify(f.Type)
	if rel && !hasType {
		return tb.b.relationField(tb.t, tb.gs, f, ft, ferr)
	}
	c, err := tb.newColumn(f, lt, sqlType, hasType, ferr)
	if err != nil {
		return err
	}
	if err := applySize(c, f, ferr); err != nil {
		return err
	}
	tb.nullability(c, f, nullable)
	columnDefault(c, f)
	tb.t.Columns = append(tb.t.Columns, c)
	tb.key(c, f, ft)
	return tb.constraints(c, f, ferr)
}

// newColumn is f's column, of logical type lt or, when the tags give one
// (hasType), of sqlType. A type retort cannot map and a column name
// another field already has are errors.
func (tb *tableBuild) newColumn(f *flatField, lt Type, sqlType string, hasType bool, ferr func(string, ...any) error) (*Column, error) {
	if lt == "" && !hasType {
		return nil, ferr("cannot map Go type %s to a column: give its SQL type with retort:\"type:...\" (for example retort:\"type:text\"), or skip the field with retort:\"-\"", f.Type.String)
	}
	c := &Column{Field: strings.TrimPrefix(f.path, tb.gs.Name+"."), Type: lt, Name: columnName(f)}
	if hasType {
		c.Type, c.SQLType = "", sqlType
	}
	for _, other := range tb.t.Columns {
		if other.Name == c.Name {
			return nil, ferr("column %q is also the column of field %s: name one of them with db:\"...\"", c.Name, other.Field)
		}
	}
	tb.cols[f.Name] = c.Name
	return c, nil
}

// checkTags refuses tag options retort does not read, rather than
// dropping what the user wrote.
func checkTags(f *flatField, ferr func(string, ...any) error) error {
	for _, o := range f.retort {
		k, _, _ := strings.Cut(o, ":")
		if !retortOptions[strings.ToLower(strings.TrimSpace(k))] {
			return ferr("unknown retort tag option %q (known: pk, type:, notnull, null, default:, unique, index, index:name, uniqueindex, fk:table.column, ondelete:, onupdate:, check:, size:, autoincrement, column:, -)", o)
		}
	}
	for k := range f.gorm {
		if !gormOptions[k] && k != "MANY2MANY" && k != "-" {
			return ferr("unsupported gorm tag setting %q: use a retort tag (docs/models.md), or skip the field with retort:\"-\"", k)
		}
	}
	if _, ok := f.gorm["MANY2MANY"]; ok {
		return ferr("many2many relationships are not read: declare the join table as a struct of its own")
	}
	return nil
}

// explicitType is the SQL type the tags give (retort type:, gorm type or
// precision/scale), if any.
func explicitType(f *flatField, ferr func(string, ...any) error) (string, bool, error) {
	sqlType, hasType := f.retortOpt("type")
	if !hasType {
		sqlType, hasType = f.gormOpt("TYPE")
	}
	p, ok := f.gormOpt("PRECISION")
	if !ok || hasType {
		return sqlType, hasType, nil
	}
	// GORM's decimal(precision, scale), in the spelling all three
	// dialects accept.
	if _, err := strconv.Atoi(p); err != nil {
		return "", false, ferr("precision %q is not a number", p)
	}
	sc, ok := f.gormOpt("SCALE")
	if !ok {
		return "numeric(" + p + ")", true, nil
	}
	if _, err := strconv.Atoi(sc); err != nil {
		return "", false, ferr("scale %q is not a number", sc)
	}
	return "numeric(" + p + "," + sc + ")", true, nil
}

// columnName is the field's column: db tag, retort column:, gorm column,
// else the snake-cased field name after the embedding prefix.
func columnName(f *flatField) string {
	if f.db != "" {
		return f.db
	}
	if v, ok := f.retortOpt("column"); ok && v != "" {
		return v
	}
	if v, ok := f.gormOpt("COLUMN"); ok && v != "" {
		return v
	}
	return f.prefix + snake(f.Name)
}

// applySize applies a size: string length, or integer width in bits.
func applySize(c *Column, f *flatField, ferr func(string, ...any) error) error {
	size, hasSize := f.retortOpt("size")
	if !hasSize {
		size, hasSize = f.gormOpt("SIZE")
	}
	if !hasSize {
		return nil
	}
	n, err := strconv.Atoi(size)
	if err != nil || n <= 0 {
		return ferr("size %q is not a positive number", size)
	}
	switch c.Type {
	case String:
		c.Size = n
	case Int8, Int16, Int32, Int64:
		c.Type = sizedInt(n, false)
	case Uint8, Uint16, Uint32, Uint64:
		c.Type = sizedInt(n, true)
	}
	return nil
}

// nullability: with retort/db conventions a non-pointer is NOT NULL; with
// GORM's, a column is nullable unless "not null". retort's notnull and
// null tags win over both.
func (tb *tableBuild) nullability(c *Column, f *flatField, nullable bool) {
	if tb.gormMode {
		_, notNull := f.gormOpt("NOT NULL")
		_, notNull2 := f.gormOpt("NOTNULL")
		c.NotNull = notNull || notNull2
	} else {
		c.NotNull = !nullable
	}
	if _, ok := f.retortOpt("notnull"); ok {
		c.NotNull = true
	}
	if _, ok := f.retortOpt("null"); ok {
		c.NotNull = false
	}
}

// columnDefault applies a retort default: (verbatim SQL) or a gorm default
// (quoted as a string literal for string columns unless it already is
// SQL).
func columnDefault(c *Column, f *flatField) {
	if v, ok := f.retortOpt("default"); ok {
		c.Default = &v
	} else if v, ok := f.gormOpt("DEFAULT"); ok {
		if c.Type == String && !strings.HasPrefix(v, "'") && !strings.HasSuffix(v, ")") && !strings.EqualFold(v, "null") {
			v = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		c.Default = &v
	}
}

// key records c as a primary-key column (tagged), or as the ID field that
// is the key when no field is tagged.
func (tb *tableBuild) key(c *Column, f *flatField, ft *goType) {
	auto := (*bool)(nil)
	if _, ok := f.retortOpt("autoincrement"); ok {
		v := true
		auto = &v
	}
	if v, ok := f.gormOpt("AUTOINCREMENT"); ok {
		on := !strings.EqualFold(v, "false")
		auto = &on
	}
	_, isPK := f.retortOpt("pk")
	if _, ok := f.gormOpt("PRIMARYKEY"); ok {
		isPK = true
	}
	if _, ok := f.gormOpt("PRIMARY_KEY"); ok {
		isPK = true
	}
	if isPK {
		tb.pk = append(tb.pk, pkCol{c, ft, auto})
	} else if f.Name == "ID" && tb.idField == nil {
		tb.idField = &pkCol{c, ft, auto}
	}
}

// constraints reads the field's unique, index, check and foreign-key
// tags.
func (tb *tableBuild) constraints(c *Column, f *flatField, ferr func(string, ...any) error) error {
	t := tb.t
	if _, ok := f.retortOpt("unique"); ok {
		t.Uniques = append(t.Uniques, &Unique{Name: t.Name + "_" + c.Name + "_key", Columns: []string{c.Name}})
	}
	if _, ok := f.gormOpt("UNIQUE"); ok {
		t.Uniques = append(t.Uniques, &Unique{Name: "uni_" + t.Name + "_" + c.Name, Columns: []string{c.Name}})
	}
	tb.retortIndexes(c, f)
	if err := tb.gormIndexes(c, f, ferr); err != nil {
		return err
	}
	if err := tb.checks(c, f, ferr); err != nil {
		return err
	}
	return tb.foreignKey(c, f, ferr)
}

// addIndex adds c to the index name, creating it on first use (several
// fields naming one index make a multi-column index).
func (tb *tableBuild) addIndex(c *Column, name string, unique bool) {
	ix := tb.indexes[name]
	if ix == nil {
		ix = &Index{Name: name}
		tb.indexes[name] = ix
		tb.t.Indexes = append(tb.t.Indexes, ix)
	}
	ix.Unique = ix.Unique || unique
	ix.Columns = append(ix.Columns, c.Name)
}

// retortIndexes reads retort's index and uniqueindex options.
func (tb *tableBuild) retortIndexes(c *Column, f *flatField) {
	for _, o := range f.retort {
		k, v, _ := strings.Cut(o, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "index", "uniqueindex":
			name := strings.TrimSpace(v)
			if name == "" {
				name = tb.t.Name + "_" + c.Name + "_idx"
			}
			tb.addIndex(c, name, strings.EqualFold(strings.TrimSpace(k), "uniqueindex"))
		}
	}
}

// gormIndexes reads GORM's index and uniqueIndex settings; index options
// other than unique are refused rather than dropped.
func (tb *tableBuild) gormIndexes(c *Column, f *flatField, ferr func(string, ...any) error) error {
	for _, k := range []string{"INDEX", "UNIQUEINDEX"} {
		v, ok := f.gormOpt(k)
		if !ok {
			continue
		}
		parts := strings.Split(v, ",")
		name := strings.TrimSpace(parts[0])
		unique := k == "UNIQUEINDEX"
		for _, p := range parts[1:] {
			switch strings.ToUpper(strings.TrimSpace(p)) {
			case "UNIQUE":
				unique = true
			case "":
			default:
				return ferr("gorm index option %q is not read: declare the index in a retort tag or by hand", p)
			}
		}
		if name == "" {
			name = "idx_" + tb.t.Name + "_" + c.Name
		}
		tb.addIndex(c, name, unique)
	}
	return nil
}

// checks reads retort's check: and GORM's check setting.
func (tb *tableBuild) checks(c *Column, f *flatField, ferr func(string, ...any) error) error {
	t := tb.t
	if v, ok := f.retortOpt("check"); ok {
		if v == "" {
			return ferr("check: needs an expression, as in retort:\"check:price >= 0\"")
		}
		t.Checks = append(t.Checks, &Check{Name: t.Name + "_" + c.Name + "_check", Expr: v})
	}
	if v, ok := f.gormOpt("CHECK"); ok {
		name := "chk_" + t.Name + "_" + c.Name
		if i := strings.IndexByte(v, ','); i > 0 && isPlainName(v[:i]) {
			name, v = v[:i], strings.TrimSpace(v[i+1:])
		}
		t.Checks = append(t.Checks, &Check{Name: name, Expr: v})
	}
	return nil
}

// foreignKey reads retort's fk:table.column with its ondelete: and
// onupdate: (fkActions), which mean nothing without it.
func (tb *tableBuild) foreignKey(c *Column, f *flatField, ferr func(string, ...any) error) error {
	v, ok := f.retortOpt("fk")
	if !ok {
		for _, k := range []string{"ondelete", "onupdate"} {
			if _, ok := f.retortOpt(k); ok {
				return ferr("%s: goes with fk:table.column", k)
			}
		}
		return nil
	}
	rt, rc, ok := strings.Cut(v, ".")
	if !ok || rt == "" || rc == "" {
		return ferr("fk:%s must name table.column, as in retort:\"fk:stores.id\"", v)
	}
	t := tb.t
	fk := &ForeignKey{Name: t.Name + "_" + c.Name + "_fkey", Columns: []string{c.Name}, RefTable: rt, RefColumns: []string{rc}}
	if err := fkActions(fk, f); err != nil {
		return ferr("%v", err)
	}
	t.ForeignKeys = append(t.ForeignKeys, fk)
	return nil
}

// fkActions sets fk's referential actions from retort's ondelete: and
// onupdate: options.
func fkActions(fk *ForeignKey, f *flatField) error {
	var err error
	if a, ok := f.retortOpt("ondelete"); ok {
		if fk.OnDelete, err = action(a); err != nil {
			return err
		}
	}
	if a, ok := f.retortOpt("onupdate"); ok {
		fk.OnUpdate, err = action(a)
	}
	return err
}

// primaryKey sets the table's primary key: the tagged fields, else the ID
// field, each NOT NULL; then whether its columns are numbered
// (autoIncrement).
func (tb *tableBuild) primaryKey() error {
	pk := tb.pk
	if len(pk) == 0 && tb.idField != nil {
		pk = append(pk, *tb.idField)
	}
	for _, p := range pk {
		tb.t.PrimaryKey = append(tb.t.PrimaryKey, p.col.Name)
		p.col.NotNull = true
	}
	for _, p := range pk {
		if err := tb.autoIncrement(p, len(pk)); err != nil {
			return err
		}
	}
	return nil
}

// autoIncrement decides whether key column p is numbered: as its tags
// say, else as GORM does a single integer key (n is the key's number of
// columns) in GORM mode. Only an integer column, or one with an explicit
// SQL type, can be.
func (tb *tableBuild) autoIncrement(p pkCol, n int) error {
	switch {
	case p.auto != nil:
		p.col.AutoIncrement = *p.auto
	case tb.gormMode && n == 1:
		p.col.AutoIncrement = isInteger(p.col.Type)
	}
	if p.col.AutoIncrement && !isInteger(p.col.Type) && p.col.SQLType == "" {
		return &FieldError{Struct: tb.gs.Name, Field: p.col.Field, Msg: "autoincrement needs an integer field"}
	}
	return nil
}
