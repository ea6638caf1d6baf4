package change

import (
	"errors"
	"fmt"
)

// IncompleteError says that a change lacks a field its kind needs (the
// Column of an AddColumn, say). Describe dereferences those fields, so an
// error about such a change names it with Label instead.
type IncompleteError struct {
	// Field is what is missing, as the error says it: "column", "foreign key".
	Field string
}

// Error implements error.
func (e *IncompleteError) Error() string { return "no " + e.Field }

// Missing returns an IncompleteError for field.
func Missing(field string) error { return &IncompleteError{Field: field} }

// Label names c in an error about it: its Describe text, or its type when
// c is nil or err says c is incomplete (Describe would dereference the
// missing field).
func Label(c Change, err error) string {
	var inc *IncompleteError
	if c == nil {
		return "nil change"
	}
	if errors.As(err, &inc) {
		return fmt.Sprintf("%T", c)
	}
	return c.Describe()
}
