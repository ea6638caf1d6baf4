package models

import (
	"fmt"
	"reflect"
)

// tabler is the method GORM and retort read a table name from.
type tabler interface{ TableName() string }

// FromValues reads the models from values of struct types (or pointers to
// them), as models.Desired(&Student{}, &Item{}) passes them, through
// reflection. TableName() is called on a zero value of each type.
func FromValues(v ...any) (*Schema, error) {
	var structs []*goStruct
	for i, x := range v {
		t := reflect.TypeOf(x)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			return nil, fmt.Errorf("models: argument %d is %T, not a struct or a pointer to one", i+1, x)
		}
		gs, err := reflectStruct(t, true)
		if err != nil {
			return nil, err
		}
		structs = append(structs, gs)
	}
	return build(structs)
}

// reflectStruct describes a struct type; TableName is called only for a
// model (withTable), not for a struct embedded in one.
func reflectStruct(t reflect.Type, withTable bool) (gs *goStruct, err error) {
	gs = &goStruct{Name: t.Name()}
	if gs.Name == "" {
		return nil, fmt.Errorf("models: an unnamed struct type (%s) has no table name: declare it as a named type", t)
	}
	if withTable && reflect.PointerTo(t).Implements(reflect.TypeOf((*tabler)(nil)).Elem()) {
		defer func() {
			if r := recover(); r != nil {
				err = &StructError{Struct: gs.Name, Msg: fmt.Sprintf("TableName() panicked on a zero value: %v", r)}
			}
		}()
		gs.TableName = reflect.New(t).Interface().(tabler).TableName()
		if gs.TableName == "" {
			return nil, &StructError{Struct: gs.Name, Msg: "TableName() returned an empty name"}
		}
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		gs.Fields = append(gs.Fields, goField{
			Name: f.Name, Tag: f.Tag, Embedded: f.Anonymous, Exported: f.IsExported(),
			Type: reflectType(f.Type),
		})
	}
	return gs, nil
}

var reflectKinds = map[reflect.Kind]kind{
	reflect.Bool: kBool, reflect.Int: kInt, reflect.Int8: kInt8, reflect.Int16: kInt16,
	reflect.Int32: kInt32, reflect.Int64: kInt64, reflect.Uint: kUint, reflect.Uint8: kUint8,
	reflect.Uint16: kUint16, reflect.Uint32: kUint32, reflect.Uint64: kUint64,
	reflect.Float32: kFloat32, reflect.Float64: kFloat64, reflect.String: kString,
	reflect.Pointer: kPtr, reflect.Slice: kSlice, reflect.Array: kArray, reflect.Map: kMap,
	reflect.Struct: kStruct,
}

func reflectType(t reflect.Type) *goType {
	g := &goType{Kind: reflectKinds[t.Kind()], String: t.String()}
	if t.Name() != "" && t.PkgPath() != "" {
		g.Pkg, g.Name = pkgName(t), t.Name()
	} else if t.Name() != "" && t.Kind() == reflect.Struct {
		g.Name = t.Name()
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		g.Elem = reflectType(t.Elem())
	case reflect.Struct:
		g.Struct = func() (*goStruct, error) { return reflectStruct(t, false) }
	}
	return g
}

// pkgName is the package name of a named type: the package qualifier
// reflect prints ("time" of "time.Time").
func pkgName(t reflect.Type) string {
	s := t.String()
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i]
		}
		if s[i] == '[' {
			break
		}
	}
	return ""
}
