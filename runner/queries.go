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
	deleteRow      string // revision
	insertLog      string // revision, direction, started_at, finished_at, ok, error, who, retort_version
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
	return queries{
		selectState:    "SELECT revision, checksum, applied_at, duration_ms, state, statements_done FROM " + rt + " ORDER BY applied_at, revision",
		selectRow:      "SELECT state, statements_done FROM " + rt + " WHERE revision = " + d.Placeholder(1),
		insertRow:      "INSERT INTO " + rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" + ph(6) + ")",
		updateProgress: "UPDATE " + rt + " SET statements_done = " + d.Placeholder(1) + " WHERE revision = " + d.Placeholder(2),
		updateMark:     "UPDATE " + rt + " SET state = " + d.Placeholder(1) + ", statements_done = " + d.Placeholder(2) + " WHERE revision = " + d.Placeholder(3),
		updateRow: "UPDATE " + rt + " SET checksum = " + d.Placeholder(1) + ", applied_at = " + d.Placeholder(2) +
			", duration_ms = " + d.Placeholder(3) + ", state = " + d.Placeholder(4) + ", statements_done = " + d.Placeholder(5) +
			" WHERE revision = " + d.Placeholder(6),
		deleteRow: "DELETE FROM " + rt + " WHERE revision = " + d.Placeholder(1),
		insertLog: "INSERT INTO " + lt + " (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" + ph(8) + ")",
	}
}
