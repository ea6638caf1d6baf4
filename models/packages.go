package models

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Load reads the models from the Go package in dir (pattern "." when
// empty), type-checked with go/packages and never run. Every exported
// struct type the package declares is a model, except those only embedded
// in other models (anonymously or with gorm:"embedded") and those whose
// doc comment holds the line
// "retort:ignore". TableName methods are read statically: the body must be
// one return of a constant string.
func Load(ctx context.Context, dir, pattern string) (*Schema, error) {
	pkg, err := loadPackage(ctx, dir, pattern)
	if err != nil {
		return nil, err
	}
	l := &loader{pkg: pkg}
	names, embedded := l.modelTypes()
	var structs []*goStruct
	for _, tn := range names {
		if embedded[tn] {
			continue
		}
		gs, err := l.structOf(tn.Type().(*types.Named), true)
		if err != nil {
			return nil, err
		}
		structs = append(structs, gs)
	}
	if len(structs) == 0 {
		return nil, fmt.Errorf("models: the package %s declares no exported struct types", pkg.PkgPath)
	}
	return build(structs)
}

// loadPackage type-checks the one package pattern names in dir.
func loadPackage(ctx context.Context, dir, pattern string) (*packages.Package, error) {
	if pattern == "" {
		pattern = "."
	}
	cfg := &packages.Config{
		Context: ctx,
		Dir:     dir,
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Tests:   false,
	}
	pkgs, err := packages.Load(cfg, pattern)
	if err != nil {
		return nil, fmt.Errorf("models: load the package %s in %s: %w", pattern, dir, err)
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("models: %s in %s names %d packages: name exactly one", pattern, dir, len(pkgs))
	}
	pkg := pkgs[0]
	if len(pkg.Errors) > 0 {
		var msgs []string
		for _, e := range pkg.Errors {
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("models: the package %s does not compile:\n    %s", pkg.PkgPath, strings.Join(msgs, "\n    "))
	}
	return pkg, nil
}

// modelTypes are the package's exported, non-generic struct types not
// marked retort:ignore, in source order, and the ones among all its
// struct types' fields that are embedded (anonymously or with
// gorm:"embedded"), which are parts of models rather than models.
func (l *loader) modelTypes() ([]*types.TypeName, map[*types.TypeName]bool) {
	ignored := l.ignored()
	var names []*types.TypeName
	embedded := map[*types.TypeName]bool{}
	scope := l.pkg.Types.Scope()
	for _, n := range scope.Names() {
		tn, ok := scope.Lookup(n).(*types.TypeName)
		if !ok || !tn.Exported() || tn.IsAlias() {
			continue
		}
		st, ok := tn.Type().Underlying().(*types.Struct)
		if !ok || ignored[tn.Name()] {
			continue
		}
		if nt, ok := tn.Type().(*types.Named); ok && nt.TypeParams().Len() > 0 {
			continue
		}
		names = append(names, tn)
		markEmbedded(st, embedded)
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Pos() < names[j].Pos() })
	return names, embedded
}

// markEmbedded adds to embedded the named types st embeds.
func markEmbedded(st *types.Struct, embedded map[*types.TypeName]bool) {
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !f.Embedded() && !strings.Contains(strings.ToLower(reflect.StructTag(st.Tag(i)).Get("gorm")), "embedded") {
			continue
		}
		t := f.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if nt, ok := t.(*types.Named); ok {
			embedded[nt.Obj()] = true
		}
	}
}

type loader struct {
	pkg *packages.Package
}

// ignored lists the struct types whose doc comment says retort:ignore.
func (l *loader) ignored() map[string]bool {
	out := map[string]bool{}
	for _, f := range l.pkg.Syntax {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.TYPE {
				markIgnored(gd, out)
			}
		}
	}
	return out
}

// markIgnored adds to out the types of a type declaration whose doc
// comment says retort:ignore; the comment of a one-type declaration
// ("// ...\ntype X struct") may stand above the keyword.
func markIgnored(gd *ast.GenDecl, out map[string]bool) {
	for _, sp := range gd.Specs {
		ts := sp.(*ast.TypeSpec)
		doc := ts.Doc
		if doc == nil && len(gd.Specs) == 1 {
			doc = gd.Doc
		}
		if doc != nil && strings.Contains(doc.Text(), "retort:ignore") {
			out[ts.Name.Name] = true
		}
	}
}

// structOf describes a named struct type; its TableName is read only for
// a model (withTable), not for a struct embedded in one.
func (l *loader) structOf(nt *types.Named, withTable bool) (*goStruct, error) {
	gs := &goStruct{Name: nt.Obj().Name()}
	st := nt.Underlying().(*types.Struct)
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		gs.Fields = append(gs.Fields, goField{
			Name: f.Name(), Tag: reflect.StructTag(st.Tag(i)), Embedded: f.Embedded(),
			Exported: f.Exported(), Type: l.typeOf(f.Type()),
		})
	}
	if !withTable {
		return gs, nil
	}
	name, err := l.tableName(nt)
	if err != nil {
		return nil, err
	}
	gs.TableName = name
	return gs, nil
}

// tableName reads the constant a TableName method returns, "" when the
// type has none (tableNameMethod). The method is read, never run
// (staticTableName): what cannot be read that way is an error saying
// what to write instead.
func (l *loader) tableName(nt *types.Named) (string, error) {
	fn := tableNameMethod(nt)
	if fn == nil {
		return "", nil
	}
	name, problem := l.staticTableName(fn)
	if problem != "" {
		return "", &StructError{Struct: nt.Obj().Name(), Msg: fmt.Sprintf("TableName %s: retort reads the models without running them, so TableName must be a single `return \"name\"` of a constant string; change it, or give the struct retort:ignore and declare the table in SQL", problem)}
	}
	return name, nil
}

// tableNameMethod is nt's method TableName() string, nil when it has
// none of that signature (GORM's Tabler).
func tableNameMethod(nt *types.Named) *types.Func {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(nt), true, nt.Obj().Pkg(), "TableName")
	fn, ok := obj.(*types.Func)
	if !ok {
		return nil
	}
	sig := fn.Type().(*types.Signature)
	if sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type().Underlying(), types.Typ[types.String]) {
		return nil
	}
	return fn
}

// staticTableName reads the name fn's body returns; problem says why it
// cannot be read ("has no body to read"), "" when it can.
func (l *loader) staticTableName(fn *types.Func) (name, problem string) {
	if fn.Pkg() != l.pkg.Types {
		return "", "is declared in another package (" + fn.Pkg().Path() + ")"
	}
	decl := l.funcDecl(fn)
	if decl == nil || decl.Body == nil {
		return "", "has no body to read"
	}
	if len(decl.Body.List) != 1 {
		return "", fmt.Sprintf("has %d statements", len(decl.Body.List))
	}
	return l.returnedConstant(decl.Body.List[0])
}

// funcDecl is the declaration of fn in the package's syntax, nil when
// none is there.
func (l *loader) funcDecl(fn *types.Func) *ast.FuncDecl {
	var decl *ast.FuncDecl
	for _, f := range l.pkg.Syntax {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && l.pkg.TypesInfo.Defs[fd.Name] == fn {
				decl = fd
			}
		}
	}
	return decl
}

// returnedConstant reads a `return "name"` statement of a non-empty
// constant string; problem says what st is instead.
func (l *loader) returnedConstant(st ast.Stmt) (name, problem string) {
	ret, ok := st.(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return "", "is not a single return statement"
	}
	tv, ok := l.pkg.TypesInfo.Types[ret.Results[0]]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", "does not return a constant"
	}
	if name = constant.StringVal(tv.Value); name == "" {
		return "", "returns an empty name"
	}
	return name, ""
}

var basicKinds = map[types.BasicKind]kind{
	types.Bool: kBool, types.Int: kInt, types.Int8: kInt8, types.Int16: kInt16,
	types.Int32: kInt32, types.Int64: kInt64, types.Uint: kUint, types.Uint8: kUint8,
	types.Uint16: kUint16, types.Uint32: kUint32, types.Uint64: kUint64,
	types.Float32: kFloat32, types.Float64: kFloat64, types.String: kString,
}

// typeOf describes a go/types type: its name and package when it is
// named, its kind, its element for pointers, slices and arrays, and for a
// struct how to read its fields (structFields), on demand.
func (l *loader) typeOf(t types.Type) *goType {
	g := &goType{String: types.TypeString(t, func(p *types.Package) string { return p.Name() })}
	if a, ok := t.(*types.Alias); ok {
		t = types.Unalias(a)
	}
	if nt, ok := t.(*types.Named); ok && nt.Obj().Pkg() != nil {
		g.Pkg, g.Name = nt.Obj().Pkg().Name(), nt.Obj().Name()
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		g.Kind = basicKinds[u.Kind()]
	case *types.Pointer:
		g.Kind, g.Elem = kPtr, l.typeOf(u.Elem())
	case *types.Slice:
		g.Kind, g.Elem = kSlice, l.typeOf(u.Elem())
	case *types.Array:
		g.Kind, g.Elem = kArray, l.typeOf(u.Elem())
	case *types.Map:
		g.Kind = kMap
	case *types.Struct:
		g.Kind, g.Struct = kStruct, l.structFields(t)
	}
	return g
}

// structFields returns how to read the fields of struct type t when it
// is embedded: a named struct's are read then; an unnamed struct cannot
// be embedded.
func (l *loader) structFields(t types.Type) func() (*goStruct, error) {
	if nt, ok := t.(*types.Named); ok {
		return func() (*goStruct, error) { return l.structOf(nt, false) }
	}
	return func() (*goStruct, error) {
		return nil, errors.New("models: an unnamed struct type cannot be embedded")
	}
}
