package e2e

import (
	"fmt"
	"slices"
	"strings"
)

// The MySQL/MariaDB objects of the random schema generator (issue 19):
// HASH partitioning, table options and scheduled events.

// gEvent is a scheduled event that deletes nothing (its tables keep their
// rows): DISABLEd, so that it never fires during a case.
type gEvent struct {
	name  string
	hours int
	table string
}

// tableOptions are the options a table may carry; KEY_BLOCK_SIZE makes
// an InnoDB table compressed.
var tableOptions = []string{"", "KEY_BLOCK_SIZE=8", "KEY_BLOCK_SIZE=4", "STATS_PERSISTENT=1", "ROW_FORMAT=DYNAMIC PACK_KEYS=1"}

// newMySQL adds the MySQL objects to a new schema A.
func (g *gen) newMySQL(s *genSchema) {
	for _, t := range s.tables {
		if g.chance(0.3) {
			t.opts = tableOptions[g.pick(len(tableOptions))]
		}
		if g.chance(0.3) && partitionable(s, t) {
			t.parts = 2 + g.pick(3)
		}
	}
	if g.chance(0.4) && len(s.tables) > 0 {
		s.events = append(s.events, &gEvent{name: s.name("ev"), hours: 1 + g.pick(24), table: s.tables[0].name})
	}
}

// partitionable reports whether t may be partitioned by HASH (id): no
// unique key but the primary key, and no foreign key from or to it.
func partitionable(s *genSchema, t *gTable) bool {
	if len(t.uniques) > 0 || len(t.fks) > 0 || slices.ContainsFunc(t.indexes, func(k *gKey) bool { return k.unique }) {
		return false
	}
	for _, o := range s.tables {
		if slices.ContainsFunc(o.fks, func(f *gFK) bool { return f.parent == t.name }) {
			return false
		}
	}
	return true
}

// mutateMySQL applies one mutation of the MySQL objects to b, on table t,
// or returns "" when the chosen one does not apply.
func (g *gen) mutateMySQL(b *genSchema, t *gTable) string {
	if g.chance(0.4) {
		if d := g.alterCheckedColumn(t); d != "" {
			return d
		}
	}
	switch g.pick(4) {
	case 0: // partition, repartition or unpartition
		if t.parts == 0 && !partitionable(b, t) {
			return ""
		}
		n := []int{0, 2, 3, 5}[g.pick(4)]
		if n == t.parts {
			return ""
		}
		t.parts = n
		return fmt.Sprintf("table %s partitions=%d", t.name, n)
	case 1: // table options
		o := tableOptions[g.pick(len(tableOptions))]
		if o == t.opts {
			return ""
		}
		t.opts = o
		return fmt.Sprintf("table %s options %q", t.name, o)
	case 2: // add or drop an event
		if len(b.events) > 0 && g.chance(0.5) {
			e := b.events[g.pick(len(b.events))]
			b.events = slices.DeleteFunc(b.events, func(x *gEvent) bool { return x == e })
			return "drop event " + e.name
		}
		e := &gEvent{name: b.name("ev"), hours: 1 + g.pick(24), table: t.name}
		b.events = append(b.events, e)
		return "add event " + e.name
	default: // change an event's schedule
		if len(b.events) == 0 {
			return ""
		}
		e := b.events[g.pick(len(b.events))]
		e.hours++
		return fmt.Sprintf("event %s every %d hours", e.name, e.hours)
	}
}

// suffixSQL is what follows a table's column list: options and
// partitioning (MySQL only; none are generated elsewhere).
func (t *gTable) suffixSQL(dialect string) string {
	if dialect != "mysql" {
		return ""
	}
	var b strings.Builder
	if t.opts != "" {
		b.WriteString(" " + t.opts)
	}
	if t.parts > 0 {
		fmt.Fprintf(&b, " PARTITION BY HASH (id) PARTITIONS %d", t.parts)
	}
	return b.String()
}

// eventsSQL creates the events; their tables may since have been dropped,
// which CREATE EVENT does not check.
func (s *genSchema) eventsSQL() string {
	var b strings.Builder
	for _, e := range s.events {
		fmt.Fprintf(&b, "CREATE EVENT %s ON SCHEDULE EVERY %d HOUR DISABLE DO DELETE FROM %s WHERE id < 0;\n", e.name, e.hours, e.table)
	}
	return b.String()
}

// alterCheckedColumn changes a column whose check MariaDB keeps in the
// column's definition (issue 19): the default of one with an inline check,
// the nullability of a JSON column (json_valid()). MODIFY COLUMN must
// restate the check, and retort's CREATE TABLE must have put it there.
func (g *gen) alterCheckedColumn(t *gTable) string {
	var cands []*gCol
	for _, c := range t.cols {
		inline := slices.ContainsFunc(t.checks, func(ch *gCheck) bool { return ch.col == c.name && ch.inline })
		if c.name != t.pk2 && !c.ref && (inline && c.typ != tBlob || c.typ == tJSON) {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return ""
	}
	c := cands[g.pick(len(cands))]
	if c.typ == tJSON {
		c.nullable = !c.nullable
		return fmt.Sprintf("alter checked column %s.%s nullable=%v", t.name, c.name, c.nullable)
	}
	if c.hasDef {
		c.hasDef = false
	} else {
		c.hasDef, c.def = true, 1+g.pick(8)
	}
	return fmt.Sprintf("alter checked column %s.%s default=%v", t.name, c.name, c.hasDef)
}
