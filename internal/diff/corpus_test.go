package diff

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/change"
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

// loadSQLite runs script statement by statement (split by sqlsplit) in a
// fresh SQLite database and returns what the SQLite inspector reads back.
func loadSQLite(t testing.TB, script string) *schema.Schema {
	t.Helper()
	ctx := context.Background()
	db := testdb.New(t, "sqlite")
	stmts, err := sqlsplit.Split(script, sqlsplit.SQLite)
	if err != nil {
		t.Fatalf("split: %v", err)
	}
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for n, st := range stmts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			t.Fatalf("statement %d (line %d): %v", n+1, st.Line, err)
		}
	}
	s, err := sqlite.New().Inspect(ctx, conn, dialect.InspectOptions{VersionTables: dialect.DefaultVersionTables()})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return s
}

// readCorpus reads a corpus file without the lines that address a database
// rather than a schema.
func readCorpus(t testing.TB, file string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(corpusDir, file))
	if err != nil {
		t.Skipf("corpus file not available: %v", err)
	}
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(src)))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		l := sc.Text()
		u := strings.ToUpper(strings.TrimSpace(l))
		if strings.HasPrefix(u, "DROP DATABASE") || strings.HasPrefix(u, "CREATE DATABASE") || strings.HasPrefix(u, "USE ") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCorpusNoChanges loads each SQLite corpus file twice into separate
// databases: Compare of a schema with itself and of the two loads must be
// empty. Building the whole schema from nothing and tearing it down again
// must apply in the simulator, which checks the order of the changes.
func TestCorpusNoChanges(t *testing.T) {
	for _, file := range sqliteCorpus {
		t.Run(filepath.Base(file), func(t *testing.T) {
			script := readCorpus(t, file)
			x := loadSQLite(t, script)
			y := loadSQLite(t, script)
			if len(x.Tables) == 0 {
				t.Fatal("inspection found no tables")
			}
			for name, pair := range map[string][2]*schema.Schema{"same": {x, x}, "two loads": {x, y}} {
				changes, err := Compare(pair[0], pair[1], Options{})
				if err != nil {
					t.Fatalf("%s: Compare: %v", name, err)
				}
				if len(changes) > 0 {
					t.Fatalf("%s: Compare found changes:\n%s", name, strings.Join(describe(changes), "\n"))
				}
				if !Equal(pair[0], pair[1]) {
					t.Fatalf("%s: not Equal", name)
				}
			}
			changes, err := Compare(&schema.Schema{Dialect: "sqlite"}, x, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := count[*change.AddTable](changes), len(x.Tables); got != want {
				t.Errorf("from nothing: %d AddTable changes, want %d", got, want)
			}
			checkRoundTrip(t, &schema.Schema{Dialect: "sqlite"}, x, changes)
		})
	}
}

func count[T change.Change](changes []change.Change) int {
	n := 0
	for _, c := range changes {
		if _, ok := c.(T); ok {
			n++
		}
	}
	return n
}

// TestCorpusEdits edits the Chinook schema in SQL, loads both versions into
// SQLite and checks what Compare finds between the inspected schemas.
func TestCorpusEdits(t *testing.T) {
	base := readCorpus(t, "chinook/sqlite/Chinook_Sqlite.schema-only.sql")
	x := loadSQLite(t, base)
	edited := base + `
ALTER TABLE "Artist" ADD COLUMN "Country" NVARCHAR(40);
DROP INDEX "IFK_TrackMediaTypeId";
CREATE INDEX "IFK_TrackMediaTypeId" ON "Track" ("MediaTypeId" DESC);
CREATE TABLE "Label" ("LabelId" INTEGER PRIMARY KEY, "Name" NVARCHAR(120) NOT NULL UNIQUE);
CREATE VIEW "ArtistAlbums" AS SELECT a."Name", count(*) AS n FROM "Artist" a JOIN "Album" b ON b."ArtistId" = a."ArtistId" GROUP BY a."Name";
`
	y := loadSQLite(t, edited)
	changes, err := Compare(x, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"removed index 'IFK_TrackMediaTypeId' on 'Track'",
		"added table 'Label'",
		"added column 'Artist.Country'",
		"added index 'IFK_TrackMediaTypeId' on 'Track'",
		"added view 'ArtistAlbums'",
	}
	if got := describe(changes); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkRoundTrip(t, x, y, changes)
}

// TestCorpusRenames renames a table and a column of the Chinook schema in
// SQLite: with the renames given, Compare finds exactly them.
func TestCorpusRenames(t *testing.T) {
	base := readCorpus(t, "chinook/sqlite/Chinook_Sqlite.schema-only.sql")
	x := loadSQLite(t, base)
	y := loadSQLite(t, base+`
ALTER TABLE "Genre" RENAME TO "Style";
ALTER TABLE "Album" RENAME COLUMN "Title" TO "Name";
ALTER TABLE "Customer" RENAME COLUMN "SupportRepId" TO "RepId";
`)
	opts := Options{Renames: map[string]string{"Genre": "Style", "Album.Title": "Name", "Customer.SupportRepId": "RepId"}}
	changes, err := Compare(x, y, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"renamed table 'Genre' to 'Style'",
		"renamed column 'Album.Title' to 'Name'",
		"renamed column 'Customer.SupportRepId' to 'RepId'",
	}
	if got := describe(changes); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	checkRoundTrip(t, x, y, changes)
	// Without them, the same edit is drops and adds that PossibleRenames
	// recognises.
	changes, err = Compare(x, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := PossibleRenames(changes)
	wantRenames := []Rename{
		{Table: change.Ref{Name: "Album"}, From: "Title", To: "Name"},
		{Table: change.Ref{Name: "Customer"}, From: "SupportRepId", To: "RepId"},
		{Table: change.Ref{Name: "Genre"}, From: "Genre", To: "Style", IsTable: true},
	}
	if fmt.Sprint(got) != fmt.Sprint(wantRenames) {
		t.Fatalf("PossibleRenames = %+v, want %+v", got, wantRenames)
	}
}
