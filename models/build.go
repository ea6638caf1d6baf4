package models

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// FieldError is a struct field retort cannot turn into a column.
type FieldError struct {
	// Struct and Field name the field ("Item", "Tags").
	Struct, Field string
	// Msg says what is wrong and how to fix it.
	Msg string
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("models: field %s.%s: %s", e.Struct, e.Field, e.Msg)
}

// StructError is a struct retort cannot turn into a table.
type StructError struct {
	// Struct is the type's name.
	Struct string
	Msg    string
}

// Error implements error.
func (e *StructError) Error() string {
	return fmt.Sprintf("models: type %s: %s", e.Struct, e.Msg)
}

// flatField is a field after embedded structs are flattened.
type flatField struct {
	goField
	// path is the field as written in Go ("Item.Model.ID"), for messages.
	path string
	// prefix is prepended to the column name (gorm embeddedPrefix).
	prefix  string
	retort  []string
	gorm    map[string]string
	gormSet bool
	db      string
}

// relation is a GORM relationship field with an explicit foreignKey,
// resolved into a foreign key once every table is known.
type relation struct {
	owner    *Table
	ownerGo  *goStruct
	field    *flatField
	target   *goType
	many     bool
	fk, refs []string
	onDelete string
	onUpdate string
}

// builder turns goStructs into a Schema.
type builder struct {
	byStruct  map[string]*Table
	fieldCols map[string]map[string]string // struct -> Go field name -> column
	relations []*relation
}

// build turns the structs into the intermediate schema: their fields
// flattened and their conventions decided (flattenAll), one table each
// (tables), the relationships resolved once every table is known, and
// everything sorted by name so that the output does not depend on the
// source order.
func build(structs []*goStruct) (*Schema, error) {
	b := &builder{byStruct: map[string]*Table{}, fieldCols: map[string]map[string]string{}}
	flat, useGorm, err := flattenAll(structs)
	if err != nil {
		return nil, err
	}
	s, err := b.tables(structs, flat, useGorm)
	if err != nil {
		return nil, err
	}
	if err := b.resolveRelations(); err != nil {
		return nil, err
	}
	s.sort()
	return s, nil
}

// flattenAll flattens each struct's fields and says which conventions it
// follows: GORM's when it has a gorm tag (gorm.Model's fields have them),
// or when it has no retort or db tag and another of the models follows
// GORM's.
func flattenAll(structs []*goStruct) ([][]*flatField, []bool, error) {
	flat := make([][]*flatField, len(structs))
	gormMode := make([]bool, len(structs))
	untagged := make([]bool, len(structs))
	anyGorm := false
	for i, gs := range structs {
		fields, err := flatten(gs, gs.Fields, gs.Name, "", 0)
		if err != nil {
			return nil, nil, err
		}
		flat[i] = fields
		gormMode[i], untagged[i] = tagStyle(fields)
		anyGorm = anyGorm || gormMode[i]
	}
	for i := range structs {
		gormMode[i] = gormMode[i] || anyGorm && untagged[i]
	}
	return flat, gormMode, nil
}

// tagStyle reports whether any of the fields has a gorm tag, and whether
// none has a retort or db tag.
func tagStyle(fields []*flatField) (gorm, untagged bool) {
	untagged = true
	for _, f := range fields {
		if f.gormSet {
			gorm = true
		}
		if _, ok := f.Tag.Lookup("retort"); ok || f.db != "" {
			untagged = false
		}
	}
	return gorm, untagged
}

// tables builds each struct's table, refusing two structs with one
// table name.
func (b *builder) tables(structs []*goStruct, flat [][]*flatField, useGorm []bool) (*Schema, error) {
	s := &Schema{}
	tables := map[string]string{}
	for i, gs := range structs {
		t, err := b.table(gs, flat[i], useGorm[i])
		if err != nil {
			return nil, err
		}
		if prev, ok := tables[t.Name]; ok {
			return nil, &StructError{Struct: gs.Name, Msg: fmt.Sprintf("table %q is also the table of %s: give one of them a TableName method", t.Name, prev)}
		}
		tables[t.Name] = gs.Name
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}

// sort orders the tables, and each table's constraints and indexes, by
// name.
func (s *Schema) sort() {
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].Name < s.Tables[j].Name })
	for _, t := range s.Tables {
		sort.Slice(t.Uniques, func(i, j int) bool { return t.Uniques[i].Name < t.Uniques[j].Name })
		sort.Slice(t.Indexes, func(i, j int) bool { return t.Indexes[i].Name < t.Indexes[j].Name })
		sort.Slice(t.ForeignKeys, func(i, j int) bool { return t.ForeignKeys[i].Name < t.ForeignKeys[j].Name })
		sort.Slice(t.Checks, func(i, j int) bool { return t.Checks[i].Name < t.Checks[j].Name })
	}
}

// gormModelFields are the fields of gorm.Model, recognised by package and
// type name so that GORM need not be imported.
func gormModelFields() []goField {
	timeT := &goType{Pkg: "time", Name: "Time", Kind: kStruct, String: "time.Time"}
	return []goField{
		{Name: "ID", Tag: `gorm:"primarykey"`, Exported: true, Type: &goType{Kind: kUint, String: "uint"}},
		{Name: "CreatedAt", Exported: true, Type: timeT},
		{Name: "UpdatedAt", Exported: true, Type: timeT},
		{Name: "DeletedAt", Tag: `gorm:"index"`, Exported: true, Type: &goType{Pkg: "gorm", Name: "DeletedAt", Kind: kStruct, String: "gorm.DeletedAt"}},
	}
}

// flatten lists a struct's fields with embedded structs expanded in
// place (flattenEmbedded); fields skipped by their tags and unexported
// fields are left out.
func flatten(gs *goStruct, fields []goField, path, prefix string, depth int) ([]*flatField, error) {
	if depth > 16 {
		return nil, &StructError{Struct: gs.Name, Msg: "embedded structs nest too deeply (a cycle?)"}
	}
	var out []*flatField
	for _, f := range fields {
		ff := newFlatField(f, path, prefix)
		if ff.skipped() {
			continue
		}
		sub, expanded, err := flattenEmbedded(gs, ff, depth)
		switch {
		case err != nil:
			return nil, err
		case expanded:
			out = append(out, sub...)
		case f.Exported:
			out = append(out, ff)
		}
	}
	return out, nil
}

// newFlatField reads a field's retort, gorm and db tags.
func newFlatField(f goField, path, prefix string) *flatField {
	ff := &flatField{goField: f, path: path + "." + f.Name, prefix: prefix}
	if v, ok := f.Tag.Lookup("retort"); ok {
		ff.retort = splitTag(v)
	}
	if v, ok := f.Tag.Lookup("gorm"); ok {
		ff.gorm, ff.gormSet = parseGormTag(v), true
	}
	if v, ok := f.Tag.Lookup("db"); ok {
		ff.db, _, _ = strings.Cut(v, ",")
	}
	return ff
}

// flattenEmbedded expands an embedded field (anonymous, or tagged
// gorm:"embedded") into the fields of its struct: gorm.Model's known
// fields, or a struct's own with its gorm embeddedPrefix. expanded is
// false for a field that is not embedded or whose type is no struct to
// expand (time.Time, sql.Null*, ...): a column.
func flattenEmbedded(gs *goStruct, ff *flatField, depth int) (sub []*flatField, expanded bool, err error) {
	_, gormEmbedded := ff.gorm["EMBEDDED"]
	if !ff.Embedded && !gormEmbedded {
		return nil, false, nil
	}
	et, _ := ff.Type.deref()
	if et.is("gorm", "Model") {
		sub, err := flatten(gs, gormModelFields(), ff.path, ff.prefix, depth+1)
		return sub, true, err
	}
	if et.Kind != kStruct || et.Struct == nil || special(et) {
		return nil, false, nil
	}
	inner, err := et.Struct()
	if err != nil {
		return nil, true, err
	}
	sub, err = flatten(gs, inner.Fields, ff.path, ff.prefix+ff.gorm["EMBEDDEDPREFIX"], depth+1)
	return sub, true, err
}

func (f *flatField) skipped() bool {
	if len(f.retort) > 0 && f.retort[0] == "-" || f.db == "-" {
		return true
	}
	if f.gormSet {
		if _, ok := f.gorm["-"]; ok {
			return true
		}
	}
	return false
}

// retortOpt returns the value of a retort tag option and whether it is set.
func (f *flatField) retortOpt(name string) (string, bool) {
	for _, o := range f.retort {
		k, v, _ := strings.Cut(o, ":")
		if strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func (f *flatField) gormOpt(name string) (string, bool) {
	v, ok := f.gorm[name]
	return v, ok
}

var retortOptions = map[string]bool{
	"pk": true, "type": true, "notnull": true, "null": true, "default": true,
	"unique": true, "index": true, "uniqueindex": true, "fk": true,
	"ondelete": true, "onupdate": true, "check": true, "size": true,
	"autoincrement": true, "column": true,
}

var gormOptions = map[string]bool{
	"COLUMN": true, "TYPE": true, "SIZE": true, "PRIMARYKEY": true, "PRIMARY_KEY": true,
	"UNIQUE": true, "DEFAULT": true, "NOT NULL": true, "NOTNULL": true, "AUTOINCREMENT": true,
	"INDEX": true, "UNIQUEINDEX": true, "CHECK": true, "FOREIGNKEY": true, "REFERENCES": true,
	"CONSTRAINT": true, "EMBEDDED": true, "EMBEDDEDPREFIX": true, "COMMENT": true,
	"PRECISION": true, "SCALE": true, "AUTOCREATETIME": true, "AUTOUPDATETIME": true,
	"SERIALIZER": true, "<-": true, "->": true,
}

// relationField handles a field whose type is a struct (or a slice of
// them) that is not a column: a relationship. Without an explicit GORM
// foreignKey it changes nothing; with one it is kept for
// resolveRelations, which needs every table.
func (b *builder) relationField(t *Table, gs *goStruct, f *flatField, ft *goType, ferr func(string, ...any) error) error {
	fkv, ok := f.gormOpt("FOREIGNKEY")
	if !ok {
		return nil
	}
	r := &relation{owner: t, ownerGo: gs, field: f, target: ft}
	if ft.Kind == kSlice || ft.Kind == kArray {
		r.many = true
		r.target, _ = ft.Elem.deref()
	}
	if r.target.Kind != kStruct || r.target.Name == "" {
		return ferr("foreignKey on a field that is not a struct, or a slice of structs")
	}
	r.fk = splitList(fkv)
	if v, ok := f.gormOpt("REFERENCES"); ok {
		r.refs = splitList(v)
	}
	if v, ok := f.gormOpt("CONSTRAINT"); ok {
		if err := r.constraintActions(v); err != nil {
			return ferr("%v", err)
		}
	}
	b.relations = append(b.relations, r)
	return nil
}

// constraintActions reads a gorm constraint setting,
// "OnDelete:CASCADE,OnUpdate:...": anything else in it is refused rather
// than dropped.
func (r *relation) constraintActions(v string) error {
	for _, part := range strings.Split(v, ",") {
		k, a, _ := strings.Cut(part, ":")
		var err error
		switch strings.ToUpper(strings.TrimSpace(k)) {
		case "ONDELETE":
			r.onDelete, err = action(a)
		case "ONUPDATE":
			r.onUpdate, err = action(a)
		default:
			err = fmt.Errorf("constraint setting %q is not read (OnDelete:..., OnUpdate:...)", part)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// resolveRelations turns GORM relationships with a foreignKey into
// foreign keys (resolve), once every table is known.
func (b *builder) resolveRelations() error {
	for _, r := range b.relations {
		if err := b.resolve(r); err != nil {
			return err
		}
	}
	return nil
}

// resolve turns one relationship into a foreign key: on the owner's table
// when the owner has the foreignKey fields (belongs to), else on the
// target's (has one, has many).
func (b *builder) resolve(r *relation) error {
	ferr := func(format string, args ...any) error {
		return &FieldError{Struct: r.ownerGo.Name, Field: strings.TrimPrefix(r.field.path, r.ownerGo.Name+"."), Msg: fmt.Sprintf(format, args...)}
	}
	target := b.byStruct[r.target.Name]
	if target == nil {
		return ferr("the relationship names %s, which is not among the models: add it to the models, or remove foreignKey", r.target.String)
	}
	child, parent := target, r.owner
	childCols, parentCols := b.fieldCols[r.target.Name], b.fieldCols[r.ownerGo.Name]
	childName := r.target.Name
	if !r.many && allIn(r.fk, b.fieldCols[r.ownerGo.Name]) {
		child, parent = r.owner, target
		childCols, parentCols = parentCols, childCols
		childName = r.ownerGo.Name
	}
	fk := &ForeignKey{Name: "fk_" + r.owner.Name + "_" + snake(r.field.Name), RefTable: parent.Name, OnDelete: r.onDelete, OnUpdate: r.onUpdate}
	var missing string
	if fk.Columns, missing = columnsOf(r.fk, childCols); missing != "" {
		return ferr("foreignKey %s is not a field of %s", missing, childName)
	}
	if fk.RefColumns, missing = columnsOf(r.refs, parentCols); missing != "" {
		return ferr("references %s is not a field of %s", missing, parent.Struct)
	}
	if len(r.refs) == 0 {
		fk.RefColumns = parent.PrimaryKey
	}
	if len(fk.RefColumns) != len(fk.Columns) {
		return ferr("foreignKey has %d column(s) but the referenced key has %d", len(fk.Columns), len(fk.RefColumns))
	}
	child.ForeignKeys = append(child.ForeignKeys, fk)
	return nil
}

// columnsOf maps Go field names to their columns; missing is the first
// name that is no field, "" when all are.
func columnsOf(fields []string, cols map[string]string) (out []string, missing string) {
	for _, f := range fields {
		c, ok := cols[f]
		if !ok {
			return nil, f
		}
		out = append(out, c)
	}
	return out, ""
}

func allIn(names []string, m map[string]string) bool {
	for _, n := range names {
		if _, ok := m[n]; !ok {
			return false
		}
	}
	return len(names) > 0
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// action normalises a referential action.
func action(s string) (string, error) {
	a := strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " "))
	switch a {
	case "CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT":
		return a, nil
	case "NO ACTION", "":
		return "", nil
	}
	return "", fmt.Errorf("referential action %q is not one of cascade, set null, set default, restrict, no action", s)
}

func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

func isInteger(t Type) bool {
	switch t {
	case Int8, Int16, Int32, Int64, Uint8, Uint16, Uint32, Uint64:
		return true
	}
	return false
}

func sizedInt(bits int, unsigned bool) Type {
	switch {
	case bits <= 8:
		if unsigned {
			return Uint8
		}
		return Int8
	case bits <= 16:
		if unsigned {
			return Uint16
		}
		return Int16
	case bits <= 32:
		if unsigned {
			return Uint32
		}
		return Int32
	}
	if unsigned {
		return Uint64
	}
	return Int64
}

// special reports whether a struct type is a value type retort maps to a
// column (time.Time, sql.Null*, ...), not a relationship.
func special(t *goType) bool {
	lt, _, rel := classify(t)
	return lt != "" && !rel
}

var nullTypes = map[string]Type{
	"NullString": String, "NullInt64": Int64, "NullInt32": Int32, "NullInt16": Int16,
	"NullByte": Uint8, "NullFloat64": Float64, "NullBool": Bool, "NullTime": Time,
}

// kindTypes maps the kinds of unnamed (or not specially named) Go types
// to logical types.
var kindTypes = map[kind]Type{
	kBool: Bool, kInt: Int64, kInt64: Int64, kInt8: Int8, kInt16: Int16, kInt32: Int32,
	kUint: Uint64, kUint64: Uint64, kUint8: Uint8, kUint16: Uint16, kUint32: Uint32,
	kFloat32: Float32, kFloat64: Float64, kString: String,
}

// classify maps a Go type to a logical type: the type, whether it is
// nullable (a pointer, sql.Null*), and whether it is a relationship (a
// struct or a slice of structs that is no column). An empty type without
// rel means it cannot be mapped. Pointers, known named types, basic
// kinds, slices (sliceType) and structs are tried in that order.
func classify(t *goType) (lt Type, nullable, rel bool) {
	if e, ok := t.deref(); ok {
		lt, _, rel = classify(e)
		return lt, true, rel
	}
	if lt, nullable, ok := namedType(t); ok {
		return lt, nullable, false
	}
	if lt, ok := kindTypes[t.Kind]; ok {
		return lt, false, false
	}
	switch t.Kind {
	case kSlice:
		lt, rel = sliceType(t)
		return lt, false, rel
	case kStruct:
		return "", false, true
	}
	return "", false, false
}

// sliceType maps a slice: []byte is Bytes, a slice of structs (or of
// pointers to them) that are no column a relationship, anything else
// unmapped.
func sliceType(t *goType) (lt Type, rel bool) {
	if t.Elem.Kind == kUint8 && t.Elem.Name == "" {
		return Bytes, false
	}
	if e, _ := t.Elem.deref(); e.Kind == kStruct && !special(e) {
		return "", true
	}
	return "", false
}

// namedType maps the named types retort knows by name (time.Time,
// sql.Null*, gorm.DeletedAt, json.RawMessage, uuid.UUID): the type,
// whether it is nullable, and whether t is one of them.
func namedType(t *goType) (lt Type, nullable, ok bool) {
	switch {
	case t.is("time", "Time"):
		return Time, false, true
	case t.Pkg == "sql" && nullTypes[t.Name] != "":
		return nullTypes[t.Name], true, true
	case t.is("gorm", "DeletedAt"):
		return Time, true, true
	case t.is("json", "RawMessage"):
		return JSON, false, true
	case t.Pkg == "uuid" && t.Name == "UUID":
		return UUID, false, true
	}
	return "", false, false
}

// splitTag splits a retort tag at commas outside parentheses and quotes.
func splitTag(s string) []string {
	var out []string
	depth, quote, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quote = !quote
		case quote:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" || len(out) > 0 {
		out = append(out, rest)
	}
	return out
}

// parseGormTag reads a gorm tag: settings separated by ";", each KEY or
// KEY:VALUE, keys case-insensitive (as GORM's ParseTagSetting).
func parseGormTag(s string) map[string]string {
	m := map[string]string{}
	for _, p := range strings.Split(s, ";") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		k, v, _ := strings.Cut(p, ":")
		k = strings.ToUpper(strings.TrimSpace(k))
		if k == "-" {
			// "-", "-:all" and "-:migration" keep the field out of the
			// schema.
			if v == "" || strings.EqualFold(v, "all") || strings.EqualFold(v, "migration") {
				m["-"] = v
			}
			continue
		}
		m[k] = strings.TrimSpace(v)
	}
	return m
}

// snake turns a Go name into snake_case, keeping initialisms together:
// StoreID -> store_id, HTTPServer -> http_server.
func snake(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plural is the English plural of a snake_case name by three rules:
// "es" after s, x, z, ch and sh; "ies" for a "y" after a consonant; "s"
// otherwise.
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "z"),
		strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "sh"):
		return s + "es"
	case len(s) >= 2 && s[len(s)-1] == 'y' && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}
