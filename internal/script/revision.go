// Package script reads and writes revision files: the header, the
// upgrade and downgrade sections, the checksum, and loading a directory of
// them from an fs.FS.
package script

import (
	"context"
	"database/sql"
	"time"
)

// Revision is one revision file.
type Revision struct {
	// ID is the revision id from the header ("Revision:").
	ID string
	// Revises lists the parents: none for a base, two or more for a merge.
	Revises []string
	// Message is the header's first line.
	Message string
	// Branches are the branch labels ("Branch:").
	Branches []string
	// DependsOn lists revisions that must be applied first without being
	// parents ("Depends-On:").
	DependsOn []string
	// Replaces lists, in upgrade order, the revisions this one squashes
	// ("Replaces:", written by retort squash): a linear range whose
	// upgrade, taken together, gives the schema this revision's upgrade
	// gives. A database that applied all of them is at this revision.
	Replaces []string
	// NoTransaction is set by "Transaction: none": the revision runs
	// statement by statement outside a transaction.
	NoTransaction bool
	// Created is the header's creation time, zero when absent.
	Created time.Time
	// Path is the file's path within the migrations source, for messages.
	Path string
	// Up is the "-- +upgrade" section.
	Up Section
	// Down is the "-- +downgrade" section.
	Down Section
	// Checksum is the hex SHA-256 of the file's bytes with line endings
	// normalised to "\n".
	Checksum string
	// HeaderOnly is set on a revision loaded by LoadHeaders,
	// LoadHeadersCached or LoadDirCached: its sections' SQL was not read.
	// From LoadHeaders it has no checksum and no section flags either.
	HeaderOnly bool
	// Go is set for a revision written in Go: by "Go: true" in the header
	// of its placeholder file, or by a retort.GoRevision. Its sections
	// hold no SQL.
	Go bool
	// ImportedFrom names the tool and source file a revision was converted
	// from by retort import ("Imported-From: goose 00001_users.sql"); empty
	// for revisions written for retort.
	ImportedFrom string
	// GoFuncs are a Go revision's functions; nil for revision files and
	// for a Go revision's placeholder loaded without its application.
	GoFuncs *GoFuncs
}

// GoFuncs are the functions of a revision written in Go. Either Up (and
// Down) run inside the revision's transaction, or UpConn (and DownConn)
// run on the migration connection outside any transaction.
type GoFuncs struct {
	Up, Down         func(ctx context.Context, tx *sql.Tx) error
	UpConn, DownConn func(ctx context.Context, conn *sql.Conn) error
}

// Section is the SQL of one direction of a revision.
type Section struct {
	// SQL is the section's text after its marker line, up to the next
	// marker or the end of the file.
	SQL string
	// Line is the 1-based line in the file where SQL starts (the line after
	// the marker), so a statement's line in the file is Line + its line
	// within SQL - 1.
	Line int
	// Present reports whether the marker was in the file.
	Present bool
	// Irreversible is set by "-- +downgrade irreversible".
	Irreversible bool
	// None is set by "-- +downgrade none": the downgrade has nothing to
	// revert, on purpose (the upgrade only filled data, say), so an empty
	// section is not taken for a forgotten one.
	None bool
}
