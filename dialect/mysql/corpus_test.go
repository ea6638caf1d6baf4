package mysql

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
)

// corpusFiles are the MySQL files of /work/shared/corpus that must round
// trip (see its README).
var corpusFiles = []string{
	"sakila-mysql/sakila-mv-schema.sql",
	"sakila-jooq/mysql/mysql-sakila-schema.sql",
	"chinook/mysql/Chinook_MySql.schema-only.sql",
	"chinook/mysql/Chinook_MySql_AutoIncrementPKs.schema-only.sql",
}

var dumpDir = flag.String("dump", "", "write each corpus file's canonical SQL into this directory")

var (
	dbLine       = regexp.MustCompile(`(?i)^\s*((DROP|CREATE)\s+(DATABASE|SCHEMA)\b|USE\s)`)
	sakilaPrefix = regexp.MustCompile(`\bsakila\.`)
)

// filterCorpus drops the lines that pick a database (DROP/CREATE
// DATABASE, USE), so that the file loads into the test database. Sakila's
// actor_info view names its tables sakila.film and so on: those qualifiers
// are pointed at the test database, which is what they meant.
func filterCorpus(script, dbName string) string {
	lines := strings.Split(script, "\n")
	out := lines[:0]
	for _, l := range lines {
		if dbLine.MatchString(l) {
			continue
		}
		out = append(out, l)
	}
	return sakilaPrefix.ReplaceAllString(strings.Join(out, "\n"), backquote(dbName)+".")
}

func TestCorpusRoundTrip(t *testing.T) {
	for _, f := range corpusFiles {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", f))
			if err != nil {
				t.Fatalf("read corpus: %v", err)
			}
			src := newInspectDB(t)
			clientLoad(t, src, filterCorpus(string(raw), src.Name))
			text := roundTrip(t, src)
			if *dumpDir != "" {
				if err := os.WriteFile(filepath.Join(*dumpDir, filepath.Base(f)), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, _ := inspectDB(t, src, dialect.InspectOptions{})
			if len(s.Tables) == 0 {
				t.Fatal("no tables inspected")
			}
			if strings.Contains(text, "DEFINER") || strings.Contains(text, src.Name) {
				t.Errorf("output names a definer or the source database:\n%s", text)
			}
			if len(s.Notes()) > 0 {
				t.Errorf("unexpected warnings: %q", s.Notes())
			}
		})
	}
}

// TestCorpusSakilaContents checks that the Sakila schema's objects are all
// there, with the shapes the file gives them.
func TestCorpusSakilaContents(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "corpus", "sakila-mysql", "sakila-mv-schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := newInspectDB(t)
	clientLoad(t, db, filterCorpus(string(raw), db.Name))
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	if got, want := len(s.Tables), 16; got != want {
		t.Errorf("tables: got %d, want %d", got, want)
	}
	if got, want := len(s.Views), 7; got != want {
		t.Errorf("views: got %d, want %d", got, want)
	}
	if got, want := len(s.Triggers), 3; got != want {
		t.Errorf("triggers: got %d, want %d", got, want)
	}
	if got, want := len(s.Routines), 6; got != want {
		t.Errorf("routines: got %d, want %d", got, want)
	}
	ft := s.Table("", "film_text")
	if ft == nil || len(ft.Indexes) != 1 || ft.Indexes[0].Method != "FULLTEXT" {
		t.Errorf("film_text: want one FULLTEXT index, got %+v", ft)
	}
	film := s.Table("", "film")
	if c := film.Column("special_features"); c == nil || !strings.HasPrefix(c.Type, "set('Trailers'") {
		t.Errorf("film.special_features: %+v", c)
	}
	if c := film.Column("last_update"); c == nil || c.OnUpdate == "" || c.Default == nil {
		t.Errorf("film.last_update: want default and ON UPDATE, got %+v", c)
	}
}
