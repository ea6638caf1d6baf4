package e2e

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The random schema generator of TestAutogenerateRandomPairs. A model
// (genSchema) is printed as SQL for one dialect; B is derived from A by
// mutating a deep copy of the model, so that every pair is related. Row
// values are chosen so that they satisfy the constraints of A and B alike
// and survive every type change the generator makes.

// gType is a portable column type.
type gType int

const (
	tInt gType = iota
	tBigint
	tSmallint
	tNumeric
	tVarchar
	tText
	tBool
	tReal
	tDouble
	tDate
	tTimestamp
	tBlob
	nTypes
)

// family groups types whose values convert into each other exactly for
// the values the generator inserts.
func (t gType) family() string {
	switch t {
	case tInt, tBigint, tSmallint, tNumeric:
		return "int"
	case tVarchar, tText:
		return "string"
	case tReal, tDouble:
		return "float"
	}
	return fmt.Sprint(int(t))
}

type gCol struct {
	name     string
	typ      gType
	n        int // varchar length
	p, s     int // numeric precision and scale
	nullable bool
	hasDef   bool
	def      int  // the default's seed; rendered per type
	ref      bool // holds ids of other tables' rows (FK candidate)
}

type gKey struct {
	name   string
	cols   []string
	unique bool // for indexes
}

type gFK struct {
	name, col, parent string
	cascade           bool
}

type gCheck struct{ name, col string }

type gTable struct {
	name    string
	num     int // FKs point only from higher to lower (or equal) numbers
	cols    []*gCol
	uniques []*gKey
	indexes []*gKey
	fks     []*gFK
	checks  []*gCheck
	sec     gSecurity // PostgreSQL only
}

type genSchema struct {
	tables []*gTable
	next   int // name counter shared by every object, so names never collide
}

func (s *genSchema) name(prefix string) string {
	s.next++
	return fmt.Sprintf("%s%d", prefix, s.next)
}

func (s *genSchema) clone() *genSchema {
	c := &genSchema{next: s.next}
	for _, t := range s.tables {
		nt := &gTable{name: t.name, num: t.num}
		for _, col := range t.cols {
			cc := *col
			nt.cols = append(nt.cols, &cc)
		}
		for _, k := range t.uniques {
			nt.uniques = append(nt.uniques, &gKey{name: k.name, cols: slices.Clone(k.cols), unique: k.unique})
		}
		for _, k := range t.indexes {
			nt.indexes = append(nt.indexes, &gKey{name: k.name, cols: slices.Clone(k.cols), unique: k.unique})
		}
		for _, f := range t.fks {
			ff := *f
			nt.fks = append(nt.fks, &ff)
		}
		for _, ch := range t.checks {
			cc := *ch
			nt.checks = append(nt.checks, &cc)
		}
		nt.sec = t.sec.clone()
		c.tables = append(c.tables, nt)
	}
	return c
}

func (s *genSchema) table(name string) *gTable {
	for _, t := range s.tables {
		if t.name == name {
			return t
		}
	}
	return nil
}

func (t *gTable) col(name string) *gCol {
	for _, c := range t.cols {
		if c.name == name {
			return c
		}
	}
	return nil
}

// gen holds one case's random source and dialect.
type gen struct {
	r       *rand.Rand
	dialect string
}

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// newColumn returns a random column of any type, not an FK candidate.
func (g *gen) newColumn(s *genSchema) *gCol {
	c := &gCol{name: s.name("c"), typ: gType(g.pick(int(nTypes)))}
	g.setType(c, c.typ)
	c.nullable = g.chance(0.5)
	if g.chance(0.4) && c.typ != tBlob {
		c.hasDef, c.def = true, 1+g.pick(8)
	}
	return c
}

func (g *gen) setType(c *gCol, t gType) {
	c.typ = t
	switch t {
	case tVarchar:
		c.n = []int{10, 20, 40, 100}[g.pick(4)]
	case tNumeric:
		c.p, c.s = []int{6, 8, 10}[g.pick(3)], []int{0, 2}[g.pick(2)]
	}
}

// newTable returns a table with an id primary key and 2-6 columns.
func (g *gen) newTable(s *genSchema) *gTable {
	t := &gTable{name: s.name("t")}
	t.num = s.next
	t.cols = []*gCol{{name: "id", typ: tInt}}
	for range 2 + g.pick(5) {
		t.cols = append(t.cols, g.newColumn(s))
	}
	return t
}

// indexable reports whether a column may be part of an index or unique
// constraint (unique: of a unique one, where every row's value differs).
func (g *gen) indexable(c *gCol, unique bool) bool {
	switch c.typ {
	case tBlob:
		return false
	case tText:
		return g.dialect != "mysql" // MySQL needs a prefix length
	case tBool:
		return !unique
	}
	return true
}

// constrained reports whether a column takes part in a key, index, FK or
// check of t: such columns keep their type.
func (t *gTable) constrained(col string) bool {
	for _, k := range append(slices.Clone(t.uniques), t.indexes...) {
		if slices.Contains(k.cols, col) {
			return true
		}
	}
	for _, f := range t.fks {
		if f.col == col {
			return true
		}
	}
	for _, ch := range t.checks {
		if ch.col == col {
			return true
		}
	}
	return false
}

// uniquelyKeyed reports whether col is part of a unique constraint or
// unique index of t.
func (t *gTable) uniquelyKeyed(col string) bool {
	for _, k := range append(slices.Clone(t.uniques), t.indexes...) {
		if (k.unique || slices.Contains(t.uniques, k)) && slices.Contains(k.cols, col) {
			return true
		}
	}
	return false
}

// addKey adds a random index (or unique constraint) of 1-2 columns to t.
// When a (schema A, whose tables hold rows) has t, a unique key takes only
// columns of A, whose rows hold distinct values; a new column's default or
// backfill would repeat one value.
func (g *gen) addKey(s *genSchema, t *gTable, constraint bool, a *genSchema) {
	unique := constraint || g.chance(0.4)
	var at *gTable
	if a != nil {
		at = a.table(t.name)
	}
	var cands []string
	for _, c := range t.cols {
		if unique && at != nil && at.col(c.name) == nil {
			continue
		}
		if c.name != "id" && !c.ref && g.indexable(c, unique) {
			cands = append(cands, c.name)
		}
	}
	if len(cands) == 0 {
		return
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	n := 1 + g.pick(min(2, len(cands)))
	if constraint {
		t.uniques = append(t.uniques, &gKey{name: s.name("uq"), cols: cands[:n]})
	} else {
		t.indexes = append(t.indexes, &gKey{name: s.name("ix"), cols: cands[:n], unique: unique})
	}
}

// addCheck adds a check on a random numeric column (col >= 0) or string
// column (col is not the empty string).
func (g *gen) addCheck(s *genSchema, t *gTable) {
	var cands []string
	for _, c := range t.cols {
		if c.name == "id" || c.ref {
			continue
		}
		if f := c.typ.family(); f == "int" || f == "string" || f == "float" {
			cands = append(cands, c.name)
		}
	}
	if len(cands) == 0 {
		return
	}
	t.checks = append(t.checks, &gCheck{name: s.name("ck"), col: cands[g.pick(len(cands))]})
}

// addFK adds a foreign key from t to a table of parents (whose numbers are
// at most t's), on an FK-candidate column without one, or on a new
// nullable column when fresh is allowed.
func (g *gen) addFK(s *genSchema, t *gTable, parents []*gTable, fresh bool) {
	var ps []*gTable
	for _, p := range parents {
		if p.num <= t.num {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return
	}
	p := ps[g.pick(len(ps))]
	var col *gCol
	for _, c := range t.cols {
		if c.ref && !slices.ContainsFunc(t.fks, func(f *gFK) bool { return f.col == c.name }) {
			col = c
			break
		}
	}
	if col == nil {
		if !fresh {
			return
		}
		col = &gCol{name: s.name("ref"), typ: tInt, nullable: true, ref: true}
		t.cols = append(t.cols, col)
	}
	t.fks = append(t.fks, &gFK{name: s.name("fk"), col: col.name, parent: p.name, cascade: g.chance(0.3)})
}

// newSchema returns schema A: 1-4 tables with keys, indexes, checks and
// foreign keys.
func (g *gen) newSchema() *genSchema {
	s := &genSchema{}
	for range 1 + g.pick(4) {
		t := g.newTable(s)
		s.tables = append(s.tables, t)
		if g.chance(0.5) {
			g.addKey(s, t, true, nil)
		}
		for range g.pick(3) {
			g.addKey(s, t, false, nil)
		}
		if g.chance(0.5) {
			g.addCheck(s, t)
		}
		if g.chance(0.6) {
			g.addFK(s, t, s.tables, true)
		}
		g.addSecurity(s, t)
	}
	return s
}

// typeChanges lists the types a column of type t may change to.
func typeChanges(t gType) []gType {
	switch t.family() {
	case "int":
		return []gType{tInt, tBigint, tSmallint, tNumeric, tVarchar, tText}
	case "string":
		return []gType{tVarchar, tText}
	case "float":
		return []gType{tReal, tDouble}
	}
	return nil
}

// mutate derives B from a copy of a by 1-4 random mutations and returns
// it with a description of each.
func (g *gen) mutate(a *genSchema) (*genSchema, []string) {
	b := a.clone()
	var did []string
	for tries := 0; len(did) < 1+g.pick(4) && tries < 50; tries++ {
		if d := g.mutateOnce(b, a); d != "" {
			did = append(did, d)
		}
	}
	return b, did
}

// mutateOnce applies one random mutation to b (a is the original, whose
// tables hold rows) and describes it, or returns "" when the chosen
// mutation does not apply.
func (g *gen) mutateOnce(b, a *genSchema) string {
	if len(b.tables) == 0 {
		t := g.newTable(b)
		b.tables = append(b.tables, t)
		return "add table " + t.name
	}
	t := b.tables[g.pick(len(b.tables))]
	inA := a.table(t.name) != nil
	var cols []*gCol // columns other than id
	for _, c := range t.cols {
		if c.name != "id" {
			cols = append(cols, c)
		}
	}
	switch g.pick(16 + g.securityMutations()) {
	case 0: // add table
		nt := g.newTable(b)
		b.tables = append(b.tables, nt)
		if g.chance(0.5) {
			g.addKey(b, nt, g.chance(0.5), a)
		}
		if g.chance(0.5) {
			g.addFK(b, nt, b.tables, true)
		}
		return "add table " + nt.name
	case 1: // drop table
		if len(b.tables) < 2 {
			return ""
		}
		// Not a parent of another table of A: the downgrade recreates it
		// empty and cannot re-add the children's foreign keys while their
		// rows reference it. That is by design (docs/decisions.md, "Downgrades
		// of dropped columns and tables"): migrate warns, and the downgrade
		// fails without changing anything
		// (cli/testdata/script/autogen_drop_downgrade.txtar, case 3).
		if at := a.table(t.name); at != nil {
			for _, o := range a.tables {
				if o != at && slices.ContainsFunc(o.fks, func(f *gFK) bool { return f.parent == t.name }) {
					return ""
				}
			}
		}
		b.tables = slices.DeleteFunc(b.tables, func(x *gTable) bool { return x == t })
		for _, o := range b.tables {
			o.fks = slices.DeleteFunc(o.fks, func(f *gFK) bool { return f.parent == t.name })
		}
		return "drop table " + t.name
	case 2: // add column
		c := g.newColumn(b)
		t.cols = append(t.cols, c)
		return fmt.Sprintf("add column %s.%s (null=%v default=%v)", t.name, c.name, c.nullable, c.hasDef)
	case 3: // drop column
		// The downgrade re-adds the column; backfill supplies the value
		// for its rows where it is NOT NULL without a default, or NOT NULL
		// in a unique key (an expression per row, which rowExpr has only
		// for numbers and strings). A nullable column with a default in a
		// unique key comes back NULL.
		var cands []*gCol
		for _, c := range cols {
			if c.nullable || !t.uniquelyKeyed(c.name) || rowExpr(c) != "" {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return ""
		}
		c := cands[g.pick(len(cands))]
		t.cols = slices.DeleteFunc(t.cols, func(x *gCol) bool { return x == c })
		has := func(k *gKey) bool { return slices.Contains(k.cols, c.name) }
		t.uniques = slices.DeleteFunc(t.uniques, has)
		t.indexes = slices.DeleteFunc(t.indexes, has)
		t.fks = slices.DeleteFunc(t.fks, func(f *gFK) bool { return f.col == c.name })
		t.checks = slices.DeleteFunc(t.checks, func(ch *gCheck) bool { return ch.col == c.name })
		t.sec.dropColumn(c.name)
		return "drop column " + t.name + "." + c.name
	case 4, 5: // alter column type
		var cands []*gCol
		for _, c := range cols {
			if !c.ref && !t.constrained(c.name) && typeChanges(c.typ) != nil {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return ""
		}
		c := cands[g.pick(len(cands))]
		to := typeChanges(c.typ)
		old := *c
		g.setType(c, to[g.pick(len(to))])
		if c.typ == old.typ && c.n == old.n && c.p == old.p && c.s == old.s {
			return ""
		}
		return fmt.Sprintf("alter column %s.%s type %s -> %s", t.name, c.name, typeSQL(g.dialect, &old), typeSQL(g.dialect, c))
	case 6: // alter nullability
		if len(cols) == 0 {
			return ""
		}
		c := cols[g.pick(len(cols))]
		c.nullable = !c.nullable
		return fmt.Sprintf("alter column %s.%s nullable=%v", t.name, c.name, c.nullable)
	case 7: // alter default
		var cands []*gCol
		for _, c := range cols {
			if c.typ != tBlob && !c.ref {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return ""
		}
		c := cands[g.pick(len(cands))]
		switch {
		case c.hasDef && g.chance(0.5):
			c.hasDef = false
		case c.hasDef:
			c.def = c.def%8 + 1
		default:
			c.hasDef, c.def = true, 1+g.pick(8)
		}
		return fmt.Sprintf("alter column %s.%s default=%v", t.name, c.name, c.hasDef)
	case 8: // add index
		n := len(t.indexes)
		g.addKey(b, t, false, a)
		if len(t.indexes) == n {
			return ""
		}
		return "add index on " + t.name
	case 9: // drop index or unique constraint
		if len(t.indexes) > 0 && (len(t.uniques) == 0 || g.chance(0.5)) {
			i := g.pick(len(t.indexes))
			t.indexes = slices.Delete(t.indexes, i, i+1)
			return "drop index on " + t.name
		}
		if len(t.uniques) > 0 {
			i := g.pick(len(t.uniques))
			t.uniques = slices.Delete(t.uniques, i, i+1)
			return "drop unique on " + t.name
		}
		return ""
	case 10: // add unique constraint (rows of A must satisfy it)
		n := len(t.uniques)
		g.addKey(b, t, true, a)
		if len(t.uniques) == n {
			return ""
		}
		return "add unique on " + t.name
	case 11: // add FK: to a table of A that keeps its rows, or any for a new table
		var parents []*gTable
		for _, p := range b.tables {
			if !inA || a.table(p.name) != nil {
				parents = append(parents, p)
			}
		}
		n := len(t.fks)
		g.addFK(b, t, parents, true)
		if len(t.fks) == n {
			return ""
		}
		return "add foreign key on " + t.name
	case 12: // drop FK
		if len(t.fks) == 0 {
			return ""
		}
		i := g.pick(len(t.fks))
		t.fks = slices.Delete(t.fks, i, i+1)
		return "drop foreign key on " + t.name
	case 13: // add or drop check
		if len(t.checks) > 0 && g.chance(0.5) {
			i := g.pick(len(t.checks))
			t.checks = slices.Delete(t.checks, i, i+1)
			return "drop check on " + t.name
		}
		n := len(t.checks)
		g.addCheck(b, t)
		if len(t.checks) == n {
			return ""
		}
		return "add check on " + t.name
	case 14: // change a foreign key's ON DELETE action
		if len(t.fks) == 0 {
			return ""
		}
		f := t.fks[g.pick(len(t.fks))]
		f.cascade = !f.cascade
		return fmt.Sprintf("foreign key %s on %s cascade=%v", f.name, t.name, f.cascade)
	case 15: // make an index unique or not
		if len(t.indexes) == 0 {
			return ""
		}
		k := t.indexes[g.pick(len(t.indexes))]
		if !k.unique {
			var at *gTable
			if inA {
				at = a.table(t.name)
			}
			for _, name := range k.cols {
				if at != nil && at.col(name) == nil || !g.indexable(t.col(name), true) {
					return ""
				}
			}
		}
		k.unique = !k.unique
		return fmt.Sprintf("index %s on %s unique=%v", k.name, t.name, k.unique)
	case 16, 17, 18: // PostgreSQL: security, policies, exclusions, grants
		return g.mutateSecurity(b, a, t)
	}
	return ""
}

// typeSQL spells a column type for a dialect.
func typeSQL(dialect string, c *gCol) string {
	my := dialect == "mysql"
	switch c.typ {
	case tInt:
		return "INTEGER"
	case tBigint:
		return "BIGINT"
	case tSmallint:
		return "SMALLINT"
	case tNumeric:
		if my {
			return fmt.Sprintf("DECIMAL(%d,%d)", c.p, c.s)
		}
		return fmt.Sprintf("NUMERIC(%d,%d)", c.p, c.s)
	case tVarchar:
		return fmt.Sprintf("VARCHAR(%d)", c.n)
	case tText:
		return "TEXT"
	case tBool:
		return "BOOLEAN"
	case tReal:
		if my {
			return "FLOAT"
		}
		return "REAL"
	case tDouble:
		if my {
			return "DOUBLE"
		}
		return "DOUBLE PRECISION"
	case tDate:
		return "DATE"
	case tTimestamp:
		if my {
			return "DATETIME"
		}
		return "TIMESTAMP"
	case tBlob:
		if dialect == "postgres" {
			return "BYTEA"
		}
		return "BLOB"
	}
	panic("unknown type")
}

// literal renders value seed k as a SQL literal of c's type.
func literal(dialect string, c *gCol, k int) string {
	switch c.typ.family() {
	case "int":
		return fmt.Sprint(k)
	case "float":
		return fmt.Sprintf("%d.5", k)
	case "string":
		return fmt.Sprintf("'d%d'", k)
	}
	switch c.typ {
	case tBool:
		if k%2 == 0 {
			return "FALSE"
		}
		return "TRUE"
	case tDate:
		return fmt.Sprintf("'2024-02-%02d'", k%28+1)
	case tTimestamp:
		return fmt.Sprintf("'2024-02-%02d 10:11:12'", k%28+1)
	case tBlob:
		if dialect == "postgres" {
			return `'\x0102'`
		}
		return "X'0102'"
	}
	panic("unknown type")
}

// sql prints s as a script of dialect: tables in order, foreign keys
// inline for SQLite (which cannot add them later) and as ALTER TABLE
// after every table for the servers.
func (s *genSchema) sql(dialect string) string {
	var b, fks strings.Builder
	for _, t := range s.tables {
		fmt.Fprintf(&b, "CREATE TABLE %s (\n    id INTEGER NOT NULL PRIMARY KEY", t.name)
		for _, c := range t.cols[1:] {
			fmt.Fprintf(&b, ",\n    %s %s", c.name, typeSQL(dialect, c))
			if !c.nullable {
				b.WriteString(" NOT NULL")
			}
			if c.hasDef {
				b.WriteString(" DEFAULT " + literal(dialect, c, c.def))
			}
		}
		for _, k := range t.uniques {
			fmt.Fprintf(&b, ",\n    CONSTRAINT %s UNIQUE (%s)", k.name, strings.Join(k.cols, ", "))
		}
		for _, ch := range t.checks {
			fmt.Fprintf(&b, ",\n    CONSTRAINT %s CHECK (%s)", ch.name, checkExpr(t.col(ch.col)))
		}
		for _, f := range t.fks {
			def := fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id)", f.name, f.col, f.parent)
			if f.cascade {
				def += " ON DELETE CASCADE"
			}
			if dialect == "sqlite" {
				b.WriteString(",\n    " + def)
			} else {
				fmt.Fprintf(&fks, "ALTER TABLE %s ADD %s;\n", t.name, def)
			}
		}
		b.WriteString("\n);\n")
		for _, k := range t.indexes {
			u := ""
			if k.unique {
				u = "UNIQUE "
			}
			fmt.Fprintf(&b, "CREATE %sINDEX %s ON %s (%s);\n", u, k.name, t.name, strings.Join(k.cols, ", "))
		}
		b.WriteString(t.sec.sql(t.name))
	}
	b.WriteString(fks.String())
	return b.String()
}

func checkExpr(c *gCol) string {
	if c.typ.family() == "string" {
		return c.name + " <> ''"
	}
	return c.name + " >= 0"
}

// dropSQL drops s's tables, children first.
func (s *genSchema) dropSQL() string {
	var b strings.Builder
	for i := len(s.tables) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "DROP TABLE %s;\n", s.tables[i].name)
	}
	return b.String()
}

// rowCount is the number of rows inserted into each table of A.
const rowCount = 3

// value is the value row i (1-based) holds in column j of a table, as a
// Go value for a bind parameter; nil leaves it NULL. Every column's values
// differ from row to row (so unique constraints hold), satisfy the checks
// (non-negative, non-empty), fit every type of the column's family, and FK
// candidates hold ids 1..rowCount, which every table of A has.
func value(c *gCol, i, j int, null bool) any {
	if null {
		return nil
	}
	if c.name == "id" || c.ref {
		return int64(i)
	}
	switch c.typ.family() {
	case "int":
		return int64(10*i + j%10)
	case "float":
		return float64(10*i+j%10) + 0.5
	case "string":
		return fmt.Sprintf("s%d_%d", i, j)
	}
	switch c.typ {
	case tBool:
		return i%2 == 1
	case tDate:
		return fmt.Sprintf("2024-01-%02d", i)
	case tTimestamp:
		return fmt.Sprintf("2024-01-%02d 10:20:%02d", i, j%60)
	case tBlob:
		return []byte{byte(i), byte(j), 0xfe}
	}
	panic("unknown type")
}

// rowExpr returns an SQL expression of c's type that differs from row to
// row of every dialect's table (its id), or "" for types without one here.
func rowExpr(c *gCol) string {
	switch c.typ.family() {
	case "int", "float":
		return "id"
	case "string":
		return "CAST(id AS CHAR)"
	}
	return ""
}

// backfill returns the Backfill entries B needs: every NOT NULL column
// of a table of A that is new there without a default, or was nullable in
// A; and, for the downgrade, every NOT NULL column that B drops from a
// table it keeps, without a default or in a unique key (rowExpr).
func backfill(dialect string, a, b *genSchema) map[string]string {
	m := map[string]string{}
	for _, at := range a.tables {
		t := b.table(at.name)
		if t == nil {
			continue
		}
		for _, c := range at.cols {
			if c.nullable || t.col(c.name) != nil {
				continue
			}
			switch {
			case at.uniquelyKeyed(c.name):
				m[at.name+"."+c.name] = rowExpr(c)
			case c.ref:
				m[at.name+"."+c.name] = "1" // an id every table of A has
			case !c.hasDef:
				m[at.name+"."+c.name] = literal(dialect, c, 7)
			}
		}
	}
	for _, t := range b.tables {
		at := a.table(t.name)
		if at == nil {
			continue
		}
		for _, c := range t.cols {
			if c.nullable || c.name == "id" {
				continue
			}
			// A default fills a new column's rows, but not the NULLs a
			// column already holds when it becomes NOT NULL.
			if ac := at.col(c.name); ac == nil && !c.hasDef || ac != nil && ac.nullable {
				v := literal(dialect, c, 7)
				if c.ref {
					v = "1" // an id every table of A has
				}
				m[t.name+"."+c.name] = v
			}
		}
	}
	return m
}
