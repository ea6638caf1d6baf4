package models

import "reflect"

// kind is the kind of a Go type's underlying type, as both front ends see
// it.
type kind int

const (
	kOther kind = iota
	kBool
	kInt
	kInt8
	kInt16
	kInt32
	kInt64
	kUint
	kUint8
	kUint16
	kUint32
	kUint64
	kFloat32
	kFloat64
	kString
	kPtr
	kSlice
	kArray
	kMap
	kStruct
)

// goType is a Go type as a front end describes it: reflection and
// go/types both reduce to this, so that the rest of the package does not
// know which one read the code.
type goType struct {
	// Pkg and Name are the package name (not path) and type name of a
	// named type; both empty for an unnamed one.
	Pkg, Name string
	// Kind is the kind of the underlying type.
	Kind kind
	// Elem is the element of a pointer, slice or array.
	Elem *goType
	// Struct reads a struct type's fields and table name; nil for other
	// kinds. It is a function so that recursive types are only expanded
	// where the fields are needed (embedding).
	Struct func() (*goStruct, error)
	// String is the type as Go prints it, for messages.
	String string
}

// goStruct is a struct type.
type goStruct struct {
	// Name is the type's name.
	Name string
	// TableName is what its TableName method returns, "" without one.
	TableName string
	// Fields are the struct's fields in order.
	Fields []goField
}

// goField is one field of a struct.
type goField struct {
	Name     string
	Tag      reflect.StructTag
	Embedded bool
	Exported bool
	Type     *goType
}

// is reports whether t is the named type pkg.name.
func (t *goType) is(pkg, name string) bool {
	return t != nil && t.Pkg == pkg && t.Name == name
}

// deref returns the element of a pointer type, else t.
func (t *goType) deref() (*goType, bool) {
	if t.Kind == kPtr && t.Name == "" && t.Elem != nil {
		return t.Elem, true
	}
	return t, false
}
