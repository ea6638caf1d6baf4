package lint

import (
	"testing"
	"time"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// FuzzLint feeds arbitrary upgrade sections to every dialect's rules and
// to the online rewrite: they may report anything but must not panic,
// and every finding must point at a statement of the section.
func FuzzLint(f *testing.F) {
	for _, c := range ruleCases {
		f.Add(c.bad)
		f.Add(c.clean)
	}
	f.Add("-- retort:lint-ignore\nALTER TABLE")
	f.Add("ALTER TABLE t ADD CONSTRAINT")
	f.Add("CREATE SCHEMA s CREATE TABLE")
	f.Fuzz(func(t *testing.T, sql string) {
		for _, d := range []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.MySQL, sqlsplit.SQLite} {
			l, err := New(Options{Dialect: d})
			if err != nil {
				t.Fatal(err)
			}
			r := &script.Revision{ID: "f", Path: "f.sql", Up: script.Section{SQL: sql, Line: 1, Present: true}}
			fs, err := l.Revision(r, true)
			if err != nil {
				continue // a lexer error, reported as such
			}
			for _, x := range fs {
				if x.Statement < 1 || x.Line < 1 || x.Code == "" {
					t.Fatalf("%s: finding without a statement: %+v", d, x)
				}
			}
			if _, err := l.Locks(r); err != nil {
				t.Fatal(err)
			}
			_, _ = OnlineRewrite(d, []string{sql}, OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: time.Minute})
		}
	})
}
