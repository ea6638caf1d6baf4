package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// corpusDir is the shared corpus, relative to this package's directory.
const corpusDir = "../../../shared/corpus"

// sqliteCorpus lists the corpus files that load into SQLite.
var sqliteCorpus = []string{
	"chinook/sqlite/Chinook_Sqlite.schema-only.sql",
	"chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql",
	"sakila-jooq/sqlite/sqlite-sakila-schema.sql",
}

// TestCorpusRoundTrip loads each SQLite corpus file into a database with the
// sqlite3 client, inspects and formats it (text1), loads text1 into a fresh
// database with the same client, inspects and formats that (text2), and
// requires text1 == text2.
func TestCorpusRoundTrip(t *testing.T) {
	sqlite3 := needSQLite3(t)
	for _, file := range sqliteCorpus {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(corpusDir, file))
			if err != nil {
				t.Fatalf("read corpus file: %v", err)
			}
			x := testdb.New(t, "sqlite")
			runSQLite3(t, sqlite3, x.Name, filterScript(string(src)))
			s1, text1 := inspectFormat(t, x)
			if len(s1.Tables) == 0 {
				t.Fatalf("%s: inspection found no tables", file)
			}
			y := testdb.New(t, "sqlite")
			runSQLite3(t, sqlite3, y.Name, text1)
			_, text2 := inspectFormat(t, y)
			if text1 != text2 {
				t.Fatalf("%s: formatted schema changed after a round trip:\n%s", file, firstDiff(text1, text2))
			}
			// The same text, split by retort's own splitter and run one
			// statement at a time through the driver, as the runner does.
			stmts, err := sqlsplit.Split(text1, sqlsplit.SQLite)
			if err != nil {
				t.Fatalf("split formatted schema: %v", err)
			}
			if want := countStatements(s1); len(stmts) != want {
				t.Errorf("split formatted schema into %d statements, want %d", len(stmts), want)
			}
			z := testdb.New(t, "sqlite")
			for n, st := range stmts {
				if _, err := z.DB.ExecContext(context.Background(), st.Text); err != nil {
					t.Fatalf("statement %d (line %d): %v\n%s", n+1, st.Line, err, st.Text)
				}
			}
			if _, text3 := inspectFormat(t, z); text3 != text1 {
				t.Fatalf("%s: schema applied statement by statement formats differently:\n%s", file, firstDiff(text1, text3))
			}
		})
	}
}

// TestCorpusContent checks what inspection finds in the corpus beyond the
// round trip: counts of objects and a few named details.
func TestCorpusContent(t *testing.T) {
	sqlite3 := needSQLite3(t)
	load := func(t *testing.T, file string) *schema.Schema {
		src, err := os.ReadFile(filepath.Join(corpusDir, file))
		if err != nil {
			t.Fatalf("read corpus file: %v", err)
		}
		x := testdb.New(t, "sqlite")
		runSQLite3(t, sqlite3, x.Name, filterScript(string(src)))
		s, _ := inspectFormat(t, x)
		return s
	}
	t.Run("sakila", func(t *testing.T) {
		s := load(t, "sakila-jooq/sqlite/sqlite-sakila-schema.sql")
		if got := len(s.Tables); got != 16 {
			t.Errorf("tables: got %d, want 16", got)
		}
		if got := len(s.Views); got != 5 {
			t.Errorf("views: got %d, want 5", got)
		}
		if got := len(s.Triggers); got != 30 {
			t.Errorf("triggers: got %d, want 30", got)
		}
		film := s.Table("", "film")
		if film == nil {
			t.Fatal("no table film")
		}
		var names []string
		for _, c := range film.Checks {
			names = append(names, c.Name)
		}
		if strings.Join(names, ",") != "CHECK_special_features,CHECK_special_rating" {
			t.Errorf("film checks: got %v", names)
		}
		if c := film.Column("description"); c == nil || c.Type != "BLOB SUB_TYPE TEXT" {
			t.Errorf("film.description: got %+v", c)
		}
		if c := film.Column("rental_rate"); c == nil || c.Default == nil || *c.Default != "4.99" || c.Nullable {
			t.Errorf("film.rental_rate: got %+v", c)
		}
		rental := s.Table("", "rental")
		var uq *schema.Index
		for _, i := range rental.Indexes {
			if i.Name == "idx_rental_uq" {
				uq = i
			}
		}
		if uq == nil || !uq.Unique || len(uq.Parts) != 3 || uq.Parts[2].Column != "customer_id" {
			t.Errorf("rental idx_rental_uq: got %+v", uq)
		}
		city := s.Table("", "city")
		if len(city.ForeignKeys) != 1 || city.ForeignKeys[0].Name != "fk_city_country" || city.ForeignKeys[0].OnUpdate != "CASCADE" || city.ForeignKeys[0].OnDelete != "" {
			t.Errorf("city foreign keys: got %+v", city.ForeignKeys[0])
		}
	})
	t.Run("chinook-autoincrement", func(t *testing.T) {
		s := load(t, "chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql")
		if got := len(s.Tables); got != 11 {
			t.Errorf("tables: got %d, want 11", got)
		}
		album := s.Table("", "Album")
		if album == nil {
			t.Fatal("no table Album")
		}
		if c := album.Column("AlbumId"); c == nil || !c.AutoIncrement || c.Type != "INTEGER" {
			t.Errorf("Album.AlbumId: got %+v", c)
		}
		if album.PrimaryKey == nil || strings.Join(album.PrimaryKey.Columns, ",") != "AlbumId" {
			t.Errorf("Album primary key: got %+v", album.PrimaryKey)
		}
		pt := s.Table("", "PlaylistTrack")
		if pt.PrimaryKey == nil || pt.PrimaryKey.Name != "PK_PlaylistTrack" || strings.Join(pt.PrimaryKey.Columns, ",") != "PlaylistId,TrackId" {
			t.Errorf("PlaylistTrack primary key: got %+v", pt.PrimaryKey)
		}
	})
}

// countStatements is the number of statements Format prints for s.
func countStatements(s *schema.Schema) int {
	n := len(s.Tables) + len(s.Views) + len(s.Triggers)
	for _, t := range s.Tables {
		n += len(t.Indexes)
	}
	return n
}

// needSQLite3 returns the path of the sqlite3 client or fails: the corpus
// must be loaded by the database's own client.
func needSQLite3(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Fatalf("the sqlite3 client is needed to load the corpus: %v", err)
	}
	return p
}

// runSQLite3 runs script on the database file with the sqlite3 client and
// fails the test on any error it reports.
func runSQLite3(t *testing.T, sqlite3, file, script string) {
	t.Helper()
	cmd := exec.Command(sqlite3, "-bail", file)
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("sqlite3 %s: %v\n%s", filepath.Base(file), err, out.String())
	}
	if strings.Contains(out.String(), "Error") {
		t.Fatalf("sqlite3 %s reported:\n%s", filepath.Base(file), out.String())
	}
}

// filterScript drops the lines a client script may carry that address a
// server rather than the database: DROP/CREATE DATABASE, USE and psql \c.
func filterScript(src string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		l := sc.Text()
		u := strings.ToUpper(strings.TrimSpace(l))
		if strings.HasPrefix(u, "DROP DATABASE") || strings.HasPrefix(u, "CREATE DATABASE") || strings.HasPrefix(u, "USE ") || strings.HasPrefix(u, `\C`) {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// inspectFormat inspects db on one connection and formats the result.
func inspectFormat(t *testing.T, db *testdb.DB) (*schema.Schema, string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	d := New()
	s, err := d.Inspect(ctx, conn, dialect.InspectOptions{VersionTables: dialect.DefaultVersionTables()})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return s, d.Format(s)
}

// firstDiff shows the first lines where a and b differ.
func firstDiff(a, b string) string { return rendertest.FirstDiff(a, b) }
