// Package badtype has a field whose type has no column type.
package badtype

// Post has a map field.
type Post struct {
	ID    int64 `retort:"pk"`
	Attrs map[string]string
}
