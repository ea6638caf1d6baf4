// Package dbtest proves the splitter on real databases: corpus scripts are
// split and executed statement by statement on SQLite, PostgreSQL and
// MariaDB. It lives apart from package sqlsplit so that fuzzing sqlsplit
// does not instrument the database drivers.
package dbtest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/corpustest"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
)

// runScript splits script and executes every statement, one at a time, on
// one connection of db, skipping psql meta-commands and the statements
// skip reports. A statement split in the wrong place fails on the server.
// It returns the statements executed.
func runScript(t *testing.T, db *sql.DB, name, script string, d sqlsplit.Dialect, edit func(string) string, skip func(string) bool) []sqlsplit.Statement {
	t.Helper()
	stmts, err := sqlsplit.Split(script, d)
	if err != nil {
		t.Fatalf("split %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var done []sqlsplit.Statement
	for i, s := range stmts {
		if strings.HasPrefix(s.Text, "\\") || skip != nil && skip(s.Text) {
			continue
		}
		text := s.Text
		if edit != nil {
			text = edit(text)
		}
		if _, err := conn.ExecContext(ctx, text); err != nil {
			t.Fatalf("%s statement %d (line %d): %v\n%s", name, i+1, s.Line, err, text)
		}
		done = append(done, s)
	}
	return done
}

// count returns how many statements start with the words of kind.
func count(stmts []sqlsplit.Statement, kind string) int {
	n := 0
	for _, s := range stmts {
		if strings.HasPrefix(strings.Join(strings.Fields(strings.ToUpper(s.Text)), " "), kind) {
			n++
		}
	}
	return n
}

// queryInt runs a query returning one integer.
func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestExecSQLite(t *testing.T) {
	for _, path := range []string{
		"chinook/sqlite/Chinook_Sqlite.schema-only.sql",
		"sakila-jooq/sqlite/sqlite-sakila-schema.sql",
	} {
		t.Run(path, func(t *testing.T) {
			script := readCorpus(t, path)
			db := testdb.New(t, "sqlite")
			stmts := runScript(t, db.DB, path, script, sqlsplit.SQLite, nil, nil)
			for _, k := range []struct{ kind, typ string }{{"CREATE TABLE", "table"}, {"CREATE TRIGGER", "trigger"}, {"CREATE VIEW", "view"}} {
				got := queryInt(t, db.DB, "SELECT count(*) FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%'", k.typ)
				if want := count(stmts, k.kind); got != want {
					t.Errorf("%d %ss in the database, %d %s statements", got, k.typ, want, k.kind)
				}
			}
		})
	}
	t.Run("testdata/sqlite_trigger_case.sql", func(t *testing.T) {
		db := testdb.New(t, "sqlite")
		runScript(t, db.DB, "sqlite_trigger_case.sql", readTestdata(t, "sqlite_trigger_case.sql"), sqlsplit.SQLite, nil, nil)
		if got := queryInt(t, db.DB, "SELECT count(*) FROM sqlite_temp_schema WHERE type = 'trigger'") + queryInt(t, db.DB, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"); got != 2 {
			t.Errorf("%d triggers, want 2", got)
		}
		if got := queryInt(t, db.DB, "SELECT count(*) FROM t WHERE b = 'pos;'"); got != 1 {
			t.Errorf("trigger t_ai did not run: %d rows with b = 'pos;'", got)
		}
	})
}

func TestExecPostgres(t *testing.T) {
	for _, f := range []struct {
		path, drop string
	}{
		{"pagila/pagila-schema.sql", ""},
		{"sakila-jooq/postgres/postgres-sakila-schema.sql", "sakila-jooq/postgres/postgres-sakila-drop-objects.sql"},
		{"northwind/northwind.schema-only.sql", ""},
	} {
		t.Run(f.path, func(t *testing.T) {
			script := readCorpus(t, f.path)
			db := testdb.New(t, "postgres")
			stmts := runScript(t, db.DB, f.path, script, sqlsplit.Postgres, nil, nil)
			got := queryInt(t, db.DB, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
			if want := count(stmts, "CREATE TRIGGER"); got != want {
				t.Errorf("%d triggers in the database, %d CREATE TRIGGER statements", got, want)
			}
			got = queryInt(t, db.DB, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')")
			if want := count(stmts, "CREATE FUNCTION") + count(stmts, "CREATE OR REPLACE FUNCTION") + count(stmts, "CREATE PROCEDURE"); got != want {
				t.Errorf("%d functions in the database, %d CREATE FUNCTION statements", got, want)
			}
			if f.drop != "" {
				// The drop script names rewards_report with the wrong
				// argument types.
				runScript(t, db.DB, f.drop, readCorpus(t, f.drop), sqlsplit.Postgres, nil,
					func(s string) bool { return strings.HasPrefix(s, "DROP FUNCTION rewards_report(") })
				if n := queryInt(t, db.DB, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"); n != 0 {
					t.Errorf("%d relations left after %s", n, f.drop)
				}
			}
		})
	}
	t.Run("testdata/pg_rule_parens.sql", func(t *testing.T) {
		db := testdb.New(t, "postgres")
		runScript(t, db.DB, "pg_rule_parens.sql", readTestdata(t, "pg_rule_parens.sql"), sqlsplit.Postgres, nil, nil)
		if got := queryInt(t, db.DB, "SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM v)"); got != 2 {
			t.Errorf("the rule inserted %d rows, want 2", got)
		}
	})
	t.Run("testdata/pg_dollar.sql", func(t *testing.T) {
		db := testdb.New(t, "postgres")
		runScript(t, db.DB, "setup", "CREATE TABLE t (x int, a$b$c int)", sqlsplit.Postgres, nil, nil)
		runScript(t, db.DB, "pg_dollar.sql", readTestdata(t, "pg_dollar.sql"), sqlsplit.Postgres, nil, nil)
		if got := queryInt(t, db.DB, "SELECT add(2, 3)"); got != 5 {
			t.Errorf("add(2, 3) = %d, want 5", got)
		}
	})
	t.Run("testdata/pg_begin_atomic.sql", func(t *testing.T) {
		db := testdb.New(t, "postgres")
		setup := "CREATE TABLE t (a int); CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"
		runScript(t, db.DB, "setup", setup, sqlsplit.Postgres, nil, nil)
		runScript(t, db.DB, "pg_begin_atomic.sql", readTestdata(t, "pg_begin_atomic.sql"), sqlsplit.Postgres, nil,
			func(s string) bool { return s == "END" }) // a second COMMIT only warns in psql
		if got := queryInt(t, db.DB, "SELECT tax(200)::int"); got != 40 {
			t.Errorf("tax(200) = %d, want 40", got)
		}
		if _, err := db.DB.Exec("CALL ins(5)"); err != nil {
			t.Fatal(err)
		}
		if got := queryInt(t, db.DB, "SELECT count(*) FROM t"); got != 2 {
			t.Errorf("CALL ins(5) inserted %d rows, want 2", got)
		}
	})
}

func TestExecMySQL(t *testing.T) {
	for _, f := range []struct {
		path, drop         string
		routines, triggers int
	}{
		{"sakila-mysql/sakila-mv-schema.sql", "", 6, 3},
		{"sakila-jooq/mysql/mysql-sakila-schema.sql", "sakila-jooq/mysql/mysql-sakila-drop-objects.sql", 6, 3},
		{"chinook/mysql/Chinook_MySql.schema-only.sql", "", 0, 0},
	} {
		t.Run(f.path, func(t *testing.T) {
			script := readCorpus(t, f.path)
			db := testdb.New(t, "mysql")
			// The scripts create and use their own database; run them in
			// the test's database instead.
			skip := func(s string) bool {
				u := strings.ToUpper(s)
				return strings.HasPrefix(u, "DROP SCHEMA") || strings.HasPrefix(u, "CREATE SCHEMA") ||
					strings.HasPrefix(u, "DROP DATABASE") || strings.HasPrefix(u, "CREATE DATABASE") || strings.HasPrefix(u, "USE ")
			}
			edit := func(s string) string { return strings.ReplaceAll(s, "sakila.", "") }
			stmts := runScript(t, db.DB, f.path, script, sqlsplit.MySQL, edit, skip)
			if got := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"); got != f.routines {
				t.Errorf("%d routines in the database, want %d", got, f.routines)
			}
			if got := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != f.triggers {
				t.Errorf("%d triggers in the database, want %d", got, f.triggers)
			}
			tables := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'")
			if want := count(stmts, "CREATE TABLE"); tables != want {
				t.Errorf("%d tables in the database, %d CREATE TABLE statements", tables, want)
			}
			if f.drop != "" {
				runScript(t, db.DB, f.drop, readCorpus(t, f.drop), sqlsplit.MySQL, nil, nil)
				// The drop script forgets the view actor_info.
				if n := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'actor_info'"); n != 0 {
					t.Errorf("%d tables and views left after %s", n, f.drop)
				}
			}
		})
	}
	t.Run("testdata/mysql_delimiter.sql", func(t *testing.T) {
		db := testdb.New(t, "mysql")
		runScript(t, db.DB, "setup", "CREATE TABLE film (film_id INT, title TEXT); CREATE TABLE film_text (film_id INT, title TEXT)", sqlsplit.MySQL, nil, nil)
		runScript(t, db.DB, "mysql_delimiter.sql", readTestdata(t, "mysql_delimiter.sql"), sqlsplit.MySQL, nil, nil)
		if got := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"); got != 2 {
			t.Errorf("%d routines, want 2", got)
		}
		if _, err := db.DB.Exec("INSERT INTO film VALUES (1, 'x')"); err != nil {
			t.Fatal(err)
		}
		if got := queryInt(t, db.DB, "SELECT count(*) FROM film_text"); got != 1 {
			t.Errorf("trigger ins_film inserted %d rows, want 1", got)
		}
	})
	t.Run("testdata/mysql_compound.sql", func(t *testing.T) {
		db := testdb.New(t, "mysql")
		runScript(t, db.DB, "setup", "CREATE TABLE t (a INT); CREATE TABLE u (n INT); CREATE TABLE tmp (x INT)", sqlsplit.MySQL, nil, nil)
		runScript(t, db.DB, "mysql_compound.sql", readTestdata(t, "mysql_compound.sql"), sqlsplit.MySQL, nil, nil)
		if got := queryInt(t, db.DB, "SELECT count(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()"); got != 1 {
			t.Errorf("%d routines, want 1", got)
		}
	})
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := readFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}

// readCorpus returns a file of /work/shared/corpus, seen from this
// package's directory; without the corpus the test skips, or fails when
// CI is set.
func readCorpus(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "shared", "corpus", filepath.FromSlash(path)))
	if os.IsNotExist(err) {
		corpustest.Missing(t, path, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
