package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/sqlite"
	"github.com/retortdb/retort/internal/revision"
)

// TestFleetBuildsGraphOnce checks that every target of a fleet run works
// with the one revision graph the run built, not one of its own.
func TestFleetBuildsGraphOnce(t *testing.T) {
	dir := t.TempDir()
	var targets []FleetTarget
	for i := range 6 {
		u := &dialect.URL{Dialect: "sqlite", Path: filepath.Join(dir, fmt.Sprintf("t%d.db", i))}
		targets = append(targets, URLTarget(sqlite.New(), u))
	}
	fsys := fstest.MapFS{"a1_t.sql": {Data: []byte("-- t\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id integer);\n-- +downgrade\nDROP TABLE t;\n")}}
	var mu sync.Mutex
	graphs := map[*revision.Graph]int{}
	seen := FleetAction{name: "seen", readOnly: true, run: func(_ context.Context, c *fleetCall) error {
		mu.Lock()
		defer mu.Unlock()
		graphs[c.m.graph]++
		return nil
	}}
	if _, err := RunFleet(context.Background(), targets, fsys, FleetOptions{Parallel: 3, Action: seen}); err != nil {
		t.Fatal(err)
	}
	if len(graphs) != 1 {
		t.Errorf("the fleet's %d targets used %d revision graphs, want 1", len(targets), len(graphs))
	}
}
