package retort

import (
	"fmt"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/models"
	"github.com/retortdb/retort/source"
)

// ModelSource is a desired schema described by Go structs; Models returns
// one. It renders the structs as DDL for a dialect, which then takes the
// same path as a schema.sql file (applied to a scratch database and
// inspected).
type ModelSource struct {
	values []any
}

// Models describes the desired schema with Go structs, read through
// reflection: retort.Models(&Student{}, &Item{}). Tags and the Go-to-SQL
// type mapping are those of package models (docs/models.md); GORM's tags
// and conventions are read too.
func Models(v ...any) *ModelSource {
	return &ModelSource{values: append([]any(nil), v...)}
}

// Schema returns the intermediate description of the structs.
func (m *ModelSource) Schema() (*models.Schema, error) {
	return models.FromValues(m.values...)
}

// DesiredSQL renders the structs as DDL for the named dialect ("sqlite",
// "postgres" or "mysql").
func (m *ModelSource) DesiredSQL(dialectName string) ([]source.File, error) {
	d, err := dialects.ByName(dialectName)
	if err != nil {
		return nil, err
	}
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
