package rendertest

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/schema"
)

// UpDown renders changes from from to to, and their inverse back, failing
// the test on an error.
func UpDown(t testing.TB, rd dialect.Renderer, from, to *schema.Schema, changes []change.Change) (up, down []string) {
	t.Helper()
	up, err := rd.Render(from, to, changes)
	if err != nil {
		t.Fatalf("render upgrade: %v", err)
	}
	down, err = rd.Render(to, from, change.Invert(changes))
	if err != nil {
		t.Fatalf("render downgrade: %v", err)
	}
	return up, down
}

// Exec runs stmts one by one with exec, failing the test at the first
// error with the statement's number and text; what says which script it
// is ("upgrade").
func Exec(t testing.TB, what string, stmts []string, exec func(stmt string) error) {
	t.Helper()
	for n, s := range stmts {
		if err := exec(s); err != nil {
			t.Fatalf("%s statement %d: %v\n%s\n(all of it:\n%s)", what, n+1, err, s, strings.Join(stmts, ";\n"))
		}
	}
}

// SameSchema fails the test when got, the database's schema as the
// dialect formats it after the script stmts, is not want.
func SameSchema(t testing.TB, what, got, want string, stmts []string) {
	t.Helper()
	if got != want {
		t.Fatalf("after the %s the schema differs (- want, + got):\n%s\n(statements:\n%s)", what, FirstDiff(want, got), strings.Join(stmts, ";\n"))
	}
}
