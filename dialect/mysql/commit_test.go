package mysql

import "testing"

func TestCommitsImplicitly(t *testing.T) {
	d := New()
	for stmt, want := range map[string]bool{
		"INSERT INTO t VALUES (1)":                   false,
		"  update t SET a = 1":                       false,
		"-- note\nDELETE FROM t":                     false,
		"/* x */ REPLACE INTO t VALUES (1)":          false,
		"# c\ninsert into t values (1)":              false,
		"SELECT SLEEP(30)":                           false,
		"with x AS (SELECT 1) SELECT * FROM x":       false,
		"DO SLEEP(1)":                                false,
		"CREATE TABLE t (id int)":                    true,
		"CREATE TABLE b AS SELECT 1":                 true,
		"ALTER TABLE t ADD COLUMN b int":             true,
		"/*!50003 CREATE TRIGGER x BEFORE INSERT */": true,
		"CALL p()":          true,
		"":                  true,
		"-- only a comment": true,
	} {
		if got := d.CommitsImplicitly(stmt); got != want {
			t.Errorf("CommitsImplicitly(%q) = %v, want %v", stmt, got, want)
		}
	}
}
