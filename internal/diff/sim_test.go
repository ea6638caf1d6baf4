package diff

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// simulate applies changes to a copy of s the way a strict database would,
// refusing a change whose preconditions do not hold: dropping a table that
// a foreign key, view or trigger still uses, adding a foreign key to a
// missing table, dropping a column an index or key still covers, altering
// the type of a column a foreign key uses, creating a view before what it
// reads. It checks that a change list, and its inverse, is ordered so that
// it can run.
func simulate(s *schema.Schema, changes []change.Change) (*schema.Schema, error) {
	st := deepCopy(s)
	for i, c := range changes {
		if err := simApply(st, c); err != nil {
			return nil, fmt.Errorf("change %d (%s): %w", i+1, c.Describe(), err)
		}
	}
	return st, nil
}

func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func simTable(s *schema.Schema, r change.Ref) (*schema.Table, error) {
	if t := s.Table(r.Schema, r.Name); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("no table %s", r)
}

// refersTo reports whether fk (on a table in schema tableSchema) points at
// table t.
func refersTo(tableSchema string, fk *schema.ForeignKey, t *schema.Table) bool {
	rs := fk.RefSchema
	if rs == "" {
		rs = tableSchema
	}
	return rs == t.Schema && fk.RefTable == t.Name
}

func viewDependsOn(s *schema.Schema, node string) []string {
	var out []string
	for n, o := range graph(s, s.Names) {
		if o.view != nil && slices.Contains(o.deps, node) {
			out = append(out, n)
		}
	}
	return out
}

func usesColumn(t *schema.Table, col string) string {
	if t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, col) {
		return "primary key"
	}
	for _, k := range t.Uniques {
		if slices.Contains(k.Columns, col) {
			return "unique " + k.Name
		}
	}
	for _, x := range t.Indexes {
		for _, p := range x.Parts {
			if p.Column == col {
				return "index " + x.Name
			}
		}
	}
	for _, fk := range t.ForeignKeys {
		if slices.Contains(fk.Columns, col) {
			return "foreign key " + fk.Name
		}
	}
	return ""
}

func removeObj[T any](list []T, match func(T) bool) ([]T, bool) {
	for i, v := range list {
		if match(v) {
			return slices.Delete(list, i, i+1), true
		}
	}
	return list, false
}

func simApply(s *schema.Schema, c change.Change) error {
	switch c := c.(type) {
	case *change.AddTable:
		if s.Table(c.Table.Schema, c.Table.Name) != nil {
			return fmt.Errorf("table exists")
		}
		if err := simNamespace(s, c.Table.Schema); err != nil {
			return err
		}
		t := deepCopy(c.Table)
		t.ForeignKeys = nil
		s.Tables = append(s.Tables, t)
	case *change.DropTable:
		t, err := simTable(s, change.RefOf(c.Table))
		if err != nil {
			return err
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if refersTo(o.Schema, fk, t) || o == t {
					return fmt.Errorf("foreign key %s on %s still uses it", fk.Name, o.Name)
				}
			}
		}
		if v := viewDependsOn(s, relNode(t.Schema, t.Name)); len(v) > 0 {
			return fmt.Errorf("views %v still use it", v)
		}
		for _, tr := range s.Triggers {
			if tr.Schema == t.Schema && tr.Table == t.Name {
				return fmt.Errorf("trigger %s still on it", tr.Name)
			}
		}
		if r := ruleUsing(s, t.Schema, t.Name); r != "" {
			return fmt.Errorf("rule %s still uses it", r)
		}
		s.Tables, _ = removeObj(s.Tables, func(x *schema.Table) bool { return x == t })
	case *change.RenameTable:
		t, err := simTable(s, change.Ref{Schema: c.Schema, Name: c.From})
		if err != nil {
			return err
		}
		if s.Table(c.Schema, c.To) != nil {
			return fmt.Errorf("table %s exists", c.To)
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if refersTo(o.Schema, fk, t) {
					fk.RefTable = c.To
				}
			}
		}
		for _, tr := range s.Triggers {
			if tr.Schema == t.Schema && tr.Table == t.Name {
				tr.Table = c.To
			}
		}
		if r := ruleUsing(s, t.Schema, t.Name); r != "" {
			// The server would keep the rule, but its printed definition
			// would name the new table: diff recreates it around the rename.
			return fmt.Errorf("rule %s uses it", r)
		}
		t.Name = c.To
	case *change.AddColumn:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		if t.Column(c.Column.Name) != nil {
			return fmt.Errorf("column exists")
		}
		t.Columns = append(t.Columns, deepCopy(c.Column))
	case *change.DropColumn:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		if u := usesColumn(t, c.Column.Name); u != "" {
			return fmt.Errorf("%s still uses the column", u)
		}
		if r := ruleUsing(s, t.Schema, t.Name); r != "" {
			return fmt.Errorf("rule %s may use the column", r)
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if refersTo(o.Schema, fk, t) && slices.Contains(fk.RefColumns, c.Column.Name) {
					return fmt.Errorf("foreign key %s on %s still uses the column", fk.Name, o.Name)
				}
			}
		}
		var ok bool
		if t.Columns, ok = removeObj(t.Columns, func(x *schema.Column) bool { return x.Name == c.Column.Name }); !ok {
			return fmt.Errorf("no column %s", c.Column.Name)
		}
	case *change.RenameColumn:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		col := t.Column(c.From)
		if col == nil || t.Column(c.To) != nil {
			return fmt.Errorf("cannot rename %s to %s", c.From, c.To)
		}
		col.Name = c.To
		ren := func(names []string) {
			for i, n := range names {
				if n == c.From {
					names[i] = c.To
				}
			}
		}
		if t.PrimaryKey != nil {
			ren(t.PrimaryKey.Columns)
		}
		for _, k := range t.Uniques {
			ren(k.Columns)
		}
		for _, x := range t.Indexes {
			for _, p := range x.Parts {
				if p.Column == c.From {
					p.Column = c.To
				}
			}
		}
		for _, fk := range t.ForeignKeys {
			ren(fk.Columns)
		}
		for _, o := range s.Tables {
			for _, fk := range o.ForeignKeys {
				if refersTo(o.Schema, fk, t) {
					ren(fk.RefColumns)
				}
			}
		}
	case *change.AlterColumn:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		col := t.Column(c.To.Name)
		if col == nil || c.From.Name != c.To.Name {
			return fmt.Errorf("no column %s", c.To.Name)
		}
		if !columnEqual(col, c.From) {
			return fmt.Errorf("column is not in its From state")
		}
		if col.Type != c.To.Type {
			for _, o := range s.Tables {
				for _, fk := range o.ForeignKeys {
					if o == t && slices.Contains(fk.Columns, col.Name) || refersTo(o.Schema, fk, t) && slices.Contains(fk.RefColumns, col.Name) {
						return fmt.Errorf("foreign key %s uses the column", fk.Name)
					}
				}
			}
			if r := ruleUsing(s, t.Schema, t.Name); r != "" {
				return fmt.Errorf("rule %s may use the column", r)
			}
		}
		if c.To.Nullable && t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, col.Name) {
			return fmt.Errorf("a primary key column cannot be nullable")
		}
		*col = *deepCopy(c.To)
	case *change.SetPrimaryKey:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		if keySig(t.PrimaryKey, nil, true) != keySig(c.From, nil, true) {
			return fmt.Errorf("primary key is not in its From state")
		}
		if c.From != nil {
			for _, o := range s.Tables {
				for _, fk := range o.ForeignKeys {
					if refersTo(o.Schema, fk, t) && slices.Equal(fk.RefColumns, c.From.Columns) {
						return fmt.Errorf("foreign key %s on %s uses the primary key", fk.Name, o.Name)
					}
				}
			}
		}
		if c.To != nil {
			for _, n := range c.To.Columns {
				if col := t.Column(n); col == nil || col.Nullable {
					return fmt.Errorf("primary key column %s missing or nullable", n)
				}
			}
		}
		t.PrimaryKey = deepCopy(c.To)
	case *change.AddUnique:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		t.Uniques = append(t.Uniques, deepCopy(c.Key))
	case *change.DropUnique:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		var ok bool
		if t.Uniques, ok = removeObj(t.Uniques, func(k *schema.Key) bool { return keySig(k, nil, true) == keySig(c.Key, nil, true) }); !ok {
			return fmt.Errorf("no such unique constraint")
		}
	case *change.AddCheck:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		t.Checks = append(t.Checks, deepCopy(c.Check))
	case *change.DropCheck:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		var ok bool
		if t.Checks, ok = removeObj(t.Checks, func(k *schema.Check) bool { return k.Name == c.Check.Name && checkSig(k) == checkSig(c.Check) }); !ok {
			return fmt.Errorf("no such check")
		}
	case *change.AddIndex:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		for _, p := range c.Index.Parts {
			if p.Column != "" && t.Column(p.Column) == nil {
				return fmt.Errorf("no column %s", p.Column)
			}
		}
		t.Indexes = append(t.Indexes, deepCopy(c.Index))
	case *change.DropIndex:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		var ok bool
		if t.Indexes, ok = removeObj(t.Indexes, func(x *schema.Index) bool { return x.Name == c.Index.Name }); !ok {
			return fmt.Errorf("no such index")
		}
	case *change.AddForeignKey:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		rs := c.FK.RefSchema
		if rs == "" {
			rs = t.Schema
		}
		rt, err := simTable(s, change.Ref{Schema: rs, Name: c.FK.RefTable})
		if err != nil {
			return fmt.Errorf("referenced table: %w", err)
		}
		for _, n := range c.FK.RefColumns {
			if rt.Column(n) == nil {
				return fmt.Errorf("referenced column %s missing", n)
			}
		}
		for _, n := range c.FK.Columns {
			if t.Column(n) == nil {
				return fmt.Errorf("column %s missing", n)
			}
		}
		t.ForeignKeys = append(t.ForeignKeys, deepCopy(c.FK))
	case *change.DropForeignKey:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		want := fkSig(c.FK, nil, c.FK.RefSchema, c.FK.RefTable, nil)
		var ok bool
		if t.ForeignKeys, ok = removeObj(t.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return fk.Name == c.FK.Name && fkSig(fk, nil, fk.RefSchema, fk.RefTable, nil) == want
		}); !ok {
			return fmt.Errorf("no such foreign key")
		}
	case *change.SetTableComment:
		t, err := simTable(s, c.Table)
		if err != nil {
			return err
		}
		t.Comment = c.To
	case *change.AddType:
		if err := simNamespace(s, c.Type.Schema); err != nil {
			return err
		}
		s.Types = append(s.Types, deepCopy(c.Type))
	case *change.DropType:
		name := change.Ref{Schema: c.Type.Schema, Name: c.Type.Name}.String()
		for _, t := range s.Tables {
			for _, col := range t.Columns {
				if col.Type == c.Type.Name || col.Type == name {
					return fmt.Errorf("column %s.%s still uses the type", t.Name, col.Name)
				}
			}
		}
		var ok bool
		if s.Types, ok = removeObj(s.Types, func(x *schema.Type) bool { return x.Schema == c.Type.Schema && x.Name == c.Type.Name }); !ok {
			return fmt.Errorf("no such type")
		}
	case *change.AddEnumValues:
		return simReplaceType(s, c.From, c.To)
	case *change.RemoveEnumValues:
		return simReplaceType(s, c.From, c.To)
	case *change.AddSequence:
		s.Sequences = append(s.Sequences, deepCopy(c.Sequence))
	case *change.DropSequence:
		for _, t := range s.Tables {
			for _, col := range t.Columns {
				if col.Default != nil && strings.Contains(*col.Default, "'"+c.Sequence.Name+"'") {
					return fmt.Errorf("the default of %s.%s still uses the sequence", t.Name, col.Name)
				}
			}
		}
		var ok bool
		if s.Sequences, ok = removeObj(s.Sequences, func(x *schema.Sequence) bool { return *x == *c.Sequence }); !ok {
			return fmt.Errorf("no such sequence")
		}
	case *change.AlterSequence:
		for i, x := range s.Sequences {
			if *x == *c.From {
				s.Sequences[i] = deepCopy(c.To)
				return nil
			}
		}
		return fmt.Errorf("sequence not in its From state")
	case *change.AddView:
		for _, v := range s.Views {
			if v.Schema == c.View.Schema && v.Name == c.View.Name {
				return fmt.Errorf("view exists")
			}
		}
		for _, dep := range c.View.DependsOn {
			n, _, _ := parseDesignation(dep)
			if !simHasRelation(s, n) {
				return fmt.Errorf("depends on missing %s", dep)
			}
		}
		s.Views = append(s.Views, deepCopy(c.View))
	case *change.DropView:
		if v := viewDependsOn(s, relNode(c.View.Schema, c.View.Name)); len(v) > 0 {
			return fmt.Errorf("views %v still use it", v)
		}
		for _, tr := range s.Triggers {
			if tr.Schema == c.View.Schema && tr.Table == c.View.Name {
				return fmt.Errorf("trigger %s still on it", tr.Name)
			}
		}
		if r := ruleUsing(s, c.View.Schema, c.View.Name); r != "" {
			return fmt.Errorf("rule %s still uses it", r)
		}
		var ok bool
		if s.Views, ok = removeObj(s.Views, func(v *schema.View) bool { return v.Schema == c.View.Schema && v.Name == c.View.Name }); !ok {
			return fmt.Errorf("no such view")
		}
	case *change.AddRoutine:
		s.Routines = append(s.Routines, deepCopy(c.Routine))
	case *change.DropRoutine:
		var ok bool
		if s.Routines, ok = removeObj(s.Routines, func(r *schema.Routine) bool { return routineSig(r) == routineSig(c.Routine) }); !ok {
			return fmt.Errorf("no such routine")
		}
	case *change.ReplaceRoutine:
		for i, r := range s.Routines {
			if routineSig(r) == routineSig(c.From) {
				s.Routines[i] = deepCopy(c.To)
				return nil
			}
		}
		return fmt.Errorf("routine not in its From state")
	case *change.AddTrigger:
		if !simHasRelation(s, relNode(c.Trigger.Schema, c.Trigger.Table)) {
			return fmt.Errorf("no table or view %s", c.Trigger.Table)
		}
		s.Triggers = append(s.Triggers, deepCopy(c.Trigger))
	case *change.DropTrigger:
		var ok bool
		if s.Triggers, ok = removeObj(s.Triggers, func(t *schema.Trigger) bool { return *t == *c.Trigger }); !ok {
			return fmt.Errorf("no such trigger")
		}
	case *change.AddRule:
		if !simHasRelation(s, relNode(c.Rule.Schema, c.Rule.Table)) {
			return fmt.Errorf("no table or view %s", c.Rule.Table)
		}
		for w := range words(c.Rule.Definition) {
			if n := simWants(s, w); n != "" {
				return fmt.Errorf("its action names %s, which does not exist yet", n)
			}
		}
		for _, r := range s.Rules {
			if r.Schema == c.Rule.Schema && r.Table == c.Rule.Table && r.Name == c.Rule.Name {
				return fmt.Errorf("rule exists")
			}
		}
		s.Rules = append(s.Rules, deepCopy(c.Rule))
	case *change.DropRule:
		var ok bool
		if s.Rules, ok = removeObj(s.Rules, func(r *schema.Rule) bool { return *r == *c.Rule }); !ok {
			return fmt.Errorf("no such rule")
		}
	case *change.ReplaceRule:
		if c.From.Schema != c.To.Schema || c.From.Table != c.To.Table || c.From.Name != c.To.Name {
			return fmt.Errorf("CREATE OR REPLACE RULE keeps the rule's name and table")
		}
		for i, r := range s.Rules {
			if *r == *c.From {
				s.Rules[i] = deepCopy(c.To)
				return nil
			}
		}
		return fmt.Errorf("rule not in its From state")
	case *change.AddNamespace:
		s.Namespaces = append(s.Namespaces, deepCopy(c.Namespace))
	case *change.DropNamespace:
		for _, t := range s.Tables {
			if t.Schema == c.Namespace.Name {
				return fmt.Errorf("table %s is still in it", t.Name)
			}
		}
		for _, t := range s.Types {
			if t.Schema == c.Namespace.Name {
				return fmt.Errorf("type %s is still in it", t.Name)
			}
		}
		var ok bool
		if s.Namespaces, ok = removeObj(s.Namespaces, func(n *schema.Namespace) bool { return *n == *c.Namespace }); !ok {
			return fmt.Errorf("no such schema")
		}
	case *change.AddExtension:
		s.Extensions = append(s.Extensions, deepCopy(c.Extension))
	case *change.DropExtension:
		var ok bool
		if s.Extensions, ok = removeObj(s.Extensions, func(e *schema.Extension) bool { return *e == *c.Extension }); !ok {
			return fmt.Errorf("no such extension")
		}
	default:
		return fmt.Errorf("simulator: unknown change %T", c)
	}
	return nil
}

func simReplaceType(s *schema.Schema, from, to *schema.Type) error {
	for i, x := range s.Types {
		if x.Schema == from.Schema && x.Name == from.Name {
			if !slices.Equal(x.Values, from.Values) {
				return fmt.Errorf("enum not in its From state")
			}
			s.Types[i] = deepCopy(to)
			return nil
		}
	}
	return fmt.Errorf("no such type")
}

// ruleUsing returns the name of a rule on the relation schemaName.name or
// whose definition names it: PostgreSQL refuses to drop, or change the
// type of a column of, what a rule reads.
func ruleUsing(s *schema.Schema, schemaName, name string) string {
	for _, r := range s.Rules {
		if normSchema(r.Schema) == normSchema(schemaName) && r.Table == name || words(r.Definition)[strings.ToLower(name)] {
			return r.Name
		}
	}
	return ""
}

// simWants reports the relation that word names when the simulated schema
// does not hold it but the test's universe of relation names does: rule
// definitions in the tests name their tables with a "t_" prefix so that
// the simulator can tell a missing relation from an ordinary word.
func simWants(s *schema.Schema, word string) string {
	if !strings.HasPrefix(word, "t_") {
		return ""
	}
	for _, t := range s.Tables {
		if strings.ToLower(t.Name) == word {
			return ""
		}
	}
	for _, v := range s.Views {
		if strings.ToLower(v.Name) == word {
			return ""
		}
	}
	return word
}

func simHasRelation(s *schema.Schema, node string) bool {
	for _, t := range s.Tables {
		if relNode(t.Schema, t.Name) == node {
			return true
		}
	}
	for _, v := range s.Views {
		if relNode(v.Schema, v.Name) == node {
			return true
		}
	}
	return false
}

// simNamespace requires a schema other than the default one to exist, when
// the simulated schema tracks namespaces at all.
func simNamespace(s *schema.Schema, name string) error {
	if name == "" || name == "public" || s.Namespaces == nil {
		return nil
	}
	for _, n := range s.Namespaces {
		if n.Name == name {
			return nil
		}
	}
	return fmt.Errorf("no schema %s", name)
}
