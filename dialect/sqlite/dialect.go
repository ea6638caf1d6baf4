// Package sqlite is retort's sqlite dialect.
package sqlite

// Dialect is the sqlite dialect. Its zero value is not ready: use New.
type Dialect struct{}

// New returns the dialect.
func New() *Dialect { return &Dialect{} }

// Name returns "sqlite".
func (d *Dialect) Name() string { return "sqlite" }
