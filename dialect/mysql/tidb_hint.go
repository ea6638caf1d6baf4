package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
)

// tidbUnsupported is TiDB's ErrUnsupportedDDLOperation: a DDL change TiDB
// cannot make ("Unsupported add column 'id' constraint PRIMARY KEY when
// altering 'db.t'", "Unsupported drop primary key when the table is using
// clustered index", "Unsupported modify column: ...").
const tidbUnsupported = 8200

// copyTable is the way around a change TiDB cannot make in place.
const copyTable = "create the table anew with the change (CREATE TABLE t_new ...), copy the rows (INSERT INTO t_new SELECT ... FROM t), then RENAME TABLE t TO t_old, t_new TO t and drop t_old, in the revision's SQL"

// ServerLimit explains TiDB's error 8200 as TiDB's limit, and a refused
// ALGORITHM or LOCK clause (algorithmRefused), with the way around.
func (d *Dialect) ServerLimit(err error) string {
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return ""
	}
	switch me.Number {
	case tidbUnsupported:
		return tidbLimit(me.Message)
	case erAlterOperationNotSupported, erAlterOperationNotSupportedReason:
		return algorithmRefused
	}
	return ""
}

// tidbLimit words a TiDB 8200 message.
func tidbLimit(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "auto_increment") || strings.Contains(m, "add column") && strings.Contains(m, "primary key"):
		return "TiDB's limit (error 8200): TiDB cannot add an AUTO_INCREMENT or primary-key column to an existing table; " + copyTable
	case strings.Contains(m, "operate same"):
		return "TiDB's limit (error 8200): one ALTER TABLE cannot change the same column or index twice, nor index a column it adds or modifies; split it into one change per ALTER TABLE in the revision file (retort migrate writes them so for TiDB)"
	case strings.Contains(m, "clustered index") || strings.Contains(m, "primary key"):
		return "TiDB's limit (error 8200): TiDB cannot change the primary key of a clustered table (TIDB_PK_TYPE CLUSTERED); " + copyTable + "; a table created PRIMARY KEY ... NONCLUSTERED can have its key changed later"
	}
	return "TiDB's limit (error 8200): TiDB cannot make this change as written; where one ALTER TABLE makes several changes to one column or index (such as MODIFY b and an index on b), split it into one change per ALTER TABLE in the revision file; where TiDB cannot make the change at all, " + copyTable
}

// Hint explains a failed statement: TiDB's limits (8200), and, on TiDB,
// the errors of one ALTER TABLE that touches a column or index twice
// (1060 DROP COLUMN g, ADD COLUMN g; 1061 DROP INDEX x, ADD INDEX x; 1553 a
// foreign key's index redefined under its name), which TiDB refuses where
// MySQL accepts them.
func (d *Dialect) Hint(ctx context.Context, conn *sql.Conn, stmt string, err error) string {
	if s := d.ServerLimit(err); s != "" {
		return s
	}
	var me *gomysql.MySQLError
	if !errors.As(err, &me) {
		return ""
	}
	switch me.Number {
	case 1060, 1061, 1553:
	default:
		return ""
	}
	var version string
	if conn == nil || conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version) != nil || !isTiDB(version) {
		return ""
	}
	return tidbSplitHint(me.Number)
}

// tidbSplitHint is the advice for TiDB's refusals of one ALTER TABLE that
// touches the same column or index twice.
func tidbSplitHint(code uint16) string {
	what := map[uint16]string{
		1060: "drop a column and add it again (a column becoming generated)",
		1061: "drop an index and add it again under the same name",
		1553: "redefine the index backing a foreign key under the same name",
	}[code]
	return "TiDB's limit: one ALTER TABLE cannot " + what + "; split the statement into one change per ALTER TABLE in the revision file (drop in one, add in the next), then run upgrade again"
}
