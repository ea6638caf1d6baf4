package mysql

import (
	"context"
	"slices"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
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

// The cache key and ForServer tell TiDB from the MySQL it reports first in
// VERSION() (the values as TiDB v8.4 and the TiDB docs print them).
func TestServerVersion(t *testing.T) {
	for v, want := range map[string]string{
		"8.0.11-TiDB-v8.4.0":        "tidb-8.4",
		"5.7.25-TiDB-v6.1.0":        "tidb-6.1",
		"8.0.11-TiDB-v7.5.1-beta.1": "tidb-7.5",
		"8.0.36":                    "mysql-8.0",
		"8.0.36-0ubuntu0.22.04.1":   "mysql-8.0",
		"10.11.6-MariaDB-0+deb12u1": "mariadb-10.11",
	} {
		if got := serverVersion(v); got != want {
			t.Errorf("serverVersion(%q) = %q, want %q", v, got, want)
		}
	}
}

// On a MariaDB server ForServer keeps the dialect as it is, and
// SilentDrops reports nothing without asking the server.
func TestForServerMariaDB(t *testing.T) {
	db := newInspectDB(t)
	ctx := context.Background()
	d, err := New().ForServer(ctx, db.DB)
	if err != nil {
		t.Fatal(err)
	}
	if md, ok := d.(*Dialect); !ok || md.tidb {
		t.Errorf("ForServer on MariaDB = %#v, want the MySQL dialect", d)
	}
	reason, dropped, err := d.(*Dialect).SilentDrops(ctx, db.DB, []string{"CREATE TABLE t (a int CHECK (a > 0))"})
	if reason != "" || dropped != nil || err != nil {
		t.Errorf("SilentDrops on MariaDB = %q, %v, %v; want nothing", reason, dropped, err)
	}
}

// TiDB's catalog rows for clustering and AUTO_RANDOM (TIDB_PK_TYPE and
// TIDB_ROW_ID_SHARDING_INFO of information_schema.TABLES, as TiDB's docs
// and its TestTableRowIDShardingInfo print them) set the key and column.
func TestTiDBKeys(t *testing.T) {
	cases := []struct {
		pkType, sharding   string
		clustering, random string
	}{
		{"CLUSTERED", "PK_AUTO_RANDOM_BITS=5", "CLUSTERED", "5"},
		{"CLUSTERED", "PK_AUTO_RANDOM_BITS=2, RANGE BITS=32", "CLUSTERED", "2, 32"},
		{"CLUSTERED", "NOT_SHARDED(PK_IS_HANDLE)", "CLUSTERED", ""},
		{"NONCLUSTERED", "NOT_SHARDED", "NONCLUSTERED", ""},
		{"NONCLUSTERED", "SHARD_BITS=4", "NONCLUSTERED", ""},
		{"", "", "", ""},
		{"clustered", "PK_AUTO_RANDOM_BITS=x", "CLUSTERED", ""},
	}
	for _, c := range cases {
		tb := &schema.Table{Name: "t", Columns: []*schema.Column{{Name: "id", Type: "bigint(20)"}, {Name: "b", Type: "int(11)"}},
			PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id", "b"}}}
		tidbKeys(tb, c.pkType, c.sharding)
		if tb.PrimaryKey.Clustering != c.clustering || tb.Columns[0].AutoRandom != c.random || tb.Columns[1].AutoRandom != "" {
			t.Errorf("tidbKeys(%q, %q): clustering %q, AUTO_RANDOM %q/%q; want %q, %q on the key's first column",
				c.pkType, c.sharding, tb.PrimaryKey.Clustering, tb.Columns[0].AutoRandom, tb.Columns[1].AutoRandom, c.clustering, c.random)
		}
	}
	noKey := &schema.Table{Name: "t", Columns: []*schema.Column{{Name: "id"}}}
	tidbKeys(noKey, "NONCLUSTERED", "NOT_SHARDED")
	if noKey.PrimaryKey != nil || noKey.Columns[0].AutoRandom != "" {
		t.Error("a table without a primary key got TiDB's key attributes")
	}
}

// The TiDB attributes print as SHOW CREATE TABLE prints them, in TiDB's
// comment syntax, and their changes are differences (check and drift see
// a flipped clustering or AUTO_RANDOM).
func TestTiDBFormatAndDiff(t *testing.T) {
	table := func(clustering, random string) *schema.Schema {
		return &schema.Schema{Dialect: "mysql", Tables: []*schema.Table{{Name: "t",
			Columns:    []*schema.Column{{Name: "id", Type: "bigint(20)", AutoRandom: random}, {Name: "b", Type: "varchar(255)", Nullable: true}},
			PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id"}, Clustering: clustering}}}}
	}
	got := New().Format(table("CLUSTERED", "5, 54"))
	want := "CREATE TABLE t (\n  id bigint(20) NOT NULL /*T![auto_rand] AUTO_RANDOM(5, 54) */,\n  b varchar(255),\n  PRIMARY KEY (id) /*T![clustered_index] CLUSTERED */\n);\n"
	if got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if toks, err := sqlsplit.Split(got, sqlsplit.MySQL); err != nil || len(toks) != 1 || !strings.Contains(toks[0].Text, "CLUSTERED */") {
		t.Errorf("the TiDB comments do not stay in their statement: %v, %v", toks, err)
	}
	base := table("CLUSTERED", "5")
	for _, other := range []*schema.Schema{table("NONCLUSTERED", "5"), table("CLUSTERED", "6"), table("CLUSTERED", "")} {
		changes, err := diff.Compare(base, other, diff.Options{})
		if err != nil || len(changes) == 0 {
			t.Errorf("diff of %s and %s: %d changes, %v; want a difference", New().Format(base), New().Format(other), len(changes), err)
		}
	}
	if changes, _ := diff.Compare(base, table("CLUSTERED", "5"), diff.Options{}); len(changes) != 0 {
		t.Errorf("equal TiDB tables differ: %v", changes)
	}
}

// The decision for CHECK constraints on TiDB: warn, at the statements that
// define one, while tidb_enable_check_constraint is OFF; nothing while ON.
func TestTiDBDroppedChecks(t *testing.T) {
	stmts := []string{
		"CREATE TABLE t (a int, CONSTRAINT a_pos CHECK (a > 0))",             // 0: table check
		"CREATE TABLE u (b int CHECK(b <> 0))",                               // 1: column check
		"ALTER TABLE t ADD CONSTRAINT c CHECK (a < 10)",                      // 2
		"CREATE VIEW v AS SELECT a FROM t WITH CASCADED CHECK OPTION",        // not a constraint
		"CREATE TABLE w (`check` int, note varchar(20) DEFAULT 'CHECK (x)')", // quoted name, string
		"CREATE TABLE x (a int) /* CHECK (a > 0) */",                         // comment
		"CHECK TABLE t",
		"INSERT INTO t VALUES (1)",
	}
	for _, off := range []string{"OFF", "0", "off"} {
		reason, dropped := tidbDroppedChecks(off, stmts)
		if !slices.Equal(dropped, []int{0, 1, 2}) || !strings.Contains(reason, "SET GLOBAL tidb_enable_check_constraint = ON") {
			t.Errorf("switch %s: %q at %v; want the three CHECK statements and the way to turn it on", off, reason, dropped)
		}
	}
	for _, on := range []string{"ON", "1"} {
		if reason, dropped := tidbDroppedChecks(on, stmts); reason != "" || dropped != nil {
			t.Errorf("switch %s: %q at %v; want nothing", on, reason, dropped)
		}
	}
	if reason, dropped := tidbDroppedChecks("OFF", stmts[3:]); reason != "" || dropped != nil {
		t.Errorf("no CHECK constraint: %q at %v; want nothing", reason, dropped)
	}
}

// TiDB's refusal of one ALTER TABLE that touches a column or index twice
// (its message for ErrOperateSameColumn and ErrOperateSameIndex) says how
// to split it.
func TestTiDBServerLimitSameObject(t *testing.T) {
	for _, msg := range []string{"Unsupported operate same column 'b'", "Unsupported operate same index 'x'"} {
		got := New().ServerLimit(&gomysql.MySQLError{Number: 8200, Message: msg})
		if !strings.Contains(got, "one change per ALTER TABLE") || !strings.HasPrefix(got, "TiDB's limit (error 8200)") {
			t.Errorf("ServerLimit(%q) = %q", msg, got)
		}
	}
}
