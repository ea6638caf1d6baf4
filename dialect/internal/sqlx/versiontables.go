package sqlx

import "github.com/retortdb/retort/dialect"

// VersionColumns are what differs between the dialects in the DDL of the
// version tables (DESIGN.md, section 6): the types of some columns,
// the log's key and an option of the revisions table. Every field is SQL
// as it is written into the statement.
type VersionColumns struct {
	// Timestamp types applied_at, started_at and finished_at.
	Timestamp string
	// Integer types statements_done.
	Integer string
	// Text types statement_checksums.
	Text string
	// LogID is the log's id column after its name: type, numbering and
	// PRIMARY KEY.
	LogID string
	// RevisionsOptions follows the revisions table's closing parenthesis
	// ("" or, for example, " WITHOUT ROWID").
	RevisionsOptions string
}

// VersionTableDDL returns the CREATE TABLE IF NOT EXISTS statements of
// the version tables t, their names quoted with quote and their columns
// typed by c.
func VersionTableDDL(quote func(string) string, t dialect.VersionTables, c VersionColumns) []string {
	return []string{
		"CREATE TABLE IF NOT EXISTS " + quote(t.Revisions) + ` (
    revision varchar(64) NOT NULL PRIMARY KEY,
    checksum varchar(64) NOT NULL DEFAULT '',
    applied_at ` + c.Timestamp + ` NOT NULL,
    duration_ms bigint NOT NULL DEFAULT 0,
    state varchar(16) NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', 'partial', 'reverting')),
    statements_done ` + c.Integer + ` NOT NULL DEFAULT 0,
    statement_checksums ` + c.Text + `
)` + c.RevisionsOptions,
		"CREATE TABLE IF NOT EXISTS " + quote(t.Log) + ` (
    id ` + c.LogID + `,
    revision varchar(64) NOT NULL,
    direction varchar(16) NOT NULL CHECK (direction IN ('upgrade', 'downgrade', 'stamp', 'resolve')),
    started_at ` + c.Timestamp + ` NOT NULL,
    finished_at ` + c.Timestamp + ` NOT NULL,
    ok boolean NOT NULL,
    error text,
    who varchar(255) NOT NULL DEFAULT '',
    retort_version varchar(64) NOT NULL DEFAULT ''
)`,
	}
}
