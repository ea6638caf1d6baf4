package sqlite

import "github.com/retortdb/retort/dialect"

// offlineCheckTable is the temporary table of an offline script's
// foreign-key check before COMMIT.
const offlineCheckTable = "_retort_commit_check"

// OfflineWrap returns what an offline script does as Begin and Commit do
// on a connection. The script starts with the sqlite3 shell's `.bail on`:
// without it the shell goes on after a failed statement, inside the
// revision's open transaction, and its COMMIT would record a revision
// with a statement missing as applied. A tool other than the sqlite3
// shell stops at that first line, rather than running the script unsafely.
// Around each revision's transaction: foreign keys off before BEGIN (so
// that a table rebuild's DROP TABLE fires no cascade and its guard
// passes), PRAGMA foreign_key_check before COMMIT, and foreign keys on
// after it. The check is an INSERT OR ROLLBACK into a table whose CHECK
// constraint fails on a violation: the failure rolls the revision back by
// itself, even where the script was fed to a shell that goes on.
func (d *Dialect) OfflineWrap() dialect.OfflineWrap {
	q := d.QuoteIdent
	return dialect.OfflineWrap{
		Preamble: []string{".bail on"},
		Before:   []string{"PRAGMA foreign_keys = OFF"},
		// The temporary table lives as long as the script's connection:
		// made once, emptied after each check that passed.
		Check: []string{
			"CREATE TEMP TABLE IF NOT EXISTS " + q(offlineCheckTable) + " (violations integer CONSTRAINT " +
				q("foreign key violations (PRAGMA foreign_key_check): the revision is rolled back") + " CHECK (violations = 0))",
			"INSERT OR ROLLBACK INTO " + q(offlineCheckTable) + " SELECT count(*) FROM pragma_foreign_key_check",
			"DELETE FROM " + q(offlineCheckTable),
		},
		After: []string{"PRAGMA foreign_keys = ON"},
	}
}
