package postgres

import "testing"

// TestConcurrentIndexName checks which statements name an index built
// concurrently, the one whose invalid leftover upgrade drops on resume.
func TestConcurrentIndexName(t *testing.T) {
	for stmt, want := range map[string]string{
		"CREATE INDEX CONCURRENTLY ix_t_name ON t (name)":                            "ix_t_name",
		"create unique index concurrently ux ON t(name)":                             "ux",
		"-- why\nCREATE INDEX CONCURRENTLY IF NOT EXISTS s.ix ON s.t (a)":            "s.ix",
		`CREATE INDEX CONCURRENTLY "My ""Ix""" ON t (a)`:                             `"My ""Ix"""`,
		"/* c */ CREATE UNIQUE INDEX CONCURRENTLY public.\"U\" ON t USING btree (a)": `public."U"`,
		"CREATE INDEX CONCURRENTLY ON t (name)":                                      "",
		"CREATE INDEX ix ON t (name)":                                                "",
		"CREATE UNIQUE INDEX ix ON t (name)":                                         "",
		"DROP INDEX CONCURRENTLY ix":                                                 "",
		"ALTER TABLE t ADD COLUMN c int":                                             "",
		`CREATE INDEX CONCURRENTLY "unterminated ON t (a)`:                           "",
	} {
		if got := concurrentIndexName(stmt); got != want {
			t.Errorf("concurrentIndexName(%q) = %q, want %q", stmt, got, want)
		}
	}
}
