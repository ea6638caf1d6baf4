package importer

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Each fixture directory (written from the tool's documentation) converts
// to the revision files in its .golden file, which parse back and form a
// valid graph.
func TestConvertGolden(t *testing.T) {
	cases := []struct {
		tool, dir string
		opts      Options
	}{
		{"goose", "goose/ok", Options{}},
		{"goose", "goose/envsub", Options{Envsub: true, Getenv: env(map[string]string{"OWNER": "ops"})}},
		{"goose", "goose/gomigration", Options{}},
		{"goose", "goose/nodown", Options{}},
		{"golang-migrate", "golang-migrate/ok", Options{}},
		{"golang-migrate", "golang-migrate/nodown", Options{}},
		{"dbmate", "dbmate/ok", Options{}},
		{"sql-migrate", "sql-migrate/ok", Options{}},
		{"flyway", "flyway/ok", Options{}},
		{"flyway", "flyway/repeatable", Options{RepeatableAsRevisions: true}},
		{"atlas", "atlas/ok", Options{}},
		{"alembic", "alembic/ok", Options{}},
		{"alembic", "alembic/flask/sql-postgres", Options{}},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			conv, err := Lookup(c.tool)
			if err != nil {
				t.Fatal(err)
			}
			fsys := os.DirFS(filepath.Join("testdata", c.dir))
			if !conv.Detect(fsys) {
				t.Errorf("Detect(%s) = false", c.dir)
			}
			res, err := conv.Read(fsys, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, r := range res.Revisions {
				data := script.Format(r)
				if _, err := script.Parse(script.FileName(r), data); err != nil {
					t.Fatalf("converted %s does not parse: %v", r.ID, err)
				}
				b.WriteString("==> " + script.FileName(r) + "\n")
				b.Write(data)
			}
			if _, err := revision.New(res.Revisions); err != nil {
				t.Fatalf("graph: %v", err)
			}
			golden := filepath.Join("testdata", c.dir+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("converted %s differs from %s (rerun with -update after checking):\n%s", c.dir, golden, b.String())
			}
		})
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// What a converter cannot convert faithfully is refused with the file and
// line, and a way out.
func TestRefusals(t *testing.T) {
	cases := []struct {
		tool, dir string
		files     map[string]string // written into a temporary directory when dir is ""
		want      string
	}{
		{tool: "goose", dir: "goose/envsub", want: "import goose: 00001_create_settings.sql:2: ENVSUB ON: the SQL below depends on environment variables"},
		{tool: "flyway", dir: "flyway/repeatable", want: "import flyway: R__user_names.sql: a repeatable migration"},
		{tool: "flyway", dir: "flyway/placeholder", want: "import flyway: V1__create_table.sql:1: a Flyway placeholder"},
		{tool: "atlas", dir: "atlas/mismatch", want: "import atlas: 20240101000000_create_users.sql: checksum mismatch with atlas.sum line 2"},
		{tool: "goose", files: map[string]string{"1_a.sql": "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n"}, want: "1_a.sql:2: StatementBegin without StatementEnd"},
		{tool: "goose", files: map[string]string{"1_a.sql": "CREATE TABLE a (id int);\n-- +goose Up\n"}, want: "1_a.sql:1: SQL before the first up or down annotation"},
		{tool: "goose", files: map[string]string{"1_a.sql": "-- +goose Up\n-- +goose Sideways\n"}, want: "1_a.sql:2: unknown goose annotation \"Sideways\""},
		{tool: "goose", files: map[string]string{"a.sql": "-- +goose Up\n"}, want: "a.sql: goose names migrations"},
		{tool: "goose", files: map[string]string{"1_a.sql": "-- +goose Up\n", "01_b.sql": "-- +goose Up\n"}, want: "version 1 is also"},
		{tool: "golang-migrate", files: map[string]string{"1_a.down.sql": "DROP TABLE a;\n"}, want: "1_a.down.sql: a down file without its up file"},
		{tool: "dbmate", files: map[string]string{"1_a.sql": "-- migrate:up transaction:maybe\n"}, want: "1_a.sql:1: unknown option \"transaction:maybe\""},
		{tool: "sql-migrate", files: map[string]string{"1_a.sql": "-- +migrate Down\nDROP TABLE a;\n"}, want: "1_a.sql: no up annotation"},
		{tool: "atlas", files: map[string]string{"1_a.sql": "SELECT 1;\n"}, want: "atlas.sum: no atlas.sum"},
		{tool: "atlas", files: map[string]string{"1_a.sql": "-- atlas:delimiter \\n\\n\nSELECT 1;\n", "atlas.sum": "h1:x\n"}, want: "atlas.sum:1: the sum of the file lines does not match"},
		{tool: "flyway", files: map[string]string{"V1__a.sql": "SELECT 1;\n", "V1.0__b.sql": "SELECT 1;\n"}, want: "Flyway refuses two migrations with one version"},
		{tool: "alembic", files: map[string]string{"up.sql": "CREATE TABLE stray (id int);\n-- Running upgrade  -> abc\nSELECT 1;\n"}, want: "up.sql:1: a statement before the first \"-- Running\" marker"},
		{tool: "alembic", files: map[string]string{"up.sql": "-- Running upgrade  -> abc\n\nCREATE TABLE a (id int);\nINSERT INTO a VALUES ('x);\n"}, want: "up.sql:4: cannot split the SQL: unterminated string literal"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			dir := filepath.Join("testdata", c.dir)
			if c.dir == "" {
				dir = t.TempDir()
				for n, s := range c.files {
					if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			conv, err := Lookup(c.tool)
			if err != nil {
				t.Fatal(err)
			}
			_, err = conv.Read(os.DirFS(dir), Options{})
			var se *SourceError
			if err == nil || !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a *SourceError containing %q", err, c.want)
			}
		})
	}
}

// Flyway orders versions as numbers, part by part.
func TestFlywayOrder(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"1.9", "1.10", -1}, {"1", "1.0", 0}, {"2", "1.999", 1}, {"1_1", "1.1", 0}, {"20240101120000", "3", 1}} {
		pa, _, _ := flywayVersion(c.a)
		pb, _, _ := flywayVersion(c.b)
		if got := cmpVersion(pa, pb); got != c.want {
			t.Errorf("cmpVersion(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Ids keep the tool's version when retort accepts it, else derive one
// deterministically.
func TestDeriveID(t *testing.T) {
	for in, want := range map[string]string{
		"20240101120000":        "20240101120000",
		"1.10":                  "1_10",
		"head":                  deriveID("flyway", "head"),
		strings.Repeat("9", 70): deriveID("flyway", strings.Repeat("9", 70)),
	} {
		got := deriveID("flyway", in)
		if got != want || script.CheckID(got) != nil {
			t.Errorf("deriveID(%q) = %q, want %q (a valid id)", in, got, want)
		}
	}
	if deriveID("flyway", "head") == deriveID("goose", "head") {
		t.Error("derived ids of two tools collide")
	}
}

// ENVSUB expansions follow goose's: defaults, required variables.
func TestEnvsub(t *testing.T) {
	a := annotated{tool: "goose", file: "f.sql", opts: Options{Envsub: true, Getenv: env(map[string]string{"A": "x"})}}
	for in, want := range map[string]string{
		"$A ${A} ${B:-d} ${B-e} ${A:-no} $$ 5$": "x x d e x $$ 5$",
	} {
		got, err := a.expand(in, 1)
		if err != nil || got != want {
			t.Errorf("expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := a.expand("${B?set B}", 3); err == nil || !strings.Contains(err.Error(), "f.sql:3: environment variable B is not set: set B") {
		t.Errorf("required variable: %v", err)
	}
}
