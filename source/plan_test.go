package source

import (
	"fmt"
	"testing"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// TestPlanLoad: how each statement may run, and which statements share a
// chain. A statement wrongly taken for a table statement would run before
// one it needs, so everything unrecognised must be serial.
func TestPlanLoad(t *testing.T) {
	sql := `SET search_path = public;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE a (id int PRIMARY KEY);
CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES public.a (id));
CREATE UNIQUE INDEX IF NOT EXISTS c_x ON ONLY "C" (x);
CREATE TABLE "C" (x int);
ALTER TABLE ONLY d ADD CONSTRAINT d_pk PRIMARY KEY (id);
CREATE TABLE e (id serial, n int DEFAULT nextval('a_id_seq'));
CREATE TABLE f AS SELECT 1;
CREATE TABLE g PARTITION OF h FOR VALUES IN (1);
ALTER TABLE i RENAME TO j;
CREATE VIEW v AS SELECT 1;
DO $$ BEGIN PERFORM set_config('search_path', '', false); END $$;
SELECT 1;
CREATE TEMPORARY TABLE k (id int);
CREATE INDEX ON m (x)`
	want := []struct {
		kind  stepKind
		names string
	}{
		{session, "[]"}, {session, "[]"},
		{table, "[a]"}, {table, "[b a]"}, {table, "[c_x c]"}, {table, "[c]"}, {table, "[d]"},
		{serial, "[]"}, {serial, "[]"}, {serial, "[]"}, {serial, "[]"}, {serial, "[]"},
		{stopParallel, "[]"}, {stopParallel, "[]"}, {serial, "[]"}, {table, "[m]"},
	}
	steps := planLoad([]File{{Path: "s.sql", SQL: sql}}, sqlsplit.Postgres, nil)
	if len(steps) != len(want) {
		t.Fatalf("%d steps; want %d", len(steps), len(want))
	}
	for i, w := range want {
		if s := steps[i]; s.kind != w.kind || fmt.Sprint(s.names) != w.names {
			t.Errorf("line %d %q: kind %d names %v; want %d %s", s.st.Line, s.st.Text, s.kind, s.names, w.kind, w.names)
		}
	}
	seg := chains(steps, 2, 7)
	if got := fmt.Sprint(seg.chains); got != "[[2 3] [4 5] [6]]" {
		t.Errorf("chains %s; want a with b (REFERENCES), the index with its table, d alone", got)
	}
	my := planLoad([]File{{Path: "m.sql", SQL: "/*!40101 SET NAMES utf8mb4 */;\nCREATE TABLE `x` (id int, FOREIGN KEY (id) REFERENCES `y` (id));\nCREATE TABLE z LIKE x;\n"}}, sqlsplit.MySQL, nil)
	if len(my) != 3 || my[0].kind != session || fmt.Sprint(my[1].names) != "[x y]" || fmt.Sprint(my[2].names) != "[z x]" {
		t.Errorf("MySQL steps: %+v", my)
	}
}
