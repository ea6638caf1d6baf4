package importer

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/internal/script"
)

// fuzzConvert converts one file named name of tool and checks that what
// it accepts makes revision files retort parses back.
func fuzzConvert(f *testing.F, tool, name string, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	conv, err := Lookup(tool)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fsys := fstest.MapFS{name: {Data: []byte(text)}}
		res, err := conv.Read(fsys, Options{Envsub: true})
		if err != nil {
			return
		}
		for _, r := range res.Revisions {
			if _, err := script.Parse("x.sql", script.Format(r)); err != nil {
				t.Fatalf("accepted %q but wrote a revision that does not parse: %v\n%s", text, err, script.Format(r))
			}
		}
	})
}

func FuzzGoose(f *testing.F) {
	fuzzConvert(f, "goose", "00001_a.sql", "goose/ok/00002_add_email.sql", "goose/envsub/00001_create_settings.sql", "goose/ok/20240101120000_create_tags.sql")
}

func FuzzSQLMigrate(f *testing.F) {
	fuzzConvert(f, "sql-migrate", "1_a.sql", "sql-migrate/ok/2_add_email.sql", "sql-migrate/ok/10_create_tags.sql")
}

func FuzzDbmate(f *testing.F) {
	fuzzConvert(f, "dbmate", "1_a.sql", "dbmate/ok/20240103000000_create_tags.sql")
}

func FuzzAlembic(f *testing.F) {
	fuzzConvert(f, "alembic", "upgrade.sql", "alembic/ok/upgrade.sql")
}
