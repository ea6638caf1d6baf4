package script

import (
	"strings"
	"testing"
)

// Imported-From survives Format and Parse, and an empty value is refused
// with its line.
func TestImportedFromHeader(t *testing.T) {
	r := &Revision{ID: "1", Message: "users", ImportedFrom: "goose 00001_users.sql",
		Up: Section{SQL: "CREATE TABLE users (id int);\n", Present: true}}
	data := Format(r)
	if !strings.Contains(string(data), "-- Imported-From: goose 00001_users.sql\n") {
		t.Fatalf("Format did not write the header line:\n%s", data)
	}
	got, err := Parse("1_users.sql", data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ImportedFrom != r.ImportedFrom {
		t.Fatalf("ImportedFrom = %q, want %q", got.ImportedFrom, r.ImportedFrom)
	}
	_, err = Parse("x.sql", []byte("-- m\n--\n-- Revision: a\n-- Imported-From:\n\n-- +upgrade\n"))
	if err == nil || !strings.Contains(err.Error(), "x.sql:4: empty Imported-From") {
		t.Fatalf("empty Imported-From: got %v", err)
	}
}
