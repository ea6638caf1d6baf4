package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/corpustest"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// TestCorpusSchemas lints real schema scripts as a project's first
// revision: every table is created by the revision itself, so no rule
// about locks on existing tables may fire (a finding there is a false
// positive), and nothing may panic on real SQL. One exception: the
// timeout rules on a DROP TABLE IF EXISTS that a dump runs before it
// creates the table (pg_dump sets lock_timeout and statement_timeout to
// 0, no bound): that table may exist, and the drop waits without bound.
func TestCorpusSchemas(t *testing.T) {
	files := map[string]sqlsplit.Dialect{
		"pagila/pagila-schema.sql":                              sqlsplit.Postgres,
		"northwind/northwind.schema-only.sql":                   sqlsplit.Postgres,
		"adventureworks/install.sql":                            sqlsplit.Postgres,
		"chinook/postgres/Chinook_PostgreSql.sql":               sqlsplit.Postgres,
		"sakila-jooq/postgres/postgres-sakila-schema.sql":       sqlsplit.Postgres,
		"sakila-mysql/sakila-mv-schema.sql":                     sqlsplit.MySQL,
		"sakila-jooq/mysql/mysql-sakila-schema.sql":             sqlsplit.MySQL,
		"chinook/mysql/Chinook_MySql.sql":                       sqlsplit.MySQL,
		"chinook/sqlite/Chinook_Sqlite.sql":                     sqlsplit.SQLite,
		"sakila-jooq/sqlite/sqlite-sakila-schema.sql":           sqlsplit.SQLite,
		"sakila-jooq/postgres/postgres-sakila-drop-objects.sql": sqlsplit.Postgres,
	}
	lockRules := map[string]bool{"RL101": true, "RL104": true, "RL106": true, "RL107": true, "RL108": true,
		"RL109": true, "RL119": true, "RL201": true, "RL202": true, "RL203": true, "RL116": true, "RL117": true}
	for path, dialect := range files {
		t.Run(path, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", filepath.FromSlash(path)))
			if os.IsNotExist(err) {
				corpustest.Missing(t, path, err)
			}
			if err != nil {
				t.Fatal(err)
			}
			l, err := New(Options{Dialect: dialect})
			if err != nil {
				t.Fatal(err)
			}
			fs, err := l.Revision(&script.Revision{ID: "base", Path: path, Up: script.Section{SQL: string(b), Line: 1, Present: true}}, true)
			if err != nil {
				t.Fatal(err)
			}
			drops := strings.Contains(path, "drop-objects")
			for _, f := range fs {
				dropFirst := (f.Code == "RL116" || f.Code == "RL117") && strings.HasPrefix(f.SQL, "DROP TABLE IF EXISTS")
				if lockRules[f.Code] && !drops && !dropFirst {
					t.Errorf("%s:%d: %s on a table the script creates: %s", path, f.Line, f.Code, f.Message)
				}
			}
			if drops && find(fs, "RL113") == nil {
				t.Errorf("a script of DROP TABLEs gave no RL113")
			}
		})
	}
}
