package runner

import (
	"testing"

	"github.com/retortdb/retort/internal/sqlsplit"
)

func TestSessionSetting(t *testing.T) {
	for stmt, want := range map[string]bool{
		"SET lock_timeout = '5s'":                      true,
		"set statement_timeout to 0":                   true,
		"RESET lock_timeout":                           true,
		"SET search_path = app, public":                true,
		"SET SESSION lock_wait_timeout = 5":            true,
		"SET NAMES utf8mb4":                            true,
		"SET ROLE migrator":                            true,
		"SET LOCAL lock_timeout = '5s'":                false,
		"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE": false,
		"SET CONSTRAINTS ALL DEFERRED":                 false,
		"SET GLOBAL max_connections = 10":              false,
		"SET @@global.sql_mode = ''":                   false,
		"SET PERSIST max_connections = 10":             false,
		"SET PASSWORD FOR app = 'x'":                   false,
		"SET DEFAULT ROLE r TO app":                    false,
		"UPDATE t SET a = 1":                           false,
		"CREATE TABLE settings (id int)":               false,
	} {
		if got := sessionSetting(stmt, sqlsplit.Generic); got != want {
			t.Errorf("sessionSetting(%q) = %v, want %v", stmt, got, want)
		}
	}
}
