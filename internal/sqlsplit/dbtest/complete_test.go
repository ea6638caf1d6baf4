package dbtest

import (
	"strings"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// complete reports whether SQLite's own sqlite3_complete finds sql to be
// one or more complete statements.
func complete(t *testing.T, tls *libc.TLS, sql string) bool {
	t.Helper()
	cs, err := libc.CString(sql)
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Xfree(tls, cs)
	return sqlite3.Xsqlite3_complete(tls, cs) != 0
}

// TestSQLiteComplete checks the SQLite splits against SQLite's own
// statement-completeness test: each statement plus ';' is complete, and
// no ';' inside a statement completes it earlier.
func TestSQLiteComplete(t *testing.T) {
	tls := libc.NewTLS()
	defer tls.Close()
	// The oracle itself.
	if !complete(t, tls, "SELECT 1;") || complete(t, tls, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1;") {
		t.Fatal("sqlite3_complete does not behave as documented")
	}
	scripts := map[string]string{
		"chinook/sqlite/Chinook_Sqlite.schema-only.sql":                  readCorpus(t, "chinook/sqlite/Chinook_Sqlite.schema-only.sql"),
		"chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql": readCorpus(t, "chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql"),
		"sakila-jooq/sqlite/sqlite-sakila-schema.sql":                    readCorpus(t, "sakila-jooq/sqlite/sqlite-sakila-schema.sql"),
		"sakila-jooq/sqlite/sqlite-sakila-drop-objects.sql":              readCorpus(t, "sakila-jooq/sqlite/sqlite-sakila-drop-objects.sql"),
		"testdata/sqlite_trigger_case.sql":                               readTestdata(t, "sqlite_trigger_case.sql"),
		"testdata/sqlite_quotes.sql":                                     readTestdata(t, "sqlite_quotes.sql"),
	}
	for name, script := range scripts {
		stmts, err := sqlsplit.Split(script, sqlsplit.SQLite)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(stmts) == 0 {
			t.Fatalf("%s: no statements", name)
		}
		for i, s := range stmts {
			if !complete(t, tls, s.Text+";") {
				t.Errorf("%s statement %d (line %d): sqlite3_complete says it is incomplete: %q", name, i+1, s.Line, s.Text)
			}
			for k := strings.IndexByte(s.Text, ';'); k >= 0; {
				if complete(t, tls, s.Text[:k+1]) {
					t.Errorf("%s statement %d (line %d): sqlite3_complete ends it earlier, at %q", name, i+1, s.Line, s.Text[:k+1])
					break
				}
				next := strings.IndexByte(s.Text[k+1:], ';')
				if next < 0 {
					break
				}
				k += 1 + next
			}
		}
	}
}
