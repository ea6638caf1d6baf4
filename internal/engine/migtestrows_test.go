package engine

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/schema"
)

func TestRowLiterals(t *testing.T) {
	m := &Migrator{dialect: sqlite.New()}
	rm := newRowMaker(m)
	rm.round = 12
	s := &schema.Schema{Types: []*schema.Type{{Kind: schema.EnumType, Schema: "public", Name: "mood", Values: []string{"ok", "sad"}}}}
	for typ, want := range map[string]string{
		"integer":                     "12",
		"int(10) unsigned":            "12",
		"numeric(10,2)":               "12",
		"character varying(80)":       "'12'",
		"char(1)":                     "'2'",
		"text":                        "'12'",
		"boolean":                     "TRUE",
		"timestamp without time zone": "'2001-01-13 00:00:00'",
		"date":                        "'2001-01-13'",
		"time":                        "'00:00:00'",
		"interval":                    "'12 days'",
		"jsonb":                       "'{}'",
		"uuid":                        "'00000000-0000-4000-8000-000000000012'",
		"integer[]":                   "'{}'",
		"enum('a''b','c')":            "'a''b'",
		"public.mood":                 "'ok'",
		"mood":                        "'ok'",
	} {
		got, ok := rm.literal(s, &schema.Column{Type: typ})
		if !ok || got != want {
			t.Errorf("%s: got %q %v, want %q", typ, got, ok, want)
		}
	}
	for _, typ := range []string{"point", "bit(1)", "int4range", "geometry"} {
		if got, ok := rm.literal(s, &schema.Column{Type: typ}); ok {
			t.Errorf("%s: got %q, want no value", typ, got)
		}
	}
}

func TestRowOrderAndKeys(t *testing.T) {
	parent := &schema.Table{Name: "parent", PrimaryKey: &schema.Key{Columns: []string{"id"}}, Columns: []*schema.Column{
		{Name: "id", Type: "integer", AutoIncrement: true},
		{Name: "note", Type: "text", Nullable: true},
	}}
	child := &schema.Table{Name: "child", Columns: []*schema.Column{
		{Name: "parent_id", Type: "integer"},
		{Name: "total", Type: "integer", Generated: "1+1"},
		{Name: "label", Type: "text", Nullable: true},
	}, ForeignKeys: []*schema.ForeignKey{{Columns: []string{"parent_id"}, RefTable: "parent", RefColumns: []string{"id"}}}}
	order := fkOrder([]*schema.Table{child, parent})
	if order[0] != parent || order[1] != child {
		t.Fatalf("order %s, %s: want parent first", order[0].Name, order[1].Name)
	}
	rm := newRowMaker(&Migrator{dialect: sqlite.New()})
	rm.round = 3
	s := &schema.Schema{Tables: []*schema.Table{parent, child}}
	pv, err := rm.row(s, parent, map[string]bool{"parent.id": true}, nil)
	if err != nil || pv["id"] != "3" || len(pv) != 1 {
		t.Fatalf("parent row %v, %v: want the key alone, explicit", pv, err)
	}
	cv, err := rm.row(s, child, nil, map[string]map[string]string{"parent": pv})
	if err != nil || cv["parent_id"] != "3" || cv["total"] != "" || len(cv) != 1 {
		t.Fatalf("child row %v, %v: want the parent's key, no generated column", cv, err)
	}
	_, err = rm.row(s, child, nil, map[string]map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "references a table with no row") {
		t.Fatalf("child without a parent row: %v", err)
	}
}
