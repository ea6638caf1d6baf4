package engine_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/models"
)

type libStore struct {
	ID   int64  `retort:"pk"`
	Name string `retort:"size:80,unique"`
}

func (libStore) TableName() string { return "stores" }

type libItem struct {
	ID      int64          `retort:"pk"`
	Name    string         `retort:"size:80"`
	StoreID int64          `retort:"fk:stores.id,index"`
	Note    sql.NullString `db:"note"`
	Created time.Time
	Store   *libStore // a relationship: no column
}

func (libItem) TableName() string { return "items" }

// TestModelsGenerate loads structs through models.Desired and autogenerates
// from them on SQLite, the same scratch-database path schema.sql takes:
// first the two tables, then (through WithDesiredSource, once a revision creates
// them) nothing.
func TestModelsGenerate(t *testing.T) {
	ctx := context.Background()
	src := models.Desired(&libStore{}, &libItem{})
	files, err := src.DesiredSQL(sqlite.New())
	if err != nil {
		t.Fatal(err)
	}
	m, err := engine.New(sqlite.New(), nil, nil, engine.WithAllowEmpty())
	if err != nil {
		t.Fatal(err)
	}
	g, err := m.Generate(ctx, engine.GenerateOptions{Desired: files})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range g.Changes {
		got = append(got, c.Describe())
	}
	want := "added table 'items'\nadded table 'stores'\nadded foreign key 'items_store_id_fkey' on 'items' [store_id] -> 'stores'"
	if strings.Join(got, "\n") != want {
		t.Fatalf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	up := script.JoinStatements(g.Up)
	for _, s := range []string{"note TEXT,", "store_id INTEGER NOT NULL", "created DATETIME NOT NULL", "REFERENCES stores (id)", "CREATE INDEX items_store_id_idx"} {
		if !strings.Contains(up, s) {
			t.Errorf("upgrade lacks %q:\n%s", s, up)
		}
	}
	rev := "-- init\n--\n-- Revision: 000000000001\n-- Revises:\n\n-- +upgrade\n" + up + "\n-- +downgrade\n" + script.JoinStatements(g.Down)
	m, err = engine.New(sqlite.New(), nil, fstest.MapFS{"000000000001_init.sql": {Data: []byte(rev)}},
		engine.WithDesiredSource(models.Desired(&libStore{}, &libItem{})))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := m.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("after the generated revision, Check finds %d changes: %v", len(changes), changes[0].Describe())
	}
	if _, err := models.Desired(&libItem{}, 3).DesiredSQL(sqlite.New()); err == nil || !strings.Contains(err.Error(), "argument 2") {
		t.Errorf("a non-struct argument: got %v", err)
	}
}
