package lint

import (
	"testing"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

func TestLocks(t *testing.T) {
	cases := []struct {
		dialect sqlsplit.Dialect
		sql     string
		want    []StatementLock // Statement, Table, Lock, Rewrite, Scan
	}{
		{sqlsplit.Postgres, "SET lock_timeout = '5s';\nCREATE INDEX i ON users (name);\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nUPDATE users SET name = '';\nCREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nALTER TABLE users VALIDATE CONSTRAINT c;", []StatementLock{
			{Statement: 1},
			{Statement: 2, Table: "users", Lock: "SHARE", Scan: true},
			{Statement: 3, Table: "users", Lock: "ACCESS EXCLUSIVE", Rewrite: true},
			{Statement: 4, Table: "users", Lock: "ROW EXCLUSIVE, with statement 2's lock held until commit", Scan: true},
			{Statement: 5},
			{Statement: 6},
			{Statement: 7, Table: "users", Lock: "SHARE UPDATE EXCLUSIVE", Scan: true},
		}},
		{sqlsplit.MySQL, "ALTER TABLE users MODIFY age bigint;\nCREATE INDEX i ON users (name);\nALTER TABLE users ADD COLUMN n int;", []StatementLock{
			{Statement: 1, Table: "users", Lock: myCopy, Rewrite: true},
			{Statement: 2, Table: "users", Lock: myInplace, Scan: true},
			{Statement: 3, Table: "users", Lock: myRebuild, Rewrite: true},
		}},
		{sqlsplit.SQLite, "ALTER TABLE users ADD COLUMN n INTEGER;\nDELETE FROM users;", []StatementLock{
			{Statement: 1, Table: "users", Lock: "database write lock"},
			{Statement: 2, Table: "users", Lock: "database write lock", Scan: true},
		}},
	}
	for _, c := range cases {
		l, err := New(Options{Dialect: c.dialect})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Revision(&script.Revision{ID: "a", Up: script.Section{SQL: prior[c.dialect], Line: 1, Present: true}}, false); err != nil {
			t.Fatal(err)
		}
		got, err := l.Locks(&script.Revision{ID: "b", Up: script.Section{SQL: c.sql, Line: 1, Present: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d statements, want %d", c.dialect, len(got), len(c.want))
		}
		for i, w := range c.want {
			g := got[i]
			if g.Statement != w.Statement || g.Table != w.Table || g.Lock != w.Lock || g.Rewrite != w.Rewrite || g.Scan != w.Scan {
				t.Errorf("%s statement %d: got %q table %q rewrite %v scan %v; want %q %q %v %v", c.dialect, w.Statement, g.Lock, g.Table, g.Rewrite, g.Scan, w.Lock, w.Table, w.Rewrite, w.Scan)
			}
		}
	}
}
