package mysql

import (
	"context"
	"fmt"
	"strings"
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

// tidbServer reads TiDB's switches that change what a schema holds.
func (i *inspector) tidbServer(ctx context.Context) error {
	var on string
	i.queries++
	if err := i.conn.QueryRowContext(ctx, "SELECT @@tidb_enable_check_constraint").Scan(&on); err != nil {
		return fmt.Errorf("mysql: inspect TiDB's tidb_enable_check_constraint: %w", err)
	}
	if w := tidbCheckSwitchWarning(on); w != "" {
		i.warnf("%s", w)
	}
	return nil
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
