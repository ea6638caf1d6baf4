package script

import (
	"errors"
	"fmt"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// Split splits the section's SQL into statements under the rules of d.
// The statements' lines stay relative to the section (Line + theirs - 1
// is the file's); a syntax error is a *SectionError that names the file
// and the line in the file, not in the section.
func (r *Revision) Split(sec Section, name string, d sqlsplit.Dialect) ([]sqlsplit.Statement, error) {
	stmts, err := sqlsplit.Split(sec.SQL, d)
	if err == nil {
		return stmts, nil
	}
	var se *sqlsplit.SyntaxError
	if !errors.As(err, &se) {
		return nil, fmt.Errorf("%s: split the %s section of revision %s: %w", r.Path, name, r.ID, err)
	}
	return nil, &SectionError{Path: r.Path, Line: sec.Line + se.Line - 1, Revision: r.ID, Section: name, Err: se}
}

// SectionError is a syntax error in a section of a revision file, at a
// line of the file.
type SectionError struct {
	Path     string
	Line     int
	Revision string
	// Section is "upgrade" or "downgrade".
	Section string
	Err     *sqlsplit.SyntaxError
}

// Error says where, what, and in which revision and section.
func (e *SectionError) Error() string {
	return fmt.Sprintf("%s:%d: %s (revision %s, %s section)", e.Path, e.Line, e.Err.Msg, e.Revision, e.Section)
}

// Unwrap returns the splitter's error.
func (e *SectionError) Unwrap() error { return e.Err }
