package script

import (
	"slices"
	"strings"
	"testing"
)

// Replaces survives Format and Parse in upgrade order, and a bad list is
// refused with its line, as Revises and Depends-On are.
func TestReplacesHeader(t *testing.T) {
	r := &Revision{ID: "s1", Message: "squashed", Revises: []string{"p0"}, Replaces: []string{"a1", "b2", "c3"},
		Up: Section{SQL: "CREATE TABLE t (id int);\n", Present: true}, Down: Section{SQL: "DROP TABLE t;\n", Present: true}}
	data := Format(r)
	if !strings.Contains(string(data), "-- Revises: p0\n-- Replaces: a1, b2, c3\n") {
		t.Fatalf("Format did not write the header line after Revises:\n%s", data)
	}
	got, err := Parse("s1_squashed.sql", data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Replaces, r.Replaces) {
		t.Fatalf("Replaces = %q, want %q", got.Replaces, r.Replaces)
	}
	head, err := ParseHeader("s1_squashed.sql", data)
	if err != nil || !slices.Equal(head.Replaces, r.Replaces) {
		t.Fatalf("ParseHeader: %v, Replaces %q", err, head.Replaces)
	}
	for _, c := range []struct{ line, want string }{
		{"-- Replaces: a1,,b2", `x.sql:4: Replaces "a1,,b2" has an empty item`},
		{"-- Replaces: a1, a1", `x.sql:4: Replaces lists "a1" twice`},
		{"-- Replaces: a-1", `x.sql:4: Replaces item "a-1": ids use only letters, digits and '_'`},
		{"-- Replaces: head", `x.sql:4: Replaces item "head": "head" is a reserved target name`},
	} {
		_, err := Parse("x.sql", []byte("-- m\n--\n-- Revision: s\n"+c.line+"\n\n-- +upgrade\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %s", c.line, err, c.want)
		}
	}
}
