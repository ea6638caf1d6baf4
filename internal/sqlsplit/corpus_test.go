package sqlsplit

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/corpustest"
)

// corpusDir is /work/shared/corpus seen from the package directory, the
// working directory of its tests.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusFile is one real script of the shared corpus and its dialect.
type corpusFile struct {
	path string
	d    Dialect
}

var corpusFiles = []corpusFile{
	{"pagila/pagila-schema.sql", Postgres},
	{"northwind/northwind.schema-only.sql", Postgres},
	{"adventureworks/install.sql", Postgres},
	{"chinook/postgres/Chinook_PostgreSql.schema-only.sql", Postgres},
	{"chinook/postgres/Chinook_PostgreSql.sql", Postgres},
	{"chinook/postgres/Chinook_PostgreSql_AutoIncrementPKs.schema-only.sql", Postgres},
	{"chinook/postgres/Chinook_PostgreSql_SerialPKs.schema-only.sql", Postgres},
	{"sakila-jooq/postgres/postgres-sakila-schema.sql", Postgres},
	{"sakila-jooq/postgres/postgres-sakila-drop-objects.sql", Postgres},
	{"sakila-mysql/sakila-mv-schema.sql", MySQL},
	{"sakila-jooq/mysql/mysql-sakila-schema.sql", MySQL},
	{"sakila-jooq/mysql/mysql-sakila-drop-objects.sql", MySQL},
	{"chinook/mysql/Chinook_MySql.schema-only.sql", MySQL},
	{"chinook/mysql/Chinook_MySql.sql", MySQL},
	{"chinook/mysql/Chinook_MySql_AutoIncrementPKs.schema-only.sql", MySQL},
	{"chinook/sqlite/Chinook_Sqlite.schema-only.sql", SQLite},
	{"chinook/sqlite/Chinook_Sqlite.sql", SQLite},
	{"chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql", SQLite},
	{"sakila-jooq/sqlite/sqlite-sakila-schema.sql", SQLite},
	{"sakila-jooq/sqlite/sqlite-sakila-drop-objects.sql", SQLite},
}

// readCorpus returns a corpus file; without the corpus beside the
// repository the test skips, or fails when CI is set.
func readCorpus(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, filepath.FromSlash(path)))
	if os.IsNotExist(err) {
		corpustest.Missing(t, path, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Independent counts: in the corpus files, a line that starts at column 0
// with one of these CREATE or INSERT kinds starts a statement, and so does
// an indented ALTER TABLE or COMMENT ON, except inside block comments,
// which blockComments removes first. (Indented CREATE and INSERT lines are
// inside other statements: CREATE SCHEMA s CREATE TABLE ..., procedure
// and trigger bodies.)
var kinds = []struct {
	name   string
	line   *regexp.Regexp // counted on the raw file
	prefix *regexp.Regexp // matched against each statement's text
}{
	{"CREATE TABLE", regexp.MustCompile(`(?im)^create\s+table\b`), regexp.MustCompile(`(?i)^create\s+table\b`)},
	{"CREATE VIEW", regexp.MustCompile(`(?im)^create\s+(or\s+replace\s+)?view\b`), regexp.MustCompile(`(?i)^create\s+(or\s+replace\s+)?view\b`)},
	{"CREATE TRIGGER", regexp.MustCompile(`(?im)^create\s+(definer\S*\s+)?trigger\b`), regexp.MustCompile(`(?i)^create\s+(definer\S*\s+)?trigger\b`)},
	{"CREATE FUNCTION", regexp.MustCompile(`(?im)^create\s+(or\s+replace\s+)?function\b`), regexp.MustCompile(`(?i)^create\s+(or\s+replace\s+)?function\b`)},
	{"CREATE PROCEDURE", regexp.MustCompile(`(?im)^create\s+(or\s+replace\s+)?procedure\b`), regexp.MustCompile(`(?i)^create\s+(or\s+replace\s+)?procedure\b`)},
	{"INSERT INTO", regexp.MustCompile(`(?im)^insert\s+into\b`), regexp.MustCompile(`(?i)^insert\s+into\b`)},
	{"ALTER TABLE", regexp.MustCompile(`(?im)^[ \t]*alter\s+table\b`), regexp.MustCompile(`(?i)^alter\s+table\b`)},
	{"COMMENT ON", regexp.MustCompile(`(?im)^[ \t]*comment\s+on\b`), regexp.MustCompile(`(?i)^comment\s+on\b`)},
}

// blockComments matches the block comments of the corpus files (none of
// them nests comments or has "/*" in a string).
var blockComments = regexp.MustCompile(`(?s)/\*[^!].*?\*/`)

// firstWords are the words a statement of the corpus may start with; a
// statement starting elsewhere (inside a string, a body or a comment)
// would start with something else.
var firstWords = map[string]bool{
	"ALTER": true, "BEGIN": true, "CLUSTER": true, "COMMENT": true, "COMMIT": true,
	"CREATE": true, "DELETE": true, "DROP": true, "GRANT": true, "INSERT": true,
	"REVOKE": true, "SELECT": true, "SET": true, "UPDATE": true, "USE": true,
	"WITH": true, "REFRESH": true, "ANALYZE": true, "PRAGMA": true,
}

func firstWord(text string) string {
	if strings.HasPrefix(text, "\\") {
		return "\\"
	}
	if strings.HasPrefix(text, "/*!") {
		return "/*!"
	}
	end := strings.IndexFunc(text, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
	})
	if end < 0 {
		end = len(text)
	}
	return strings.ToUpper(text[:end])
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, f := range corpusFiles {
		t.Run(f.path, func(t *testing.T) {
			script := readCorpus(t, f.path)
			stmts, err := Split(script, f.d)
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			checkOffsets(t, script, stmts)
			checkGaps(t, script, f.d, stmts)
			for i, s := range stmts {
				w := firstWord(s.Text)
				switch {
				case w == "\\" && f.d == Postgres:
					if strings.Contains(s.Text, "\n") {
						t.Errorf("statement %d (line %d): meta-command spans lines: %q", i+1, s.Line, s.Text)
					}
				case w == "/*!" && f.d == MySQL:
				case !firstWords[w]:
					t.Errorf("statement %d (line %d) starts with %q: %.80q", i+1, s.Line, w, s.Text)
				}
			}
			for _, k := range kinds {
				want := len(k.line.FindAllStringIndex(blockComments.ReplaceAllString(script, ""), -1))
				got := 0
				for _, s := range stmts {
					if k.prefix.MatchString(s.Text) {
						got++
					}
				}
				if got != want {
					t.Errorf("%d statements start with %s, the file has %d such lines", got, k.name, want)
				}
			}
		})
	}
}

// TestCorpusKnownCounts pins the statement counts of a few corpus files,
// checked by hand against the files.
func TestCorpusKnownCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		d    Dialect
		kind string
		n    int
	}{
		// 3 triggers in DELIMITER ;; and 3 procedures and 3 functions in
		// DELIMITER // and $$ blocks.
		{"sakila-mysql/sakila-mv-schema.sql", MySQL, "CREATE TRIGGER", 3},
		{"sakila-mysql/sakila-mv-schema.sql", MySQL, "CREATE PROCEDURE", 3},
		{"sakila-mysql/sakila-mv-schema.sql", MySQL, "CREATE FUNCTION", 3},
		{"sakila-jooq/sqlite/sqlite-sakila-schema.sql", SQLite, "CREATE TRIGGER", 30},
		{"sakila-jooq/sqlite/sqlite-sakila-schema.sql", SQLite, "CREATE VIEW", 5},
		{"chinook/sqlite/Chinook_Sqlite.schema-only.sql", SQLite, "CREATE TABLE", 11},
	}
	for _, tt := range tests {
		script := readCorpus(t, tt.path)
		stmts, err := Split(script, tt.d)
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		n := 0
		for _, s := range stmts {
			if strings.HasPrefix(strings.Join(strings.Fields(strings.ToUpper(s.Text)), " "), tt.kind) {
				n++
			}
		}
		if n != tt.n {
			t.Errorf("%s: %d %s statements, want %d", tt.path, n, tt.kind, tt.n)
		}
	}
}
