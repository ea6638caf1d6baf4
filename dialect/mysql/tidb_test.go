package mysql

import (
	"context"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
)

func TestIsTiDB(t *testing.T) {
	for v, want := range map[string]bool{
		"8.0.11-TiDB-v8.4.0":             true, // TiDB v8.4's VERSION(), as observed
		"5.7.25-TiDB-v7.5.1":             true,
		"10.11.6-MariaDB-0+deb12u1":      false,
		"8.0.36":                         false,
		"8.0.36-0ubuntu0.22.04.1-log":    false,
		"11.4.2-MariaDB-ubu2404 (TiDB?)": true, // anything naming TiDB
	} {
		if isTiDB(v) != want {
			t.Errorf("isTiDB(%q) = %v, want %v", v, !want, want)
		}
	}
}

// TiDB leaves EXTRA empty for DEFAULT CURRENT_TIMESTAMP: the function is
// read from the type and value, and nothing else changes.
func TestTiDBDefault(t *testing.T) {
	cases := []struct {
		v, typ string
		want   string
		ok     bool
	}{
		{"CURRENT_TIMESTAMP", "timestamp", "CURRENT_TIMESTAMP", true},
		{"CURRENT_TIMESTAMP(3)", "datetime(3)", "CURRENT_TIMESTAMP(3)", true},
		{"current_timestamp", "TIMESTAMP", "current_timestamp", true},
		{"CURRENT_TIMESTAMP", "varchar(20)", "", false}, // the string, on a text column
		{"2024-01-01 00:00:00", "timestamp", "", false},
		{"0", "int", "", false},
	}
	for _, c := range cases {
		got, ok := tidbDefault(c.v, c.typ)
		if got != c.want || ok != c.ok {
			t.Errorf("tidbDefault(%q, %q) = %q, %v; want %q, %v", c.v, c.typ, got, ok, c.want, c.ok)
		}
	}
	// Through the inspector: a TiDB row renders the function, a MySQL row
	// with the same empty EXTRA keeps reading it as a string literal.
	ti := &inspector{tidb: true}
	if e := ti.defaultExpr("CURRENT_TIMESTAMP", "timestamp", false, ""); e == nil || *e != "CURRENT_TIMESTAMP" {
		t.Errorf("TiDB row: default %v, want CURRENT_TIMESTAMP", e)
	}
	my := &inspector{}
	if e := my.defaultExpr("CURRENT_TIMESTAMP", "timestamp", false, ""); e == nil || *e != "'CURRENT_TIMESTAMP'" {
		t.Errorf("MySQL row with empty EXTRA: default %v, want the literal 'CURRENT_TIMESTAMP'", e)
	}
}

func TestTiDBViewCheckOption(t *testing.T) {
	// TiDB reports CASCADED for every view; its check option has no effect.
	if got := tidbViewCheckOption("CASCADED"); got != "" {
		t.Errorf("tidbViewCheckOption(CASCADED) = %q, want none", got)
	}
}

func TestTiDBCheckSwitchWarning(t *testing.T) {
	for _, on := range []string{"ON", "1", "on"} {
		if w := tidbCheckSwitchWarning(on); w != "" {
			t.Errorf("tidb_enable_check_constraint=%s: warning %q, want none", on, w)
		}
	}
	for _, off := range []string{"OFF", "0", ""} {
		if w := tidbCheckSwitchWarning(off); !strings.Contains(w, "SET GLOBAL tidb_enable_check_constraint = ON") {
			t.Errorf("tidb_enable_check_constraint=%q: warning %q, want the way to turn it on", off, w)
		}
	}
	if !strings.Contains(tidbChecksQuery, "information_schema.TIDB_CHECK_CONSTRAINTS") || !strings.Contains(tidbChecksQuery, "TABLE_NAME") {
		t.Error("TiDB's checks must be read from TIDB_CHECK_CONSTRAINTS, which names the table")
	}
}

// TiDB's 8200 errors (messages as TiDB prints them) are TiDB's limits,
// with the way around; other errors are not.
func TestTiDBServerLimit(t *testing.T) {
	d := New()
	cases := []struct {
		msg, want string
	}{
		{"unsupported add column 'id' constraint AUTO_INCREMENT when altering 'app.users'", "cannot add an AUTO_INCREMENT or primary-key column"},
		{"unsupported add column 'id' constraint PRIMARY KEY when altering 'app.users'", "cannot add an AUTO_INCREMENT or primary-key column"},
		{"Unsupported drop primary key when the table is using clustered index", "cannot change the primary key of a clustered table"},
		{"unsupported add column 'name' constraint UNIQUE KEY when altering 'test.t2'", "split it into one change per ALTER TABLE"},
	}
	for _, c := range cases {
		got := d.ServerLimit(&gomysql.MySQLError{Number: 8200, Message: c.msg})
		if !strings.Contains(got, c.want) || !strings.HasPrefix(got, "TiDB's limit (error 8200)") || !strings.Contains(got, "copy the rows") {
			t.Errorf("ServerLimit(%q) = %q; want TiDB's limit saying %q, and the copy-table way around", c.msg, got, c.want)
		}
		if h := d.Hint(context.Background(), nil, "ALTER TABLE ...", &gomysql.MySQLError{Number: 8200, Message: c.msg}); h != got {
			t.Errorf("Hint for 8200 = %q, want ServerLimit's", h)
		}
	}
	if got := d.ServerLimit(&gomysql.MySQLError{Number: 1060, Message: "Duplicate column name 'g'"}); got != "" {
		t.Errorf("ServerLimit(1060) = %q, want none (not TiDB's limit by itself)", got)
	}
	// Without a TiDB server to ask, 1060/1061/1553 get no TiDB hint.
	if h := d.Hint(context.Background(), nil, "ALTER TABLE t DROP COLUMN g, ADD COLUMN g int", &gomysql.MySQLError{Number: 1060, Message: "Duplicate column name 'g'"}); h != "" {
		t.Errorf("Hint(1060) without TiDB = %q, want none", h)
	}
	for code, want := range map[uint16]string{1060: "drop a column and add it again", 1061: "drop an index and add it again", 1553: "foreign key"} {
		if h := tidbSplitHint(code); !strings.Contains(h, want) || !strings.Contains(h, "one change per ALTER TABLE") {
			t.Errorf("tidbSplitHint(%d) = %q", code, h)
		}
	}
}
