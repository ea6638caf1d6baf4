package change

import (
	"slices"
	"strings"

	"github.com/retortdb/retort/schema"
)

// AlterPartitioning changes how a table is partitioned (MySQL/MariaDB
// PARTITION BY): From and To are the whole partitioning on each side, nil
// for none. The dialect picks the statement (ADD, DROP, REORGANIZE or
// COALESCE PARTITION where the change allows it, otherwise the whole
// PARTITION BY or REMOVE PARTITIONING), so the inverse is exact.
type AlterPartitioning struct {
	Table    Ref
	From, To *schema.Partitioning
}

// Inverse implements Change.
func (c *AlterPartitioning) Inverse() Change {
	return &AlterPartitioning{Table: c.Table, From: c.To, To: c.From}
}

// On implements Change.
func (c *AlterPartitioning) On() Ref { return c.Table }

// Describe implements Change: "partitioned table 't' by RANGE", "removed
// partitioning of table 't'", or the partitions added and removed
// (describePartitions).
func (c *AlterPartitioning) Describe() string {
	switch {
	case c.From == nil && c.To != nil:
		return "partitioned table " + q(c.Table.String()) + " by " + c.To.Method
	case c.To == nil:
		return "removed partitioning of table " + q(c.Table.String())
	case c.From.Method != c.To.Method || c.From.Expr != c.To.Expr:
		return "changed partitioning of table " + q(c.Table.String()) + " to " + c.To.Method
	}
	s := "changed partitions of table " + q(c.Table.String())
	if what := describePartitions(c.From, c.To); what != "" {
		s += " (" + what + ")"
	}
	return s
}

// describePartitions says which partitions were added, removed and
// changed between from and to, "" when none.
func describePartitions(from, to *schema.Partitioning) string {
	added, removed, changed := partitionNames(from, to)
	var what []string
	for _, l := range []struct {
		verb  string
		names []string
	}{{"added", added}, {"removed", removed}, {"changed", changed}} {
		if len(l.names) > 0 {
			what = append(what, l.verb+" "+strings.Join(l.names, ", "))
		}
	}
	return strings.Join(what, "; ")
}

// partitionNames lists the partitions only to has, only from has, and
// those both have with other values or comment.
func partitionNames(from, to *schema.Partitioning) (added, removed, changed []string) {
	find := func(ps []*schema.Partition, name string) *schema.Partition {
		i := slices.IndexFunc(ps, func(p *schema.Partition) bool { return p.Name == name })
		if i < 0 {
			return nil
		}
		return ps[i]
	}
	for _, p := range to.Partitions {
		switch f := find(from.Partitions, p.Name); {
		case f == nil:
			added = append(added, p.Name)
		case *f != *p:
			changed = append(changed, p.Name)
		}
	}
	for _, p := range from.Partitions {
		if find(to.Partitions, p.Name) == nil {
			removed = append(removed, p.Name)
		}
	}
	return added, removed, changed
}

// SetTableOptions changes the table options that ALTER TABLE sets in place
// (MySQL/MariaDB ENGINE, ROW_FORMAT and the CREATE_OPTIONS such as
// KEY_BLOCK_SIZE). From and To are the table's whole options on each side;
// the dialect renders only those it can change and refuses the others.
type SetTableOptions struct {
	Table    Ref
	From, To schema.TableOptions
}

// Inverse implements Change.
func (c *SetTableOptions) Inverse() Change {
	return &SetTableOptions{Table: c.Table, From: c.To, To: c.From}
}

// On implements Change.
func (c *SetTableOptions) On() Ref { return c.Table }

// Describe implements Change.
func (c *SetTableOptions) Describe() string {
	return "changed options of table " + q(c.Table.String())
}

// AddEvent creates a MySQL/MariaDB scheduled event.
type AddEvent struct{ Event *schema.Event }

// DropEvent drops a scheduled event.
type DropEvent struct{ Event *schema.Event }

// ReplaceEvent changes a scheduled event's schedule, status, comment or
// body, keeping its name.
type ReplaceEvent struct{ From, To *schema.Event }

// Inverse implements Change.
func (c *AddEvent) Inverse() Change { return &DropEvent{Event: c.Event} }

// Inverse implements Change.
func (c *DropEvent) Inverse() Change { return &AddEvent{Event: c.Event} }

// Inverse implements Change.
func (c *ReplaceEvent) Inverse() Change { return &ReplaceEvent{From: c.To, To: c.From} }

func eventName(e *schema.Event) string { return q(Ref{e.Schema, e.Name}.String()) }

// Describe implements Change.
func (c *AddEvent) Describe() string { return "added event " + eventName(c.Event) }

// Describe implements Change.
func (c *DropEvent) Describe() string { return "removed event " + eventName(c.Event) }

// Describe implements Change.
func (c *ReplaceEvent) Describe() string { return "changed event " + eventName(c.To) }

// On implements Change.
func (c *AddEvent) On() Ref { return Ref{} }

// On implements Change.
func (c *DropEvent) On() Ref { return Ref{} }

// On implements Change.
func (c *ReplaceEvent) On() Ref { return Ref{} }
