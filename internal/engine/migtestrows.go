package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/lazyre"
	"github.com/retortdb/retort/schema"
)

// rowMaker inserts one generated row per table for Test's --data: the
// columns a row must have (NOT NULL without a default, keys and the
// columns foreign keys point at) get a value built from the column's type
// as the server reports it; the rest keep their default or NULL. Each
// call is a new round, whose values differ from the earlier rounds', so
// that keys stay unique while the rows pile up. A table the generator
// cannot fill is noted once and left empty: a generator that guesses
// wrong must not fail a revision.
type rowMaker struct {
	m     *Migrator
	round int
	// noted: tables already reported as not fillable.
	noted map[string]bool
}

func newRowMaker(m *Migrator) *rowMaker {
	return &rowMaker{m: m, noted: map[string]bool{}}
}

// fill inserts a row into every table of s, referenced tables first,
// and returns notes for the tables it could not fill (each once).
func (rm *rowMaker) fill(ctx context.Context, db *sql.DB, s *schema.Schema) []string {
	rm.round++
	referenced := map[string]bool{} // "table.column" that a foreign key points at
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			for _, c := range fk.RefColumns {
				referenced[fk.RefTable+"."+c] = true
			}
		}
	}
	inserted := map[string]map[string]string{} // table -> column -> literal
	var notes []string
	for _, t := range fkOrder(s.Tables) {
		if t.Options.PartitionOf != "" {
			continue // rows go in through the partitioned table
		}
		vals, err := rm.row(s, t, referenced, inserted)
		if err == nil {
			err = rm.insert(ctx, db, t, vals)
		}
		if err != nil {
			if !rm.noted[t.Name] {
				rm.noted[t.Name] = true
				notes = append(notes, fmt.Sprintf("--data: no row for table %s: %v", t.Name, err))
			}
			continue
		}
		inserted[t.Name] = vals
	}
	return notes
}

// row picks the columns and values of t's row.
func (rm *rowMaker) row(s *schema.Schema, t *schema.Table, referenced map[string]bool, inserted map[string]map[string]string) (map[string]string, error) {
	vals := map[string]string{}
	fkValue := parentValues(t, inserted)
	key := map[string]bool{}
	if t.PrimaryKey != nil {
		for _, c := range t.PrimaryKey.Columns {
			key[c] = true
		}
	}
	var optional []*schema.Column
	for _, c := range t.Columns {
		if c.Generated != "" || c.Identity == "ALWAYS" {
			continue
		}
		if v, ok := fkValue[c.Name]; ok {
			vals[c.Name] = v
			continue
		}
		needed := !c.Nullable && c.Default == nil && !c.AutoIncrement ||
			key[c.Name] || referenced[t.Name+"."+c.Name]
		if !needed {
			optional = append(optional, c)
			continue
		}
		if inFK(t, c.Name) && !c.Nullable {
			return nil, fmt.Errorf("column %s references a table with no row", c.Name)
		}
		v, ok := rm.literal(s, c)
		if !ok {
			return nil, fmt.Errorf("no value for column %s of type %s", c.Name, c.Type)
		}
		vals[c.Name] = v
	}
	if len(vals) == 0 {
		return rm.anyColumn(s, t, optional)
	}
	return vals, nil
}

// parentValues are the values of t's foreign key columns that point at
// rows inserted in this round.
func parentValues(t *schema.Table, inserted map[string]map[string]string) map[string]string {
	out := map[string]string{}
	for _, fk := range t.ForeignKeys {
		parent := inserted[fk.RefTable]
		for i, c := range fk.Columns {
			if v, ok := parent[fk.RefColumns[i]]; ok && fk.RefTable != t.Name {
				out[c] = v
			}
		}
	}
	return out
}

// anyColumn fills one optional column, since an INSERT names at least one.
func (rm *rowMaker) anyColumn(s *schema.Schema, t *schema.Table, optional []*schema.Column) (map[string]string, error) {
	for _, c := range optional {
		if v, ok := rm.literal(s, c); ok && !inFK(t, c.Name) {
			return map[string]string{c.Name: v}, nil
		}
	}
	return nil, fmt.Errorf("no column to give a value")
}

func inFK(t *schema.Table, col string) bool {
	for _, fk := range t.ForeignKeys {
		for _, c := range fk.Columns {
			if c == col {
				return true
			}
		}
	}
	return false
}

func (rm *rowMaker) insert(ctx context.Context, db *sql.DB, t *schema.Table, vals map[string]string) error {
	d := rm.m.dialect
	name := d.QuoteIdent(t.Name)
	if t.Schema != "" {
		name = d.QuoteIdent(t.Schema) + "." + name
	}
	var cols, lits []string
	for _, c := range t.Columns {
		if v, ok := vals[c.Name]; ok {
			cols = append(cols, d.QuoteIdent(c.Name))
			lits = append(lits, v)
		}
	}
	stmt := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", name, strings.Join(cols, ", "), strings.Join(lits, ", "))
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// typeLength is the "(n)" of a character type.
var typeLength = lazyre.New(`\((\d+)\)`)

// enumValues are the quoted labels of an inline enum('a','b') or set(...).
var enumValues = lazyre.New(`'((?:[^']|'')*)'`)

// literal is a value for column c in this round, as SQL; false when the
// type is not one the generator knows. Types are told apart by the words
// servers use for them, which the three dialects share (integer, char,
// date, ...): a guess that is wrong only costs a note.
func (rm *rowMaker) literal(s *schema.Schema, c *schema.Column) (string, bool) {
	q := rm.m.dialect.QuoteLiteral
	if v, ok := userType(s, c.Type, q); ok {
		return v, true
	}
	typ := strings.ToLower(c.Type)
	switch {
	case strings.HasSuffix(typ, "[]"):
		return q("{}"), true
	case strings.HasPrefix(typ, "enum(") || strings.HasPrefix(typ, "set("):
		if m := enumValues().FindStringSubmatch(c.Type); m != nil {
			return q(strings.ReplaceAll(m[1], "''", "'")), true
		}
		return "", false
	}
	for _, r := range literalRules {
		if containsAny(typ, r.words) {
			if r.value == nil {
				return "", false
			}
			return r.value(rm.round, typ, q), true
		}
	}
	return "", false
}

// literalRules give a value by the words of a type's name, first match
// wins (interval before int, timestamp before date before time); a rule
// without a value is a type the generator leaves alone.
var literalRules = []struct {
	words []string
	value func(round int, typ string, q func(string) string) string
}{
	{[]string{"interval"}, func(r int, _ string, q func(string) string) string { return q(strconv.Itoa(r) + " days") }},
	{[]string{"point", "line", "polygon", "geometry", "circle", "box", "path", "bit", "range"}, nil},
	{[]string{"bool"}, func(int, string, func(string) string) string { return "TRUE" }},
	{[]string{"int", "serial", "numeric", "decimal", "real", "double", "float", "number", "money", "year"},
		func(r int, _ string, _ func(string) string) string { return strconv.Itoa(r) }},
	{[]string{"timestamp", "datetime"}, func(r int, _ string, q func(string) string) string {
		return q(fmt.Sprintf("2001-01-%02d 00:00:00", 1+r%28))
	}},
	{[]string{"date"}, func(r int, _ string, q func(string) string) string { return q(fmt.Sprintf("2001-01-%02d", 1+r%28)) }},
	{[]string{"time"}, func(_ int, _ string, q func(string) string) string { return q("00:00:00") }},
	{[]string{"json"}, func(_ int, _ string, q func(string) string) string { return q("{}") }},
	{[]string{"uuid"}, func(r int, _ string, q func(string) string) string {
		return q(fmt.Sprintf("00000000-0000-4000-8000-%012d", r))
	}},
	{[]string{"inet", "cidr"}, func(r int, _ string, q func(string) string) string { return q(fmt.Sprintf("192.0.2.%d", r%250+1)) }},
	{[]string{"char", "text", "clob", "string", "blob", "binary", "bytea", "xml", "citext", "name", "tsvector", "tsquery"}, textLiteral},
}

// textLiteral is the round's number as a string no longer than the type
// allows, wrapped in an element for xml.
func textLiteral(round int, typ string, q func(string) string) string {
	v := strconv.Itoa(round)
	if m := typeLength().FindStringSubmatch(typ); m != nil {
		if l, _ := strconv.Atoi(m[1]); l > 0 && len(v) > l {
			v = v[len(v)-l:]
		}
	}
	if strings.Contains(typ, "xml") {
		v = "<r>" + v + "</r>"
	}
	return q(v)
}

// containsAny reports whether s contains one of words.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// userType is the first label of a user-defined enum type, or a value of
// a domain's base type.
func userType(s *schema.Schema, typ string, q func(string) string) (string, bool) {
	for _, t := range s.Types {
		if t.Name != typ && t.Schema+"."+t.Name != typ {
			continue
		}
		if t.Kind == schema.EnumType && len(t.Values) > 0 {
			return q(t.Values[0]), true
		}
	}
	return "", false
}

// fkOrder sorts tables so that a table comes after those its foreign keys
// point at (a cycle keeps the schema's order for what is left).
func fkOrder(tables []*schema.Table) []*schema.Table {
	done := map[string]bool{}
	var out []*schema.Table
	for len(out) < len(tables) {
		progress := false
		for _, t := range tables {
			if done[t.Name] {
				continue
			}
			ready := true
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != t.Name && !done[fk.RefTable] && hasTable(tables, fk.RefTable) {
					ready = false
				}
			}
			if ready {
				done[t.Name] = true
				out = append(out, t)
				progress = true
			}
		}
		if !progress {
			for _, t := range tables {
				if !done[t.Name] {
					done[t.Name] = true
					out = append(out, t)
				}
			}
		}
	}
	return out
}

func hasTable(tables []*schema.Table, name string) bool {
	for _, t := range tables {
		if t.Name == name {
			return true
		}
	}
	return false
}
