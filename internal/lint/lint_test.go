package lint

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// prior is the schema earlier revisions made, per dialect.
var prior = map[sqlsplit.Dialect]string{
	sqlsplit.Postgres: `CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), email text, price numeric(10,2), age integer, org_id bigint, data jsonb);
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE orgs (id bigint PRIMARY KEY);`,
	sqlsplit.MySQL:  "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), code varchar(10), status enum('a','b'), age int, org_id bigint);\nCREATE TABLE orgs (id bigint PRIMARY KEY);",
	sqlsplit.SQLite: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER);",
}

// timeouts is what a clean revision sets first in each dialect, so that
// the clean statements are not flagged by RL116/RL117.
var timeouts = map[sqlsplit.Dialect]string{
	sqlsplit.Postgres: "SET lock_timeout = '5s';\nSET statement_timeout = '10min';\n",
	sqlsplit.MySQL:    "SET SESSION lock_wait_timeout = 5;\n",
	sqlsplit.SQLite:   "",
}

// run lints up as the revision after the dialect's prior schema.
func run(t *testing.T, dialect sqlsplit.Dialect, target, up string, noTx bool) []Finding {
	t.Helper()
	opts := Options{Dialect: dialect}
	if target != "" {
		tg, err := ParseTarget(target)
		if err != nil {
			t.Fatal(err)
		}
		opts.Target = tg
	}
	l, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	base := &script.Revision{ID: "base", Path: "base.sql", Up: script.Section{SQL: prior[dialect], Line: 1, Present: true}}
	if _, err := l.Revision(base, false); err != nil {
		t.Fatal(err)
	}
	r := &script.Revision{ID: "r1", Path: "r1.sql", NoTransaction: noTx, Up: script.Section{SQL: up, Line: 7, Present: true}}
	fs, err := l.Revision(r, true)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func find(fs []Finding, code string) *Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

type ruleCase struct {
	dialect       sqlsplit.Dialect
	code          string
	target        string // lint target, "" for the default
	bad, clean    string
	noTx          bool // the revision has Transaction: none
	sev           Severity
	lock          string // expected Lock of the finding, when set
	rewrite, scan bool
}

var ruleCases = []ruleCase{
	// PostgreSQL
	{dialect: sqlsplit.Postgres, code: "RL101", bad: "CREATE INDEX users_name ON users (name);", clean: "CREATE INDEX CONCURRENTLY users_name ON users (name);", noTx: true, sev: Warning, lock: "SHARE", scan: true},
	{dialect: sqlsplit.Postgres, code: "RL101", bad: "CREATE UNIQUE INDEX users_email ON public.users (email);", clean: "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL102", bad: "DROP INDEX users_name;", clean: "DROP INDEX CONCURRENTLY users_name;", noTx: true, sev: Warning, lock: "ACCESS EXCLUSIVE"},
	{dialect: sqlsplit.Postgres, code: "RL103", bad: "CREATE INDEX CONCURRENTLY users_name ON users (name);", clean: "CREATE INDEX CONCURRENTLY users_name ON users (name);", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL104", bad: "ALTER TABLE users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id);", clean: "ALTER TABLE users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;", sev: Warning, lock: "SHARE ROW EXCLUSIVE (both tables)", scan: true},
	{dialect: sqlsplit.Postgres, code: "RL104", bad: "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0);", clean: "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0) NOT VALID;", sev: Error, lock: "ACCESS EXCLUSIVE", scan: true},
	{dialect: sqlsplit.Postgres, code: "RL105", bad: "ALTER TABLE users ADD CONSTRAINT age_pos CHECK (age > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT age_pos;", clean: "ALTER TABLE users VALIDATE CONSTRAINT age_pos;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL106", bad: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
		clean: "ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;", sev: Error, lock: "ACCESS EXCLUSIVE", scan: true},
	{dialect: sqlsplit.Postgres, code: "RL107", bad: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", clean: "ALTER TABLE users ADD COLUMN created timestamptz DEFAULT now();", sev: Error, lock: "ACCESS EXCLUSIVE", rewrite: true},
	{dialect: sqlsplit.Postgres, code: "RL107", bad: "ALTER TABLE users ADD COLUMN n bigserial;", clean: "ALTER TABLE users ADD COLUMN n bigint;", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL108", bad: "ALTER TABLE users ALTER COLUMN age TYPE bigint;", clean: "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);", sev: Error, lock: "ACCESS EXCLUSIVE", rewrite: true},
	{dialect: sqlsplit.Postgres, code: "RL108", bad: "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);", clean: "ALTER TABLE users ALTER COLUMN name TYPE text;", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL108", bad: "ALTER TABLE users ALTER COLUMN price TYPE numeric(12,4);", clean: "ALTER TABLE users ALTER COLUMN price SET DATA TYPE numeric(14,2);", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL108", bad: "ALTER TABLE users ALTER COLUMN ghost TYPE text;", clean: "ALTER TABLE users ALTER COLUMN email TYPE varchar;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL109", bad: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", clean: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;", sev: Error, lock: "ACCESS EXCLUSIVE", scan: true},
	{dialect: sqlsplit.Postgres, code: "RL110", bad: "ALTER TABLE users RENAME COLUMN name TO full_name;", clean: "ALTER TABLE users ADD COLUMN full_name text;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL111", bad: "ALTER TABLE users RENAME TO people;", clean: "CREATE VIEW people AS SELECT * FROM users;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL112", bad: "ALTER TABLE users DROP COLUMN age;", clean: "ALTER TABLE users DROP CONSTRAINT users_age_check;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL113", bad: "DROP TABLE orgs;", clean: "CREATE TABLE t (a int);\nDROP TABLE t;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL114", bad: "TRUNCATE users CASCADE;", clean: "DELETE FROM users WHERE id < 100;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL115", bad: "ALTER TYPE mood ADD VALUE 'happy';", clean: "CREATE TYPE color AS ENUM ('red');", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL116", bad: "ALTER TABLE users ADD COLUMN note text;", clean: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN note text;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL117", bad: "ALTER TABLE users ADD COLUMN note text;", clean: "SET statement_timeout = '5min';\nALTER TABLE users ADD COLUMN note text;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL116", bad: "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN note text;", clean: "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;", sev: Warning},
	// 0 is no bound; RESET goes back to a default lint cannot see. Long
	// statements by design (CONCURRENTLY, VALIDATE) may run under 0, as
	// migrate --online writes them.
	{dialect: sqlsplit.Postgres, code: "RL117", bad: "SET statement_timeout = 0;\nALTER TABLE users ADD COLUMN note text;", clean: "SET statement_timeout = '0ms';\nCREATE INDEX CONCURRENTLY users_name ON users (name);\nALTER TABLE users VALIDATE CONSTRAINT users_org;\nSET statement_timeout = '60000ms';\nALTER TABLE users ADD COLUMN note text;", noTx: true, sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL117", bad: "SET statement_timeout = '1min';\nRESET statement_timeout;\nALTER TABLE users ADD COLUMN note text;", clean: "SET statement_timeout TO 5000;\nALTER TABLE users ADD COLUMN note text;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL118", bad: "ALTER TABLE users ADD COLUMN note text;\nUPDATE users SET note = 'x';", clean: "UPDATE users SET name = 'x' WHERE id = 1;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL119", bad: "ALTER TABLE users ADD COLUMN nick text NOT NULL;", clean: "ALTER TABLE users ADD COLUMN nick text NOT NULL DEFAULT '';", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL120", bad: "ALTER TABLE users ADD COLUMN meta json;", clean: "ALTER TABLE users ADD COLUMN meta jsonb;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL121", bad: "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;", clean: "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x';", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL122", bad: "REINDEX TABLE users;", clean: "REINDEX TABLE CONCURRENTLY users;", noTx: true, sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL123", bad: "VACUUM FULL users;", clean: "ANALYZE users;", sev: Error, rewrite: true},
	{dialect: sqlsplit.Postgres, code: "RL124", bad: "DROP DATABASE app;", clean: "CREATE TABLE app (a int);", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL125", bad: "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;", clean: "CREATE TABLE t (a int);", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL126", bad: "CREATE DOMAIN pos AS integer CHECK (VALUE > 0);", clean: "CREATE DOMAIN pos AS integer;", sev: Warning},
	{dialect: sqlsplit.Postgres, code: "RL127", bad: "ALTER TABLE users ADD CONSTRAINT no_overlap EXCLUDE USING gist (age WITH =);", clean: "CREATE TABLE t (a int, EXCLUDE USING gist (a WITH =));", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL128", bad: "ALTER TABLE users DETACH PARTITION users_2020;", clean: "ALTER TABLE users DETACH PARTITION users_2020 CONCURRENTLY;", noTx: true, sev: Warning},
	// MySQL / MariaDB
	{dialect: sqlsplit.MySQL, code: "RL104", bad: "ALTER TABLE users ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id);", clean: "SET foreign_key_checks = 0;\nALTER TABLE users ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id);", sev: Error, lock: myCopy, rewrite: true, scan: true},
	{dialect: sqlsplit.MySQL, code: "RL107", bad: "ALTER TABLE users ADD COLUMN seq int AUTO_INCREMENT UNIQUE;", clean: "ALTER TABLE users ADD COLUMN seq int;", target: "mysql-8.0.35", sev: Error, lock: myCopy, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL108", bad: "ALTER TABLE users MODIFY COLUMN age bigint;", clean: "ALTER TABLE users MODIFY COLUMN code varchar(60);", sev: Error, lock: myCopy, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL108", bad: "ALTER TABLE users MODIFY COLUMN code varchar(100);", clean: "ALTER TABLE users MODIFY COLUMN age bigint, ALGORITHM=INPLACE, LOCK=NONE;", sev: Error},
	{dialect: sqlsplit.MySQL, code: "RL110", bad: "ALTER TABLE users CHANGE name full_name varchar(50);", clean: "ALTER TABLE users MODIFY name varchar(50);", sev: Warning},
	{dialect: sqlsplit.MySQL, code: "RL111", bad: "RENAME TABLE users TO people;", clean: "CREATE TABLE people (id int);", sev: Warning},
	{dialect: sqlsplit.MySQL, code: "RL112", bad: "ALTER TABLE users DROP COLUMN age;", clean: "ALTER TABLE users DROP INDEX idx_age;", sev: Warning, lock: myRebuild, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL113", bad: "DROP TABLE IF EXISTS orgs;", clean: "DROP VIEW IF EXISTS orgs_v;", sev: Warning},
	{dialect: sqlsplit.MySQL, code: "RL115", bad: "ALTER TABLE users MODIFY status enum('b','a');", clean: "ALTER TABLE users MODIFY status enum('a','b','c');", sev: Error, lock: myCopy, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL116", bad: "ALTER TABLE users ADD COLUMN note text;", clean: "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ADD COLUMN note text;", target: "mariadb-10.11", sev: Warning},
	{dialect: sqlsplit.MySQL, code: "RL201", bad: "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4;", clean: "ALTER TABLE users COMMENT = 'x';", sev: Error, lock: myCopy, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL202", bad: "ALTER TABLE users ADD COLUMN note text AFTER name;", clean: "ALTER TABLE users ADD COLUMN note text;", target: "mysql-8.0.20", sev: Warning, lock: myRebuild, rewrite: true},
	{dialect: sqlsplit.MySQL, code: "RL202", bad: "ALTER TABLE users ADD COLUMN note text FIRST;", clean: "ALTER TABLE users ADD COLUMN note text;", target: "mariadb-10.3.2", sev: Warning},
	{dialect: sqlsplit.MySQL, code: "RL203", bad: "CREATE FULLTEXT INDEX ft_name ON users (name);", clean: "CREATE INDEX idx_name ON users (name);", sev: Warning, lock: "ALGORITHM=INPLACE, LOCK=SHARED", scan: true},
	{dialect: sqlsplit.MySQL, code: "RL125", bad: "START TRANSACTION;", clean: "SELECT 1;", sev: Error},
	{dialect: sqlsplit.MySQL, code: "RL124", bad: "DROP SCHEMA app;", clean: "DROP VIEW app;", sev: Error},
	{dialect: sqlsplit.Postgres, code: "RL124", bad: "DROP DATABASE app;", clean: "DROP SCHEMA app;", sev: Error},
	// SQLite
	{dialect: sqlsplit.SQLite, code: "RL110", bad: "ALTER TABLE users RENAME COLUMN name TO full_name;", clean: "ALTER TABLE users ADD COLUMN nick TEXT;", sev: Warning},
	{dialect: sqlsplit.SQLite, code: "RL111", bad: "ALTER TABLE users RENAME TO people;", clean: "CREATE TABLE people (id INTEGER);", sev: Warning},
	{dialect: sqlsplit.SQLite, code: "RL112", bad: "ALTER TABLE users DROP COLUMN age;", clean: "CREATE TABLE t (a INTEGER);\nALTER TABLE t DROP COLUMN a;", sev: Warning},
	{dialect: sqlsplit.SQLite, code: "RL113", bad: "DROP TABLE users;", clean: "DROP VIEW v;", sev: Warning},
	{dialect: sqlsplit.SQLite, code: "RL119", bad: "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL;", clean: "ALTER TABLE users ADD COLUMN nick TEXT NOT NULL DEFAULT '';", sev: Error},
	{dialect: sqlsplit.SQLite, code: "RL125", bad: "BEGIN TRANSACTION;", clean: "CREATE TABLE t (a INTEGER);", sev: Error},
}

func TestRules(t *testing.T) {
	for _, c := range ruleCases {
		t.Run(c.dialect.String()+"/"+c.code+"/"+firstWords(c.bad), func(t *testing.T) {
			fs := run(t, c.dialect, c.target, c.bad, c.noTx)
			f := find(fs, c.code)
			if f == nil {
				t.Fatalf("%s: no %s finding; got %v", c.bad, c.code, codes(fs))
			}
			if f.Severity != c.sev {
				t.Errorf("severity %s, want %s", f.Severity, c.sev)
			}
			if c.lock != "" && f.Lock != c.lock {
				t.Errorf("lock %q, want %q", f.Lock, c.lock)
			}
			if f.Rewrite != c.rewrite && c.lock != "" || f.Scan != c.scan && c.lock != "" {
				t.Errorf("rewrite %v scan %v, want %v %v", f.Rewrite, f.Scan, c.rewrite, c.scan)
			}
			if f.Path != "r1.sql" || f.Line < 7 || f.Safe == "" || f.Message == "" || f.Rule == "" {
				t.Errorf("incomplete finding: %+v", *f)
			}
			if c.code != "RL103" { // CONCURRENTLY's clean form is the same statement under Transaction: none
				if g := find(run(t, c.dialect, c.target, timeouts[c.dialect]+c.clean, c.noTx), c.code); g != nil {
					t.Errorf("clean %q flagged: %s", c.clean, g.Message)
				}
			} else if g := find(run(t, c.dialect, c.target, c.clean, true), c.code); g != nil {
				t.Errorf("clean under Transaction: none flagged: %s", g.Message)
			}
			testSilenced(t, c, f)
		})
	}
}

// testSilenced puts the ignore comment on the line above the finding's
// statement and checks that it silences exactly that finding.
func testSilenced(t *testing.T, c ruleCase, f *Finding) {
	t.Helper()
	lines := strings.Split(c.bad, "\n")
	at := f.Line - 7
	comment := "-- retort:lint-ignore " + f.Code + " the table is small"
	silenced := strings.Join(append(append(append([]string{}, lines[:at]...), comment), lines[at:]...), "\n")
	fs := run(t, c.dialect, c.target, silenced, c.noTx)
	g := find(fs, c.code)
	if g == nil || !g.Ignored || g.Reason != "the table is small" {
		t.Fatalf("silenced %q: %+v", silenced, g)
	}
	if bad := find(fs, "RL001"); bad != nil {
		t.Errorf("RL001: %s", bad.Message)
	}
	if bad := find(fs, "RL002"); bad != nil {
		t.Errorf("RL002: %s", bad.Message)
	}
}

func TestIgnoreNeedsReason(t *testing.T) {
	fs := run(t, sqlsplit.Postgres, "", "-- retort:lint-ignore RL112\nALTER TABLE users DROP COLUMN age;", false)
	if f := find(fs, "RL001"); f == nil || f.Severity != Error || !strings.Contains(f.Message, "reason is required") {
		t.Fatalf("no RL001 for a reasonless ignore: %v", codes(fs))
	}
	if f := find(fs, "RL112"); f == nil || f.Ignored {
		t.Fatalf("RL112 silenced by a reasonless ignore: %+v", f)
	}
	fs = run(t, sqlsplit.Postgres, "", "-- retort:lint-ignore RL999 because\nALTER TABLE users DROP COLUMN age;", false)
	if f := find(fs, "RL001"); f == nil || !strings.Contains(f.Message, "unknown rule") {
		t.Fatalf("no RL001 for an unknown code: %v", codes(fs))
	}
	fs = run(t, sqlsplit.Postgres, "", "-- retort:lint-ignore drop-column,RL116 old column, nobody reads it\nALTER TABLE users DROP COLUMN age;", false)
	if f := find(fs, "RL112"); f == nil || !f.Ignored {
		t.Fatalf("rule name not accepted: %+v", fs)
	}
	fs = run(t, sqlsplit.Postgres, "", "-- retort:lint-ignore RL101 stale\nALTER TABLE users DROP COLUMN age;", false)
	if f := find(fs, "RL002"); f == nil {
		t.Fatalf("unused ignore not reported: %v", codes(fs))
	}
}

// TestNotNullThroughCheck: SET NOT NULL after a CHECK validated in an
// earlier revision is the safe form and must not be flagged.
func TestNotNullThroughCheck(t *testing.T) {
	l, err := New(Options{Dialect: sqlsplit.Postgres})
	if err != nil {
		t.Fatal(err)
	}
	revs := []string{prior[sqlsplit.Postgres],
		"ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;",
		"ALTER TABLE users VALIDATE CONSTRAINT name_nn;",
		"ALTER TABLE users ALTER COLUMN name SET NOT NULL;"}
	var fs []Finding
	for i, sql := range revs {
		r := &script.Revision{ID: string(rune('a' + i)), Path: "x.sql", Up: script.Section{SQL: sql, Line: 1, Present: true}}
		if fs, err = l.Revision(r, true); err != nil {
			t.Fatal(err)
		}
		if i == 1 && find(fs, "RL104") != nil {
			t.Errorf("NOT VALID CHECK flagged")
		}
	}
	if f := find(fs, "RL106"); f != nil {
		t.Fatalf("SET NOT NULL after a validated CHECK flagged: %s", f.Message)
	}
}

func TestGoRevisionAndUnknownDialect(t *testing.T) {
	if _, err := New(Options{Dialect: sqlsplit.Generic}); err == nil {
		t.Fatal("unknown dialect accepted")
	}
	l, _ := New(Options{Dialect: sqlsplit.SQLite})
	fs, err := l.Revision(&script.Revision{ID: "g", Go: true}, true)
	if err != nil || fs != nil {
		t.Fatalf("Go revision: %v %v", fs, err)
	}
}

func TestParseTarget(t *testing.T) {
	tg, err := ParseTarget("mariadb-10.11")
	if err != nil || tg.Flavor != "mariadb" || tg.Version != [3]int{10, 11, 0} || !tg.atLeast(10, 4) || tg.atLeast(11) {
		t.Fatalf("%v %v", tg, err)
	}
	for _, bad := range []string{"oracle-1", "mysql", "mysql-x"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if seen[r.Code] || seen[r.Name] || r.Summary == "" || len(r.Dialects) == 0 {
			t.Errorf("bad rule %+v", r)
		}
		seen[r.Code], seen[r.Name] = true, true
	}
	// Every rule but the two about ignore comments has a case above.
	tested := map[string]bool{"RL001": true, "RL002": true}
	for _, c := range ruleCases {
		tested[c.code] = true
	}
	for _, r := range Rules {
		if !tested[r.Code] {
			t.Errorf("rule %s has no test case", r.Code)
		}
	}
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 4 {
		f = f[:4]
	}
	return strings.Join(f, "_")
}
