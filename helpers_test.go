package retort_test

import (
	"fmt"
	"testing/fstest"
)

// revFile is a revision file with one statement in each section.
func revFile(id, revises, up, down string) *fstest.MapFile {
	return &fstest.MapFile{Data: fmt.Appendf(nil, "-- revision %s\n--\n-- Revision: %s\n-- Revises: %s\n\n-- +upgrade\n%s\n-- +downgrade\n%s\n", id, id, revises, up, down)}
}
