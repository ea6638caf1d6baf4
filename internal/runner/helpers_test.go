package runner_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/testdb"
)

// target is one test database opened through its dialect.
type target struct {
	name string
	url  string
	d    dialect.Dialect
	db   *sql.DB
}

// newTarget creates a fresh database for dialect name and opens it with
// the dialect (not with testdb's handle), as the CLI would.
func newTarget(t testing.TB, name string) *target {
	t.Helper()
	tdb := testdb.New(t, name)
	d, db := openURL(t, tdb.URL)
	return &target{name: name, url: tdb.URL, d: d, db: db}
}

func openURL(t testing.TB, url string) (dialect.Dialect, *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, _, db, err := dialects.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", dialect.Redact(url), err)
	}
	t.Cleanup(func() { db.Close() })
	return d, db
}

// each runs fn as a subtest per dialect.
func each(t *testing.T, fn func(t *testing.T, tg *target), only ...string) {
	for _, name := range testdb.Dialects {
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		t.Run(name, func(t *testing.T) { fn(t, newTarget(t, name)) })
	}
}

// rev builds a revision whose file has an 7-line header, the upgrade
// section from line 8 and the downgrade section after it.
func rev(id, parent, up, down string) *script.Revision {
	r := &script.Revision{ID: id, Message: "revision " + id, Path: "versions/" + id + "_test.sql"}
	if parent != "" {
		r.Revises = []string{parent}
	}
	r.Up = script.Section{SQL: up, Line: 8, Present: true}
	r.Down = script.Section{SQL: down, Line: 8 + strings.Count(up, "\n") + 1, Present: true}
	sum := sha256.Sum256([]byte(up + "\x00" + down))
	r.Checksum = hex.EncodeToString(sum[:])
	return r
}

// chainN returns n revisions r001...; revision i creates table t<i> with
// an index and a row.
func chainN(n int) []*script.Revision {
	var revs []*script.Revision
	parent := ""
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("r%03d", i)
		up := fmt.Sprintf("CREATE TABLE t%03d (id integer PRIMARY KEY, name varchar(50));\nCREATE INDEX t%03d_name ON t%03d (name);\nINSERT INTO t%03d (id, name) VALUES (%d, 'row %d');\n", i, i, i, i, i, i)
		down := fmt.Sprintf("DROP TABLE t%03d;\n", i)
		revs = append(revs, rev(id, parent, up, down))
		parent = id
	}
	return revs
}

// upgradeAll plans the upgrade of every revision of chain not applied yet.
func upgradeAll(chain []*script.Revision) func(*runner.State) (*revision.Plan, error) {
	return func(s *runner.State) (*revision.Plan, error) {
		applied := s.Applied()
		p := &revision.Plan{}
		for _, r := range chain {
			if !slices.Contains(applied, r.ID) {
				p.Steps = append(p.Steps, revision.Step{Revision: r, Direction: revision.Up})
			}
		}
		return p, nil
	}
}

// downgradeAll plans the downgrade of every revision of chain that has a
// row, newest first.
func downgradeAll(chain []*script.Revision) func(*runner.State) (*revision.Plan, error) {
	return func(s *runner.State) (*revision.Plan, error) {
		p := &revision.Plan{}
		for i := len(chain) - 1; i >= 0; i-- {
			if _, ok := s.Row(chain[i].ID); ok {
				p.Steps = append(p.Steps, revision.Step{Revision: chain[i], Direction: revision.Down})
			}
		}
		return p, nil
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func tableExists(t testing.TB, db *sql.DB, name string) bool {
	t.Helper()
	rows, err := db.Query("SELECT * FROM " + name + " WHERE 1 = 0")
	if err != nil {
		return false
	}
	rows.Close()
	return true
}

func count(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

type logRow struct {
	Revision, Direction string
	OK                  bool
	Error               sql.NullString
}

func readLog(t testing.TB, db *sql.DB) []logRow {
	t.Helper()
	rows, err := db.Query("SELECT revision, direction, ok, error FROM retort_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []logRow
	for rows.Next() {
		var r logRow
		if err := rows.Scan(&r.Revision, &r.Direction, &r.OK, &r.Error); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// events collects runner events.
type events struct {
	mu sync.Mutex
	ev []runner.Event
}

func (e *events) add(ev runner.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ev = append(e.ev, ev)
}

func (e *events) kinds(k runner.EventKind) []runner.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []runner.Event
	for _, ev := range e.ev {
		if ev.Kind == k {
			out = append(out, ev)
		}
	}
	return out
}
