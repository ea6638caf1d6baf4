package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retortdb/retort/schema"
)

// The kinds TestEveryKindMigratedOrRefused must cover are read from the
// code, not listed by hand: a kind added to an inspector, or a field added
// to the model, fails the test until a case makes one.

// unsupportedRow matches a row of an SQL query that lists unrepresented
// objects with their kind in the second column (PostgreSQL's
// inspectUnsupported and privilegesQuery): SELECT 1 AS o, 'foreign_table'.
var unsupportedRow = regexp.MustCompile(`SELECT\s+\d+(?:\s+AS\s+o)?,\s*'([a-z_]*)'`)

// inspectorKinds reads, from the source of dialect d's package (tests
// left out), the kinds of unrepresented objects its inspector can report:
// the first argument of unrepf, the Kind of a schema.Unrepresented
// literal, the kind column of the SQL rows that list them and the kind of
// each entry of PostgreSQL's nsObject table. kinds maps
// each kind to where it is reported (file:line). A kind that is not a
// literal (the server's own word for an object the inspector does not
// know) is a catch-all, returned as "file:function".
func inspectorKinds(t *testing.T, d string) (kinds map[string]string, catchAll []string) {
	t.Helper()
	dir := filepath.Join("..", "dialect", d)
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no source in %s (%v): the test reads the inspector's kinds from it", dir, err)
	}
	kinds = map[string]string{}
	at := func(p token.Pos) string {
		pos := fset.Position(p)
		return filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn := "(package)"
			if fd, ok := decl.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			site := filepath.Base(path) + ":" + fn
			ast.Inspect(decl, func(n ast.Node) bool {
				kind, rows := reportedKind(n, fn)
				for _, k := range rows {
					kinds[k] = at(n.Pos())
				}
				if kind == nil {
					return true
				}
				if lit, ok := kind.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					kinds[s] = at(lit.Pos())
				} else if !slices.Contains(catchAll, site) {
					catchAll = append(catchAll, site)
				}
				return true
			})
		}
	}
	return kinds, catchAll
}

// reportedKind returns the expression that gives the kind of an
// unrepresented object n reports, in function fn (the first argument of
// unrepf, the Kind of a schema.Unrepresented literal), or the kinds of
// the SQL rows a string literal n lists.
func reportedKind(n ast.Node, fn string) (kind ast.Expr, rows []string) {
	switch n := n.(type) {
	case *ast.CallExpr:
		if callName(n) == "unrepf" && len(n.Args) > 0 {
			return n.Args[0], nil
		}
	case *ast.CompositeLit:
		// unrepf's own literal takes its callers' kinds.
		if isUnrepresented(n.Type) && fn != "unrepf" {
			return fieldValue(n, "Kind"), nil
		}
		// PostgreSQL's table of unmodelled catalog kinds, each a row of
		// inspectUnsupported's query.
		if at, ok := n.Type.(*ast.ArrayType); ok && isIdent(at.Elt, "nsObject") {
			for _, e := range n.Elts {
				if lit, ok := fieldValue(e.(*ast.CompositeLit), "kind").(*ast.BasicLit); ok {
					k, _ := strconv.Unquote(lit.Value)
					rows = append(rows, k)
				}
			}
		}
	case *ast.BasicLit:
		if n.Kind != token.STRING {
			return nil, nil
		}
		for _, m := range unsupportedRow.FindAllStringSubmatch(n.Value, -1) {
			if m[1] != "" { // an empty kind is a warning
				rows = append(rows, m[1])
			}
		}
	}
	return nil, rows
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isUnrepresented(typ ast.Expr) bool {
	sel, ok := typ.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Unrepresented"
}

// fieldValue is the value of a keyed field of a composite literal; a
// literal without the key gives a placeholder that is not a string, so
// that it counts as a catch-all.
func fieldValue(c *ast.CompositeLit, key string) ast.Expr {
	for _, e := range c.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
				return kv.Value
			}
		}
	}
	return &ast.Ident{Name: "missing"}
}

// schemaMeta are the fields of schema.Schema that are not objects.
var schemaMeta = []string{"Dialect", "Names", "Unrepresented", "Warnings"}

// modelKinds lists what the model holds: each field of schema.Schema
// that holds objects ("Schema.Policies"), each field of schema.Table and
// of its options ("Table.Exclusions", "Table.Options.Partitioning"), and
// each kind of type and routine ("Types.Kind=range"), the TypeKind and
// RoutineKind constants read from package schema's source.
func modelKinds(t *testing.T) []string {
	t.Helper()
	var out []string
	st := reflect.TypeFor[schema.Schema]()
	for i := range st.NumField() {
		if f := st.Field(i); f.IsExported() && !slices.Contains(schemaMeta, f.Name) {
			out = append(out, "Schema."+f.Name)
		}
	}
	tt := reflect.TypeFor[schema.Table]()
	for i := range tt.NumField() {
		switch f := tt.Field(i); f.Name {
		case "Schema", "Name":
		case "Options":
			ot := f.Type
			for j := range ot.NumField() {
				out = append(out, "Table.Options."+ot.Field(j).Name)
			}
		default:
			out = append(out, "Table."+f.Name)
		}
	}
	return append(out, kindConstants(t)...)
}

// kindConstants reads the TypeKind and RoutineKind constants of package
// schema: "Types.Kind=enum", "Routines.Kind=function".
func kindConstants(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "schema", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no source in ../schema (%v)", err)
	}
	prefix := map[string]string{"TypeKind": "Types.Kind=", "RoutineKind": "Routines.Kind="}
	var out []string
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				id, ok := vs.Type.(*ast.Ident)
				if !ok || prefix[id.Name] == "" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						out = append(out, prefix[id.Name]+s)
					}
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no TypeKind or RoutineKind constant found in ../schema")
	}
	return out
}

// coveredKinds returns the model kinds in which want differs from cur:
// what a revision from cur to want had to create.
func coveredKinds(cur, want *schema.Schema) []string {
	var out []string
	cv, wv := reflect.ValueOf(cur).Elem(), reflect.ValueOf(want).Elem()
	for i := range cv.NumField() {
		name := cv.Type().Field(i).Name
		if !slices.Contains(schemaMeta, name) && differs(cv.Field(i), wv.Field(i)) {
			out = append(out, "Schema."+name)
		}
	}
	for _, wt := range want.Tables {
		ct := cur.Table(wt.Schema, wt.Name)
		if ct == nil {
			ct = &schema.Table{}
		}
		c, w := reflect.ValueOf(ct).Elem(), reflect.ValueOf(wt).Elem()
		for i := range c.NumField() {
			name := c.Type().Field(i).Name
			if name == "Schema" || name == "Name" {
				continue
			}
			if name != "Options" {
				if differs(c.Field(i), w.Field(i)) {
					out = append(out, "Table."+name)
				}
				continue
			}
			co, wo := c.Field(i), w.Field(i)
			for j := range co.NumField() {
				if differs(co.Field(j), wo.Field(j)) {
					out = append(out, "Table.Options."+co.Type().Field(j).Name)
				}
			}
		}
	}
	for _, ty := range want.Types {
		if !slices.ContainsFunc(cur.Types, func(x *schema.Type) bool { return x.Schema == ty.Schema && x.Name == ty.Name }) {
			out = append(out, "Types.Kind="+string(ty.Kind))
		}
	}
	for _, r := range want.Routines {
		if !slices.ContainsFunc(cur.Routines, func(x *schema.Routine) bool { return x.Schema == r.Schema && x.Name == r.Name }) {
			out = append(out, "Routines.Kind="+string(r.Kind))
		}
	}
	return out
}

// differs compares two field values, an empty slice as a nil one.
func differs(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return false
	}
	return !reflect.DeepEqual(a.Interface(), b.Interface())
}
