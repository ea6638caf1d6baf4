package sqlite

import (
	"context"
	"fmt"

	"github.com/retortdb/retort/dialect"
)

// ChangeCount returns PRAGMA data_version, which changes for a connection
// when any other connection commits to the database file, and not for its
// own commits. The pragma does not wait, so it runs without ctx's
// cancellation (which would cost the driver a goroutine).
func (d *Dialect) ChangeCount(ctx context.Context, tx dialect.Tx) (int64, error) {
	var v int64
	if err := tx.QueryRowContext(context.WithoutCancel(ctx), "PRAGMA data_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read PRAGMA data_version: %w", err)
	}
	return v, nil
}
