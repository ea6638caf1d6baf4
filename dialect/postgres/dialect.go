// Package postgres is retort's postgres dialect.
package postgres

// Dialect is the postgres dialect. Its zero value is not ready: use New.
type Dialect struct{}

// New returns the dialect.
func New() *Dialect { return &Dialect{} }

// Name returns "postgres".
func (d *Dialect) Name() string { return "postgres" }
