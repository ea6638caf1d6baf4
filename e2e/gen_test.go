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
	// tJSON is MySQL/MariaDB's JSON (MariaDB: longtext with a column-level
	// json_valid() check), chosen apart from the types above.
	tJSON
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

// gFK is a foreign key on one column. On MySQL/MariaDB an inline one is
// written in CREATE TABLE (InnoDB then makes its own index for it, named
// after the key, or after the column when unnamed), else as ALTER TABLE.
type gFK struct {
	name, col, parent string
	cascade           bool
	inline, unnamed   bool
}

// gCheck is a check on one column; an inline one is written in the
// column's definition, unnamed (MariaDB keeps it as a column-level check
// named after the column).
type gCheck struct {
	name, col string
	inline    bool
}

type gTable struct {
	name    string
	num     int // FKs point only from higher to lower (or equal) numbers
	cols    []*gCol
	uniques []*gKey
	indexes []*gKey
	fks     []*gFK
	checks  []*gCheck
	sec     gSecurity // PostgreSQL only
	// MySQL only (gen_mysql_test.go): HASH partitions (0: none) and
	// table options.
	parts int
	opts  string
	// pk2 is a second primary key column beside id ("" for none);
	// autoInc makes id AUTO_INCREMENT (MySQL/MariaDB).
	pk2     string
	autoInc bool
}

type genSchema struct {
	tables []*gTable
	events []*gEvent // MySQL only
	next   int       // name counter shared by every object, so names never collide
}

func (s *genSchema) name(prefix string) string {
	s.next++
	return fmt.Sprintf("%s%d", prefix, s.next)
}

func (s *genSchema) clone() *genSchema {
	c := &genSchema{next: s.next}
	for _, e := range s.events {
		ee := *e
		c.events = append(c.events, &ee)
	}
	for _, t := range s.tables {
		nt := &gTable{name: t.name, num: t.num, parts: t.parts, opts: t.opts, pk2: t.pk2, autoInc: t.autoInc}
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

// table finds a table by name without regard to case: the names that
// mixCase respells are one name to the servers it runs on, and nothing
// else makes two names that differ only in case.
func (s *genSchema) table(name string) *gTable {
	for _, t := range s.tables {
		if strings.EqualFold(t.name, name) {
			return t
		}
	}
	return nil
}

// col finds a column by name without regard to case (see table).
func (t *gTable) col(name string) *gCol {
	for _, c := range t.cols {
		if strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

// gen holds one case's random source and dialect.
type gen struct {
	r       *rand.Rand
	dialect string
	// shape is the key shape (keyShapes) that this case tries first and
	// always: consecutive seeds take turns, so that any run of
	// nKeyShapes seeds tries each one.
	shape int
}

func (g *gen) pick(n int) int { return g.r.IntN(n) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// newColumn returns a random column of any type, not an FK candidate.
func (g *gen) newColumn(s *genSchema) *gCol {
	c := &gCol{name: s.name("c"), typ: gType(g.pick(int(nTypes)))}
	if g.dialect == "mysql" && g.chance(0.1) {
		c.typ = tJSON
	}
	g.setType(c, c.typ)
	c.nullable = g.chance(0.5)
	if g.chance(0.4) && c.typ != tBlob && c.typ != tJSON {
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
	t := &gTable{name: s.name("t"), autoInc: g.dialect == "mysql" && g.chance(0.4)}
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
	case tBlob, tJSON:
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
	if col == t.pk2 {
		return true
	}
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
	if unique && t.parts > 0 {
		return // a unique key must hold the partitioning column
	}
	var at *gTable
	if a != nil {
		at = a.table(t.name)
	}
	var cands, refs []string
	for _, c := range t.cols {
		if unique && at != nil && at.col(c.name) == nil {
			continue
		}
		switch {
		case c.name == "id" || !g.indexable(c, unique):
		case c.ref:
			refs = append(refs, c.name)
		default:
			cands = append(cands, c.name)
		}
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	// An index that backs a foreign key: its column leads (InnoDB's own
	// index for the key goes, or must stay, as indexes come and go).
	if !constraint && len(refs) > 0 && g.chance(0.5) {
		cands = append([]string{refs[g.pick(len(refs))]}, cands...)
	}
	if len(cands) == 0 {
		return
	}
	n := 1 + g.pick(min(2, len(cands)))
	if constraint {
		t.uniques = append(t.uniques, &gKey{name: s.name("uq"), cols: cands[:n]})
	} else {
		t.indexes = append(t.indexes, &gKey{name: s.name("ix"), cols: cands[:n], unique: unique})
	}
}

// addBackingIndex adds an index of t's own that backs one of its foreign
// keys (the key's column leads, alone or with another column), in place
// of InnoDB's own index for the key on MySQL/MariaDB: the index that the
// mutations of issue 12 replace, reuse the name of, or extend by a new
// column while the key stays.
func (g *gen) addBackingIndex(s *genSchema, t *gTable) {
	var fks []*gFK
	for _, f := range t.fks {
		if !slices.ContainsFunc(t.indexes, func(k *gKey) bool { return k.cols[0] == f.col }) {
			fks = append(fks, f)
		}
	}
	if len(fks) == 0 {
		return
	}
	cols := []string{fks[g.pick(len(fks))].col}
	var cands []string
	for _, c := range t.cols {
		if c.name != "id" && !c.ref && g.indexable(c, false) {
			cands = append(cands, c.name)
		}
	}
	if len(cands) > 0 && g.chance(0.5) {
		cols = append(cols, cands[g.pick(len(cands))])
	}
	// Named to sort before the other indexes ("ix..."), as c_pid_fk_idx
	// does before c_pid_idx in the issue: a drop of another index whose
	// name its replacement reuses then comes after its own drop.
	t.indexes = append(t.indexes, &gKey{name: s.name("bx"), cols: cols})
}

// backingIndexes returns the indexes of t whose first column is the
// column of one of t's foreign keys.
func (t *gTable) backingIndexes() []*gKey {
	var out []*gKey
	for _, k := range t.indexes {
		if slices.ContainsFunc(t.fks, func(f *gFK) bool { return f.col == k.cols[0] }) {
			out = append(out, k)
		}
	}
	return out
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
	col := cands[g.pick(len(cands))]
	// One inline check per column: MariaDB names it after the column.
	inline := g.chance(0.5) && !slices.ContainsFunc(t.checks, func(ch *gCheck) bool { return ch.col == col && ch.inline })
	t.checks = append(t.checks, &gCheck{name: s.name("ck"), col: col, inline: inline})
}

// addFK adds a foreign key from t to a table of parents (whose numbers are
// at most t's), on an FK-candidate column without one, or on a new
// nullable column when fresh is allowed.
func (g *gen) addFK(s *genSchema, t *gTable, parents []*gTable, fresh bool) {
	if t.parts > 0 {
		return // partitioned tables have no foreign keys
	}
	var ps []*gTable
	for _, p := range parents {
		if p.num <= t.num && p.parts == 0 && p.pk2 == "" {
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
	f := &gFK{name: s.name("fk"), col: col.name, parent: p.name, cascade: g.chance(0.3)}
	if g.dialect == "mysql" && g.chance(0.5) {
		f.inline, f.unnamed = true, g.chance(0.7)
	}
	t.fks = append(t.fks, f)
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
			if g.chance(0.5) {
				g.addBackingIndex(s, t)
			}
		}
		g.addSecurity(s, t)
	}
	if g.dialect == "mysql" {
		g.newMySQL(s)
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
	if g.dialect == "mysql" {
		did = g.keyShapes(b, a)
	}
	for tries := 0; len(did) < 1+g.pick(4) && tries < 50; tries++ {
		if d := g.mutateOnce(b, a); d != "" {
			did = append(did, d)
		}
	}
	return b, did
}

// nKeyShapes is the number of shapes of keyShapes.
const nKeyShapes = 5

// keyShapes applies to b the shape g.shape and each other one with chance
// 0.3, of the shapes that MySQL/MariaDB's renderer must order by a rule of
// its own (issue 12), each on the first table of A where it applies: a backing index of a
// foreign key replaced by one that reuses another index's name, a backing
// index (or any key) replaced by one over a column added in the same
// revision, an index added where InnoDB's own serves a key (InnoDB then
// drops its own), a column dropped with its column-level check, an
// unnamed foreign key that InnoDB's own index serves pointed at another
// table. It describes those it applied.
func (g *gen) keyShapes(b, a *genSchema) []string {
	var did []string
	order := append([]int{g.shape}, slices.DeleteFunc(g.r.Perm(nKeyShapes), func(k int) bool { return k == g.shape })...)
	for i, shape := range order {
		if i > 0 && !g.chance(0.3) {
			continue
		}
		tables := slices.Clone(b.tables)
		g.r.Shuffle(len(tables), func(i, j int) { tables[i], tables[j] = tables[j], tables[i] })
		for _, t := range tables {
			if a.table(t.name) == nil {
				continue
			}
			if d := g.applyKeyShape(shape, b, t, a); d != "" {
				did = append(did, d)
				break
			}
		}
	}
	return did
}

// applyKeyShape applies shape number shape of keyShapes to table t of b,
// or returns "" when it does not apply there.
func (g *gen) applyKeyShape(shape int, b *genSchema, t *gTable, a *genSchema) string {
	switch shape {
	case 0:
		return g.replaceBackingIndex(b, t, a)
	case 1:
		return g.keyOverNewColumn(b, t)
	case 2:
		n := len(t.indexes)
		if g.addBackingIndex(b, t); len(t.indexes) > n {
			return "index over the foreign key column of " + t.name
		}
	case 3:
		if slices.ContainsFunc(t.cols, t.ownCheck) {
			return g.dropColumn(t, t.cols[1:], true)
		}
	case 4:
		// An unnamed key served by InnoDB's own index (named after the
		// column), which adding the key again renames after the key.
		return g.repoint(b, t, a, slices.DeleteFunc(slices.Clone(t.fks), func(f *gFK) bool {
			return !f.unnamed || slices.ContainsFunc(t.indexes, func(k *gKey) bool { return k.cols[0] == f.col })
		}))
	}
	return ""
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
	if g.dialect == "mysql" && g.chance(0.25) {
		if d := g.mutateMySQL(b, t); d != "" {
			return d
		}
	}
	inA := a.table(t.name) != nil
	var cols []*gCol // columns other than id
	for _, c := range t.cols {
		if c.name != "id" {
			cols = append(cols, c)
		}
	}
	// The four shapes of issues 12 and 19 (16-19) come twice as often;
	// PostgreSQL's security mutation, where it applies, is number 20.
	k := g.pick(24 + g.securityMutations())
	switch {
	case k >= 24:
		k = 20
	case k >= 20:
		k -= 4
	}
	switch k {
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
		return g.dropColumn(t, cols, g.dialect == "mysql" && g.chance(0.5))
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
		if c.name == t.pk2 {
			return ""
		}
		c.nullable = !c.nullable
		return fmt.Sprintf("alter column %s.%s nullable=%v", t.name, c.name, c.nullable)
	case 7: // alter default
		var cands []*gCol
		for _, c := range cols {
			if c.typ != tBlob && c.typ != tJSON && !c.ref {
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
		if !k.unique && t.parts > 0 {
			return ""
		}
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
	case 16:
		if g.chance(0.5) {
			if d := g.replaceBackingIndex(b, t, a); d != "" {
				return d
			}
		}
		return g.reuseIndexName(b, t, a)
	case 17:
		return g.keyOverNewColumn(b, t)
	case 18:
		return g.repointFK(b, t, a)
	case 19:
		return g.changePrimaryKey(b, t, a)
	case 20: // PostgreSQL: row-level security, policies, exclusion constraints
		return g.mutateSecurity(b, a, t)
	}
	return ""
}

// reuseIndexName replaces an index of t by another one of the same name
// over other columns: the old one must go before the new one comes.
func (g *gen) reuseIndexName(b *genSchema, t *gTable, a *genSchema) string {
	if len(t.indexes) == 0 {
		return ""
	}
	i := g.pick(len(t.indexes))
	old := t.indexes[i]
	n := len(t.indexes)
	g.addKey(b, t, false, a)
	if len(t.indexes) == n {
		return ""
	}
	nk := t.indexes[n]
	if slices.Equal(nk.cols, old.cols) {
		t.indexes = t.indexes[:n]
		return ""
	}
	nk.name = old.name
	t.indexes = slices.Delete(t.indexes, i, i+1)
	return fmt.Sprintf("index %s on %s now over (%s)", nk.name, t.name, strings.Join(nk.cols, ", "))
}

// dropColumn drops a column of t (cols: its columns other than id), with
// its keys, foreign keys and checks; with own, one that has a check of its
// own when t has one: MariaDB keeps a check written in the column (and a
// JSON column's json_valid()) as the column's, which goes with the column
// and cannot be dropped by name.
//
// The downgrade re-adds the column; backfill supplies the value for its
// rows where it is NOT NULL without a default, or NOT NULL in a unique key
// (an expression per row, which rowExpr has only for numbers and strings).
// A nullable column with a default in a unique key comes back NULL.
func (g *gen) dropColumn(t *gTable, cols []*gCol, own bool) string {
	var cands []*gCol
	for _, c := range cols {
		if c.name != t.pk2 && (c.nullable || !t.uniquelyKeyed(c.name) || rowExpr(c) != "") {
			cands = append(cands, c)
		}
	}
	if own {
		if o := slices.DeleteFunc(slices.Clone(cands), func(c *gCol) bool { return !t.ownCheck(c) }); len(o) > 0 {
			cands = o
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
}

// ownCheck reports whether column c of t has a check of its own on
// MariaDB: one written in its definition, or JSON's json_valid().
func (t *gTable) ownCheck(c *gCol) bool {
	return c.typ == tJSON || slices.ContainsFunc(t.checks, func(ch *gCheck) bool { return ch.inline && ch.col == c.name })
}

// replaceBackingIndex drops an index that backs a foreign key of t and
// gives the key another index that reuses the name of a second index of t
// (now over the key's column and, maybe, that index's first column), or
// a new name when t has no second index: the replacement must not be
// created before the index of its name goes, nor the backing index
// dropped before another one serves the key.
func (g *gen) replaceBackingIndex(b *genSchema, t *gTable, a *genSchema) string {
	// One that A has: B's own new ones are not replacements.
	backing := slices.DeleteFunc(t.backingIndexes(), func(k *gKey) bool {
		at := a.table(t.name)
		return at == nil || !slices.ContainsFunc(at.indexes, func(x *gKey) bool { return x.name == k.name && slices.Equal(x.cols, k.cols) })
	})
	if len(backing) == 0 {
		return ""
	}
	x := backing[g.pick(len(backing))]
	col := x.cols[0]
	var others []*gKey
	for _, k := range t.indexes {
		if k != x && !k.unique {
			others = append(others, k)
		}
	}
	nk := &gKey{name: b.name("ix"), cols: []string{col}}
	if len(others) > 0 {
		z := others[g.pick(len(others))]
		nk.name = z.name
		if z.cols[0] != col && g.chance(0.5) {
			nk.cols = append(nk.cols, z.cols[0])
		}
		t.indexes = slices.DeleteFunc(t.indexes, func(k *gKey) bool { return k == z })
	} else if len(x.cols) == 1 {
		nk.cols = append(nk.cols, "id")
	}
	t.indexes = slices.DeleteFunc(t.indexes, func(k *gKey) bool { return k == x })
	t.indexes = append(t.indexes, nk)
	return fmt.Sprintf("backing index %s of %s.%s replaced by %s (%s)", x.name, t.name, col, nk.name, strings.Join(nk.cols, ", "))
}

// keyOverNewColumn adds a nullable column to t and replaces one of its
// indexes or unique keys by one that puts the new column second: a key
// over a column of the same revision (for a unique key the other columns,
// distinct per row, keep it unique).
func (g *gen) keyOverNewColumn(b *genSchema, t *gTable) string {
	keys := append(slices.Clone(t.uniques), t.indexes...)
	if len(keys) == 0 {
		return ""
	}
	// Mostly an index that backs a foreign key, which the key needs
	// throughout.
	if backing := t.backingIndexes(); len(backing) > 0 && g.chance(0.6) {
		keys = backing
	}
	k := keys[g.pick(len(keys))]
	c := &gCol{name: b.name("c"), typ: tInt, nullable: true}
	t.cols = append(t.cols, c)
	nk := &gKey{cols: append([]string{k.cols[0], c.name}, k.cols[1:]...), unique: k.unique}
	if i := slices.Index(t.uniques, k); i >= 0 {
		nk.name = b.name("uq")
		t.uniques[i] = nk
	} else {
		nk.name = b.name("ix")
		t.indexes[slices.Index(t.indexes, k)] = nk
	}
	return fmt.Sprintf("add column %s.%s and key %s (%s) for %s", t.name, c.name, nk.name, strings.Join(nk.cols, ", "), k.name)
}

// repointFK points a foreign key of t at another parent (of A when t is a
// table of A, whose rows reference ids every table of A has).
func (g *gen) repointFK(b *genSchema, t *gTable, a *genSchema) string {
	return g.repoint(b, t, a, t.fks)
}

// repoint points one of fks, foreign keys of t, at another parent, as
// repointFK does.
func (g *gen) repoint(b *genSchema, t *gTable, a *genSchema, fks []*gFK) string {
	if len(fks) == 0 {
		return ""
	}
	f := fks[g.pick(len(fks))]
	var ps []*gTable
	for _, p := range b.tables {
		if p.name != f.parent && p.num <= t.num && p.pk2 == "" && (a.table(t.name) == nil || a.table(p.name) != nil) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return ""
	}
	f.parent = ps[g.pick(len(ps))].name
	return fmt.Sprintf("foreign key %s on %s now references %s (inline=%v unnamed=%v)", f.name, t.name, f.parent, f.inline, f.unnamed)
}

// changePrimaryKey makes t's primary key (id, c) for a NOT NULL column c
// of A and B, or (id) again; with id AUTO_INCREMENT on MySQL/MariaDB, the
// column must stay a key throughout. A table that a foreign key references
// keeps (id), which PostgreSQL needs unique by itself.
func (g *gen) changePrimaryKey(b *genSchema, t *gTable, a *genSchema) string {
	for _, s := range []*genSchema{a, b} {
		for _, o := range s.tables {
			if slices.ContainsFunc(o.fks, func(f *gFK) bool { return f.parent == t.name }) {
				return ""
			}
		}
	}
	if t.pk2 != "" {
		t.pk2 = ""
		return fmt.Sprintf("primary key of %s (id), autoinc=%v", t.name, t.autoInc)
	}
	at := a.table(t.name)
	var cands []string
	for _, c := range t.cols {
		if c.name != "id" && !c.nullable && !c.ref && g.indexable(c, true) && (at == nil || at.col(c.name) != nil) {
			cands = append(cands, c.name)
		}
	}
	if len(cands) == 0 {
		return ""
	}
	t.pk2 = cands[g.pick(len(cands))]
	return fmt.Sprintf("primary key of %s (id, %s), autoinc=%v", t.name, t.pk2, t.autoInc)
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
	case tJSON:
		return "JSON"
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
	case tJSON:
		return fmt.Sprintf(`'{"k": %d}'`, k)
	}
	panic("unknown type")
}

// sql prints s as a script of dialect: tables in order, foreign keys
// inline for SQLite (which cannot add them later) and as ALTER TABLE
// after every table for the servers.
func (s *genSchema) sql(dialect string) string {
	var b, fks strings.Builder
	for _, t := range s.tables {
		fmt.Fprintf(&b, "CREATE TABLE %s (\n    id INTEGER NOT NULL", t.name)
		if t.autoInc && dialect == "mysql" {
			b.WriteString(" AUTO_INCREMENT")
		}
		if t.pk2 == "" {
			b.WriteString(" PRIMARY KEY")
		}
		for _, c := range t.cols[1:] {
			fmt.Fprintf(&b, ",\n    %s %s", c.name, typeSQL(dialect, c))
			if !c.nullable {
				b.WriteString(" NOT NULL")
			}
			if c.hasDef {
				b.WriteString(" DEFAULT " + literal(dialect, c, c.def))
			}
			for _, ch := range t.checks {
				if ch.inline && ch.col == c.name {
					fmt.Fprintf(&b, " CHECK (%s)", checkExpr(c))
				}
			}
		}
		if t.pk2 != "" {
			fmt.Fprintf(&b, ",\n    PRIMARY KEY (id, %s)", t.pk2)
		}
		for _, k := range t.uniques {
			fmt.Fprintf(&b, ",\n    CONSTRAINT %s UNIQUE (%s)", k.name, strings.Join(k.cols, ", "))
		}
		for _, ch := range t.checks {
			if !ch.inline {
				fmt.Fprintf(&b, ",\n    CONSTRAINT %s CHECK (%s)", ch.name, checkExpr(t.col(ch.col)))
			}
		}
		for _, f := range t.fks {
			def := fmt.Sprintf("CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (id)", f.name, f.col, f.parent)
			if f.unnamed {
				def = strings.TrimPrefix(def, "CONSTRAINT "+f.name+" ")
			}
			if f.cascade {
				def += " ON DELETE CASCADE"
			}
			if dialect == "sqlite" || f.inline {
				b.WriteString(",\n    " + def)
			} else {
				fmt.Fprintf(&fks, "ALTER TABLE %s ADD %s;\n", t.name, def)
			}
		}
		b.WriteString("\n)" + t.suffixSQL(dialect) + ";\n")
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
	b.WriteString(s.eventsSQL())
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
	for _, e := range s.events {
		fmt.Fprintf(&b, "DROP EVENT %s;\n", e.name)
	}
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
	case tJSON:
		return fmt.Sprintf(`{"k": %d}`, 10*i+j)
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
