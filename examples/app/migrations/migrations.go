// Package migrations holds the example application's migrations: the
// revision files in versions/, embedded in the binary, and its revisions
// written in Go.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"

	"github.com/retortdb/retort"
)

// "all:" also takes hidden files such as the .keep that retort init
// writes, so that the pattern compiles before the first revision exists;
// retort reads only the .sql files.
//
//go:embed all:versions
var files embed.FS

// Versions returns the revision files: the directory versions/ of the
// source tree, as retort.New and cli.WithMigrations take it.
func Versions() fs.FS {
	sub, err := fs.Sub(files, "versions")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// BackfillDisplayNames fills users.display from users.name where it is
// empty: a data migration in Go, in the revision's transaction. Its
// placeholder file is versions/5f1c2e8a9b3d_backfill_display_names.sql,
// written by "app db revision --go", so that the standalone retort binary
// knows it too.
var BackfillDisplayNames = retort.GoRevision{
	ID:      "5f1c2e8a9b3d",
	Revises: []string{"1a2b3c4d5e6f"},
	Message: "backfill display names",
	Up: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE users SET display = name WHERE display IS NULL")
		return err
	},
	Down: func(ctx context.Context, tx *sql.Tx) error {
		// The names are still there; the backfilled copies go.
		_, err := tx.ExecContext(ctx, "UPDATE users SET display = NULL WHERE display = name")
		return err
	},
}

// GoRevisions lists the revisions written in Go.
func GoRevisions() []retort.GoRevision {
	return []retort.GoRevision{BackfillDisplayNames}
}
