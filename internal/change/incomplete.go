package change

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// IncompleteError says that a change lacks an object its kind needs (the
// Column of an AddColumn, say). Describe dereferences those fields, so an
// error about such a change names it with Label instead.
type IncompleteError struct {
	// Field is what is missing, as the error says it: "column", "foreign key".
	Field string
}

// Error implements error.
func (e *IncompleteError) Error() string { return "no " + e.Field }

// Complete returns an *IncompleteError when c lacks an object: every
// exported pointer field of a change kind must be set, except the From and
// To of SetPrimaryKey and AlterPartitioning, where nil means none. diff
// never makes an incomplete change; a renderer checks once, here, before
// it reads the fields, instead of a nil test in every function.
func Complete(c Change) error {
	switch c.(type) {
	case *SetPrimaryKey, *AlterPartitioning:
		return nil
	}
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	v = v.Elem()
	for k := 0; k < v.NumField(); k++ {
		f, sf := v.Field(k), v.Type().Field(k)
		if sf.IsExported() && f.Kind() == reflect.Pointer && f.IsNil() {
			return &IncompleteError{Field: words(sf.Type.Elem().Name())}
		}
	}
	return nil
}

// words turns a type name into the words of an error: ForeignKey gives
// "foreign key".
func words(name string) string {
	var b strings.Builder
	for k, r := range name {
		if unicode.IsUpper(r) && k > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Label names c in an error about it: its Describe text, or its type when
// c is nil or incomplete (Describe would dereference the missing field).
func Label(c Change) string {
	if c == nil {
		return "nil change"
	}
	if Complete(c) != nil {
		return fmt.Sprintf("%T", c)
	}
	return c.Describe()
}
