// Package badtable has a TableName that cannot be read without running it.
package badtable

import "strings"

// Order's TableName computes its name.
type Order struct {
	ID int64 `retort:"pk"`
}

// TableName is not a constant.
func (Order) TableName() string { return strings.ToLower("Orders") }
