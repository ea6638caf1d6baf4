package models

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/source"
)

// NameError is a table, column, index or constraint name longer than the
// dialect allows: an error, never a silent truncation.
type NameError struct {
	Dialect string
	Struct  string
	Name    string
	Max     int
}

// Error implements error.
func (e *NameError) Error() string {
	return fmt.Sprintf("models: type %s: name %q is %d bytes, longer than the %d that %s allows: shorten it (TableName, db:\"...\", or an explicit index name)", e.Struct, e.Name, len(e.Name), e.Max, e.Dialect)
}

// ColumnType returns the SQL type of c in dialect d: the tag's type when
// one was given, else the dialect's type for c's logical type (the table
// in docs/models.md).
func ColumnType(d dialect.Dialect, c *Column) (string, error) {
	if c.SQLType != "" {
		return c.SQLType, nil
	}
	mt := d.Capabilities().Models
	if c.Type == String && c.Size > 0 && mt.SizedString != "" {
		return fmt.Sprintf(mt.SizedString, c.Size), nil
	}
	if t := logicalType(mt, c.Type); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("models: column %s (%s) has no type in %s", c.Name, c.Field, d.Name())
}

// logicalType is mt's SQL type for t, "" when it has none.
func logicalType(mt dialect.ModelTypes, t Type) string {
	return map[Type]string{
		Bool: mt.Bool, Int8: mt.Int8, Int16: mt.Int16, Int32: mt.Int32, Int64: mt.Int64,
		Uint8: mt.Uint8, Uint16: mt.Uint16, Uint32: mt.Uint32, Uint64: mt.Uint64,
		Float32: mt.Float32, Float64: mt.Float64,
		String: mt.String, Bytes: mt.Bytes, Time: mt.Time, JSON: mt.JSON, UUID: mt.UUID,
	}[t]
}

// ddlWriter renders tables as DDL for one dialect.
type ddlWriter struct {
	d dialect.Dialect
	q func(string) string
}

// list quotes and joins names.
func (w ddlWriter) list(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = w.q(n)
	}
	return strings.Join(out, ", ")
}

// fkClause is a foreign key's constraint clause.
func (w ddlWriter) fkClause(fk *ForeignKey) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s)", w.q(fk.Name), w.list(fk.Columns), w.q(fk.RefTable), w.list(fk.RefColumns))
	if fk.OnDelete != "" {
		b.WriteString(" ON DELETE " + fk.OnDelete)
	}
	if fk.OnUpdate != "" {
		b.WriteString(" ON UPDATE " + fk.OnUpdate)
	}
	return b.String()
}

// autoIncrement is the clause that numbers c; where only a single INTEGER
// PRIMARY KEY (the rowid) is numbered (SQLite), anything else is an error.
func (w ddlWriter) autoIncrement(t *Table, c *Column, rowid bool) (string, error) {
	mt := w.d.Capabilities().Models
	if !mt.RowidKey {
		return mt.AutoIncrement, nil
	}
	if !rowid {
		return "", &FieldError{Struct: t.Struct, Field: c.Field, Msg: "SQLite numbers only a single INTEGER PRIMARY KEY column"}
	}
	if c.SQLType != "" && !strings.EqualFold(c.SQLType, "integer") {
		return "", &FieldError{Struct: t.Struct, Field: c.Field, Msg: "an autoincrement key on SQLite must have type INTEGER"}
	}
	return mt.AutoIncrement, nil
}

// column is c's line in CREATE TABLE.
func (w ddlWriter) column(t *Table, c *Column, rowid bool) (string, error) {
	typ, err := ColumnType(w.d, c)
	if err != nil {
		return "", err
	}
	line := w.q(c.Name) + " " + typ
	if c.NotNull {
		line += " NOT NULL"
	}
	if c.Default != nil {
		line += " DEFAULT " + *c.Default
	}
	if c.AutoIncrement {
		clause, err := w.autoIncrement(t, c, rowid)
		if err != nil {
			return "", err
		}
		line += clause
	}
	if rowid && c.Name == t.PrimaryKey[0] {
		line += " PRIMARY KEY"
	}
	return line, nil
}

// table renders t's CREATE TABLE and CREATE INDEX statements; its
// foreign keys go inline where ALTER TABLE cannot add them later (SQLite)
// and into alters elsewhere. Columns (columnLines), constraints
// (constraintLines) and indexes are written by functions of their own.
func (w ddlWriter) table(t *Table, alters *strings.Builder) (string, error) {
	inline := w.d.Capabilities().Models.RowidKey
	rowid := inline && len(t.PrimaryKey) == 1 && t.Column(t.PrimaryKey[0]).AutoIncrement
	lines, err := w.columnLines(t, rowid)
	if err != nil {
		return "", err
	}
	lines = append(lines, w.constraintLines(t, rowid, inline, alters)...)
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s (\n    %s\n);\n", w.q(t.Name), strings.Join(lines, ",\n    "))
	for _, ix := range t.Indexes {
		fmt.Fprintf(&b, "CREATE %sINDEX %s ON %s (%s);\n", ifUnique(ix.Unique), w.q(ix.Name), w.q(t.Name), w.list(ix.Columns))
	}
	return b.String(), nil
}

// ifUnique is the UNIQUE of a CREATE UNIQUE INDEX, "" for another index.
func ifUnique(unique bool) string {
	if unique {
		return "UNIQUE "
	}
	return ""
}

// columnLines are the column lines of t's CREATE TABLE.
func (w ddlWriter) columnLines(t *Table, rowid bool) ([]string, error) {
	var lines []string
	for _, c := range t.Columns {
		line, err := w.column(t, c, rowid)
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// constraintLines are the table constraints of t's CREATE TABLE: the
// primary key unless its column line says it (rowid), the uniques, the
// checks, and the foreign keys when they go inline; otherwise the foreign
// keys go to alters as ALTER TABLE ... ADD statements.
func (w ddlWriter) constraintLines(t *Table, rowid, inline bool, alters *strings.Builder) []string {
	var lines []string
	if len(t.PrimaryKey) > 0 && !rowid {
		lines = append(lines, "PRIMARY KEY ("+w.list(t.PrimaryKey)+")")
	}
	for _, u := range t.Uniques {
		lines = append(lines, fmt.Sprintf("CONSTRAINT %s UNIQUE (%s)", w.q(u.Name), w.list(u.Columns)))
	}
	for _, c := range t.Checks {
		lines = append(lines, fmt.Sprintf("CONSTRAINT %s CHECK (%s)", w.q(c.Name), c.Expr))
	}
	for _, fk := range t.ForeignKeys {
		if inline {
			lines = append(lines, w.fkClause(fk))
		} else {
			fmt.Fprintf(alters, "ALTER TABLE %s ADD %s;\n", w.q(t.Name), w.fkClause(fk))
		}
	}
	return lines
}

// Files renders the schema as DDL for d, one file per table (its CREATE
// TABLE and CREATE INDEX statements) and, on PostgreSQL and MySQL, a last
// file adding the foreign keys, so that tables may refer to each other in
// any order. origin prefixes the file names shown in messages.
func (s *Schema) Files(d dialect.Dialect, origin string) ([]source.File, error) {
	if err := s.checkNames(d); err != nil {
		return nil, err
	}
	w := ddlWriter{d: d, q: d.QuoteIdent}
	var files []source.File
	var alters strings.Builder
	for _, t := range s.Tables {
		sql, err := w.table(t, &alters)
		if err != nil {
			return nil, err
		}
		files = append(files, source.File{Path: fmt.Sprintf("%s: %s (table %s)", origin, t.Struct, t.Name), SQL: sql})
	}
	if alters.Len() > 0 {
		files = append(files, source.File{Path: origin + ": foreign keys", SQL: alters.String()})
	}
	return files, nil
}

// SQL renders the schema as one DDL script for d.
func (s *Schema) SQL(d dialect.Dialect) (string, error) {
	files, err := s.Files(d, "models")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range files {
		b.WriteString(f.SQL)
	}
	return b.String(), nil
}

// checkNames refuses a name longer than d allows, rather than letting
// the database truncate it (or fail) later.
func (s *Schema) checkNames(d dialect.Dialect) error {
	max := d.MaxIdentLen()
	if max <= 0 {
		return nil
	}
	for _, t := range s.Tables {
		for _, n := range t.names() {
			if len(n) > max {
				return &NameError{Dialect: d.Name(), Struct: t.Struct, Name: n, Max: max}
			}
		}
	}
	return nil
}

// names are the names t brings into the database: its own, its columns',
// constraints' and indexes'.
func (t *Table) names() []string {
	names := []string{t.Name}
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	for _, u := range t.Uniques {
		names = append(names, u.Name)
	}
	for _, ix := range t.Indexes {
		names = append(names, ix.Name)
	}
	for _, fk := range t.ForeignKeys {
		names = append(names, fk.Name)
	}
	for _, c := range t.Checks {
		names = append(names, c.Name)
	}
	return names
}
