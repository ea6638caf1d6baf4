package e2e

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// defaultPairs is the number of random pairs per dialect of a plain
// "go test" run, as CI runs it.
const defaultPairs = 25

var (
	pairs    = flag.Int("autogen.pairs", defaultPairs, "random schema pairs per dialect in TestAutogenerateRandomPairs")
	seedFlag = flag.Uint64("autogen.seed", 0, "run only the case with this seed in TestAutogenerateRandomPairs")
)

// baseSeed is the first case's seed; case n uses baseSeed+n.
const baseSeed = 20261121

// TestAutogenerateRandomPairs is the property test of autogenerate: for
// random related schemas A and B, the revision Generate writes for A → B
// takes a live database holding A and rows to exactly B, keeping the rows
// of the columns both have, and its downgrade takes it back to exactly A
// with the same rows. Each case is a subtest named by its seed; rerun one
// with -autogen.seed=N.
func TestAutogenerateRandomPairs(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d)
			}
			for n := range *pairs {
				seed := baseSeed + uint64(n)
				if *seedFlag != 0 && seed != *seedFlag {
					continue
				}
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					runPair(t, d, seed)
				})
			}
		})
	}
}

// pairCase is one generated pair with its SQL.
type pairCase struct {
	dialect string
	seed    uint64
	a, b    *genSchema
	aSQL    string
	bSQL    string
	muts    []string
}

func newPair(dialect string, seed uint64) *pairCase {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), dialect: dialect, shape: int(seed % nKeyShapes)}
	a := g.newSchema()
	b, muts := g.mutate(a)
	muts = append(muts, g.mixCase(a, b)...)
	return &pairCase{dialect: dialect, seed: seed, a: a, b: b, aSQL: a.sql(dialect), bSQL: b.sql(dialect), muts: muts}
}

func (p *pairCase) String() string {
	return fmt.Sprintf("seed %d (%s; rerun with -run 'TestAutogenerateRandomPairs/%s/seed=%d')\nmutations: %s\n-- A --\n%s-- B --\n%s",
		p.seed, p.dialect, p.dialect, p.seed, strings.Join(p.muts, "; "), p.aSQL, p.bSQL)
}

func runPair(t *testing.T, dialect string, seed uint64) {
	p := newPair(dialect, seed)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), p)
	}

	x := newLiveDB(t, dialect)
	x.privileges = true // the generator grants on PostgreSQL
	base := baseRevision(ctx, t, x, p)
	m1, err := engine.New(mustDialect(t, dialect), x.db, nil, engine.WithRevisions(base), engine.WithPrivileges())
	if err != nil {
		fail("new migrator: %v", err)
	}
	if _, err := m1.Upgrade(ctx, "head"); err != nil {
		fail("upgrade to A: %v", err)
	}
	if err := insertRows(ctx, x, p); err != nil {
		fail("insert rows: %v", err)
	}
	wantA, err := x.inspect(ctx)
	if err != nil {
		fail("%v", err)
	}
	before, err := snapshot(ctx, x, p.a, p.b, "A")
	if err != nil {
		fail("read rows of A: %v", err)
	}

	g, err := m1.Generate(ctx, engine.GenerateOptions{
		Desired:  []source.File{{Path: "B.sql", SQL: p.bSQL}},
		Scratch:  x.scratchURL(),
		Backfill: backfill(dialect, p.a, p.b),
	})
	if err != nil {
		var ve *engine.VerifyError
		if errors.As(err, &ve) {
			fail("generate A → B: verification failed: %v", err)
		}
		fail("generate A → B: %v", err)
	}
	t.Logf("mutations: %s; %d changes, %d upgrade statements", strings.Join(p.muts, "; "), len(g.Changes), len(g.Up))
	if len(g.Changes) == 0 {
		// B may equal A when the mutations cancel out; then the two
		// must print the same (the generator never reorders columns).
		if a, b := x.dialect.Format(g.Current), x.dialect.Format(g.Desired); a != b {
			fail("Generate found no change, but the schemas print differently:\n%s", firstDiff(a, b))
		}
		return
	}
	rev := generatedRevision("b00000000002", base.ID, g)
	revText := fmt.Sprintf("-- upgrade --\n%s-- downgrade --\n%s", rev.Up.SQL, rev.Down.SQL)

	y := newLiveDB(t, dialect)
	y.privileges = true
	if err := y.load(ctx, source.File{Path: "B.sql", SQL: p.bSQL}); err != nil {
		fail("load B fresh: %v", err)
	}
	wantB, err := y.inspect(ctx)
	if err != nil {
		fail("%v", err)
	}

	m2, err := engine.New(mustDialect(t, dialect), x.db, nil, engine.WithRevisions(base, rev), engine.WithPrivileges())
	if err != nil {
		fail("new migrator with the generated revision: %v", err)
	}
	if _, err := m2.Upgrade(ctx, "head"); err != nil {
		fail("upgrade A → B on the live database with rows: %v\n%s", err, revText)
	}
	gotB, err := x.inspect(ctx)
	if err != nil {
		fail("%v", err)
	}
	if d := schemaDiff(x.dialect, gotB, wantB); d != "" {
		fail("after upgrade the live database is not B:\n%s\n%s", d, revText)
	}
	if err := fkCheck(ctx, x); err != nil {
		fail("after upgrade: %v\n%s", err, revText)
	}
	after, err := snapshot(ctx, x, p.a, p.b, "B")
	if err != nil {
		fail("read rows after upgrade: %v", err)
	}
	if d := compareRows(before, after); d != "" {
		fail("rows changed by the upgrade: %s\n%s", d, revText)
	}

	if _, err := m2.Downgrade(ctx, "-1"); err != nil {
		fail("downgrade B → A: %v\n%s", err, revText)
	}
	gotA, err := x.inspect(ctx)
	if err != nil {
		fail("%v", err)
	}
	if d := schemaDiff(x.dialect, gotA, wantA); d != "" {
		fail("after downgrade the live database is not A:\n%s\n%s", d, revText)
	}
	if err := fkCheck(ctx, x); err != nil {
		fail("after downgrade: %v\n%s", err, revText)
	}
	back, err := snapshot(ctx, x, p.a, p.b, "A again")
	if err != nil {
		fail("read rows after downgrade: %v", err)
	}
	if d := compareRows(before, back); d != "" {
		fail("rows changed by upgrade + downgrade: %s\n%s", d, revText)
	}
}

// baseRevision is the revision that makes A on the live database: A's SQL
// as written for an even seed; for an odd one, the revision Generate
// writes from an empty schema to A, so that what B is compared with and
// migrated from is what retort's own CREATE statements make (a check
// written at another level than A's, say, shows only then).
func baseRevision(ctx context.Context, t *testing.T, x *liveDB, p *pairCase) *script.Revision {
	t.Helper()
	if p.seed%2 == 0 {
		return revisionOf("a00000000001", "", "schema A", p.aSQL, p.a.dropSQL())
	}
	m, err := engine.New(mustDialect(t, p.dialect), x.db, nil, engine.WithAllowEmpty(), engine.WithPrivileges())
	if err != nil {
		t.Fatalf("new migrator without revisions: %v\n%s", err, p)
	}
	g, err := m.Generate(ctx, engine.GenerateOptions{
		Desired: []source.File{{Path: "A.sql", SQL: p.aSQL}},
		Scratch: x.scratchURL(),
	})
	if err != nil {
		t.Fatalf("generate the revision that makes A from an empty schema: %v\n%s", err, p)
	}
	r := generatedRevision("a00000000001", "", g)
	r.Message = "schema A, generated"
	return r
}

// insertRows puts rowCount rows into every table of A, parents first.
// A nullable column is NULL in the last row when it stays nullable in B
// (a backfill would change it otherwise).
func insertRows(ctx context.Context, x *liveDB, p *pairCase) error {
	for _, t := range p.a.tables {
		bt := p.b.table(t.name)
		names := make([]string, len(t.cols))
		marks := make([]string, len(t.cols))
		for j, c := range t.cols {
			names[j] = c.name
			marks[j] = x.dialect.Placeholder(j + 1)
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", t.name, strings.Join(names, ", "), strings.Join(marks, ", "))
		for i := 1; i <= rowCount; i++ {
			args := make([]any, len(t.cols))
			for j, c := range t.cols {
				null := false
				if i == rowCount && c.nullable {
					var bc *gCol
					if bt != nil {
						bc = bt.col(c.name)
					}
					null = bc == nil || bc.nullable
				}
				args[j] = value(c, i, j, null)
			}
			if _, err := x.db.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("%s row %d: %w", t.name, i, err)
			}
		}
	}
	return nil
}

// rows maps "table.column" to the column's normalised values in id order,
// for the columns that both A and B have.
type rows map[string][]string

// snapshot reads the rows; phase goes into the query text as a comment,
// because pgx caches a query's plan per connection and PostgreSQL refuses
// a cached plan once a column's type has changed.
func snapshot(ctx context.Context, x *liveDB, a, b *genSchema, phase string) (rows, error) {
	out := rows{}
	for _, t := range a.tables {
		bt := b.table(t.name)
		if bt == nil {
			continue
		}
		var cols []string
		for _, c := range t.cols {
			if bt.col(c.name) != nil {
				cols = append(cols, c.name)
			}
		}
		r, err := x.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY id /* %s */", strings.Join(cols, ", "), t.name, phase))
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				r.Close()
				return nil, err
			}
			for i, c := range cols {
				out[t.name+"."+c] = append(out[t.name+"."+c], norm(vals[i]))
			}
		}
		if err := r.Close(); err != nil {
			return nil, err
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
		if len(cols) > 0 && len(out[t.name+"."+cols[0]]) != rowCount {
			return nil, fmt.Errorf("table %s has %d rows, want %d", t.name, len(out[t.name+"."+cols[0]]), rowCount)
		}
	}
	return out, nil
}

// norm prints a scanned value so that the values the generator inserts
// compare equal across the types it converts between: numbers by value,
// booleans as 0/1, times in UTC.
func norm(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 64)
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05")
	case []byte:
		return norm(string(v))
	case string:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return strconv.Quote(v)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// compareRows describes the first differences between two snapshots.
func compareRows(want, got rows) string {
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var diffs []string
	for _, k := range keys {
		if strings.Join(want[k], ",") != strings.Join(got[k], ",") {
			diffs = append(diffs, fmt.Sprintf("%s: want %v, got %v", k, want[k], got[k]))
		}
	}
	return strings.Join(diffs, "; ")
}

// fkCheck reports rows that break a foreign key. PostgreSQL and MySQL
// refuse them as they happen; SQLite only checks when asked, and retort's
// runner asks (PRAGMA foreign_key_check) before it commits a revision.
func fkCheck(ctx context.Context, x *liveDB) error {
	if x.dialect.Name() != "sqlite" {
		return nil
	}
	r, err := x.db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer r.Close()
	var bad []string
	for r.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := r.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		bad = append(bad, fmt.Sprintf("%s rowid %d -> %s", table, rowid.Int64, parent))
	}
	if err := r.Err(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("foreign keys broken: %s", strings.Join(bad, "; "))
	}
	return nil
}
