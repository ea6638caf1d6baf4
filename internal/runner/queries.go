package runner

import (
	"strings"

	"github.com/retortdb/retort/dialect"
)

// queries holds the version-table statements of one dialect, built once.
type queries struct {
	selectState    string
	selectRow      string
	insertRow      string // revision, checksum, applied_at, duration_ms, state, statements_done
	updateProgress string // statements_done, revision
	updateMark     string // state, statements_done, revision
	updateRow      string // checksum, applied_at, duration_ms, state, statements_done, revision
	updateChecksum string // checksum, revision
	deleteRow      string // revision
	insertLog      string // revision, direction, started_at, finished_at, ok, error, who, retort_version
	selectLastLog  string // revision
	// The *Sums statements also write statement_checksums, the column
	// that records what each statement of a step under way was (see
	// stepRun.sumsFor); probeSums and addSums add it to version tables
	// made before it existed.
	insertRowSums      string // revision, checksum, applied_at, duration_ms, state, statements_done, statement_checksums
	updateProgressSums string // statements_done, statement_checksums, revision
	updateMarkSums     string // state, statements_done, statement_checksums, revision
	selectSums         string // revision
	probeSums          string
	addSums            string
	// The record* statements write a finished step's version row and its
	// log row in one statement, where the dialect allows INSERT, UPDATE
	// and DELETE in WITH (dialect.Capabilities.DataModifyingCTEs); empty elsewhere.
	recordInsert string // revision, checksum, applied_at (also finished_at), duration_ms, state, statements_done, direction, started_at, who, retort_version
	recordUpdate string // the same arguments as recordInsert
	recordDelete string // revision, direction, started_at, finished_at, who, retort_version
}

func buildQueries(d dialect.Dialect, t dialect.VersionTables) queries {
	rt, lt := d.QuoteIdent(t.Revisions), d.QuoteIdent(t.Log)
	ph := func(n int) string {
		p := make([]string, n)
		for i := range p {
			p[i] = d.Placeholder(i + 1)
		}
		return strings.Join(p, ", ")
	}
	q := queries{
		selectState:    "SELECT revision, checksum, applied_at, duration_ms, state, statements_done FROM " + rt + " ORDER BY applied_at, revision",
		selectRow:      "SELECT state, statements_done FROM " + rt + " WHERE revision = " + d.Placeholder(1),
		insertRow:      "INSERT INTO " + rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" + ph(6) + ")",
		updateProgress: "UPDATE " + rt + " SET statements_done = " + d.Placeholder(1) + " WHERE revision = " + d.Placeholder(2),
		updateMark:     "UPDATE " + rt + " SET state = " + d.Placeholder(1) + ", statements_done = " + d.Placeholder(2) + " WHERE revision = " + d.Placeholder(3),
		updateRow: "UPDATE " + rt + " SET checksum = " + d.Placeholder(1) + ", applied_at = " + d.Placeholder(2) +
			", duration_ms = " + d.Placeholder(3) + ", state = " + d.Placeholder(4) + ", statements_done = " + d.Placeholder(5) +
			" WHERE revision = " + d.Placeholder(6),
		deleteRow:      "DELETE FROM " + rt + " WHERE revision = " + d.Placeholder(1),
		updateChecksum: "UPDATE " + rt + " SET checksum = " + d.Placeholder(1) + " WHERE revision = " + d.Placeholder(2),
		insertRowSums:  "INSERT INTO " + rt + " (revision, checksum, applied_at, duration_ms, state, statements_done, statement_checksums) VALUES (" + ph(7) + ")",
		updateProgressSums: "UPDATE " + rt + " SET statements_done = " + d.Placeholder(1) + ", statement_checksums = " + d.Placeholder(2) +
			" WHERE revision = " + d.Placeholder(3),
		updateMarkSums: "UPDATE " + rt + " SET state = " + d.Placeholder(1) + ", statements_done = " + d.Placeholder(2) +
			", statement_checksums = " + d.Placeholder(3) + " WHERE revision = " + d.Placeholder(4),
		selectSums: "SELECT statement_checksums FROM " + rt + " WHERE revision = " + d.Placeholder(1),
		probeSums:  "SELECT statement_checksums FROM " + rt + " WHERE 1 = 0",
		// TEXT and ADD COLUMN mean the same on the three databases.
		addSums:   "ALTER TABLE " + rt + " ADD COLUMN statement_checksums TEXT",
		insertLog: "INSERT INTO " + lt + " (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" + ph(8) + ")",
		// The newest log row of a revision (id numbers the rows in order).
		selectLastLog: "SELECT ok, error FROM " + lt + " WHERE revision = " + d.Placeholder(1) + " ORDER BY id DESC LIMIT 1",
	}
	if d.Capabilities().DataModifyingCTEs {
		p := d.Placeholder
		// The log row: ok is true and error NULL for a finished step.
		log := " INSERT INTO " + lt + " (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" +
			p(1) + ", " + p(7) + ", " + p(8) + ", " + p(3) + ", true, NULL, " + p(9) + ", " + p(10) + ")"
		q.recordInsert = "WITH r AS (INSERT INTO " + rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" + ph(6) + "))" + log
		q.recordUpdate = "WITH r AS (UPDATE " + rt + " SET checksum = " + p(2) + ", applied_at = " + p(3) + ", duration_ms = " + p(4) +
			", state = " + p(5) + ", statements_done = " + p(6) + " WHERE revision = " + p(1) + ")" + log
		q.recordDelete = "WITH r AS (DELETE FROM " + rt + " WHERE revision = " + p(1) + ") INSERT INTO " + lt +
			" (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" +
			p(1) + ", " + p(2) + ", " + p(3) + ", " + p(4) + ", true, NULL, " + p(5) + ", " + p(6) + ")"
	}
	return q
}
