package engine_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/testdb"
)

// The wrapper below counts the statements a real connection runs: every
// call goes on to the driver's own connection to the real server.

// countingConnector opens connections of the registered driver drv to dsn,
// each counting the reads of the version table into n.
type countingConnector struct {
	drv driver.Driver
	dsn string
	n   *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.drv }

// countingConn passes every call to the driver's connection and counts the
// full reads of the version table (the runner's state query).
type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countingConn) count(query string) {
	if strings.HasPrefix(query, "SELECT revision, checksum, applied_at, duration_ms, state, statements_done FROM") {
		c.n.Add(1)
	}
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.count(query)
	return q.QueryContext(ctx, query, args)
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return e.ExecContext(ctx, query, args)
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.count(query)
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver has nothing newer
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// countingTarget is the database db as a fleet target whose connections
// count their reads of the version table into n.
func countingTarget(t *testing.T, db *testdb.DB, n *atomic.Int64) engine.FleetTarget {
	d, u, err := dialects.ForURL(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	name, dsn, err := testdb.DriverDSN(db.Dialect, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	if db.Dialect == "sqlite" {
		dsn += "?_pragma=busy_timeout(5000)"
	}
	probe, err := sql.Open(name, dsn)
	if err != nil {
		t.Fatal(err)
	}
	drv := probe.Driver()
	probe.Close()
	tg := engine.URLTarget(d, u)
	tg.Open = func(ctx context.Context) (dialect.Dialect, *sql.DB, error) {
		h := sql.OpenDB(countingConnector{drv: drv, dsn: dsn, n: n})
		return d, h, h.PingContext(ctx)
	}
	return tg
}

// TestFleetReadsVersionTableOnce counts, on each database, the reads of
// every target's version table per fleet action: one for current, status,
// verify and drift, and for an upgrade or downgrade with nothing to do;
// one more, taken under the migration lock by the run itself, for a
// target that has revisions to run.
func TestFleetReadsVersionTableOnce(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"a1_t.sql": revFile("a1", "", "CREATE TABLE t (id integer PRIMARY KEY);", "DROP TABLE t;"),
		"b2_u.sql": revFile("b2", "a1", "CREATE TABLE u (id integer);", "DROP TABLE u;"),
	}
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			counts := make([]*atomic.Int64, 3)
			var targets []engine.FleetTarget
			for i := range counts {
				counts[i] = new(atomic.Int64)
				targets = append(targets, countingTarget(t, testdb.New(t, d), counts[i]))
			}
			steps := []struct {
				action engine.FleetAction
				reads  int64
				end    string
			}{
				{engine.FleetUpgrade(""), 2, "[b2]"},
				{engine.FleetUpgrade(""), 1, "[b2]"},
				{engine.FleetCurrent(), 1, "[b2]"},
				{engine.FleetStatus(), 1, "[b2]"},
				{engine.FleetVerify(), 1, "[b2]"},
				{engine.FleetDrift(engine.GenerateOptions{}), 1, "[b2]"},
				{engine.FleetDowngrade("base"), 2, "[]"},
				{engine.FleetDowngrade("base"), 1, "[]"},
			}
			for _, st := range steps {
				for _, c := range counts {
					c.Store(0)
				}
				res, err := engine.RunFleet(ctx, targets, fsys, engine.FleetOptions{Parallel: 2, Action: st.action})
				if err != nil {
					t.Fatalf("%s: %v", st.action.Name(), err)
				}
				for i, r := range res {
					if got := counts[i].Load(); got != st.reads {
						t.Errorf("%s, target %d: the version table was read %d time(s), want %d", st.action.Name(), i, got, st.reads)
					}
					if fmt.Sprint(r.End) != st.end {
						t.Errorf("%s, target %d: ends at %v, want %s", st.action.Name(), i, r.End, st.end)
					}
				}
			}
		})
	}
}
