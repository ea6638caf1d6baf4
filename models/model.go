// Package models reads Go structs as a desired schema: through reflection
// inside an application (FromValues) or, without running any of the
// user's code, by type-checking a package with golang.org/x/tools/go/packages
// (Load). Both front ends produce the same small intermediate description,
// a Schema, which SQL renders as DDL for one dialect with that dialect's
// quoting. The DDL then takes the same path as a schema.sql file: it is
// applied to a scratch database and read back by the dialect's inspector.
//
// Tags: `db:"name"` names the column (the sqlx convention), `retort:"..."`
// says the rest (pk, type:..., notnull, null, default:..., unique, index,
// index:name, uniqueindex, autoincrement, fk:table.column, ondelete:...,
// onupdate:..., check:..., size:..., and "-" to skip the field). GORM's
// `gorm:"..."` tags and conventions are read too. docs/models.md has the
// mapping table and the rules.
package models

// Type is a column's logical type, mapped to a SQL type per dialect.
type Type string

// The logical types a Go type maps to.
const (
	Bool    Type = "bool"
	Int8    Type = "int8"
	Int16   Type = "int16"
	Int32   Type = "int32"
	Int64   Type = "int64"
	Uint8   Type = "uint8"
	Uint16  Type = "uint16"
	Uint32  Type = "uint32"
	Uint64  Type = "uint64"
	Float32 Type = "float32"
	Float64 Type = "float64"
	String  Type = "string"
	Bytes   Type = "bytes"
	Time    Type = "time"
	JSON    Type = "json"
	UUID    Type = "uuid"
)

// Schema is the desired schema described by a set of structs.
type Schema struct {
	// Tables are sorted by name.
	Tables []*Table
}

// Table is one struct's table.
type Table struct {
	// Name is the table name: TableName(), else the snake_case plural of
	// the struct's name.
	Name string
	// Struct is the Go type name, for messages.
	Struct string
	// Columns are in field order, embedded structs' fields in place.
	Columns []*Column
	// PrimaryKey lists the primary key's columns, empty when none.
	PrimaryKey []string
	// Uniques are unique constraints.
	Uniques []*Unique
	// Indexes are secondary indexes, sorted by name.
	Indexes []*Index
	// ForeignKeys are sorted by name.
	ForeignKeys []*ForeignKey
	// Checks are sorted by name.
	Checks []*Check
}

// Column is one field's column.
type Column struct {
	// Name is the column name.
	Name string
	// Field is the Go field it comes from ("Item.Price"), for messages.
	Field string
	// Type is the logical type; empty when SQLType is set.
	Type Type
	// SQLType is a type given by a tag (retort:"type:..." or
	// gorm:"type:..."), used verbatim on every dialect.
	SQLType string
	// Size is a string's length (varchar(Size)); 0 for the default.
	Size int
	// NotNull is set for NOT NULL columns.
	NotNull bool
	// Default is the default as an SQL expression, used verbatim; nil
	// when the column has none.
	Default *string
	// AutoIncrement marks an integer key the database numbers.
	AutoIncrement bool
}

// Unique is a unique constraint.
type Unique struct {
	Name    string
	Columns []string
}

// Index is a secondary index.
type Index struct {
	Name    string
	Unique  bool
	Columns []string
}

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	// OnDelete and OnUpdate are actions ("CASCADE", "SET NULL", ...);
	// empty for the default.
	OnDelete, OnUpdate string
}

// Check is a check constraint.
type Check struct {
	Name string
	// Expr is the SQL expression, used verbatim.
	Expr string
}

// Table returns the table named name, or nil.
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}
