package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// tables compares tables, their columns, keys, checks and indexes, and
// records what foreign keys and views need to know.
func (d *differ) tables() {
	d.droppedTables = map[tkey]bool{}
	d.addedTables = map[tkey]bool{}
	d.touched = map[tkey]bool{}
	d.alteredCols = map[tkey]map[string]bool{}
	d.keyChanged = map[tkey]bool{}
	d.matched = make(map[tkey]tkey, len(d.from.Tables))

	toByKey := make(map[tkey]*schema.Table, len(d.to.Tables))
	for _, t := range d.to.Tables {
		toByKey[d.key(t.Schema, t.Name)] = t
	}
	d.toTables = toByKey
	seen := make(map[tkey]bool, len(d.from.Tables))
	for _, ft := range d.from.Tables {
		ok := d.key(ft.Schema, ft.Name)
		nk := d.newKey(ok)
		tt := toByKey[nk]
		if tt == nil {
			d.droppedTables[ok] = true
			d.touched[ok] = true
			d.add(phDropTable, ok.String(), &change.DropTable{Table: ft})
			continue
		}
		seen[nk] = true
		d.matched[ok] = nk
		if ok != nk {
			d.touched[ok] = true
			d.add(phRenameTable, ok.String(), &change.RenameTable{Schema: ok.schema, From: ok.name, To: nk.name})
		}
		d.table(ok, nk, ft, tt)
	}
	for _, tt := range d.to.Tables {
		nk := d.key(tt.Schema, tt.Name)
		if !seen[nk] {
			d.addedTables[nk] = true
			d.add(phAddTable, nk.String(), &change.AddTable{Table: tt})
		}
	}
}

// colName maps a from-column name to its name in to.
func colName(renames map[string]string, name string) string {
	if n, ok := renames[name]; ok {
		return n
	}
	return name
}

func colNames(renames map[string]string, names []string) []string {
	if len(renames) == 0 {
		return names
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = colName(renames, n)
	}
	return out
}

// needsFill reports whether adding c to a table with rows needs a value
// for those rows: NOT NULL, no default, not filled by the server.
func needsFill(c *schema.Column) bool {
	return !c.Nullable && c.Default == nil && !serverFilled(c)
}

// serverFilled reports whether the server gives every row of c its value:
// an identity, generated, AUTO_INCREMENT or AUTO_RANDOM column.
func serverFilled(c *schema.Column) bool {
	return c.Identity != "" || c.Generated != "" || c.AutoIncrement || c.AutoRandom != ""
}

// needsRowValues reports whether a column added to table t with rows
// needs a value per row: it is NOT NULL with a default and is by itself a
// unique key of t, so the default, the same for every existing row,
// breaks the key as soon as there are two rows.
func needsRowValues(t *schema.Table, c *schema.Column) bool {
	return !c.Nullable && c.Default != nil && !serverFilled(c) && t.KeyedAlone(c.Name)
}

func sameDefault(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// columnEqual compares every property of two columns but their names.
func columnEqual(a, b *schema.Column) bool {
	return a.Type == b.Type && a.Nullable == b.Nullable && sameDefault(a.Default, b.Default) &&
		a.Identity == b.Identity && a.IdentityOptions == b.IdentityOptions &&
		a.AutoIncrement == b.AutoIncrement && a.Generated == b.Generated && a.Stored == b.Stored &&
		a.Collation == b.Collation && a.Charset == b.Charset && a.OnUpdate == b.OnUpdate &&
		a.Comment == b.Comment && a.AutoRandom == b.AutoRandom
}

func tableObjKey(t tkey, name string) string { return t.String() + "\x00" + name }

// table compares one table present on both sides: ok is its key in from,
// nk in to.
func (d *differ) table(ok, nk tkey, ft, tt *schema.Table) {
	renames := d.colRename[nk]
	d.renameColumns(ok, nk, renames)
	d.columns(ok, nk, ft, tt, renames)
	if ft.Comment != tt.Comment {
		d.add(phTableComment, nk.String(), &change.SetTableComment{Table: nk.ref(), From: ft.Comment, To: tt.Comment})
	}
	d.tableOptions(ok, nk, ft, tt)
	d.primaryKey(ok, nk, ft, tt, renames)
	plain := len(renames) == 0
	d.uniques(ok, nk, ft, tt, renames, plain)
	d.checks(ok, nk, ft, tt)
	d.indexes(ok, nk, ft, tt, renames, plain)
}

// renameColumns adds the column renames of a table, in name order.
func (d *differ) renameColumns(ok, nk tkey, renames map[string]string) {
	if len(renames) == 0 {
		return
	}
	d.touched[ok] = true
	olds := make([]string, 0, len(renames))
	for o := range renames {
		olds = append(olds, o)
	}
	sort.Strings(olds)
	for _, o := range olds {
		if n := renames[o]; n != o {
			d.add(phRenameColumn, tableObjKey(nk, o), &change.RenameColumn{Table: nk.ref(), From: o, To: n})
		}
	}
}

// columnFinder returns the index of a column of t by name, -1 when t has
// none; a wide table gets a map.
func columnFinder(t *schema.Table) func(name string) int {
	if len(t.Columns) <= 16 {
		return func(name string) int {
			for i, c := range t.Columns {
				if c.Name == name {
					return i
				}
			}
			return -1
		}
	}
	index := make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		index[c.Name] = i
	}
	return func(name string) int {
		if i, ok := index[name]; ok {
			return i
		}
		return -1
	}
}

// columns compares the columns of a table: dropped, altered, added.
func (d *differ) columns(ok, nk tkey, ft, tt *schema.Table, renames map[string]string) {
	findCol := columnFinder(tt)
	matchedCols := make([]bool, len(tt.Columns))
	for _, fc := range ft.Columns {
		name := colName(renames, fc.Name)
		ti := findCol(name)
		if ti < 0 {
			d.touched[ok] = true
			d.add(phDropColumn, tableObjKey(ok, fc.Name), &change.DropColumn{Table: ok.ref(), Column: fc})
			continue
		}
		matchedCols[ti] = true
		if tc := tt.Columns[ti]; !columnEqual(fc, tc) {
			d.alterColumn(ok, nk, fc, tc, name)
		}
	}
	for i, tc := range tt.Columns {
		if matchedCols[i] {
			continue
		}
		ac := &change.AddColumn{Table: nk.ref(), Column: tc}
		if needsFill(tc) || needsRowValues(tt, tc) {
			ac.Backfill = d.takeBackfill(nk, tc.Name)
		}
		// New columns keep the desired schema's order among themselves.
		d.add(phAddColumn, tableObjKey(nk, fmt.Sprintf("%06d", i)), ac)
	}
}

// alterColumn adds the change of column fc (named name after renames) to
// tc, and records what it breaks.
func (d *differ) alterColumn(ok, nk tkey, fc, tc *schema.Column, name string) {
	from := fc
	if fc.Name != name {
		cp := *fc
		cp.Name = name
		from = &cp
	}
	ac := &change.AlterColumn{Table: nk.ref(), From: from, To: tc}
	if from.Nullable && !tc.Nullable {
		ac.Backfill = d.takeBackfill(nk, name)
	}
	if fc.Generated != tc.Generated || fc.Stored != tc.Stored {
		d.touched[ok] = true
	}
	if fc.Type != tc.Type || fc.Collation != tc.Collation || fc.Charset != tc.Charset {
		// Views that read the column and foreign keys that use it
		// must be dropped and recreated around the change.
		d.touched[ok] = true
		if d.alteredCols[nk] == nil {
			d.alteredCols[nk] = map[string]bool{}
		}
		d.alteredCols[nk][name] = true
	}
	d.add(phAlterColumn, tableObjKey(nk, name), ac)
}

// primaryKey compares the primary keys: removed in the drop phase (before
// columns change nullability or go away, after the foreign keys that need
// it), added in the add phase.
func (d *differ) primaryKey(ok, nk tkey, ft, tt *schema.Table, renames map[string]string) {
	if len(renames) == 0 && keyEq(ft.PrimaryKey, tt.PrimaryKey) ||
		keySig(ft.PrimaryKey, renames, true) == keySig(tt.PrimaryKey, nil, true) {
		return
	}
	if ft.PrimaryKey != nil {
		d.keyChanged[nk] = true
		d.add(phDropPK, ok.String(), &change.SetPrimaryKey{Table: ok.ref(), From: ft.PrimaryKey})
	}
	if tt.PrimaryKey != nil {
		d.add(phAddPK, nk.String(), &change.SetPrimaryKey{Table: nk.ref(), To: tt.PrimaryKey})
	}
}

func (d *differ) uniques(ok, nk tkey, ft, tt *schema.Table, renames map[string]string, plain bool) {
	if plain && sameSlice(ft.Uniques, tt.Uniques, keyEq) {
		return
	}
	fu := make([]obj, len(ft.Uniques))
	for i, k := range ft.Uniques {
		fu[i] = obj{name: k.Name, sig: keySig(k, renames, false), v: k}
	}
	tu := make([]obj, len(tt.Uniques))
	for i, k := range tt.Uniques {
		tu[i] = obj{name: k.Name, sig: keySig(k, nil, false), v: k}
	}
	dropped, added := match(fu, tu)
	for _, o := range dropped {
		k := o.v.(*schema.Key)
		d.keyChanged[nk] = true
		d.add(phDropUnique, tableObjKey(ok, k.Name+"\x00"+o.sig), &change.DropUnique{Table: ok.ref(), Key: k})
	}
	for _, o := range added {
		k := o.v.(*schema.Key)
		d.add(phAddUnique, tableObjKey(nk, k.Name+"\x00"+o.sig), &change.AddUnique{Table: nk.ref(), Key: k})
	}

}

func (d *differ) checks(ok, nk tkey, ft, tt *schema.Table) {
	if sameSlice(ft.Checks, tt.Checks, checkEq) {
		return
	}
	fc := make([]obj, len(ft.Checks))
	for i, c := range ft.Checks {
		fc[i] = obj{name: c.Name, sig: checkSig(c), v: c}
	}
	tc := make([]obj, len(tt.Checks))
	for i, c := range tt.Checks {
		tc[i] = obj{name: c.Name, sig: checkSig(c), v: c}
	}
	dropped, added := match(fc, tc)
	for _, o := range dropped {
		c := o.v.(*schema.Check)
		d.add(phDropCheck, tableObjKey(ok, c.Name+"\x00"+o.sig), &change.DropCheck{Table: ok.ref(), Check: c})
	}
	for _, o := range added {
		c := o.v.(*schema.Check)
		d.add(phAddCheck, tableObjKey(nk, c.Name+"\x00"+o.sig), &change.AddCheck{Table: nk.ref(), Check: c})
	}

}

// indexes compares indexes by their server definition, unless a rename
// changed the names it prints.
func (d *differ) indexes(ok, nk tkey, ft, tt *schema.Table, renames map[string]string, plain bool) {
	// A definition names the table: compare by parts when the table is
	// renamed, or spelled otherwise where the server folds case.
	byDef := ok == nk && plain && ft.Name == tt.Name
	if plain && sameSlice(ft.Indexes, tt.Indexes, indexEq(byDef)) {
		return
	}
	fi := make([]obj, len(ft.Indexes))
	for i, x := range ft.Indexes {
		fi[i] = obj{name: x.Name, sig: indexSig(x, renames, byDef), v: x}
	}
	ti := make([]obj, len(tt.Indexes))
	for i, x := range tt.Indexes {
		ti[i] = obj{name: x.Name, sig: indexSig(x, nil, byDef), v: x}
	}
	dropped, added := match(fi, ti)
	for _, o := range dropped {
		x := o.v.(*schema.Index)
		if x.Unique {
			d.keyChanged[nk] = true
		}
		d.add(phDropIndex, tableObjKey(ok, x.Name+"\x00"+o.sig), &change.DropIndex{Table: ok.ref(), Index: x})
	}
	for _, o := range added {
		x := o.v.(*schema.Index)
		d.add(phAddIndex, tableObjKey(nk, x.Name+"\x00"+o.sig), &change.AddIndex{Table: nk.ref(), Index: x})
	}
}

// obj is a named or unnamed object to match: by name when both sides name
// it, by content (sig) otherwise.
type obj struct {
	name, sig string
	v         any
}

// match pairs from and to objects: named objects by name (a changed
// signature is a drop and an add), unnamed ones by signature, counting
// duplicates. It returns the unmatched from (dropped) and to (added)
// objects in their input order.
func match(from, to []obj) (dropped, added []obj) {
	if len(from) == 0 {
		return nil, to
	}
	if len(to) == 0 {
		return from, nil
	}
	named := map[string]int{} // name -> index in to
	unnamed := map[string][]int{}
	for i, o := range to {
		if o.name != "" {
			named[o.name] = i
		} else {
			unnamed[o.sig] = append(unnamed[o.sig], i)
		}
	}
	used := make([]bool, len(to))
	for _, o := range from {
		if o.name != "" {
			if i, ok := named[o.name]; ok && to[i].sig == o.sig && !used[i] {
				used[i] = true
				continue
			}
			dropped = append(dropped, o)
			continue
		}
		if l := unnamed[o.sig]; len(l) > 0 {
			used[l[0]] = true
			unnamed[o.sig] = l[1:]
			continue
		}
		dropped = append(dropped, o)
	}
	for i, o := range to {
		if !used[i] {
			added = append(added, o)
		}
	}
	return dropped, added
}

// sig joins the parts of a signature with a separator no name contains.
func sig(parts ...string) string { return strings.Join(parts, "\x1f") }

func list(names []string) string { return strings.Join(names, "\x1e") }

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// keySig is the content of a primary key or unique constraint, with its
// from-side columns renamed; withName includes the constraint's name (for
// primary keys, which are not matched by name).
func keySig(k *schema.Key, renames map[string]string, withName bool) string {
	if k == nil {
		return ""
	}
	name := ""
	if withName {
		name = k.Name
	}
	return sig("key", name, list(colNames(renames, k.Columns)), flag(k.Deferrable), flag(k.InitiallyDeferred),
		list(colNames(renames, k.Include)), flag(k.NullsNotDistinct), k.Comment, k.Clustering)
}

func checkSig(c *schema.Check) string {
	return sig("check", c.Expr, flag(c.NoInherit), flag(c.NotValid), c.Comment, c.Column)
}

// indexSig is an index's content: its server definition when byDef and
// the dialect gives one, else its structured fields with from-side
// columns renamed.
func indexSig(x *schema.Index, renames map[string]string, byDef bool) string {
	if byDef && x.Definition != "" {
		return sig("index", x.Definition, x.Comment)
	}
	parts := make([]string, len(x.Parts))
	for i, p := range x.Parts {
		parts[i] = sig(colName(renames, p.Column), p.Expr, flag(p.Desc), p.Nulls, fmt.Sprint(p.Length), p.Collation, p.OpClass)
	}
	return sig("index", flag(x.Unique), strings.Join(parts, "\x1d"), list(colNames(renames, x.Include)), x.Where, x.Method, x.Comment)
}

func optionsEqual(a, b schema.TableOptions) bool {
	return a.Engine == b.Engine && a.Charset == b.Charset && a.Collation == b.Collation &&
		a.RowFormat == b.RowFormat && a.WithoutRowID == b.WithoutRowID && a.Strict == b.Strict &&
		a.Unlogged == b.Unlogged && a.PartitionBy == b.PartitionBy && a.PartitionOf == b.PartitionOf &&
		a.PartitionBound == b.PartitionBound && slices.Equal(a.Inherits, b.Inherits) && a.ClusterOn == b.ClusterOn
}

func optionsString(o schema.TableOptions) string {
	var p []string
	add := func(k, v string) {
		if v != "" {
			p = append(p, k+"="+v)
		}
	}
	add("engine", o.Engine)
	add("charset", o.Charset)
	add("collation", o.Collation)
	add("row_format", o.RowFormat)
	if o.WithoutRowID {
		p = append(p, "without rowid")
	}
	if o.Strict {
		p = append(p, "strict")
	}
	if o.Unlogged {
		p = append(p, "unlogged")
	}
	add("partition by", o.PartitionBy)
	add("partition of", o.PartitionOf)
	add("bound", o.PartitionBound)
	if len(o.Inherits) > 0 {
		p = append(p, "inherits "+strings.Join(o.Inherits, ","))
	}
	add("cluster on", o.ClusterOn)
	if len(p) == 0 {
		return "defaults"
	}
	return strings.Join(p, " ")
}

// foreignKeys compares foreign keys once every table is matched: a key is
// dropped with its table, and dropped and re-added when a column it uses
// changes type or the key it references is dropped.
func (d *differ) foreignKeys() {
	for _, ft := range d.from.Tables {
		ok := d.key(ft.Schema, ft.Name)
		if d.droppedTables[ok] {
			for _, fk := range ft.ForeignKeys {
				d.add(phDropFK, tableObjKey(ok, fk.Name+"\x00"+fkSig(fk, nil, "", "", nil)), &change.DropForeignKey{Table: ok.ref(), FK: fk})
			}
			continue
		}
		d.tableForeignKeys(ft, ok)
	}
	for _, tt := range d.to.Tables {
		nk := d.key(tt.Schema, tt.Name)
		if !d.addedTables[nk] {
			continue
		}
		for _, fk := range tt.ForeignKeys {
			d.add(phAddFK, tableObjKey(nk, fk.Name+"\x00"+fkSig(fk, nil, fk.RefSchema, fk.RefTable, nil)), &change.AddForeignKey{Table: nk.ref(), FK: fk})
		}
	}
}

// tableForeignKeys compares the foreign keys of ft (key ok), a table that
// stays, with those of its match.
func (d *differ) tableForeignKeys(ft *schema.Table, ok tkey) {
	nk := d.matched[ok]
	tt := d.toTables[nk]
	if len(ft.ForeignKeys) == 0 && len(tt.ForeignKeys) == 0 {
		return
	}
	if len(d.tableRename) == 0 && len(d.colRename) == 0 && sameSlice(ft.ForeignKeys, tt.ForeignKeys, fkEq) &&
		!slices.ContainsFunc(tt.ForeignKeys, func(fk *schema.ForeignKey) bool { return d.fkAffected(nk, fk) }) {
		return
	}
	fo := d.fromFKObjs(ft, nk)
	to := make([]obj, len(tt.ForeignKeys))
	for i, fk := range tt.ForeignKeys {
		to[i] = obj{name: fk.Name, sig: fkSig(fk, nil, fk.RefSchema, fk.RefTable, nil), v: fk}
	}
	dropped, added := match(fo, to)
	dropped, added = d.readdAffected(nk, tt, fo, to, dropped, added)
	for _, o := range dropped {
		fk := o.v.(*schema.ForeignKey)
		d.add(phDropFK, tableObjKey(ok, fk.Name+"\x00"+o.sig), &change.DropForeignKey{Table: ok.ref(), FK: fk})
	}
	for _, o := range added {
		fk := o.v.(*schema.ForeignKey)
		d.add(phAddFK, tableObjKey(nk, fk.Name+"\x00"+o.sig), &change.AddForeignKey{Table: nk.ref(), FK: fk})
	}
}

// fromFKObjs are ft's foreign keys as the desired side names things: the
// renames of its columns (table nk) and of the tables they reference
// applied.
func (d *differ) fromFKObjs(ft *schema.Table, nk tkey) []obj {
	renames := d.colRename[nk]
	fo := make([]obj, len(ft.ForeignKeys))
	for i, fk := range ft.ForeignKeys {
		// An empty RefSchema means the table's own schema.
		rs := fk.RefSchema
		if rs == "" {
			rs = ft.Schema
		}
		rk := d.newKey(d.key(rs, fk.RefTable))
		fo[i] = obj{name: fk.Name, sig: fkSig(fk, renames, fk.RefSchema, rk.name, d.colRename[rk]), v: fk}
	}
	return fo
}

// readdAffected adds to dropped and added the keys of tt that stay but
// must be dropped first and added back (fkAffected: a column or the
// referenced key changes), each paired with its from-side twin.
func (d *differ) readdAffected(nk tkey, tt *schema.Table, fo, to, dropped, added []obj) ([]obj, []obj) {
	isDropped := map[*schema.ForeignKey]bool{}
	for _, o := range dropped {
		isDropped[o.v.(*schema.ForeignKey)] = true
	}
	isAdded := map[*schema.ForeignKey]bool{}
	for _, o := range added {
		isAdded[o.v.(*schema.ForeignKey)] = true
	}
	for i, fk := range tt.ForeignKeys {
		if isAdded[fk] || !d.fkAffected(nk, fk) {
			continue
		}
		for j, o := range fo {
			ffk := o.v.(*schema.ForeignKey)
			if isDropped[ffk] || o.sig != to[i].sig || (o.name != "" && o.name != fk.Name) {
				continue
			}
			isDropped[ffk] = true
			dropped = append(dropped, fo[j])
			added = append(added, to[i])
			isAdded[fk] = true
			break
		}
	}
	return dropped, added
}

// fkAffected reports whether a foreign key of table nk (in to) must be
// dropped and added back: a column on either side changes type, or the
// referenced table's keys change.
func (d *differ) fkAffected(nk tkey, fk *schema.ForeignKey) bool {
	for _, c := range fk.Columns {
		if d.alteredCols[nk][c] {
			return true
		}
	}
	rs := fk.RefSchema
	if rs == "" {
		rs = nk.schema
	}
	rk := d.key(rs, fk.RefTable)
	if d.keyChanged[rk] {
		return true
	}
	for _, c := range fk.RefColumns {
		if d.alteredCols[rk][c] {
			return true
		}
	}
	return false
}

// fkSig is a foreign key's content with the from-side names mapped
// through the renames: its own columns, the referenced table and the
// referenced columns.
func fkSig(fk *schema.ForeignKey, renames map[string]string, refSchema, refTable string, refRenames map[string]string) string {
	return sig("fk", list(colNames(renames, fk.Columns)), refSchema, refTable, list(colNames(refRenames, fk.RefColumns)),
		fk.OnDelete, fk.OnUpdate, fk.Match, flag(fk.Deferrable), flag(fk.InitiallyDeferred), flag(fk.NotValid), fk.Comment)
}

// Equality without building signatures, for the common case where both
// sides list the same objects in the same order (inspectors sort them).

func sameSlice[T any](a, b []T, eq func(x, y T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !eq(a[i], b[i]) {
			return false
		}
	}
	return true
}

func keyEq(a, b *schema.Key) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && slices.Equal(a.Columns, b.Columns) && a.Deferrable == b.Deferrable &&
		a.InitiallyDeferred == b.InitiallyDeferred && slices.Equal(a.Include, b.Include) &&
		a.NullsNotDistinct == b.NullsNotDistinct && a.Comment == b.Comment && a.Clustering == b.Clustering
}

// checkEq compares two checks, where they are written included: a
// MariaDB check in a column's definition (Column) means what the same
// check among the table's constraints means, but the two are dropped
// differently and only the first is lost on MODIFY COLUMN, so a head that
// has one where the desired schema has the other would be rendered for
// the wrong one (issue 19).
func checkEq(a, b *schema.Check) bool { return *a == *b }

func partEq(a, b *schema.IndexPart) bool { return *a == *b }

func indexEq(byDef bool) func(a, b *schema.Index) bool {
	return func(a, b *schema.Index) bool {
		if a.Name != b.Name || a.Comment != b.Comment {
			return false
		}
		if byDef && a.Definition != "" && b.Definition != "" {
			return a.Definition == b.Definition
		}
		return a.Unique == b.Unique && sameSlice(a.Parts, b.Parts, partEq) && slices.Equal(a.Include, b.Include) &&
			a.Where == b.Where && a.Method == b.Method
	}
}

func fkEq(a, b *schema.ForeignKey) bool {
	return a.Name == b.Name && slices.Equal(a.Columns, b.Columns) && a.RefSchema == b.RefSchema &&
		a.RefTable == b.RefTable && slices.Equal(a.RefColumns, b.RefColumns) && a.OnDelete == b.OnDelete &&
		a.OnUpdate == b.OnUpdate && a.Match == b.Match && a.Deferrable == b.Deferrable &&
		a.InitiallyDeferred == b.InitiallyDeferred && a.NotValid == b.NotValid && a.Comment == b.Comment
}
