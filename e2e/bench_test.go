package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// bigTables is the size of the benchmark schema.
const bigTables = 2000

// headRevisions is how many revisions the head is made of. One revision
// creating all 2,000 tables does not replay: its single transaction
// needs more locks than PostgreSQL's default lock table holds
// (max_locks_per_transaction 64 × max_connections 100: "out of shared
// memory" at about table 1,390).
const headRevisions = 10

// bigSchema returns tables from to to-1 of a PostgreSQL schema, each with
// 10 columns, 2 indexes and 1 foreign key (to the previous table; the
// first to itself). With changed, one column of table bigTables/2 is
// wider.
func bigSchema(from, to int, changed bool) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		parent := max(i-1, 0)
		width := 50
		if changed && i == bigTables/2 {
			width = 100
		}
		fmt.Fprintf(&b, `CREATE TABLE t%04d (
    id integer PRIMARY KEY,
    parent_id integer REFERENCES t%04d (id),
    name varchar(%d) NOT NULL,
    code varchar(20),
    qty integer NOT NULL DEFAULT 0,
    price numeric(10,2),
    active boolean NOT NULL DEFAULT true,
    created_at timestamp NOT NULL DEFAULT now(),
    note text,
    score double precision
);
CREATE INDEX t%04d_name_idx ON t%04d (name);
CREATE UNIQUE INDEX t%04d_code_idx ON t%04d (code);
`, i, parent, width, i, i, i, i)
	}
	return b.String()
}

// BenchmarkMigrate2000Postgres times autogenerate for a 2,000-table head
// and a desired schema that changes one column, and splits the time:
//   - generate: Generate as migrate runs it (with verification);
//   - server_load_ms, server_replay_ms: the server's scratch work, loading
//     the desired schema and replaying the head;
//   - inspect_ms (both schemas), diff_ms, render_ms: retort's own work;
//   - verify_ms: the new revision up and down on the head, with the two
//     inspections after them.
//
// The process sub-benchmark runs the whole `retort migrate` binary.
func BenchmarkMigrate2000Postgres(b *testing.B) {
	ctx := context.Background()
	desired := []source.File{{Path: "schema.sql", SQL: bigSchema(0, bigTables, true)}}
	var heads []*script.Revision
	per := bigTables / headRevisions
	for r := range headRevisions {
		parent := ""
		if r > 0 {
			parent = heads[r-1].ID
		}
		heads = append(heads, revisionOf(fmt.Sprintf("a%011d", r+1), parent, fmt.Sprintf("tables %d to %d", r*per, (r+1)*per-1), bigSchema(r*per, (r+1)*per, false), ""))
	}

	b.Run("generate", func(b *testing.B) {
		live := newLiveDB(b, "postgres")
		m, err := engine.New(postgres.New(), live.db, nil, engine.WithRevisions(heads...))
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			g, err := m.Generate(ctx, engine.GenerateOptions{Desired: desired, Scratch: live.url})
			if err != nil {
				b.Fatal(err)
			}
			if len(g.Changes) != 1 {
				b.Fatalf("want 1 change, got %d", len(g.Changes))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	})

	b.Run("split", func(b *testing.B) {
		live := newLiveDB(b, "postgres")
		var load, replay, inspect, diffT, render, verify time.Duration
		b.ResetTimer()
		for b.Loop() {
			timings, err := splitGenerate(ctx, live, heads, desired)
			if err != nil {
				b.Fatal(err)
			}
			load += timings[0]
			replay += timings[1]
			inspect += timings[2]
			diffT += timings[3]
			render += timings[4]
			verify += timings[5]
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
		b.ReportMetric(ms(load), "server_load_ms")
		b.ReportMetric(ms(replay), "server_replay_ms")
		b.ReportMetric(ms(inspect), "inspect_ms")
		b.ReportMetric(ms(diffT), "diff_ms")
		b.ReportMetric(ms(render), "render_ms")
		b.ReportMetric(ms(verify), "verify_ms")
	})

	b.Run("process", func(b *testing.B) {
		live := newLiveDB(b, "postgres")
		dir := b.TempDir()
		bin := filepath.Join(dir, "retort")
		build := exec.Command("go", "build", "-o", bin, "./cmd/retort")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build ./cmd/retort: %v\n%s", err, out)
		}
		versions := filepath.Join(dir, "migrations", "versions")
		if err := os.MkdirAll(versions, 0o755); err != nil {
			b.Fatal(err)
		}
		for _, r := range heads {
			if _, err := script.Write(versions, r); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "schema.sql"), []byte(desired[0].SQL), 0o644); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			cmd := exec.Command(bin, "migrate", "-m", "wider name", "--rev-id", "b00000000002")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "DATABASE_URL="+live.url.String(), "RETORT_DATABASE_URL="+live.url.String())
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("retort migrate: %v\n%s", err, dialect.Redact(string(out)))
			}
			b.StopTimer()
			if !strings.Contains(string(out), "Generating") {
				b.Fatalf("retort migrate wrote no revision:\n%s", out)
			}
			gen, _ := filepath.Glob(filepath.Join(versions, "b00000000002_*.sql"))
			for _, f := range gen {
				os.Remove(f)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	})
}

// splitGenerate does what Generate does, step by step through the public
// API, and returns the time of each step: load the desired schema on a
// scratch database, replay the head on another, inspect both, diff,
// render up and down, and verify (up, inspect, down, inspect).
func splitGenerate(ctx context.Context, live *liveDB, heads []*script.Revision, desired []source.File) ([6]time.Duration, error) {
	base := heads[len(heads)-1]
	var out [6]time.Duration
	d := live.dialect
	sc := d

	t0 := time.Now()
	wantDB, dropWant, err := sc.CreateScratch(ctx, live.url)
	if err != nil {
		return out, err
	}
	defer dropWant(context.Background())
	want := &liveDB{t: live.t, dialect: d, db: wantDB}
	conn, err := wantDB.Conn(ctx)
	if err != nil {
		return out, err
	}
	err = source.Apply(ctx, conn, d, desired)
	conn.Close()
	if err != nil {
		return out, err
	}
	out[0] = time.Since(t0)

	t0 = time.Now()
	headDB, dropHead, err := sc.CreateScratch(ctx, live.url)
	if err != nil {
		return out, err
	}
	defer dropHead(context.Background())
	m, err := engine.New(d, headDB, nil, engine.WithRevisions(heads...))
	if err != nil {
		return out, err
	}
	if _, err := m.Upgrade(ctx, "head"); err != nil {
		return out, err
	}
	out[1] = time.Since(t0)

	t0 = time.Now()
	desiredS, err := want.inspect(ctx)
	if err != nil {
		return out, err
	}
	headLive := &liveDB{t: live.t, dialect: d, db: headDB}
	current, err := headLive.inspect(ctx)
	if err != nil {
		return out, err
	}
	out[2] = time.Since(t0)

	t0 = time.Now()
	changes, err := diff.Compare(current, desiredS, diff.Options{})
	if err != nil {
		return out, err
	}
	out[3] = time.Since(t0)
	if len(changes) != 1 {
		return out, fmt.Errorf("want 1 change, got %d", len(changes))
	}

	t0 = time.Now()
	rd := d
	up, err := rd.Render(current, desiredS, changes)
	if err != nil {
		return out, err
	}
	down, err := rd.Render(desiredS, current, change.Invert(changes))
	if err != nil {
		return out, err
	}
	out[4] = time.Since(t0)

	t0 = time.Now()
	g := &engine.Generated{Up: up, Down: down}
	m2, err := engine.New(d, headDB, nil, engine.WithRevisions(append(heads[:len(heads):len(heads)], generatedRevision("b00000000002", base.ID, g))...))
	if err != nil {
		return out, err
	}
	check := func(target string, s *schema.Schema) error {
		var err error
		if target == "head" {
			_, err = m2.Upgrade(ctx, target)
		} else {
			_, err = m2.Downgrade(ctx, target)
		}
		if err != nil {
			return err
		}
		got, err := headLive.inspect(ctx)
		if err != nil {
			return err
		}
		if !diff.Equal(got, s) {
			return fmt.Errorf("verify %s: schemas differ", target)
		}
		return nil
	}
	if err := check("head", desiredS); err != nil {
		return out, err
	}
	if err := check("-1", current); err != nil {
		return out, err
	}
	out[5] = time.Since(t0)
	return out, nil
}
