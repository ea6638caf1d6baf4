package postgres

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// corpusDir is the shared corpus, relative to this package's directory.
const corpusDir = "../../../shared/corpus"

// skipLine matches the lines a corpus file must lose before it loads into
// a test database: psql meta-commands and database switching.
var skipLine = regexp.MustCompile(`(?i)^\s*(\\|(DROP|CREATE)\s+DATABASE\b|USE\s)`)

// filteredCopy writes file without the lines skipLine matches; with
// fromCreateTable, everything before the first CREATE TABLE goes too.
func filteredCopy(t *testing.T, file string, fromCreateTable bool) string {
	t.Helper()
	in, err := os.Open(file)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	defer in.Close()
	var b strings.Builder
	started := !fromCreateTable
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if !started && strings.HasPrefix(line, "CREATE TABLE") {
			started = true
		}
		if !started || skipLine.MatchString(line) {
			continue
		}
		b.WriteString(line + "\n")
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("corpus %s: %v", file, err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCorpusRoundTrip loads every PostgreSQL corpus file with psql into a
// fresh database X, formats X's inspection, applies that text to a fresh
// database Y, and requires Y's inspection to format to the same text.
func TestCorpusRoundTrip(t *testing.T) {
	chinook, _ := filepath.Glob(filepath.Join(corpusDir, "chinook/postgres/*.schema-only.sql"))
	type corpusFile struct {
		path            string
		fromCreateTable bool
		stopOnError     bool
		minTables       int
	}
	files := []corpusFile{
		{path: "pagila/pagila-schema.sql", stopOnError: true, minTables: 15},
		{path: "northwind/northwind.schema-only.sql", stopOnError: true, minTables: 14},
		// The DDL loads without the CSV data except one foreign key.
		{path: "adventureworks/install.sql", stopOnError: false, minTables: 68},
		{path: "sakila-jooq/postgres/postgres-sakila-schema.sql", stopOnError: true, minTables: 16},
	}
	for _, c := range chinook {
		rel, _ := filepath.Rel(corpusDir, c)
		files = append(files, corpusFile{path: rel, fromCreateTable: true, stopOnError: true, minTables: 11})
	}
	if len(chinook) == 0 {
		t.Errorf("no Chinook PostgreSQL files under %s", corpusDir)
	}
	for _, f := range files {
		t.Run(strings.ReplaceAll(f.path, "/", "_"), func(t *testing.T) {
			src := filepath.Join(corpusDir, f.path)
			if _, err := os.Stat(src); err != nil {
				t.Fatalf("corpus file: %v", err)
			}
			x := newTestDB(t)
			relPSQLFile(t, x, filteredCopy(t, src, f.fromCreateTable), f.stopOnError)
			s, _ := inspectFormat(t, x)
			if len(s.Tables) < f.minTables {
				t.Errorf("inspected %d tables, want at least %d", len(s.Tables), f.minTables)
			}
			roundTrip(t, x)
		})
	}
}
