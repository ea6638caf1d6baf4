package sqlite

import "github.com/retortdb/retort/schema"

// Format prints s as canonical SQL.
func (d *Dialect) Format(s *schema.Schema) string { return "" }
