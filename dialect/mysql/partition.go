package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// inspectPartitions reads the partitioning of the tables whose
// CREATE_OPTIONS say "partitioned", in one query of
// information_schema.PARTITIONS (none when no table is partitioned).
// Subpartitioned tables and SYSTEM_TIME partitioning are not represented
// and are reported.
func (i *inspector) inspectPartitions(ctx context.Context) error {
	if len(i.partitioned) == 0 {
		return nil
	}
	const q = `SELECT TABLE_NAME, PARTITION_NAME, COALESCE(SUBPARTITION_NAME, ''), PARTITION_METHOD,
	COALESCE(PARTITION_EXPRESSION, ''), COALESCE(PARTITION_DESCRIPTION, ''), COALESCE(PARTITION_COMMENT, '')
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL
ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION`
	parts := map[string]*schema.Partitioning{}
	unrepresented := map[string]string{}
	err := i.scanAll(ctx, "partitions", q, func(rows *sql.Rows) error {
		var table, name, sub, method, expr, values, comment string
		if err := rows.Scan(&table, &name, &sub, &method, &expr, &values, &comment); err != nil {
			return err
		}
		switch {
		case i.tables[table] == nil:
			return nil
		case sub != "":
			unrepresented[table] = "subpartitioning"
		case method == "SYSTEM_TIME":
			unrepresented[table] = "partitioning by SYSTEM_TIME"
		}
		p := parts[table]
		if p == nil {
			p = &schema.Partitioning{Method: method, Expr: expr}
			parts[table] = p
		}
		if n := len(p.Partitions); n > 0 && p.Partitions[n-1].Name == name {
			return nil // another subpartition of the same partition
		}
		if method == "LIST COLUMNS" && strings.HasPrefix(strings.TrimPrefix(values, "("), "MAXVALUE") {
			// How MariaDB describes a DEFAULT partition: LIST values
			// cannot be MAXVALUE.
			values = "DEFAULT"
		}
		p.Partitions = append(p.Partitions, &schema.Partition{Name: name, Values: values, Comment: comment})
		return nil
	})
	if err != nil {
		return err
	}
	for _, table := range i.partitioned {
		p := parts[table]
		switch {
		case p == nil:
		case unrepresented[table] != "":
			i.unrepf("partitioning", table, "PARTITION", "table %s: %s not represented", table, unrepresented[table])
		default:
			if err := i.listDefault(ctx, table, p); err != nil {
				return err
			}
			i.tables[table].Options.Partitioning = p
		}
	}
	return nil
}

// listDefault finds the DEFAULT partition of a LIST table: MariaDB
// describes it as "0", like VALUES IN (0), so only SHOW CREATE TABLE tells
// them apart. It runs only for a LIST table that has such a partition.
func (i *inspector) listDefault(ctx context.Context, table string, p *schema.Partitioning) error {
	if p.Method != "LIST" {
		return nil
	}
	var zero []*schema.Partition
	for _, part := range p.Partitions {
		if part.Values == "0" {
			zero = append(zero, part)
		}
	}
	if len(zero) == 0 {
		return nil
	}
	rows, err := i.query(ctx, "create statement of table "+table, "SHOW CREATE TABLE "+backquote(table))
	if err != nil {
		return err
	}
	defer rows.Close()
	var name, create string
	if rows.Next() {
		if err := rows.Scan(&name, &create); err != nil {
			return fmt.Errorf("mysql: inspect create statement of table %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mysql: inspect create statement of table %s: %w", table, err)
	}
	for _, part := range zero {
		if strings.Contains(create, "PARTITION "+backquote(part.Name)+" DEFAULT") {
			part.Values = "DEFAULT"
		}
	}
	return rows.Close()
}

// formatPartitioning prints the PARTITION BY clause of formatTable, on a
// line of its own.
func formatPartitioning(b *strings.Builder, p *schema.Partitioning) {
	if p == nil {
		return
	}
	b.WriteString("\n" + partitionBy(p))
}

// partitionBy is the whole PARTITION BY clause of p. HASH and KEY tables
// whose partitions have the server's names (p0, p1, ...) and no comment
// print PARTITIONS n, as they are usually written.
func partitionBy(p *schema.Partitioning) string {
	s := "PARTITION BY " + p.Method + " (" + p.Expr + ")"
	if n, ok := defaultNamed(p); ok {
		return s + " PARTITIONS " + strconv.Itoa(n)
	}
	return s + "\n" + partitionList(p.Method, p.Partitions)
}

// partitionList prints partition definitions in parentheses, one a line.
func partitionList(method string, parts []*schema.Partition) string {
	defs := make([]string, len(parts))
	for k, part := range parts {
		defs[k] = partitionDef(method, part)
	}
	return "(" + strings.Join(defs, ",\n ") + ")"
}

func partitionDef(method string, part *schema.Partition) string {
	s := "PARTITION " + quoteIdentIfNeeded(part.Name)
	switch {
	case part.Values == "DEFAULT":
		s += " DEFAULT"
	case method == "RANGE" && part.Values == "MAXVALUE":
		s += " VALUES LESS THAN MAXVALUE"
	case strings.HasPrefix(method, "RANGE"):
		s += " VALUES LESS THAN (" + part.Values + ")"
	case strings.HasPrefix(method, "LIST"):
		s += " VALUES IN (" + part.Values + ")"
	}
	if part.Comment != "" {
		s += " COMMENT " + formatLiteral(part.Comment)
	}
	return s
}

// hashed reports a HASH or KEY partitioning, whose partitions hold no
// values.
func hashed(p *schema.Partitioning) bool {
	return strings.HasSuffix(p.Method, "HASH") || strings.HasSuffix(p.Method, "KEY")
}

// defaultNamed returns the number of partitions of a HASH or KEY table
// whose partitions are named p0, p1, ... without comments.
func defaultNamed(p *schema.Partitioning) (int, bool) {
	if !hashed(p) {
		return 0, false
	}
	for k, part := range p.Partitions {
		if part.Name != "p"+strconv.Itoa(k) || part.Comment != "" {
			return 0, false
		}
	}
	return len(p.Partitions), true
}

// AlterPartitioning changes c's table's partitioning in one ALTER TABLE.
func (r *renderer) AlterPartitioning(c *change.AlterPartitioning) error {
	r.emit(r.alter(c.Table, alterPartitioning(c.From, c.To)))
	return nil
}

// alterPartitioning returns the ALTER TABLE clause that takes a table from
// partitioning from to to (either nil for none). Within one RANGE or LIST
// partitioning the partitions both sides share at the start and at the
// end stay; the run between them is added (ADD PARTITION, at the end),
// dropped (DROP PARTITION, which deletes its rows: only where no
// neighbour can take them) or reorganized (REORGANIZE PARTITION, which
// keeps every row; a RANGE run takes in the next partition so that the
// range it covers stays the same). HASH and KEY tables with the server's
// partition names change their number (ADD PARTITION PARTITIONS n,
// COALESCE PARTITION n). Anything else repartitions the whole table with
// PARTITION BY, which keeps every row or fails, changing nothing, when a
// row fits no partition.
func alterPartitioning(from, to *schema.Partitioning) string {
	switch {
	case to == nil:
		return "REMOVE PARTITIONING"
	case from == nil || from.Method != to.Method || from.Expr != to.Expr:
		return partitionBy(to)
	case hashed(to):
		if s := resizeHashed(from, to); s != "" {
			return s
		}
		return partitionBy(to)
	}
	if s := changeRun(from, to); s != "" {
		return s
	}
	return partitionBy(to)
}

// resizeHashed changes the number of partitions of a HASH or KEY table
// whose partitions have the server's names, or returns "".
func resizeHashed(from, to *schema.Partitioning) string {
	nf, okf := defaultNamed(from)
	nt, okt := defaultNamed(to)
	switch {
	case !okf || !okt:
		return ""
	case nt > nf:
		return "ADD PARTITION PARTITIONS " + strconv.Itoa(nt-nf)
	}
	return "COALESCE PARTITION " + strconv.Itoa(nf-nt)
}

// changeRun is the ADD, DROP or REORGANIZE PARTITION clause for a RANGE or
// LIST table, or "" when none applies.
func changeRun(from, to *schema.Partitioning) string {
	fp, tp := from.Partitions, to.Partitions
	pre := 0
	for pre < len(fp) && pre < len(tp) && *fp[pre] == *tp[pre] {
		pre++
	}
	suf := 0
	for suf < len(fp)-pre && suf < len(tp)-pre && *fp[len(fp)-1-suf] == *tp[len(tp)-1-suf] {
		suf++
	}
	f, t := fp[pre:len(fp)-suf], tp[pre:len(tp)-suf]
	rng := strings.HasPrefix(to.Method, "RANGE")
	switch {
	case len(f) == 0 && suf == 0:
		return "ADD PARTITION " + partitionList(to.Method, t)
	case len(t) == 0 && (suf == 0 || !rng):
		names := make([]string, len(f))
		for k, part := range f {
			names[k] = quoteIdentIfNeeded(part.Name)
		}
		return "DROP PARTITION " + strings.Join(names, ", ")
	case suf > 0 && (len(f) == 0 || rng && (len(t) == 0 || f[len(f)-1].Values != t[len(t)-1].Values)):
		// The run ends where the next partition begins: take that one in,
		// so that a RANGE run covers the same range on both sides and
		// LIST partitions keep their place.
		f, t = fp[pre:len(fp)-suf+1], tp[pre:len(tp)-suf+1]
	case rng && f[len(f)-1].Values != t[len(t)-1].Values:
		return "" // the table's whole range changes
	}
	names := make([]string, len(f))
	for k, part := range f {
		names[k] = quoteIdentIfNeeded(part.Name)
	}
	return "REORGANIZE PARTITION " + strings.Join(names, ", ") + " INTO " + partitionList(to.Method, t)
}
