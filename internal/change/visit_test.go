package change

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"testing"
)

// TestVisitorCoversEveryKind: every type of this package with an Inverse
// method (every change kind) has its Visitor method, so no kind reaches
// Visit's fallback.
func TestVisitorCoversEveryKind(t *testing.T) {
	t.Parallel()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	vt := reflect.TypeFor[Visitor]()
	kinds := 0
	for _, f := range pkgs["change"].Files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Inverse" {
				continue
			}
			recv := fn.Recv.List[0].Type
			if st, ok := recv.(*ast.StarExpr); ok {
				recv = st.X
			}
			name := recv.(*ast.Ident).Name
			kinds++
			if _, ok := vt.MethodByName(name); !ok {
				t.Errorf("change kind %s has no Visitor method", name)
			}
		}
	}
	if kinds != vt.NumMethod() {
		t.Errorf("%d change kinds, %d Visitor methods", kinds, vt.NumMethod())
	}
}

// TestVisitRoutesEveryKind: Visit hands each kind to a method that gets
// that very change; Refuse's error names it and matches
// errors.ErrUnsupported and the dialect's sentinel.
func TestVisitRoutesEveryKind(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("dialect sentinel")
	vt := reflect.TypeFor[Visitor]()
	for i := range vt.NumMethod() {
		m := vt.Method(i)
		c := reflect.New(m.Type.In(0).Elem()).Interface().(Change)
		err := Visit(Refuse{Dialect: "TestDB", Err: sentinel}, c)
		var ue *UnsupportedError
		if !errors.As(err, &ue) || ue.Change != c {
			t.Errorf("%s: Visit = %v, want the UnsupportedError of that change", m.Name, err)
			continue
		}
		if !errors.Is(err, errors.ErrUnsupported) || !errors.Is(err, sentinel) {
			t.Errorf("%s: %v does not match ErrUnsupported and the sentinel", m.Name, err)
		}
	}
	if err := Visit(Refuse{}, nil); err == nil {
		t.Error("Visit(nil) returned no error")
	}
}
