package source_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// parallelSchema is a desired schema with independent tables, indexes,
// keys between tables (in both orders of the file) and a session setting
// that the tables after it depend on.
func parallelSchema(dialectName string, n int) []source.File {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "CREATE TABLE t%d (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);\n", i)
		fmt.Fprintf(&b, "CREATE INDEX t%d_name ON t%d (name);\n", i, i)
	}
	b.WriteString("CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES t3 (id));\n")
	b.WriteString("ALTER TABLE t5 ADD COLUMN c INTEGER;\n")
	b.WriteString("CREATE INDEX t5_c ON t5 (c);\n")
	second := "CREATE TABLE late (id INTEGER PRIMARY KEY, t1 INTEGER, FOREIGN KEY (t1) REFERENCES t1 (id));\n"
	if dialectName == "postgres" {
		second = "CREATE SCHEMA other;\nSET search_path = other, public;\n" + second + "CREATE INDEX late_t1 ON late (t1);\n"
	} else {
		second += "SET SESSION default_storage_engine = MyISAM;\nCREATE TABLE late1 (id INTEGER PRIMARY KEY);\nCREATE TABLE late2 (id INTEGER PRIMARY KEY);\n"
	}
	return []source.File{{Path: "a.sql", SQL: b.String()}, {Path: "b.sql", SQL: second}}
}

func openServer(t *testing.T, name string) (dialect.Dialect, *testdb.DB, func() *schema.Schema) {
	t.Helper()
	ctx := context.Background()
	tdb := testdb.New(t, name)
	d, _, db, err := dialects.Open(ctx, tdb.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tdb.DB = db
	inspect := func() *schema.Schema {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		s, err := d.Inspect(ctx, conn, dialect.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return d, tdb, inspect
}

// TestLoadParallelSameAsSerial: the schema a parallel load leaves is the
// one the serial load leaves, session settings and keys included.
func TestLoadParallelSameAsSerial(t *testing.T) {
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			files := parallelSchema(name, 30)
			d, par, inspectPar := openServer(t, name)
			if err := source.LoadParallel(ctx, par.DB, d, files, 6, nil); err != nil {
				t.Fatal(err)
			}
			_, ser, inspectSer := openServer(t, name)
			conn, err := ser.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = source.Load(ctx, conn, d, files, nil)
			// Inspect on a fresh session, as after the parallel load.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			conn.Close()
			if err != nil {
				t.Fatal(err)
			}
			a, b := inspectPar(), inspectSer()
			if len(a.Tables) < 32 {
				t.Errorf("parallel load: %d tables; want at least 32", len(a.Tables))
			}
			if diff := cmp.Diff(b.Tables, a.Tables); diff != "" {
				t.Errorf("parallel load differs from the serial one (-serial +parallel):\n%s", diff)
			}
		})
	}
}

// TestLoadParallelErrorAt: when statements fail in a parallel load, the
// error is the serial load's: the first failing statement in source
// order, with its file and line, and nothing after the failing run of
// statements runs (b.sql's SELECT ends that run: the CREATE TABLE after
// it must never start). Independent statements of the same run may have
// run before the failure was seen; see LoadParallel.
func TestLoadParallelErrorAt(t *testing.T) {
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			d, tdb, _ := openServer(t, name)
			var b strings.Builder
			for i := range 40 {
				if i == 25 {
					// Line 26: a key to a table the file creates later.
					b.WriteString("CREATE TABLE early (id INTEGER PRIMARY KEY, r INTEGER REFERENCES t39 (id));\n")
					continue
				}
				fmt.Fprintf(&b, "CREATE TABLE t%d (id INTEGER PRIMARY KEY);\n", i)
			}
			b.WriteString("CREATE INDEX bad ON nosuch (id);\n") // line 41, fails too
			files := []source.File{{Path: "a.sql", SQL: b.String()}, {Path: "b.sql", SQL: "SELECT 1;\nCREATE TABLE never (id INTEGER);\n"}}
			for round := range 5 {
				err := source.LoadParallel(ctx, tdb.DB, d, files, 8, nil)
				var ae *source.ApplyError
				if !errors.As(err, &ae) || ae.Path != "a.sql" || ae.Line != 26 {
					t.Fatalf("round %d: %v; want the failure at a.sql:26", round, err)
				}
				if !strings.HasPrefix(err.Error(), "a.sql:26: the desired schema does not load: ") {
					t.Errorf("round %d: message %q", round, err)
				}
				var n int
				if err := tdb.DB.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'never'").Scan(&n); err != nil || n != 0 {
					t.Fatalf("round %d: the statement after the failure ran (%d, %v)", round, n, err)
				}
				for i := range 40 {
					if _, err := tdb.DB.ExecContext(ctx, fmt.Sprintf("DROP TABLE IF EXISTS t%d", i)); err != nil {
						t.Fatal(err)
					}
				}
			}
			err := source.LoadParallel(ctx, tdb.DB, d, []source.File{{Path: "s.sql", SQL: "CREATE TABLE x (id INTEGER);\nCREATE TABLE y (id INTEGER;\n"}}, 8, nil)
			if err == nil || !strings.HasPrefix(err.Error(), "s.sql:2:") {
				t.Errorf("syntax error: %v; want it at s.sql:2", err)
			}
		})
	}
}

// BenchmarkLoad compares one connection with several on a 100-table
// schema (go test -run '^$' -bench Load ./source). It reports timings
// only; no test asserts them.
func BenchmarkLoad(b *testing.B) {
	for _, name := range []string{"postgres", "mysql"} {
		for _, conns := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/conns=%d", name, conns), func(b *testing.B) {
				ctx := context.Background()
				var sb strings.Builder
				for i := range 100 {
					fmt.Fprintf(&sb, "CREATE TABLE t%d (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, n INTEGER);\nCREATE INDEX t%d_name ON t%d (name);\n", i, i, i)
				}
				files := []source.File{{Path: "schema.sql", SQL: sb.String()}}
				for b.Loop() {
					b.StopTimer()
					tdb := testdb.New(b, name)
					d, _, db, err := dialects.Open(ctx, tdb.URL)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if err := source.LoadParallel(ctx, db, d, files, conns, nil); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					db.Close()
					b.StartTimer()
				}
			})
		}
	}
}
