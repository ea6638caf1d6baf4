package mysql

import (
	"errors"
	"testing"

	"github.com/retortdb/retort/internal/rendertest"
)

// TestRenderPostgresOnly checks that rewrite rules and schema comments,
// which no MySQL schema produces, are errors rather than SQL (the error
// names the change by its description).
func TestRenderPostgresOnly(t *testing.T) {
	rendertest.PostgresOnly(t, New(), errors.ErrUnsupported, nil)
}
