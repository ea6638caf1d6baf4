// Package mysql is retort's mysql dialect.
package mysql

// Dialect is the mysql dialect. Its zero value is not ready: use New.
type Dialect struct{}

// New returns the dialect.
func New() *Dialect { return &Dialect{} }

// Name returns "mysql".
func (d *Dialect) Name() string { return "mysql" }
