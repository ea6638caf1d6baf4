package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// TiDB speaks MySQL's protocol and mostly its catalog. The differences the
// inspector must know (TiDB v8.4, observed on a server for issue 18, and
// TiDB's documentation) are handled here once server() has seen TiDB in
// VERSION().

// isTiDB reports whether VERSION() is TiDB's ("8.0.11-TiDB-v8.4.0").
func isTiDB(version string) bool { return strings.Contains(version, "TiDB") }

// tidbChecksQuery reads CHECK constraints where TiDB lists them: in
// TIDB_CHECK_CONSTRAINTS (which has TABLE_NAME), not in TABLE_CONSTRAINTS.
const tidbChecksQuery = `SELECT COALESCE(TABLE_NAME, ''), CONSTRAINT_NAME, CHECK_CLAUSE, ''
FROM information_schema.TIDB_CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?
ORDER BY TABLE_NAME, CONSTRAINT_NAME`

// rowQuerier is a *sql.DB or a *sql.Conn.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// tidbCheckSwitch reads tidb_enable_check_constraint, the switch that
// makes TiDB keep CHECK constraints (a GLOBAL variable, OFF by default,
// TiDB's system-variables reference).
func tidbCheckSwitch(ctx context.Context, q rowQuerier) (string, error) {
	var on string
	if err := q.QueryRowContext(ctx, "SELECT @@tidb_enable_check_constraint").Scan(&on); err != nil {
		return "", fmt.Errorf("read TiDB's tidb_enable_check_constraint: %w", err)
	}
	return on, nil
}

// tidbServer reads TiDB's switches that change what a schema holds.
func (i *inspector) tidbServer(ctx context.Context) error {
	i.queries++
	on, err := tidbCheckSwitch(ctx, i.conn)
	if err != nil {
		return fmt.Errorf("mysql: inspect: %w", err)
	}
	if w := tidbCheckSwitchWarning(on); w != "" {
		i.warnf("%s", w)
	}
	return nil
}

// SilentDrops reports, on TiDB while tidb_enable_check_constraint is OFF,
// the statements of stmts that hold a CHECK constraint: TiDB parses and
// drops them, so that neither the schema it holds nor a comparison shows
// them. On MySQL and MariaDB, and on TiDB with the switch ON, it reports
// nothing.
func (d *Dialect) SilentDrops(ctx context.Context, db *sql.DB, stmts []string) (string, []int, error) {
	if !d.tidb {
		return "", nil, nil
	}
	on, err := tidbCheckSwitch(ctx, db)
	if err != nil {
		return "", nil, err
	}
	reason, dropped := tidbDroppedChecks(on, stmts)
	return reason, dropped, nil
}

// tidbDroppedChecks decides what TiDB drops of stmts with
// tidb_enable_check_constraint set to value: with it ON nothing; with it
// OFF, the statements that define a CHECK constraint, and the reason
// (tidbCheckSwitchWarning). It warns rather than refuses: the revisions
// then hold no CHECK, as the database does, and a server where the
// switch cannot be turned on can still be migrated.
func tidbDroppedChecks(value string, stmts []string) (string, []int) {
	reason := tidbCheckSwitchWarning(value)
	if reason == "" {
		return "", nil
	}
	var dropped []int
	for k, s := range stmts {
		if definesCheck(s) {
			dropped = append(dropped, k)
		}
	}
	if len(dropped) == 0 {
		return "", nil
	}
	return reason, dropped
}

// definesCheck reports whether stmt is a CREATE TABLE or ALTER TABLE
// with a CHECK constraint: the word CHECK followed by "(", outside
// strings, quoted names and comments (WITH CHECK OPTION, CHECK TABLE
// and a column named `check` are not constraints).
func definesCheck(stmt string) bool {
	toks, err := sqlsplit.Tokens(stmt, sqlsplit.MySQL)
	if err != nil || len(toks) < 2 || !isTableStatement(toks) {
		return false
	}
	for k, t := range toks[:len(toks)-1] {
		if t.Kind == sqlsplit.Word && strings.EqualFold(t.Text, "CHECK") && toks[k+1].Text == "(" {
			return true
		}
	}
	return false
}

// isTableStatement reports whether toks start CREATE [TEMPORARY] TABLE or
// ALTER [IGNORE] TABLE.
func isTableStatement(toks []sqlsplit.Token) bool {
	verb := strings.ToUpper(toks[0].Text)
	if toks[0].Kind != sqlsplit.Word || verb != "CREATE" && verb != "ALTER" {
		return false
	}
	for _, t := range toks[1:min(len(toks), 3)] {
		if t.Kind == sqlsplit.Word && strings.EqualFold(t.Text, "TABLE") {
			return true
		}
	}
	return false
}

// tidbCheckSwitchWarning is the warning for tidb_enable_check_constraint's
// value: while it is off (TiDB's default) CHECK constraints are parsed and
// dropped, so neither the revisions nor this database hold any.
func tidbCheckSwitchWarning(value string) string {
	switch strings.ToUpper(strings.TrimSpace(value)) {
	case "1", "ON":
		return ""
	}
	return "TiDB drops CHECK constraints while tidb_enable_check_constraint is OFF (its default): every CHECK of the desired schema and of the revisions is lost on this server, silently; run SET GLOBAL tidb_enable_check_constraint = ON before migrating, or keep CHECKs out of the schema"
}

// tidbDefault reads a COLUMN_DEFAULT of TiDB, which leaves EXTRA empty
// where MySQL says DEFAULT_GENERATED: CURRENT_TIMESTAMP (with or without a
// precision) on a TIMESTAMP or DATETIME column is the function, not the
// string 'CURRENT_TIMESTAMP'. ok is false for the other defaults, which
// read as MySQL's.
func tidbDefault(v, typ string) (expr string, ok bool) {
	t := strings.ToLower(typ)
	if !strings.HasPrefix(t, "timestamp") && !strings.HasPrefix(t, "datetime") {
		return "", false
	}
	if !strings.HasPrefix(strings.ToUpper(v), "CURRENT_TIMESTAMP") {
		return "", false
	}
	return v, true
}

// tidbViewCheckOption is a view's check option on TiDB: none. TiDB
// reports CHECK_OPTION = 'CASCADED' for every view, and its documentation
// says WITH CHECK OPTION is accepted for syntax only and has no effect
// (TiDB's views cannot be written through), so what it reports is not kept:
// a revision would otherwise add a WITH CASCADED CHECK OPTION nobody wrote.
func tidbViewCheckOption(string) string { return "" }

// tidbKeysQuery reads how TiDB stores each table by its primary key
// (TIDB_PK_TYPE: CLUSTERED or NONCLUSTERED) and its AUTO_RANDOM
// (TIDB_ROW_ID_SHARDING_INFO: "PK_AUTO_RANDOM_BITS=5", with ", RANGE
// BITS=54" when the range is not the default 64), the two TiDB columns of
// information_schema.TABLES: what SHOW CREATE TABLE prints as
// /*T![clustered_index] CLUSTERED */ and /*T![auto_rand] AUTO_RANDOM(5) */,
// in one query for every table.
const tidbKeysQuery = `SELECT TABLE_NAME, COALESCE(TIDB_PK_TYPE, ''), COALESCE(TIDB_ROW_ID_SHARDING_INFO, '')
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME`

// inspectTiDBKeys reads, on TiDB, the clustering of the primary keys and
// the AUTO_RANDOM columns; elsewhere it does nothing.
func (i *inspector) inspectTiDBKeys(ctx context.Context) error {
	if !i.tidb {
		return nil
	}
	return i.scanAll(ctx, "TiDB's primary keys", tidbKeysQuery, func(rows *sql.Rows) error {
		var name, pkType, sharding string
		if err := rows.Scan(&name, &pkType, &sharding); err != nil {
			return err
		}
		if t := i.tables[name]; t != nil {
			tidbKeys(t, pkType, sharding)
		}
		return nil
	})
}

// tidbKeys sets the clustering of t's primary key from TIDB_PK_TYPE and
// the AUTO_RANDOM of its first column (an AUTO_RANDOM column is the first
// column of the primary key, TiDB's AUTO_RANDOM reference) from
// TIDB_ROW_ID_SHARDING_INFO. A table without a primary key has neither.
func tidbKeys(t *schema.Table, pkType, sharding string) {
	pk := t.PrimaryKey
	if pk == nil {
		return
	}
	switch v := strings.ToUpper(strings.TrimSpace(pkType)); v {
	case "CLUSTERED", "NONCLUSTERED":
		pk.Clustering = v
	}
	if bits := autoRandomBits(sharding); bits != "" && len(pk.Columns) > 0 {
		if c := t.Column(pk.Columns[0]); c != nil {
			c.AutoRandom = bits
		}
	}
}

// autoRandomBits returns AUTO_RANDOM's arguments from a
// TIDB_ROW_ID_SHARDING_INFO value: "5" from "PK_AUTO_RANDOM_BITS=5",
// "2, 32" from "PK_AUTO_RANDOM_BITS=2, RANGE BITS=32", and "" from the
// values of other tables ("NOT_SHARDED", "NOT_SHARDED(PK_IS_HANDLE)",
// "SHARD_BITS=4").
func autoRandomBits(sharding string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(sharding), "PK_AUTO_RANDOM_BITS=")
	if !ok {
		return ""
	}
	shard, rangeBits, _ := strings.Cut(rest, ",")
	shard = strings.TrimSpace(shard)
	if !allDigits(shard) {
		return ""
	}
	r, ok := strings.CutPrefix(strings.TrimSpace(rangeBits), "RANGE BITS=")
	if !ok || !allDigits(r) {
		return shard
	}
	return shard + ", " + r
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// tidbComment writes TiDB's words in TiDB's comment syntax, as SHOW CREATE
// TABLE prints them ("/*T![clustered_index] CLUSTERED */"): TiDB runs
// them, MySQL and MariaDB take them for a comment.
func tidbComment(feature, words string) string {
	return "/*T![" + feature + "] " + words + " */"
}
