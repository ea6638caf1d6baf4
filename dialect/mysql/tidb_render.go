package mysql

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// What Render writes for TiDB differs from what it writes for MySQL and
// MariaDB where TiDB's ALTER TABLE refuses what theirs accepts (TiDB's
// ALTER TABLE reference, "MySQL compatibility": one statement may not
// change the same column or index twice, and TiDB checks it against the
// table as it is before the statement; TiDB's source checks it in
// checkOperateSameColAndIdx, and a dropped index against the table's
// foreign keys before it looks at the indexes the statement adds). Where
// TiDB cannot make a change at all (a clustered primary key, AUTO_RANDOM),
// Render refuses it with TiDB's limit and the way around.

// clustered is TIDB_PK_TYPE of a table stored by its primary key.
const clustered = "CLUSTERED"

// tidbPlan is Dialect.plan on TiDB. It keeps apart what MySQL's plan joins
// into one ALTER TABLE for InnoDB: a replaced index that a kept foreign
// key needs is not dropped and added in one statement (TiDB refuses the
// drop, error 1553, or the name used twice, error 1061); the key is
// dropped before the index and added back after its replacement
// (tidbGuardIndexes). InnoDB's renaming of its own index for a re-added
// key (rebuildKeyIndexes) does not happen on TiDB. An AUTO_INCREMENT
// column added with the primary key that holds it stays one statement:
// TiDB allows that pair, and refuses the column alone.
func tidbPlan(from, to *schema.Schema, changes []change.Change) []change.Change {
	return mergeAutoIncrement(tidbGuardIndexes(from, to, changes))
}

// tidbGuardIndexes drops a foreign key of from just before the change
// that drops an index it needs, when a later change adds the index that
// replaces it, and adds the key back (as to has it) just after that
// change: each in its own statement.
func tidbGuardIndexes(from, to *schema.Schema, changes []change.Change) []change.Change {
	if from == nil {
		return changes
	}
	cs := slices.Clone(changes)
	for i := 0; i < len(cs); i++ {
		t, cols, ok := droppedIndex(cs[i])
		ft := from.Table(t.Schema, t.Name)
		if !ok || ft == nil {
			continue
		}
		for _, fk := range ft.ForeignKeys {
			if fk.Name == "" || !leads(cols, fk.Columns) || foreignKeyDropped(cs, t, fk) {
				continue
			}
			j := slices.IndexFunc(cs[i+1:], func(c change.Change) bool {
				return c != nil && c.On() == t && addsIndexFor(c, fk.Columns)
			})
			if j >= 0 {
				cs = aroundForeignKey(cs, i, i+1+j, &change.DropForeignKey{Table: t, FK: fk},
					&change.AddForeignKey{Table: t, FK: foreignKeyIn(to, t, fk)})
				break
			}
		}
	}
	return cs
}

// aroundForeignKey returns cs with drop just before cs[i] and add just
// after cs[j] (i < j).
func aroundForeignKey(cs []change.Change, i, j int, drop, add change.Change) []change.Change {
	out := make([]change.Change, 0, len(cs)+2)
	out = append(out, cs[:i]...)
	out = append(out, drop)
	out = append(out, cs[i:j+1]...)
	out = append(out, add)
	return append(out, cs[j+1:]...)
}

// tidbRefusal is a change TiDB cannot make in place: what, and the way
// around it.
func tidbRefusal(what string) error {
	return fmt.Errorf("TiDB's limit: %s; %s: %w", what, copyTable, errors.ErrUnsupported)
}

// tidbKeyLimit refuses a primary-key change TiDB cannot make (TiDB's
// clustered-index reference: a clustered primary key cannot be added,
// dropped or changed with ALTER TABLE, nor a table converted between
// clustered and non-clustered) and, on TiDB, the swap of a key that holds
// an AUTO_INCREMENT column no other index holds: TiDB drops no index an
// AUTO_INCREMENT column needs (error 1075) and drops and adds the primary
// key in two statements.
func (r *renderer) tidbKeyLimit(c *change.SetPrimaryKey) error {
	t := c.Table.String()
	switch {
	case c.From != nil && c.From.Clustering == clustered:
		return tidbRefusal(fmt.Sprintf("TiDB cannot drop or change the primary key %s of table %s, which is CLUSTERED (the table's rows are stored by it)", formatColumns(c.From.Columns), t))
	case c.To != nil && c.To.Clustering == clustered:
		return tidbRefusal(fmt.Sprintf("TiDB cannot add the CLUSTERED primary key %s to the existing table %s (declare it PRIMARY KEY ... NONCLUSTERED in the desired schema to add it in place)", formatColumns(c.To.Columns), t))
	case r.d.tidb && c.From != nil && c.To != nil:
		if col := r.unindexedAutoIncrement(c.Table, c.From.Columns); col != "" {
			return tidbRefusal(fmt.Sprintf("TiDB cannot change the primary key of table %s while it is the only index on AUTO_INCREMENT column %s (dropping it first is error 1075, and one ALTER TABLE cannot drop and add the primary key)", t, col))
		}
	}
	return nil
}

// unindexedAutoIncrement returns the AUTO_INCREMENT column of cols that no
// unique key or index of table t (in from) holds besides its primary key,
// or "".
func (r *renderer) unindexedAutoIncrement(t change.Ref, cols []string) string {
	if r.from == nil {
		return ""
	}
	ft := r.from.Table(t.Schema, t.Name)
	if ft == nil {
		return ""
	}
	for _, name := range cols {
		col := ft.Column(name)
		if col == nil || !col.AutoIncrement || indexed(ft, name) {
			continue
		}
		return name
	}
	return ""
}

// indexed reports whether a unique key or an index of t holds column col.
func indexed(t *schema.Table, col string) bool {
	for _, k := range t.Uniques {
		if slices.ContainsFunc(k.Columns, func(c string) bool { return strings.EqualFold(c, col) }) {
			return true
		}
	}
	for _, x := range t.Indexes {
		if slices.ContainsFunc(x.Parts, func(p *schema.IndexPart) bool { return strings.EqualFold(p.Column, col) }) {
			return true
		}
	}
	return false
}

// autoRandomLimit refuses a change of AUTO_RANDOM but the one TiDB makes:
// an AUTO_INCREMENT column becoming AUTO_RANDOM (TiDB's AUTO_RANDOM
// reference: ALTER TABLE cannot add, remove or modify the attribute, but
// MODIFY COLUMN switches a BIGINT primary key from AUTO_INCREMENT).
func autoRandomLimit(c *change.AlterColumn) error {
	if c.From.AutoRandom == c.To.AutoRandom || c.From.AutoRandom == "" && c.From.AutoIncrement && !c.To.AutoIncrement {
		return nil
	}
	return tidbRefusal(fmt.Sprintf("TiDB cannot change the AUTO_RANDOM of column %s.%s with ALTER TABLE (from %q to %q)", c.Table, c.To.Name, c.From.AutoRandom, c.To.AutoRandom))
}
