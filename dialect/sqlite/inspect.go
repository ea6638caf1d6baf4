package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/schema"
)

// Inspect reads the schema of the database conn is connected to.
func (d *Dialect) Inspect(ctx context.Context, conn *sql.Conn, opts dialect.InspectOptions) (*schema.Schema, error) {
	return nil, errors.New("sqlite: inspection is not implemented yet")
}
