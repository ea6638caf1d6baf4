package models

import (
	"reflect"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/dialects"
)

// FuzzTags feeds arbitrary retort, db and gorm tags to the builder and the
// renderer: they must return an error or a schema whose every column has a
// type on every dialect, never panic.
func FuzzTags(f *testing.F) {
	f.Add("pk,autoincrement", "", "")
	f.Add("type:numeric(10,2),check:price >= 0", "price", "")
	f.Add("fk:stores.id,ondelete:cascade,index:a", "", "")
	f.Add("", "", "primaryKey;size:80;not null;uniqueIndex:x,unique")
	f.Add("default:'a,b',unique", "", "check:n,x > 0;default:q")
	f.Add("-", "", "-:migration")
	f.Fuzz(func(t *testing.T, rtag, dbtag, gtag string) {
		var tag []string
		for k, v := range map[string]string{"retort": rtag, "db": dbtag, "gorm": gtag} {
			if v != "" && !strings.ContainsAny(v, "\"`\x00\\") {
				tag = append(tag, k+`:"`+v+`"`)
			}
		}
		gs := &goStruct{Name: "Thing", Fields: []goField{
			{Name: "ID", Exported: true, Type: &goType{Kind: kInt64, String: "int64"}},
			{Name: "Value", Exported: true, Tag: reflect.StructTag(strings.Join(tag, " ")), Type: &goType{Kind: kString, String: "string"}},
		}}
		s, err := build([]*goStruct{gs})
		if err != nil {
			return
		}
		for _, name := range []string{"sqlite", "postgres", "mysql"} {
			d, err := dialects.ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SQL(d); err != nil {
				continue
			}
			for _, tb := range s.Tables {
				for _, c := range tb.Columns {
					if _, err := ColumnType(d, c); err != nil {
						t.Errorf("%s: column %s rendered without a type: %v", name, c.Name, err)
					}
				}
			}
		}
	})
}
