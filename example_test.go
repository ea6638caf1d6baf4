package retort_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing/fstest"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/source"
)

// exampleMigrations stands for an application's embedded migrations:
//
//	//go:embed migrations/versions/*.sql
//	var files embed.FS
//	migrations, _ := fs.Sub(files, "migrations/versions")
var exampleMigrations = fstest.MapFS{
	"9f02447faa7d_create_users.sql": {Data: []byte(`-- create users
--
-- Revision: 9f02447faa7d
-- Revises:

-- +upgrade
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, display TEXT);
INSERT INTO users (name) VALUES ('ada'), ('grace');

-- +downgrade
DROP TABLE users;
`)},
}

// exampleDB opens a private in-memory SQLite database. An in-memory
// database lives in one connection, so the pool is held to one.
func exampleDB() *sql.DB {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// Upgrade on start-up: three lines before the application serves.
func Example_upgradeOnStartup() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()

	m, err := retort.New(sqlite.New(), db, exampleMigrations)
	if err == nil {
		_, err = m.Upgrade(ctx, "head")
	}
	if err != nil {
		log.Fatal(err)
	}

	cur, _ := m.Current(ctx)
	fmt.Println("database at", cur)
	// Output: database at [9f02447faa7d]
}

// A Go revision backfills data in the revision's transaction; it joins the
// graph beside the files.
func ExampleWithGoRevisions() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()

	backfill := retort.GoRevision{
		ID:      "3c1e5b7a9d20",
		Revises: []string{"9f02447faa7d"},
		Message: "backfill display names",
		Up: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET display = upper(name)")
			return err
		},
		Down: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET display = NULL")
			return err
		},
	}
	m, err := retort.New(sqlite.New(), db, exampleMigrations, retort.WithGoRevisions(backfill))
	if err != nil {
		log.Fatal(err)
	}
	res, err := m.Upgrade(ctx, "head")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range res.Steps {
		fmt.Println(s.Direction, s.Revision)
	}
	var display string
	_ = db.QueryRow("SELECT display FROM users WHERE name = 'ada'").Scan(&display)
	fmt.Println(display)
	// Output:
	// upgrade 9f02447faa7d
	// upgrade 3c1e5b7a9d20
	// ADA
}

// Status lists applied and pending revisions.
func ExampleMigrator_Status() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, exampleMigrations)
	if err != nil {
		log.Fatal(err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending:", len(st.Pending), "applied:", len(st.Applied))
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		log.Fatal(err)
	}
	if st, err = m.Status(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending:", len(st.Pending), "applied:", len(st.Applied))
	// Output:
	// pending: 1 applied: 0
	// pending: 0 applied: 1
}

// Downgrade reverts; "base" reverts everything.
func ExampleMigrator_Downgrade() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, exampleMigrations)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		log.Fatal(err)
	}
	res, err := m.Downgrade(ctx, "base")
	if err != nil {
		log.Fatal(err)
	}
	cur, _ := m.Current(ctx)
	fmt.Println(len(res.Steps), "reverted; at", cur)
	// Output: 1 reverted; at []
}

// History needs no database.
func ExampleMigrator_History() {
	m, err := retort.New(sqlite.New(), nil, exampleMigrations)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range m.History() {
		fmt.Println(r.ID, r.Message)
	}
	// Output: 9f02447faa7d create users
}

// Errors are typed; errors.Is finds a sentinel for callers that branch.
func ExampleErrMultipleHeads() {
	two := fstest.MapFS{
		"a.sql": {Data: []byte("-- a\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\n-- +downgrade\n")},
		"b.sql": {Data: []byte("-- b\n--\n-- Revision: b1\n-- Revises: a1\n\n-- +upgrade\n-- +downgrade\n")},
		"c.sql": {Data: []byte("-- c\n--\n-- Revision: c1\n-- Revises: a1\n\n-- +upgrade\n-- +downgrade\n")},
	}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, two)
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Upgrade(context.Background(), "head")
	var mh *retort.MultipleHeadsError
	fmt.Println(errors.Is(err, retort.ErrMultipleHeads), errors.As(err, &mh) && len(mh.Heads) == 2)
	// Output: true true
}

// Check reports what the application's models have that the migrations
// lack: a test can fail on it.
func ExampleMigrator_Check() {
	models := retort.DesiredFunc(func(dialect.Dialect) ([]source.File, error) {
		return []source.File{{Path: "models", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, display TEXT, email TEXT);"}}, nil
	})
	m, err := retort.New(sqlite.New(), nil, exampleMigrations, retort.WithDesiredSource(models))
	if err != nil {
		log.Fatal(err)
	}
	changes, err := m.Check(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		fmt.Println(c.Description)
	}
	// Output: added column 'users.email'
}

// SQL writes an offline script for a DBA, without a database.
func ExampleMigrator_SQL() {
	m, err := retort.New(postgres.New(), nil, exampleMigrations)
	if err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	if err := m.SQL(&b, retort.Up, "base", "head"); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "-- ") || strings.HasPrefix(line, "CREATE TABLE users") {
			fmt.Println(line)
		}
	}
	// Output:
	// -- retort offline script for postgres: 1 step(s)
	// -- version tables
	// -- upgrade 9f02447faa7d: create users (9f02447faa7d_create_users.sql)
	// CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, display TEXT);
}
