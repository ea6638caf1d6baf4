package sqlite

import "github.com/retortdb/retort/dialect"

var _ dialect.OfflineTxWrapper = (*Dialect)(nil)

// offlineCheckTable is the temporary table of an offline script's
// foreign-key check before COMMIT.
const offlineCheckTable = "_retort_commit_check"

// OfflineTxWrap returns what an offline script does around each revision's
// transaction, as Begin and Commit do on a connection: foreign keys off
// before BEGIN (so that a table rebuild's DROP TABLE fires no cascade and
// its guard passes), PRAGMA foreign_key_check before COMMIT, and foreign
// keys on after it. The check is an INSERT OR ROLLBACK into a table whose
// CHECK constraint fails on a violation: the failure rolls the revision
// back by itself, so that sqlite3 without -bail, which goes on after an
// error, has no transaction left to commit.
func (d *Dialect) OfflineTxWrap() (before, check, after []string) {
	q := d.QuoteIdent
	before = []string{"PRAGMA foreign_keys = OFF"}
	// The temporary table lives as long as the script's connection: made
	// once, emptied after each check that passed.
	check = []string{
		"CREATE TEMP TABLE IF NOT EXISTS " + q(offlineCheckTable) + " (violations integer CONSTRAINT " +
			q("foreign key violations (PRAGMA foreign_key_check): the revision is rolled back") + " CHECK (violations = 0))",
		"INSERT OR ROLLBACK INTO " + q(offlineCheckTable) + " SELECT count(*) FROM pragma_foreign_key_check",
		"DELETE FROM " + q(offlineCheckTable),
	}
	after = []string{"PRAGMA foreign_keys = ON"}
	return before, check, after
}
