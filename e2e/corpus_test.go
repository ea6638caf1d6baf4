package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// corpusDir is the shared corpus, relative to this package's directory.
const corpusDir = "../../shared/corpus"

// corpusFile is one file of the shared corpus and how it is made to load
// as a desired schema (see /work/shared/corpus/README.md and the dialect
// packages' corpus tests, which filter the same way).
type corpusFile struct {
	dialect string
	path    string
	// fromCreateTable drops everything before the first CREATE TABLE
	// (the Chinook files begin with DROP/CREATE DATABASE and psql's \c).
	fromCreateTable bool
	// ddlOnly drops INSERT statements (AdventureWorks carries a few rows
	// inline whose parents would come from its CSV files).
	ddlOnly bool
	// bug names the reproducer in testdata/failing of an open bug that
	// makes this file fail; such files run only with -autogen.failing.
	bug string
}

var corpusFiles = []corpusFile{
	{dialect: "postgres", path: "pagila/pagila-schema.sql"},
	{dialect: "postgres", path: "northwind/northwind.schema-only.sql"},
	{dialect: "postgres", path: "chinook/postgres/Chinook_PostgreSql.schema-only.sql", fromCreateTable: true},
	{dialect: "postgres", path: "chinook/postgres/Chinook_PostgreSql_AutoIncrementPKs.schema-only.sql", fromCreateTable: true},
	{dialect: "postgres", path: "chinook/postgres/Chinook_PostgreSql_SerialPKs.schema-only.sql", fromCreateTable: true},
	{dialect: "postgres", path: "sakila-jooq/postgres/postgres-sakila-schema.sql"},
	{dialect: "postgres", path: "adventureworks/install.sql", ddlOnly: true},
	{dialect: "mysql", path: "sakila-mysql/sakila-mv-schema.sql"},
	{dialect: "mysql", path: "sakila-jooq/mysql/mysql-sakila-schema.sql"},
	{dialect: "mysql", path: "chinook/mysql/Chinook_MySql.schema-only.sql"},
	{dialect: "mysql", path: "chinook/mysql/Chinook_MySql_AutoIncrementPKs.schema-only.sql"},
	{dialect: "sqlite", path: "chinook/sqlite/Chinook_Sqlite.schema-only.sql"},
	{dialect: "sqlite", path: "chinook/sqlite/Chinook_Sqlite_AutoIncrementPKs.schema-only.sql"},
	{dialect: "sqlite", path: "sakila-jooq/sqlite/sqlite-sakila-schema.sql"},
}

var (
	// corpusSkipLine matches the lines that address a server rather than
	// a database: psql meta-commands, DROP/CREATE DATABASE, USE.
	corpusSkipLine = regexp.MustCompile(`(?i)^\s*(\\|(DROP|CREATE)\s+DATABASE\b|USE\s)`)
	// sakilaPrefix: Sakila's MySQL views name their tables sakila.film;
	// the desired schema loads into a scratch database of another name,
	// so the qualifier goes (the dialect's corpus test points it at the
	// test database instead).
	sakilaPrefix = regexp.MustCompile("\\b`?sakila`?\\.")
)

// desiredSQL reads and filters a corpus file for its dialect.
func (f corpusFile) desiredSQL(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, f.path))
	if err != nil {
		t.Fatalf("read corpus file: %v", err)
	}
	var b strings.Builder
	started := !f.fromCreateTable
	for _, line := range strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n") {
		if !started && strings.HasPrefix(line, "CREATE TABLE") {
			started = true
		}
		if !started || corpusSkipLine.MatchString(line) {
			continue
		}
		b.WriteString(line + "\n")
	}
	text := b.String()
	if f.dialect == "mysql" {
		text = sakilaPrefix.ReplaceAllString(text, "")
	}
	if f.ddlOnly {
		text = dropInserts(t, f.dialect, text)
	}
	return text
}

// dropInserts blanks out the INSERT statements of a script.
func dropInserts(t *testing.T, dialectName, text string) string {
	t.Helper()
	d := mustDialect(t, dialectName)
	stmts, err := sqlsplit.Split(text, d.Splitter())
	if err != nil {
		t.Fatalf("split: %v", err)
	}
	var b strings.Builder
	last := 0
	for _, st := range stmts {
		if len(st.Text) >= 6 && strings.EqualFold(st.Text[:6], "INSERT") {
			b.WriteString(text[last:st.Start])
			last = st.End
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// TestAutogenerateCorpus generates, from an empty migrations directory,
// the revision that creates each corpus schema, writes it as a file,
// upgrades a fresh database with it and requires the database to inspect
// exactly as the corpus file loaded directly does; then downgrades to base
// and requires an empty database.
func TestAutogenerateCorpus(t *testing.T) {
	for _, f := range corpusFiles {
		t.Run(f.dialect+"/"+strings.ReplaceAll(f.path, "/", "_"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if f.bug != "" && !*runFailing {
				t.Skipf("open bug, reproduced by testdata/failing/%s: run with -autogen.failing", f.bug)
			}
			if f.dialect != "sqlite" {
				testdb.ServerURL(t, f.dialect)
			}
			desired := []source.File{{Path: f.path, SQL: f.desiredSQL(t)}}

			ref := newLiveDB(t, f.dialect)
			if err := ref.load(ctx, desired...); err != nil {
				t.Fatalf("load the corpus file directly: %v", err)
			}
			want, err := ref.inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Tables) == 0 {
				t.Fatal("the corpus file loaded no tables")
			}

			live := newLiveDB(t, f.dialect)
			m, err := engine.New(mustDialect(t, f.dialect), live.db, nil, engine.WithAllowEmpty())
			if err != nil {
				t.Fatal(err)
			}
			g, err := m.Generate(ctx, engine.GenerateOptions{Desired: desired, Scratch: live.scratchURL()})
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			t.Logf("%d changes, %d upgrade and %d downgrade statements", len(g.Changes), len(g.Up), len(g.Down))
			dir := t.TempDir()
			rev := &script.Revision{
				ID:      "c00000000001",
				Message: "create " + filepath.Base(f.path),
				Up:      script.Section{SQL: script.JoinStatements(g.Up), Present: true},
				Down:    script.Section{SQL: script.JoinStatements(g.Down), Present: true},
			}
			if _, err := script.Write(dir, rev); err != nil {
				t.Fatalf("write the revision: %v", err)
			}
			m, err = engine.New(mustDialect(t, f.dialect), live.db, os.DirFS(dir))
			if err != nil {
				t.Fatalf("load the written revision: %v", err)
			}
			if _, err := m.Upgrade(ctx, "head"); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			got, err := live.inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			gotText, wantText := live.dialect.Format(got), live.dialect.Format(want)
			if gotText != wantText {
				t.Errorf("after upgrade, Format(inspect(live)) differs from the corpus file loaded directly:\n%s", firstDiff(gotText, wantText))
			}
			if _, err := m.Downgrade(ctx, "base"); err != nil {
				t.Fatalf("downgrade base: %v", err)
			}
			empty, err := live.inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !isEmpty(empty) {
				t.Errorf("after downgrade base the database is not empty:\n%s", live.dialect.Format(empty))
			}
		})
	}
}
