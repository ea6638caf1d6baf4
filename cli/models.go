package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/models"
	"github.com/retortdb/retort/source"
)

// modelsDesired reads the desired schema from the Go package the models
// key names (type-checked with go/packages, never run) and renders it as
// DDL for the configured dialect, so that it takes the same scratch
// database path as schema.sql.
func (a *app) modelsDesired() ([]source.File, error) {
	raw := a.cfg.DevDatabase
	if raw == "" {
		raw = a.cfg.Database
	}
	if raw == "" {
		return nil, errors.New("no database configured: the models are rendered as SQL for the database's dialect: set --database, RETORT_DATABASE_URL or database in retort.toml")
	}
	d, _, err := dialects.ForURL(raw)
	if err != nil {
		return nil, err
	}
	dir := a.path(a.cfg.Models)
	// go/packages runs "go list"; the commands do not pass a context down
	// to here, so it runs to completion.
	s, err := models.Load(context.Background(), dir, ".")
	if err != nil {
		return nil, fmt.Errorf("models = %q: %w", a.cfg.Models, err)
	}
	files, err := s.Files(d, a.rel(dir))
	if err != nil {
		return nil, fmt.Errorf("models = %q: %w", a.cfg.Models, err)
	}
	return files, nil
}
