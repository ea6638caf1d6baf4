package mysql

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/schema"
)

const rangeTable = `CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
	PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (3000))`

var salesRows = []string{`INSERT INTO sales VALUES (1, 1990), (2, 2500)`}

var salesCount = [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, y) ORDER BY id) FROM sales", "1:1990,2:2500"}

// tableObjectCases are autogenerate steps on table options and
// partitioning, each run end to end by TestRenderTableObjects: the
// upgrade and downgrade that diff and Render produce are compared with
// golden files and must take a database holding rows to the other schema
// and back.
func tableObjectCases() []diffCase {
	return []diffCase{
		{
			// The example: a partition added to a RANGE table.
			name: "partition_add",
			from: []string{rangeTable},
			to: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
				PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN (3000),
				PARTITION p2 VALUES LESS THAN (4000) COMMENT 'new')`},
			rows: salesRows, up: salesCount, down: salesCount,
		},
		{
			// The first partition goes: REORGANIZE merges it into the
			// next, so its rows stay.
			name: "partition_merge_first",
			from: []string{rangeTable},
			to: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
				PARTITION BY RANGE (y) (PARTITION p1 VALUES LESS THAN (3000))`},
			rows: salesRows, up: salesCount, down: salesCount,
		},
		{
			// A partition split in the middle of the range.
			name: "partition_split",
			from: []string{rangeTable},
			to: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
				PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1a VALUES LESS THAN (2400),
				PARTITION p1 VALUES LESS THAN (3000))`},
			rows: salesRows, up: salesCount, down: salesCount,
		},
		{
			// The range grows at its end: the whole table is
			// repartitioned (REORGANIZE could not shrink it back).
			name: "partition_range_end",
			from: []string{rangeTable},
			to: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
				PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)`},
			rows: salesRows, up: salesCount, down: salesCount,
		},
		{
			name: "partition_list",
			from: []string{`CREATE TABLE tags (id int NOT NULL, c int NOT NULL)
				PARTITION BY LIST (c) (PARTITION a VALUES IN (1, 2), PARTITION b VALUES IN (3), PARTITION d DEFAULT)`},
			to: []string{`CREATE TABLE tags (id int NOT NULL, c int NOT NULL)
				PARTITION BY LIST (c) (PARTITION a VALUES IN (1, 2), PARTITION z VALUES IN (0, 5), PARTITION b VALUES IN (3, 4),
				PARTITION d DEFAULT)`},
			rows: []string{`INSERT INTO tags VALUES (1, 1), (2, 4), (3, 9)`},
			up:   [2]string{"SELECT GROUP_CONCAT(c ORDER BY id) FROM tags", "1,4,9"},
			down: [2]string{"SELECT GROUP_CONCAT(c ORDER BY id) FROM tags", "1,4,9"},
		},
		{
			name: "partition_hash_count",
			from: []string{`CREATE TABLE h (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2`},
			to:   []string{`CREATE TABLE h (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 5`},
			rows: []string{`INSERT INTO h VALUES (1), (2), (3)`},
			up:   [2]string{"SELECT COUNT(*) FROM h", "3"},
			down: [2]string{"SELECT COUNT(*) FROM h", "3"},
		},
		{
			// Partitioning comes after the primary key takes in its
			// column, and goes before the key leaves it out again.
			name: "partition_table",
			from: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id))`},
			to:   []string{rangeTable},
			rows: salesRows, up: salesCount, down: salesCount,
		},
		{
			// KEY_BLOCK_SIZE and the other CREATE_OPTIONS, ROW_FORMAT:
			// set, changed and put back to their defaults in place.
			name: "table_options",
			from: []string{`CREATE TABLE opts (id int NOT NULL PRIMARY KEY) STATS_PERSISTENT=0 MAX_ROWS=10`},
			to: []string{`CREATE TABLE opts (id int NOT NULL PRIMARY KEY) KEY_BLOCK_SIZE=8 STATS_PERSISTENT=1 PACK_KEYS=1
				ROW_FORMAT=COMPRESSED PAGE_COMPRESSED=0`},
			rows: []string{`INSERT INTO opts VALUES (1), (2)`},
			up:   [2]string{"SELECT COUNT(*) FROM opts", "2"},
			down: [2]string{"SELECT COUNT(*) FROM opts", "2"},
		},
		{
			// MEMORY tables have HASH indexes: the primary key is one,
			// so the engine changes alone.
			name: "table_engine",
			from: []string{`CREATE TABLE eng (id int NOT NULL, PRIMARY KEY USING HASH (id)) ENGINE=MyISAM CHECKSUM=1 DELAY_KEY_WRITE=1`},
			to:   []string{`CREATE TABLE eng (id int NOT NULL, PRIMARY KEY (id)) ENGINE=MEMORY MAX_ROWS=100`},
			rows: []string{`INSERT INTO eng VALUES (1), (2)`},
			up:   [2]string{"SELECT COUNT(*) FROM eng", "2"},
			down: [2]string{"SELECT COUNT(*) FROM eng", "2"},
		},
		{
			// Events: one added, one changed, one removed; the
			// scheduler need not run for them to be created.
			name: "events",
			from: []string{`CREATE TABLE log (id int)`,
				`CREATE EVENT cleanup ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM log`,
				`CREATE EVENT old_one ON SCHEDULE AT '2037-01-01 00:00:00' ON COMPLETION PRESERVE DO DELETE FROM log`},
			to: []string{`CREATE TABLE log (id int)`,
				`CREATE EVENT cleanup ON SCHEDULE EVERY 2 HOUR STARTS '2037-01-01 00:00:00' DISABLE COMMENT 'it''s' DO DELETE FROM log`,
				`CREATE EVENT ` + "`Fill`" + ` ON SCHEDULE EVERY '1:30' HOUR_MINUTE ENDS '2037-06-01' DISABLE
				DO BEGIN INSERT INTO log VALUES (1); INSERT INTO log VALUES (2); END`},
			rows: []string{`INSERT INTO log VALUES (7)`},
			up:   [2]string{"SELECT COUNT(*) FROM log", "1"},
			down: [2]string{"SELECT COUNT(*) FROM log", "1"},
		},
		{
			name: "partition_method",
			from: []string{rangeTable},
			to: []string{`CREATE TABLE sales (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y))
				PARTITION BY KEY (id) PARTITIONS 3`},
			rows: salesRows, up: salesCount, down: salesCount,
		},
	}
}

// TestRenderTableObjects runs tableObjectCases.
func TestRenderTableObjects(t *testing.T) {
	d := New()
	for _, tc := range tableObjectCases() {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newInspectDB(t), newInspectDB(t)
			inspectExec(t, src, tc.from...)
			inspectExec(t, dst, tc.to...)
			from, _ := inspectDB(t, src, dialect.InspectOptions{})
			to, _ := inspectDB(t, dst, dialect.InspectOptions{})
			if len(from.Warnings)+len(to.Warnings) > 0 {
				t.Fatalf("inspection warns: %q %q", from.Warnings, to.Warnings)
			}
			changes, err := diff.Compare(from, to, tc.opts)
			if err != nil {
				t.Fatalf("diff: %v", err)
			}
			if len(changes) == 0 {
				t.Fatal("diff found no changes: the case tests nothing")
			}
			up, down := rendertest.UpDown(t, d, from, to, changes)
			rendertest.Golden(t, filepath.Join("testdata", "render", tc.name+".golden"), up, down)
			checkSplit(t, up)
			checkSplit(t, down)
			inspectExec(t, src, tc.rows...)
			applyAndCheck(t, src, "upgrade", up, to, tc.up)
			applyAndCheck(t, src, "downgrade", down, from, tc.down)
		})
	}
}

// TestRenderTableOptionsRefused: options that ALTER TABLE cannot put back
// in place are refused by name, with the table, not left out.
func TestRenderTableOptionsRefused(t *testing.T) {
	d := New()
	ref := change.Ref{Name: "t"}
	for _, tc := range []struct {
		from, to schema.TableOptions
		want     string
	}{
		{schema.TableOptions{Engine: "Aria", CreateOptions: []string{"TRANSACTIONAL=1"}}, schema.TableOptions{Engine: "Aria"},
			"table t: option TRANSACTIONAL=1 cannot be put back to its default in place"},
		{schema.TableOptions{Engine: "MyISAM"}, schema.TableOptions{},
			"table t: the engine goes back to the server's default"},
	} {
		_, err := d.Render(nil, nil, []change.Change{&change.SetTableOptions{Table: ref, From: tc.from, To: tc.to}})
		if err == nil || !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("render %v -> %v: error %v, want one wrapping ErrUnsupported with %q", tc.from, tc.to, err, tc.want)
		}
	}
}

// TestInspectTableObjects: partitioning and CREATE_OPTIONS are read into
// the model, AUTO_INCREMENT's start is not (it is data).
func TestInspectTableObjects(t *testing.T) {
	db := newInspectDB(t)
	inspectExec(t, db,
		`CREATE TABLE l (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, c int NOT NULL) AUTO_INCREMENT=50 KEY_BLOCK_SIZE=4
			PARTITION BY LIST COLUMNS (id) (PARTITION a VALUES IN (1, 2) COMMENT 'first', PARTITION z VALUES IN (0), PARTITION d DEFAULT)`,
		`CREATE TABLE l2 (c int) PARTITION BY LIST (c) (PARTITION z VALUES IN (0), PARTITION d DEFAULT)`,
		`CREATE TABLE k (id int NOT NULL PRIMARY KEY) PARTITION BY LINEAR KEY () PARTITIONS 2`)
	s, _ := inspectDB(t, db, dialect.InspectOptions{})
	if len(s.Warnings) > 0 {
		t.Fatalf("warnings: %q", s.Warnings)
	}
	got := map[string]schema.TableOptions{}
	for _, tb := range s.Tables {
		got[tb.Name] = tb.Options
	}
	want := map[string]schema.TableOptions{
		"l": {CreateOptions: []string{"KEY_BLOCK_SIZE=4"}, Partitioning: &schema.Partitioning{Method: "LIST COLUMNS", Expr: "`id`",
			Partitions: []*schema.Partition{{Name: "a", Values: "1,2", Comment: "first"}, {Name: "z", Values: "0"}, {Name: "d", Values: "DEFAULT"}}}},
		"l2": {Partitioning: &schema.Partitioning{Method: "LIST", Expr: "`c`",
			Partitions: []*schema.Partition{{Name: "z", Values: "0"}, {Name: "d", Values: "DEFAULT"}}}},
		"k": {Partitioning: &schema.Partitioning{Method: "LINEAR KEY", Partitions: []*schema.Partition{{Name: "p0"}, {Name: "p1"}}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("table options (-want +got):\n%s", d)
	}
}
