package retort_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"maps"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/models"
	"github.com/retortdb/retort/source"
)

// exRev builds a revision file's text for the examples below.
func exRev(id, revises, up, down string) []byte {
	return []byte("-- " + id + "\n--\n-- Revision: " + id + "\n-- Revises: " + revises + "\n\n-- +upgrade\n" + up + "\n\n-- +downgrade\n" + down + "\n")
}

// exTwoRevisions is a linear history of two revisions: users, then posts.
var exTwoRevisions = fstest.MapFS{
	"a1_users.sql": {Data: exRev("a1", "", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "DROP TABLE users;")},
	"b2_posts.sql": {Data: exRev("b2", "a1", "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);", "DROP TABLE posts;")},
}

// exMust stops the example when a step it stands on fails.
func exMust(_ *retort.Result, err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// exMigrator makes a SQLite Migrator of exTwoRevisions plus opts, or stops
// the example.
func exMigrator(db *sql.DB, opts ...retort.Option) *retort.Migrator {
	m, err := retort.New(sqlite.New(), db, exTwoRevisions, opts...)
	if err != nil {
		log.Fatal(err)
	}
	return m
}

// New loads and checks the migrations at once: a revision whose parent is
// missing is an error before anything runs.
func ExampleNew() {
	broken := fstest.MapFS{"b2.sql": {Data: exRev("b2", "a1", "", "")}}
	_, err := retort.New(sqlite.New(), nil, broken)
	fmt.Println(err != nil)
	m, err := retort.New(sqlite.New(), nil, exTwoRevisions)
	fmt.Println(err, m.Graph().Len())
	// Output:
	// true
	// <nil> 2
}

// New takes any fs.FS as the migrations (for a project laid out by
// "retort init": fs.Sub(os.DirFS("migrations"), "versions")); one that
// holds no revision is ErrNoRevisions unless WithAllowEmpty says so.
func ExampleNew_fsys() {
	m, err := retort.New(sqlite.New(), nil, exTwoRevisions)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range m.History() {
		fmt.Println(r.ID, r.Path)
	}
	_, err = retort.New(sqlite.New(), nil, fstest.MapFS{})
	fmt.Println(errors.Is(err, retort.ErrNoRevisions))
	// Output:
	// b2 b2_posts.sql
	// a1 a1_users.sql
	// true
}

// Options are checked by New: a negative lock timeout, an empty table
// name or a desired source given twice is an OptionError.
func ExampleOptionError() {
	_, err := retort.New(sqlite.New(), nil, exTwoRevisions, retort.WithLockTimeout(-time.Second))
	var oe *retort.OptionError
	fmt.Println(errors.Is(err, retort.ErrInvalidOption), errors.As(err, &oe) && oe.Option == "WithLockTimeout")
	fmt.Println(err)
	// Output:
	// true true
	// retort.WithLockTimeout: negative timeout -1s
}

// Upgrade applies revisions up to a target: "head", a revision id, or a
// relative step such as "+1".
func ExampleMigrator_Upgrade() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	for _, target := range []string{"+1", "head"} {
		res, err := m.Upgrade(ctx, target)
		if err != nil {
			log.Fatal(err)
		}
		for _, s := range res.Steps {
			fmt.Println(target, "->", s.Direction, s.Revision)
		}
	}
	// Output:
	// +1 -> upgrade a1
	// head -> upgrade b2
}

// Current is empty at base.
func ExampleMigrator_Current() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	cur, _ := m.Current(ctx)
	fmt.Println(cur)
	exMust(m.Upgrade(ctx, "a1"))
	cur, _ = m.Current(ctx)
	fmt.Println(cur)
	// Output:
	// []
	// [a1]
}

// Plan shows what Upgrade would do, changing nothing.
func ExampleMigrator_Plan() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	p, err := m.Plan(ctx, retort.Up, "head")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.IDs())
	cur, _ := m.Current(ctx)
	fmt.Println("still at", cur)
	// Output:
	// [a1 b2]
	// still at []
}

// PlanSQL writes the SQL a downgrade would run from the database's state.
func ExampleMigrator_PlanSQL() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	exMust(m.Upgrade(ctx, "head"))
	var b strings.Builder
	if err := m.PlanSQL(ctx, &b, retort.Down, "base"); err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "DROP TABLE") {
			fmt.Println(line)
		}
	}
	// Output:
	// DROP TABLE posts;
	// DROP TABLE users;
}

// Stamp records a database made by other means as being at a revision,
// running no SQL.
func ExampleMigrator_Stamp() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	if err := m.Stamp(ctx, []string{"b2"}, retort.StampOptions{}); err != nil {
		log.Fatal(err)
	}
	st, _ := m.Status(ctx)
	fmt.Println(st.Current, len(st.Applied), len(st.Pending))
	var n int
	_ = db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'users'").Scan(&n)
	fmt.Println("users tables:", n)
	// Output:
	// [b2] 2 0
	// users tables: 0
}

// Verify finds applied revisions whose file changed since.
func ExampleMigrator_Verify() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	_, _ = exMigrator(db).Upgrade(ctx, "head")

	edited := fstest.MapFS{
		"a1_users.sql": exTwoRevisions["a1_users.sql"],
		"b2_posts.sql": {Data: exRev("b2", "a1", "CREATE TABLE posts (id INTEGER PRIMARY KEY);", "DROP TABLE posts;")},
	}
	m, err := retort.New(sqlite.New(), db, edited)
	if err != nil {
		log.Fatal(err)
	}
	mm, err := m.Verify(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, x := range mm {
		fmt.Println(x.Revision, x.Path, x.Missing)
	}
	// Output: b2 b2_posts.sql false
}

// Mismatch describes itself in one line: here b2 was applied and its file
// then deleted.
func ExampleMismatch() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	_, _ = exMigrator(db).Upgrade(ctx, "head")

	m, err := retort.New(sqlite.New(), db, fstest.MapFS{"a1_users.sql": exTwoRevisions["a1_users.sql"]})
	if err != nil {
		log.Fatal(err)
	}
	mm, err := m.Verify(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, x := range mm {
		fmt.Println(x)
	}
	// Output: revision b2 is applied but no file has it any more: restore the file, or correct the record with `retort stamp --purge REV` (REV: the revision the database is at)
}

// Status gathers where the database stands.
func ExampleStatus() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	exMust(m.Upgrade(ctx, "a1"))
	st, err := m.Status(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("current:", st.Current, "heads:", st.Heads)
	for _, a := range st.Applied {
		fmt.Println("applied:", a.Revision, a.File.Path, a.Changed)
	}
	for _, p := range st.Pending {
		fmt.Println("pending:", p.ID)
	}
	// Output:
	// current: [a1] heads: [b2]
	// applied: a1 a1_users.sql false
	// pending: b2
}

// Graph gives the revision graph for questions the Migrator does not ask.
func ExampleMigrator_Graph() {
	g := exMigrator(nil).Graph()
	for _, h := range g.Heads() {
		fmt.Println("head", h.ID)
	}
	for _, c := range g.Children("a1") {
		fmt.Println("child of a1:", c.ID)
	}
	// Output:
	// head b2
	// child of a1: b2
}

// Dialect gives the dialect the Migrator was made for.
func ExampleMigrator_Dialect() {
	m, err := retort.New(postgres.New(), nil, exTwoRevisions)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Dialect().Name(), m.Dialect().QuoteIdent("user"))
	// Output: postgres "user"
}

// DesiredFunc turns a function into a DesiredSource.
func ExampleDesiredFunc() {
	var src retort.DesiredSource = retort.DesiredFunc(func(d dialect.Dialect) ([]source.File, error) {
		return []source.File{{Path: "schema.sql", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY);"}}, nil
	})
	files, _ := src.DesiredSQL(sqlite.New())
	fmt.Println(files[0].Path, files[0].SQL)
	// Output: schema.sql CREATE TABLE users (id INTEGER PRIMARY KEY);
}

// ErrNoDatabase: a Migrator made without a database works offline only.
func ExampleErrNoDatabase() {
	_, err := exMigrator(nil).Upgrade(context.Background(), "head")
	fmt.Println(errors.Is(err, retort.ErrNoDatabase))
	// Output: true
}

// ErrUnknownRevision: a target that names no revision.
func ExampleErrUnknownRevision() {
	db := exampleDB()
	defer db.Close()
	_, err := exMigrator(db).Upgrade(context.Background(), "ffff")
	fmt.Println(errors.Is(err, retort.ErrUnknownRevision))
	// Output: true
}

// A downgrade through a revision marked irreversible stops before anything
// runs.
func ExampleIrreversibleError() {
	ctx := context.Background()
	oneWay := fstest.MapFS{"a1.sql": {Data: []byte("-- a1\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id INTEGER);\n\n-- +downgrade irreversible\n")}}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, oneWay)
	if err != nil {
		log.Fatal(err)
	}
	exMust(m.Upgrade(ctx, "head"))
	_, err = m.Downgrade(ctx, "base")
	var ie *retort.IrreversibleError
	fmt.Println(errors.Is(err, retort.ErrIrreversible), errors.As(err, &ie) && ie.Revision == "a1" && ie.Marked)
	// Output: true true
}

// A malformed revision file is a *ParseError with its line.
func ExampleParseError() {
	bad := fstest.MapFS{"a1.sql": {Data: []byte("-- a1\n--\n-- Revision: a1\n-- Colour: blue\n\n-- +upgrade\n-- +downgrade\n")}}
	_, err := retort.New(sqlite.New(), nil, bad)
	var pe *retort.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Path, pe.Line)
	}
	// Output: a1.sql 4
}

// A Go revision's failing function is a *GoFuncError; its transaction, and
// the version rows, are rolled back.
func ExampleGoFuncError() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	failing := retort.GoRevision{
		ID: "c3", Revises: []string{"b2"}, Message: "backfill",
		Up: func(ctx context.Context, tx *sql.Tx) error { return errors.New("no such user") },
	}
	m := exMigrator(db, retort.WithGoRevisions(failing))
	_, err := m.Upgrade(ctx, "head")
	var ge *retort.GoFuncError
	fmt.Println(errors.As(err, &ge), ge.Revision, ge.Err)
	cur, _ := m.Current(ctx)
	fmt.Println("at", cur)
	// Output:
	// true c3 no such user
	// at [b2]
}

// GoRevision: a data change in Go, applied and reverted like a file.
func ExampleGoRevision() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	seed := retort.GoRevision{
		ID: "c3", Revises: []string{"b2"}, Message: "seed admin",
		Up: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO users (name) VALUES ('admin')")
			return err
		},
		Down: func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM users WHERE name = 'admin'")
			return err
		},
	}
	m := exMigrator(db, retort.WithGoRevisions(seed))
	count := func() (n int) { _ = db.QueryRow("SELECT count(*) FROM users").Scan(&n); return n }
	exMust(m.Upgrade(ctx, "head"))
	fmt.Println("users:", count())
	exMust(m.Downgrade(ctx, "-1"))
	fmt.Println("users:", count())
	// Output:
	// users: 1
	// users: 0
}

// A placeholder file without its Go functions (as the standalone binary
// sees it) refuses to run.
func ExampleGoUnavailableError() {
	withPlaceholder := fstest.MapFS{"c3_backfill.sql": {Data: []byte("-- backfill\n--\n-- Revision: c3\n-- Revises: b2\n-- Go: true\n\n-- +upgrade\n\n-- +downgrade\n")}}
	maps.Copy(withPlaceholder, exTwoRevisions)
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, withPlaceholder)
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Upgrade(context.Background(), "head")
	var ge *retort.GoUnavailableError
	fmt.Println(errors.Is(err, retort.ErrGoRevisionUnavailable), errors.As(err, &ge) && ge.Revision == "c3")
	// Output: true true
}

// MultipleHeadsError lists the heads a "head" target met.
func ExampleMultipleHeadsError() {
	fork := fstest.MapFS{
		"a1.sql": {Data: exRev("a1", "", "", "")},
		"b2.sql": {Data: exRev("b2", "a1", "", "")},
		"c3.sql": {Data: exRev("c3", "a1", "", "")},
	}
	m, err := retort.New(sqlite.New(), nil, fork)
	if err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	err = m.SQL(&b, retort.Up, "a1", "head")
	var mh *retort.MultipleHeadsError
	if errors.As(err, &mh) {
		fmt.Println(mh.Heads)
	}
	// Output: [b2 c3]
}

// WithProgress reports every step as it happens.
func ExampleWithProgress() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithProgress(func(e retort.Event) {
		if e.Revision != "" {
			fmt.Println(e.Kind, e.Direction, e.Revision)
		}
	}))
	if _, err := m.Upgrade(context.Background(), "a1"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// start upgrade a1
	// done upgrade a1
}

// WithLogger logs each revision applied at Info level.
func ExampleWithLogger() {
	// Drop the time and the message for a stable output.
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.MessageKey {
			return slog.Attr{}
		}
		return a
	}})
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithLogger(slog.New(h)))
	if _, err := m.Upgrade(context.Background(), "a1"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=INFO event=plan revision=""
	// level=INFO event=start revision=a1
	// level=INFO event=done revision=a1
}

// WithLockTimeout bounds the wait for the migration lock.
func ExampleWithLockTimeout() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithLockTimeout(5*time.Second))
	_, err := m.Upgrade(context.Background(), "head")
	fmt.Println(err)
	// Output: <nil>
}

// WithVersion names the application version in the audit log.
func ExampleWithVersion() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithVersion("myapp 1.4.2"))
	exMust(m.Upgrade(context.Background(), "a1"))
	var v string
	_ = db.QueryRow("SELECT DISTINCT retort_version FROM retort_log").Scan(&v)
	fmt.Println(v)
	// Output: myapp 1.4.2
}

// WithVersionTables renames retort's tables, e.g. to keep two migration
// sets in one database.
func ExampleWithVersionTables() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithVersionTables("app_revisions", "app_log"))
	exMust(m.Upgrade(context.Background(), "head"))
	rows, _ := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'app_%' ORDER BY name")
	defer rows.Close()
	for rows.Next() {
		var name string
		_ = rows.Scan(&name)
		fmt.Println(name)
	}
	// Output:
	// app_log
	// app_revisions
}

// exUser is an application model: the desired users table.
type exUser struct {
	ID    int64   `retort:"pk"`
	Name  string  `retort:"size:80"`
	Email *string `retort:"size:200"`
}

// TableName names the table, as the struct name would not.
func (exUser) TableName() string { return "users" }

// The application's structs as the desired schema of Generate and Check.
func ExampleWithDesiredSource_models() {
	m, err := retort.New(sqlite.New(), nil, fstest.MapFS{}, retort.WithAllowEmpty(), retort.WithDesiredSource(models.Desired(&exUser{})))
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
	// Output: added table 'users'
}

// WithDesiredSource takes the desired schema from any DesiredSource.
func ExampleWithDesiredSource() {
	desired := retort.DesiredFunc(func(dialect.Dialect) ([]source.File, error) {
		return []source.File{{Path: "schema.sql", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"}}, nil
	})
	m := exMigrator(nil, retort.WithDesiredSource(desired))
	changes, err := m.Check(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		fmt.Println(c.Description)
	}
	// Output: removed table 'posts'
}

// Generate computes a revision to the desired schema; the caller writes it.
func ExampleMigrator_Generate() {
	desired := []source.File{{Path: "schema.sql", SQL: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);`}}
	g, err := exMigrator(nil).Generate(context.Background(), retort.GenerateOptions{Desired: desired})
	if err != nil {
		log.Fatal(err)
	}
	up, down := g.SQL()
	fmt.Print("-- +upgrade\n", up, "\n-- +downgrade\n", down)
	// Output:
	// -- +upgrade
	// ALTER TABLE users ADD COLUMN email TEXT;
	//
	// -- +downgrade
	// ALTER TABLE users DROP COLUMN email;
}

// Generated holds the changes, both sections and the two schemas compared.
func ExampleGenerated() {
	desired := []source.File{{Path: "schema.sql", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"}}
	g, err := exMigrator(nil).Generate(context.Background(), retort.GenerateOptions{Desired: desired})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(g.Changes), len(g.Current.Tables), len(g.Desired.Tables))
	fmt.Println(g.Changes[0].Description, "|", g.Up[0], "|", len(g.Down) > 0)
	// Output:
	// 1 2 1
	// removed table 'posts' | DROP TABLE posts | true
}

// GenerateOptions: Renames tells a renamed column from a dropped one and a
// new one.
func ExampleGenerateOptions() {
	desired := []source.File{{Path: "schema.sql", SQL: `CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);`}}
	g, err := exMigrator(nil).Generate(context.Background(), retort.GenerateOptions{
		Desired: desired,
		Renames: map[string]string{"users.name": "full_name"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range g.Changes {
		fmt.Println(c.Description)
	}
	// Output: renamed column 'users.name' to 'full_name'
}

// A new NOT NULL column without a default cannot be added to a table that
// may hold rows: Generate says which, and how to fix it.
func ExampleBackfillError() {
	desired := []source.File{{Path: "schema.sql", SQL: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);`}}
	_, err := exMigrator(nil).Generate(context.Background(), retort.GenerateOptions{Desired: desired})
	var be *retort.BackfillError
	if errors.As(err, &be) {
		fmt.Println(be.Columns)
	}
	// Output: [users.email]
}

// CheckWith is Check with options, e.g. a scratch server for PostgreSQL.
func ExampleMigrator_CheckWith() {
	desired := []source.File{{Path: "schema.sql", SQL: `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);`}}
	changes, err := exMigrator(nil).CheckWith(context.Background(), retort.GenerateOptions{Desired: desired})
	fmt.Println(len(changes), err)
	// Output: 0 <nil>
}

// Drift finds changes made to the live database behind the migrations' back.
func ExampleMigrator_Drift() {
	ctx := context.Background()
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	exMust(m.Upgrade(ctx, "head"))
	_, _ = db.Exec("CREATE INDEX users_name ON users (name)")
	changes, err := m.Drift(ctx, retort.GenerateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		fmt.Println(c.Description)
	}
	// Output: added index 'users_name' on 'users'
}

// Result lists the steps an upgrade or downgrade ran.
func ExampleResult() {
	db := exampleDB()
	defer db.Close()
	var res *retort.Result
	res, err := exMigrator(db).Upgrade(context.Background(), "head")
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range res.Steps {
		fmt.Println(s.Revision, s.Direction, s.Skipped, s.ResumedAt)
	}
	// Output:
	// a1 upgrade false 0
	// b2 upgrade false 0
}

// Event is what WithProgress reports.
func ExampleEvent() {
	db := exampleDB()
	defer db.Close()
	var events []retort.Event
	m := exMigrator(db, retort.WithProgress(func(e retort.Event) { events = append(events, e) }))
	exMust(m.Upgrade(context.Background(), "head"))
	for _, e := range events {
		fmt.Println(strings.TrimSpace(fmt.Sprint(e.Kind, " ", e.Revision)))
	}
	// Output:
	// plan
	// start a1
	// done a1
	// start b2
	// done b2
}

// WithProgress's function can tell the kinds of Event apart by name.
func ExampleEventKind() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db, retort.WithProgress(func(e retort.Event) {
		if e.Kind == retort.EventDone {
			fmt.Println("applied", e.Revision, e.Direction)
		}
	}))
	exMust(m.Upgrade(context.Background(), "head"))
	// Output:
	// applied a1 upgrade
	// applied b2 upgrade
}

// Squash computes one revision for a line of revisions; File is the
// revision file to write in their place.
func ExampleMigrator_Squash() {
	m := exMigrator(nil)
	sq, err := m.Squash(context.Background(), "a1", "b2", retort.SquashOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range sq.Replaces {
		fmt.Println("replaces", r.ID, r.Path)
	}
	file := string(sq.File("c3", "users and posts", time.Time{}))
	fmt.Println(strings.Contains(file, "-- Replaces: a1, b2"), strings.Contains(file, "CREATE TABLE posts"))
	// Output:
	// replaces a1 a1_users.sql
	// replaces b2 b2_posts.sql
	// true true
}

// Graph.Revision finds a revision by id or unique prefix.
func ExampleGraph_Revision() {
	g := exMigrator(nil).Graph()
	r, err := g.Revision("b")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ID, r.Revises, r.Path, r.Irreversible)
	_, err = g.Revision("zz")
	fmt.Println(errors.Is(err, retort.ErrUnknownRevision))
	// Output:
	// b2 [a1] b2_posts.sql false
	// true
}

// AppliedRevision is a version-table row with its file.
func ExampleAppliedRevision() {
	db := exampleDB()
	defer db.Close()
	m := exMigrator(db)
	exMust(m.Upgrade(context.Background(), "head"))
	st, _ := m.Status(context.Background())
	for _, a := range st.Applied {
		fmt.Println(a.Revision, a.State, a.File.ID, a.Changed)
	}
	// Output:
	// a1 applied a1 false
	// b2 applied b2 false
}

// A statement that fails in a "Transaction: none" revision leaves it
// partial; ResolveApplied settles it once it was finished by hand.
func ExampleMigrator_ResolveApplied() {
	ctx := context.Background()
	noTx := fstest.MapFS{"a1.sql": {Data: []byte("-- a1\n--\n-- Revision: a1\n-- Revises:\n-- Transaction: none\n\n-- +upgrade\nCREATE TABLE a (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n\n-- +downgrade\nDROP TABLE a;\n")}}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, noTx)
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Upgrade(ctx, "head")
	st, _ := m.Status(ctx)
	fmt.Println(err != nil, len(st.Partial))
	if err := m.ResolveApplied(ctx, "a1"); err != nil {
		log.Fatal(err)
	}
	cur, _ := m.Current(ctx)
	fmt.Println(cur)
	// Output:
	// true 1
	// [a1]
}

// A partial revision that a plan would move the other way is a
// *PartialError.
func ExamplePartialError() {
	ctx := context.Background()
	noTx := fstest.MapFS{"a1.sql": {Data: []byte("-- a1\n--\n-- Revision: a1\n-- Revises:\n-- Transaction: none\n\n-- +upgrade\nCREATE TABLE a (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n\n-- +downgrade\nDROP TABLE a;\n")}}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, noTx)
	if err != nil {
		log.Fatal(err)
	}
	// Statement 2 fails: a1 is left partial after statement 1.
	if _, err := m.Upgrade(ctx, "head"); err == nil {
		log.Fatal("the upgrade was meant to fail at statement 2")
	}
	_, err = m.Downgrade(ctx, "base")
	var pe *retort.PartialError
	fmt.Println(errors.Is(err, retort.ErrPartial), errors.As(err, &pe) && pe.Revision == "a1", pe.StatementsDone)
	// Output: true true 1
}

// Another migrator holding the lock longer than the lock timeout makes
// Upgrade fail with a *LockTimeoutError (ErrLockTimeout).
func ExampleLockTimeoutError() {
	dir, err := os.MkdirTemp("", "retort-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+dir+"/app.db")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	// On SQLite the migration lock is the write lock: hold it from a
	// second connection.
	other, err := sql.Open("sqlite", "file:"+dir+"/app.db")
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	hold, err := other.Conn(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer hold.Close()
	_, _ = hold.ExecContext(context.Background(), "BEGIN IMMEDIATE")

	m := exMigrator(db, retort.WithLockTimeout(200*time.Millisecond))
	_, err = m.Upgrade(context.Background(), "head")
	var le *retort.LockTimeoutError
	fmt.Println(errors.Is(err, retort.ErrLockTimeout), errors.As(err, &le))
	_, _ = hold.ExecContext(context.Background(), "ROLLBACK")
	// Output: true true
}

// A Go revision registered without a placeholder file has the Path
// GoRevisionPath.
func ExampleGoRevisionPath() {
	g := retort.GoRevision{ID: "c3", Revises: []string{"b2"}, Message: "backfill",
		Up: func(context.Context, *sql.Tx) error { return nil }}
	m := exMigrator(nil, retort.WithGoRevisions(g))
	fmt.Println(m.History()[0].Path == retort.GoRevisionPath)
	// Output: true
}

// A failed statement is a *StatementError: which revision, which statement
// and the driver's error. The revision's transaction is rolled back.
func ExampleStatementError() {
	ctx := context.Background()
	bad := fstest.MapFS{"a1.sql": {Data: exRev("a1", "", "CREATE TABLE a (id INTEGER);\nINSERT INTO nowhere VALUES (1);", "DROP TABLE a;")}}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, bad)
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Upgrade(ctx, "head")
	var se *retort.StatementError
	if errors.As(err, &se) {
		fmt.Println(se.Revision, se.Path, se.Index, "of", se.Count, se.SQL)
	}
	cur, _ := m.Current(ctx)
	fmt.Println("at", cur)
	// Output:
	// a1 a1.sql 2 of 2 INSERT INTO nowhere VALUES (1)
	// at []
}

// Options are values: an application can gather them conditionally.
func ExampleOption() {
	var opts []retort.Option
	if verbose := false; verbose {
		opts = append(opts, retort.WithLogger(slog.Default()))
	}
	m, err := retort.New(sqlite.New(), nil, exTwoRevisions, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Graph().Len())
	// Output: 2
}

// DesiredSource is satisfied by models.Desired, by DesiredFunc, or by an
// application's own type.
func ExampleDesiredSource() {
	var sources = []retort.DesiredSource{
		models.Desired(&exUser{}),
		retort.DesiredFunc(func(dialect.Dialect) ([]source.File, error) {
			return []source.File{{Path: "schema.sql", SQL: "CREATE TABLE users (id INTEGER PRIMARY KEY);"}}, nil
		}),
	}
	for _, src := range sources {
		files, err := src.DesiredSQL(sqlite.New())
		fmt.Println(len(files) > 0, err)
	}
	// Output:
	// true <nil>
	// true <nil>
}

// A VerifyError comes from Generate (and "retort migrate") when the
// revision it generated, applied up and down on the scratch database
// before anything is written, does not give the schema it should: a bug in
// retort, reported with what still differs. errors.As finds it in the
// error Generate returns; Unwrap gives the statement's failure, if one
// failed outright.
func ExampleVerifyError() {
	generate := func() error {
		// Generate returns it as it is; a caller may wrap it.
		return fmt.Errorf("generate revision: %w", &retort.VerifyError{
			Direction:   retort.Down,
			Differences: []string{"removed column 'users.email'"},
		})
	}
	err := generate()
	var ve *retort.VerifyError
	if errors.As(err, &ve) {
		fmt.Println(ve.Direction, ve.Differences, errors.Unwrap(ve) == nil)
	}
	fmt.Println(err)

	failed := &retort.VerifyError{Direction: retort.Up, Err: retort.ErrNoDatabase}
	fmt.Println(errors.Is(failed, retort.ErrNoDatabase))
	// Output:
	// downgrade [removed column 'users.email'] true
	// generate revision: the generated downgrade does not reproduce the expected schema on the scratch database; still different:
	//     removed column 'users.email'
	// no revision was written. This is a bug in retort: please report it with the schema; --no-verify writes the revision anyway, for you to fix by hand
	// true
}

// ResolveStatementRan settles a statement a MySQL run left in flight; on
// other revisions it refuses and says what applies instead.
func ExampleMigrator_ResolveStatementRan() {
	ctx := context.Background()
	noTx := fstest.MapFS{"a1.sql": {Data: []byte("-- a1\n--\n-- Revision: a1\n-- Revises:\n-- Transaction: none\n\n-- +upgrade\nCREATE TABLE a (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n\n-- +downgrade\nDROP TABLE a;\n")}}
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, noTx)
	if err != nil {
		log.Fatal(err)
	}
	// Statement 2 fails; statement 1 ran and is recorded exactly. Only a
	// statement recorded as started (MySQL/MariaDB DDL cut off by a kill
	// or a lost connection: an *InFlightError) is settled this way, so
	// here ResolveStatementRan refuses and says what applies instead.
	if _, err := m.Upgrade(ctx, "head"); err == nil {
		log.Fatal("the upgrade was meant to fail at statement 2")
	}
	err = m.ResolveStatementRan(ctx, "a1")
	fmt.Println(err)
	// Output:
	// resolve a1: no statement of it is recorded as started (it is partial after 1 statement(s), which is exact): rerun the command that stopped to resume, or settle the whole revision with `retort resolve a1 --applied` or `--rolled-back`
}

func ExampleInFlightError() {
	// What an upgrade returns on MySQL/MariaDB when an earlier run was
	// killed while a CREATE TABLE ran: the caller checks the database and
	// calls Migrator.ResolveStatementRan or ResolveStatementNotRun.
	var err error = fmt.Errorf("upgrade: %w", &retort.InFlightError{
		Revision: "0002", Path: "versions/0002_tags.sql", Line: 8,
		Index: 2, Count: 3, SQL: "CREATE TABLE tags (id INTEGER)",
	})
	var e *retort.InFlightError
	if errors.As(err, &e) {
		fmt.Printf("revision %s, statement %d of %d may or may not have run\n", e.Revision, e.Index, e.Count)
	}
	// Output: revision 0002, statement 2 of 3 may or may not have run
}

func ExampleInterruptedError() {
	ctx, cancel := context.WithCancelCause(context.Background())
	db := exampleDB()
	defer db.Close()
	m, err := retort.New(sqlite.New(), db, exampleMigrations,
		retort.WithProgress(func(e retort.Event) {
			// A signal arrives while the revision runs.
			cancel(errors.New("terminated signal received"))
		}))
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Upgrade(ctx, "head")
	var ie *retort.InterruptedError
	fmt.Println(errors.As(err, &ie))
	cur, _ := m.Current(context.Background())
	fmt.Println("current:", len(cur))
	// Output:
	// true
	// current: 0
}

// RunFleet runs one action on many databases, a bounded number at a time:
// here an upgrade of three SQLite files, one of which is at a1 already,
// then a status of all three.
func ExampleRunFleet() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "fleet")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var targets []retort.FleetTarget
	for _, name := range []string{"acme", "globex", "initech"} {
		u, err := dialect.ParseURL("sqlite:" + dir + "/" + name + ".db")
		if err != nil {
			log.Fatal(err)
		}
		targets = append(targets, retort.URLTarget(sqlite.New(), u))
	}
	if _, err := retort.RunFleet(ctx, targets[1:2], exTwoRevisions, retort.FleetOptions{Action: retort.FleetUpgrade("a1")}); err != nil {
		log.Fatal(err)
	}
	res, err := retort.RunFleet(ctx, targets, exTwoRevisions, retort.FleetOptions{Parallel: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Println(strings.TrimPrefix(r.Name, "sqlite:"+dir+"/"), r.Start, "->", r.End)
	}
	res, _ = retort.RunFleet(ctx, targets, exTwoRevisions, retort.FleetOptions{Action: retort.FleetStatus()})
	fmt.Println(res[0].Pending, res[0].End)
	// Output:
	// acme.db [] -> [b2]
	// globex.db [a1] -> [b2]
	// initech.db [] -> [b2]
	// [] [b2]
}
