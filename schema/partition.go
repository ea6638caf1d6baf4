package schema

import "slices"

// Partitioning is how a MySQL or MariaDB table is split into partitions
// (PARTITION BY). It is kept as information_schema.PARTITIONS reports it,
// so two tables that went through the same server compare as text.
type Partitioning struct {
	// Method is PARTITION_METHOD: "RANGE", "LIST", "RANGE COLUMNS",
	// "LIST COLUMNS", "HASH", "LINEAR HASH", "KEY" or "LINEAR KEY".
	Method string `json:"method"`
	// Expr is PARTITION_EXPRESSION: the expression or column list the
	// method reads ("`y`", "year(`d`)", "`a`,`d`"); empty for KEY () on
	// the primary key.
	Expr string `json:"expr,omitempty"`
	// Partitions in their order (PARTITION_ORDINAL_POSITION).
	Partitions []*Partition `json:"partitions"`
}

// Partition is one partition of a partitioned table.
type Partition struct {
	Name string `json:"name"`
	// Values is PARTITION_DESCRIPTION: a RANGE partition's upper bound
	// ("2000", "MAXVALUE", "5,'2020-01-01'"), a LIST partition's values
	// ("NULL,1", "(1,'a'),(2,'b')"), "DEFAULT" for a LIST partition that
	// takes every other value, empty for HASH and KEY.
	Values  string `json:"values,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// Equal reports whether p and o describe the same partitioning; either
// may be nil (not partitioned).
func (p *Partitioning) Equal(o *Partitioning) bool {
	if p == nil || o == nil {
		return p == o
	}
	return p.Method == o.Method && p.Expr == o.Expr &&
		slices.EqualFunc(p.Partitions, o.Partitions, func(a, b *Partition) bool { return *a == *b })
}
