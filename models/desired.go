package models

import (
	"fmt"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/source"
)

// Source is a desired schema described by Go structs, read by reflection;
// Desired returns one. It satisfies retort.DesiredSource: it renders the
// structs as DDL for a dialect, which then takes the same path as a
// schema.sql file (applied to a scratch database and inspected).
type Source struct {
	values []any
}

// Desired describes the desired schema with Go structs:
// retort.WithDesiredSource(models.Desired(&Student{}, &Item{})). Tags and
// the Go-to-SQL type mapping are those of docs/models.md; GORM's tags and
// conventions are read too.
func Desired(v ...any) *Source {
	return &Source{values: append([]any(nil), v...)}
}

// Schema returns the intermediate description of the structs.
func (m *Source) Schema() (*Schema, error) {
	return FromValues(m.values...)
}

// DesiredSQL renders the structs as DDL for dialect d.
func (m *Source) DesiredSQL(d dialect.Dialect) ([]source.File, error) {
	s, err := m.Schema()
	if err != nil {
		return nil, err
	}
	files, err := s.Files(d, "models")
	if err != nil {
		return nil, fmt.Errorf("render the models for %s: %w", d.Name(), err)
	}
	return files, nil
}
