package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// types compares user-defined types. An enum that only gained values (the
// old ones in their order) gets AddEnumValues; other changes of an enum's
// values get RemoveEnumValues, which the dialect renders by rebuilding the
// type under its columns. Any other change of a type drops and recreates
// it, which shows as a removal and an addition.
func (d *differ) types() {
	to := map[tkey]*schema.Type{}
	for _, t := range d.to.Types {
		to[keyOf(t.Schema, t.Name)] = t
	}
	seen := map[tkey]bool{}
	for _, ft := range d.from.Types {
		k := keyOf(ft.Schema, ft.Name)
		tt := to[k]
		if tt == nil {
			d.add(phDropTypeLate, k.String(), &change.DropType{Type: ft})
			continue
		}
		seen[k] = true
		if typeSig(ft, false) == typeSig(tt, false) {
			continue
		}
		if ft.Kind == schema.EnumType && tt.Kind == schema.EnumType && typeSig(ft, true) == typeSig(tt, true) {
			// Values only added, old ones in their order: ALTER TYPE ...
			// ADD VALUE suffices. Any other change of the values keeps the
			// type and its columns but rebuilds it (RemoveEnumValues); a
			// drop and add would fail while columns use the type.
			if isSubsequence(ft.Values, tt.Values) {
				d.add(phAddEnumValues, k.String(), &change.AddEnumValues{From: ft, To: tt})
			} else {
				d.add(phAddEnumValues, k.String(), &change.RemoveEnumValues{From: ft, To: tt})
			}
			continue
		}
		d.add(phDropType, k.String(), &change.DropType{Type: ft})
		d.add(phAddType, k.String(), &change.AddType{Type: tt})
	}
	for _, tt := range d.to.Types {
		k := keyOf(tt.Schema, tt.Name)
		if !seen[k] {
			d.add(phAddType, k.String(), &change.AddType{Type: tt})
		}
	}
}

// typeSig is a type's content; withoutValues leaves out enum labels.
func typeSig(t *schema.Type, withoutValues bool) string {
	values := list(t.Values)
	if withoutValues {
		values = ""
	}
	def := "\x00"
	if t.Default != nil {
		def = *t.Default
	}
	checks := make([]string, len(t.Checks))
	for i, c := range t.Checks {
		checks[i] = sig(c.Name, checkSig(c))
	}
	attrs := make([]string, len(t.Attributes))
	for i, a := range t.Attributes {
		attrs[i] = sig(a.Name, a.Type, a.Collation, a.Comment)
	}
	return sig(string(t.Kind), values, t.Base, flag(t.NotNull), def, t.Collation,
		strings.Join(checks, "\x1d"), strings.Join(attrs, "\x1d"), t.Comment)
}

// sequences compares stand-alone sequences.
func (d *differ) sequences() {
	to := map[tkey]*schema.Sequence{}
	for _, s := range d.to.Sequences {
		to[keyOf(s.Schema, s.Name)] = s
	}
	seen := map[tkey]bool{}
	for _, fs := range d.from.Sequences {
		k := keyOf(fs.Schema, fs.Name)
		ts := to[k]
		if ts == nil {
			d.add(phDropSequence, k.String(), &change.DropSequence{Sequence: fs})
			continue
		}
		seen[k] = true
		if *fs != *ts {
			d.add(phAlterSequence, k.String(), &change.AlterSequence{From: fs, To: ts})
		}
	}
	for _, ts := range d.to.Sequences {
		k := keyOf(ts.Schema, ts.Name)
		if !seen[k] {
			d.add(phAddSequence, k.String(), &change.AddSequence{Sequence: ts})
		}
	}
}

// Dependency graph nodes are strings: "rel:schema.name" for tables and
// views, "fn:schema.name(signature)" for routines. The default namespace
// is spelled "" whether the dialect calls it "" or "public".

func normSchema(s string) string {
	if s == "public" {
		return ""
	}
	return s
}

func relNode(schemaName, name string) string {
	return "rel:" + normSchema(schemaName) + "." + name
}

func fnNode(schemaName, name, signature string) string {
	return "fn:" + normSchema(schemaName) + "." + name + "(" + signature + ")"
}

// foldNode returns a graph node as the server's name rules compare it:
// lower-cased where relations' (or routines') names differ only in case
// are one name.
func foldNode(rules schema.NameRules, node string) string {
	if strings.HasPrefix(node, "rel:") && rules.FoldTables || strings.HasPrefix(node, "fn:") && rules.FoldRoutines {
		return strings.ToLower(node)
	}
	return node
}

func (d *differ) relNode(schemaName, name string) string {
	return foldNode(d.names, relNode(schemaName, name))
}

func (d *differ) fnNode(schemaName, name, signature string) string {
	return foldNode(d.names, fnNode(schemaName, name, signature))
}

// designationKinds are the keywords a DependsOn entry may start with,
// longest first; relational reports whether the object is a relation
// created with the tables (rather than before them).
var designationKinds = []struct {
	kw         string
	routine    bool
	relational bool
}{
	{"MATERIALIZED VIEW ", false, true},
	{"FOREIGN TABLE ", false, true},
	{"PROCEDURE ", true, false},
	{"AGGREGATE ", true, false},
	{"FUNCTION ", true, false},
	{"SEQUENCE ", false, false},
	{"TABLE ", false, true},
	{"VIEW ", false, true},
	{"TYPE ", false, false},
}

// parseDesignation turns a DependsOn entry ("VIEW public.v", "FUNCTION
// f(integer)") into a graph node; relational tells relations from the rest.
func parseDesignation(s string) (node string, relational, ok bool) {
	for _, k := range designationKinds {
		if !strings.HasPrefix(s, k.kw) {
			continue
		}
		rest := s[len(k.kw):]
		if k.routine {
			open := strings.IndexByte(rest, '(')
			if open < 0 || !strings.HasSuffix(rest, ")") {
				return "", false, false
			}
			sch, name := splitQualified(rest[:open])
			signature := rest[open+1 : len(rest)-1]
			if k.kw == "AGGREGATE " && signature == "*" {
				signature = ""
			}
			return fnNode(sch, name, signature), false, true
		}
		sch, name := splitQualified(rest)
		return relNode(sch, name), k.relational, true
	}
	return "", false, false
}

// splitQualified splits an SQL name "a.b", `"a"."b"` or "b" into schema and
// name, undoing double-quote quoting.
func splitQualified(s string) (schemaName, name string) {
	var parts []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '"' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case c == '.' && !quoted:
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	parts = append(parts, b.String())
	if len(parts) == 1 {
		return "", parts[0]
	}
	return parts[len(parts)-2], parts[len(parts)-1]
}

// words returns the lower-cased identifiers a definition's text names:
// bare words and quoted identifiers, as sqlsplit's lexer reads them
// (string literals and comments skipped). It is not a parser: it serves to
// find, conservatively, which tables and views a view may read when the
// dialect lists no dependencies. An unterminated token ends the words.
func words(text string) map[string]bool {
	out := map[string]bool{}
	toks, _ := sqlsplit.Tokens(text, sqlsplit.Generic)
	for _, t := range toks {
		switch t.Kind {
		case sqlsplit.Word:
			out[strings.ToLower(t.Text)] = true
		case sqlsplit.QuotedIdent:
			q := t.Text[len(t.Text)-1:]
			if q == "]" {
				q = ""
			}
			name := t.Text[1 : len(t.Text)-1]
			if q != "" {
				name = strings.ReplaceAll(name, q+q, q)
			}
			out[strings.ToLower(name)] = true
		}
	}
	return out
}

// codeObj is a view or routine in the dependency graph.
type codeObj struct {
	node    string
	display string // for ordering ties: schema.name(signature)
	deps    []string
	view    *schema.View
	routine *schema.Routine
	// relational: created with the views, after the tables.
	relational bool
}

// graph builds the views and routines of s with their dependencies. Views
// depend on what their DependsOn names and, conservatively, on every table
// and view of the schema whose name their text mentions.
func graph(s *schema.Schema, rules schema.NameRules) map[string]*codeObj {
	node := func(n string) string { return foldNode(rules, n) }
	g := map[string]*codeObj{}
	relNames := map[string][]string{} // lower-case name -> nodes
	if len(s.Views) == 0 && len(s.Routines) == 0 {
		return g
	}
	for _, t := range s.Tables {
		relNames[strings.ToLower(t.Name)] = append(relNames[strings.ToLower(t.Name)], node(relNode(t.Schema, t.Name)))
	}
	for _, v := range s.Views {
		relNames[strings.ToLower(v.Name)] = append(relNames[strings.ToLower(v.Name)], node(relNode(v.Schema, v.Name)))
	}
	for _, v := range s.Views {
		o := &codeObj{node: node(relNode(v.Schema, v.Name)), display: keyOf(v.Schema, v.Name).String(), view: v, relational: true}
		for _, dep := range v.DependsOn {
			if n, _, ok := parseDesignation(dep); ok {
				o.deps = append(o.deps, node(n))
			}
		}
		for w := range words(v.Definition) {
			o.deps = append(o.deps, relNames[w]...)
		}
		g[o.node] = o
	}
	for _, r := range s.Routines {
		n, display := fnNode(r.Schema, r.Name, r.Signature), keyOf(r.Schema, r.Name).String()+"("+r.Signature+")"
		if rules.RoutineKinds {
			n, display = n+" "+string(r.Kind), display+" "+string(r.Kind)
		}
		o := &codeObj{node: node(n), display: display, routine: r}
		for _, dep := range r.DependsOn {
			if n, rel, ok := parseDesignation(dep); ok {
				o.deps = append(o.deps, node(n))
				o.relational = o.relational || rel
			}
		}
		g[o.node] = o
	}
	for _, o := range g {
		sort.Strings(o.deps)
		o.deps = slices.Compact(o.deps)
	}
	return g
}

func viewSig(v *schema.View) string {
	idx := make([]string, len(v.Indexes))
	for i, x := range v.Indexes {
		idx[i] = sig(x.Name, indexSig(x, nil, true))
	}
	return sig(v.Definition, flag(v.Materialized), v.CheckOption, list(v.Columns), strings.Join(idx, "\x1d"), v.Options, v.Comment)
}

func routineSig(r *schema.Routine) string {
	return sig(string(r.Kind), r.Definition, r.Comment)
}

// topo orders objs so that every object comes after the objects it depends
// on (among objs), ties broken by display name. Cycles, which a server
// would not have let exist, are broken by name order.
func topo(objs []*codeObj) []*codeObj {
	in := map[string]*codeObj{}
	for _, o := range objs {
		in[o.node] = o
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].display < objs[j].display })
	done := map[string]bool{}
	visiting := map[string]bool{}
	out := make([]*codeObj, 0, len(objs))
	var visit func(o *codeObj)
	visit = func(o *codeObj) {
		if done[o.node] || visiting[o.node] {
			return
		}
		visiting[o.node] = true
		for _, dep := range o.deps {
			if x := in[dep]; x != nil {
				visit(x)
			}
		}
		visiting[o.node] = false
		done[o.node] = true
		out = append(out, o)
	}
	for _, o := range objs {
		visit(o)
	}
	return out
}

// code compares views, routines and triggers. Views that read a dropped,
// renamed or altered table, or a view that is dropped or recreated, are
// dropped before the change and created again after it.
func (d *differ) code() {
	fg, tg := graph(d.from, d.names), graph(d.to, d.names)
	broken, replaced := d.brokenCode(fg, tg)
	spreadBroken(fg, broken)

	var dropCode, dropRoutine, dropRoutineLate, addCode, addRoutine []*codeObj
	for node, f := range fg {
		if !broken[node] {
			continue
		}
		switch {
		case f.relational:
			dropCode = append(dropCode, f)
		case tg[node] != nil:
			dropRoutine = append(dropRoutine, f)
		default:
			dropRoutineLate = append(dropRoutineLate, f)
		}
	}
	for node, t := range tg {
		if f := fg[node]; f != nil && !broken[node] {
			continue
		}
		if t.relational {
			addCode = append(addCode, t)
		} else {
			addRoutine = append(addRoutine, t)
		}
	}
	for node, t := range tg {
		if !replaced[node] {
			continue
		}
		ph := phAddRoutine
		if t.relational {
			ph = phAddCode
		}
		d.add(ph, "r\x00"+t.display, &change.ReplaceRoutine{From: fg[node].routine, To: t.routine})
	}
	d.emitCode(phDropCode, dropCode, true)
	d.emitCode(phDropRoutine, dropRoutine, true)
	d.emitCode(phDropRoutineLate, dropRoutineLate, true)
	d.emitCode(phAddRoutine, addRoutine, false)
	d.emitCode(phAddCode, addCode, false)

	d.triggers(broken)
	d.rules(broken)
	d.security(broken)
}

// brokenCode returns what a view may not survive (tables dropped, renamed
// or with column changes, views and routines dropped or changed beyond
// CREATE OR REPLACE) and the routines a CREATE OR REPLACE changes.
func (d *differ) brokenCode(fg, tg map[string]*codeObj) (broken, replaced map[string]bool) {
	broken, replaced = map[string]bool{}, map[string]bool{}
	for k := range d.touched {
		broken[d.relNode(k.schema, k.name)] = true
	}
	for node, f := range fg {
		t := tg[node]
		switch {
		case t == nil:
			broken[node] = true
		case f.view != nil && t.view != nil && viewSig(f.view) != viewSig(t.view):
			broken[node] = true
		case f.view != nil && t.view == nil, f.routine != nil && t.routine == nil:
			// A view became a table or the other way round.
			broken[node] = true
		case f.routine != nil && routineSig(f.routine) != routineSig(t.routine):
			if f.routine.Kind != t.routine.Kind {
				broken[node] = true
			} else {
				replaced[node] = true
			}
		}
	}
	return broken, replaced
}

// spreadBroken marks the views that depend on something broken as broken
// too, until nothing changes.
func spreadBroken(fg map[string]*codeObj, broken map[string]bool) {
	for changed := true; changed; {
		changed = false
		for node, f := range fg {
			if broken[node] || f.view == nil {
				continue
			}
			for _, dep := range f.deps {
				if broken[dep] {
					broken[node] = true
					changed = true
					break
				}
			}
		}
	}
}

// emitCode adds the changes that create (or, with drop, drop) objs in
// phase ph, in dependency order (dependents first when dropping).
func (d *differ) emitCode(ph phase, objs []*codeObj, drop bool) {
	objs = topo(objs)
	if drop {
		slices.Reverse(objs)
	}
	for i, o := range objs {
		key := fmt.Sprintf("%08d", i)
		switch {
		case o.view != nil && drop:
			d.add(ph, key, &change.DropView{View: o.view})
		case o.view != nil:
			d.add(ph, key, &change.AddView{View: o.view})
		case drop:
			d.add(ph, key, &change.DropRoutine{Routine: o.routine})
		default:
			d.add(ph, key, &change.AddRoutine{Routine: o.routine})
		}
	}
}

// triggers compares triggers by (schema, table, name) and definition. A
// trigger on a view that is recreated is recreated with it.
func (d *differ) triggers(broken map[string]bool) {
	type trkey struct{ schema, table, name string }
	to := map[trkey]*schema.Trigger{}
	for _, t := range d.to.Triggers {
		k := d.key(t.Schema, t.Table)
		to[trkey{k.schema, k.name, t.Name}] = t
	}
	views := map[tkey]bool{}
	for _, v := range d.from.Views {
		views[d.key(v.Schema, v.Name)] = true
	}
	seen := map[trkey]bool{}
	for _, ft := range d.from.Triggers {
		nk := d.newKey(d.key(ft.Schema, ft.Table))
		k := trkey{nk.schema, nk.name, ft.Name}
		tt := to[k]
		isView := views[d.key(ft.Schema, ft.Table)]
		if tt != nil && ft.Definition == tt.Definition && ft.Comment == tt.Comment &&
			!(isView && broken[d.relNode(ft.Schema, ft.Table)]) {
			seen[k] = true
			continue
		}
		d.add(phDropTrigger, tableObjKey(d.key(ft.Schema, ft.Table), ft.Name), &change.DropTrigger{Trigger: ft})
	}
	for _, tt := range d.to.Triggers {
		tk := d.key(tt.Schema, tt.Table)
		k := trkey{tk.schema, tk.name, tt.Name}
		if !seen[k] {
			d.add(phAddTrigger, tableObjKey(d.key(tt.Schema, tt.Table), tt.Name), &change.AddTrigger{Trigger: tt})
		}
	}
}

// rules compares PostgreSQL rewrite rules by (schema, table, name),
// definition and comment, as triggers are compared. A rule depends on its
// table and on every relation and routine its action names (an INSERT
// rule that routes rows into an INHERITS child names the child): rules are
// dropped first (phDropRule, before any view, column or table goes) and
// created last (phAddRule, after every table, view and routine exists).
// A rule that reads something dropped, renamed, recreated or with changed
// columns (broken, as for views) is dropped before that change and created
// again after it, since PostgreSQL refuses to drop or retype what a rule
// uses; any other change of its definition or comment is a ReplaceRule.
func (d *differ) rules(broken map[string]bool) {
	if len(d.from.Rules) == 0 && len(d.to.Rules) == 0 {
		return
	}
	type rkey struct{ schema, table, name string }
	to := make(map[rkey]*schema.Rule, len(d.to.Rules))
	for _, r := range d.to.Rules {
		to[rkey{r.Schema, r.Table, r.Name}] = r
	}
	reads := d.textReadsBroken(broken)
	ruleBroken := func(r *schema.Rule) bool { return reads(r.Schema, r.Table, r.Definition) }
	seen := map[rkey]bool{}
	for _, fr := range d.from.Rules {
		nk := d.newKey(d.key(fr.Schema, fr.Table))
		k := rkey{nk.schema, nk.name, fr.Name}
		tr := to[k]
		if tr != nil && !ruleBroken(fr) {
			seen[k] = true
			if tr.Definition != fr.Definition || tr.Comment != fr.Comment {
				d.add(phAddRule, tableObjKey(nk, tr.Name), &change.ReplaceRule{From: fr, To: tr})
			}
			continue
		}
		d.add(phDropRule, tableObjKey(d.key(fr.Schema, fr.Table), fr.Name), &change.DropRule{Rule: fr})
	}
	for _, tr := range d.to.Rules {
		k := rkey{tr.Schema, tr.Table, tr.Name}
		if !seen[k] {
			d.add(phAddRule, tableObjKey(d.key(tr.Schema, tr.Table), tr.Name), &change.AddRule{Rule: tr})
		}
	}
}

// misc compares namespaces (and their comments) and extensions, and
// reports differences in objects no change type covers (Schema.Comments).
func (d *differ) misc() {
	d.namespaces()
	d.extensions()
	comments := func(s *schema.Schema) []string {
		var out []string
		for _, c := range s.Comments {
			out = append(out, fmt.Sprintf("on %s (%q)", c.Object, c.Text))
		}
		return out
	}
	d.unsupportedSet("comment", comments(d.from), comments(d.to))
}

// unsupportedSet reports each of from missing in to as removed, and each
// of to missing in from as added or changed: objects retort cannot
// migrate, named.
func (d *differ) unsupportedSet(what string, from, to []string) {
	f := map[string]bool{}
	for _, s := range from {
		f[s] = true
	}
	t := map[string]bool{}
	for _, s := range to {
		t[s] = true
	}
	for _, s := range from {
		if !t[s] {
			d.unsupportedf("%s %s removed", what, s)
		}
	}
	for _, s := range to {
		if !f[s] {
			d.unsupportedf("%s %s added or changed", what, s)
		}
	}
}

// namespaces compares schemas and their comments. PostgreSQL's inspector
// lists public only when its comment is not a new database's: missing on
// one side, public is there with the default comment, and is never
// created or dropped. A schema's comment changes in place; the old one
// comes from the from side as inspected.
func (d *differ) namespaces() {
	toNS := map[string]*schema.Namespace{}
	for _, n := range d.to.Namespaces {
		toNS[n.Name] = n
	}
	seenNS := map[string]bool{}
	for _, n := range d.from.Namespaces {
		t := toNS[n.Name]
		switch {
		case t == nil && n.Name == "public":
			d.add(phAddNamespace, n.Name, &change.SetNamespaceComment{Namespace: n.Name, From: n.Comment, ToDefault: true})
		case t == nil:
			d.add(phDropNamespace, n.Name, &change.DropNamespace{Namespace: n})
		case t.Comment != n.Comment:
			d.add(phAddNamespace, n.Name, &change.SetNamespaceComment{Namespace: n.Name, From: n.Comment, To: t.Comment})
		}
		seenNS[n.Name] = true
	}
	for _, n := range d.to.Namespaces {
		switch {
		case seenNS[n.Name]:
		case n.Name == "public":
			d.add(phAddNamespace, n.Name, &change.SetNamespaceComment{Namespace: n.Name, FromDefault: true, To: n.Comment})
		default:
			d.add(phAddNamespace, n.Name, &change.AddNamespace{Namespace: n})
		}
	}
}

// extensions compares extensions: added and dropped; one that changes
// its schema or comment is reported as not supported.
func (d *differ) extensions() {
	toExt := map[string]*schema.Extension{}
	for _, e := range d.to.Extensions {
		toExt[e.Name] = e
	}
	seenExt := map[string]bool{}
	for _, e := range d.from.Extensions {
		t := toExt[e.Name]
		switch {
		case t == nil:
			d.add(phDropExtension, e.Name, &change.DropExtension{Extension: e})
		case *t != *e:
			d.unsupportedf("extension %q changed schema or comment", e.Name)
		}
		seenExt[e.Name] = true
	}
	for _, e := range d.to.Extensions {
		if !seenExt[e.Name] {
			d.add(phAddExtension, e.Name, &change.AddExtension{Extension: e})
		}
	}
}

// isSubsequence reports whether every element of a appears in b, in order.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, v := range b {
		if i < len(a) && a[i] == v {
			i++
		}
	}
	return i == len(a)
}
