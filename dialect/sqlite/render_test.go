package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/schema"
)

// renderCase is one autogenerate step: a database built by from (with
// rows), a target built by to, the changes between them, and queries whose
// results must survive the upgrade and the downgrade.
type renderCase struct {
	name     string
	from, to string
	rows     string
	changes  func(from, to *schema.Schema) []change.Change
	// same are queries valid before and after: their results must be
	// equal at the start, after the upgrade and after the downgrade.
	same []string
	// after maps a query to its result after the upgrade.
	after map[string]string
	// rebuilds is how many tables the upgrade and downgrade rebuild.
	rebuildsUp, rebuildsDown int
}

const (
	parentChild = `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);
`
	parentChildRows = `
INSERT INTO items VALUES (1, 'bolt', 10), (2, 'nut', NULL), (3, 'gear', 7);
INSERT INTO parts VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c'), (13, 3, 'd');
`
	itemsRows = "SELECT id, name FROM items ORDER BY id"
	partsRows = "SELECT id, item_id, label FROM parts ORDER BY id"
)

func tbl(s *schema.Schema, name string) *schema.Table {
	t := s.Table("", name)
	if t == nil {
		panic("no table " + name)
	}
	return t
}

func colOf(s *schema.Schema, table, name string) *schema.Column {
	c := tbl(s, table).Column(name)
	if c == nil {
		panic("no column " + table + "." + name)
	}
	return c
}

func ref(name string) change.Ref { return change.Ref{Name: name} }

func renderCases() []renderCase {
	return []renderCase{
		{
			name: "add_table",
			from: `CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer);`,
			to:   parentChild + `CREATE INDEX parts_label ON parts (label);`,
			rows: `INSERT INTO items VALUES (1, 'bolt', 10), (2, 'nut', NULL);`,
			changes: func(from, to *schema.Schema) []change.Change {
				parts := *tbl(to, "parts")
				parts.ForeignKeys = nil
				return []change.Change{
					&change.AddTable{Table: &parts},
					&change.AddForeignKey{Table: ref("parts"), FK: tbl(to, "parts").ForeignKeys[0]},
				}
			},
			same: []string{itemsRows},
		},
		{
			name: "rename_table",
			from: parentChild + `CREATE VIEW item_names AS SELECT name FROM items;`,
			to: `
CREATE TABLE products (id integer PRIMARY KEY, name text, stock integer);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES products (id) ON DELETE CASCADE, label text);
CREATE VIEW item_names AS SELECT name FROM products;`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				// SQLite rewrites the view's text on RENAME; the view's
				// text differs, so diff drops and re-adds it around the
				// rename.
				return []change.Change{
					&change.DropView{View: from.Views[0]},
					&change.RenameTable{From: "items", To: "products"},
					&change.AddView{View: to.Views[0]},
				}
			},
			same:  []string{partsRows},
			after: map[string]string{"SELECT id, name FROM products ORDER BY id": "1|bolt;2|nut;3|gear"},
		},
		{
			name: "add_column_nullable",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, note varchar(20) COLLATE NOCASE);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "note")}}
			},
			same: []string{itemsRows, partsRows},
		},
		{
			name: "add_column_not_null_default",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, active boolean NOT NULL DEFAULT 1);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "active")}}
			},
			same:  []string{itemsRows, partsRows},
			after: map[string]string{"SELECT id, active FROM items ORDER BY id": "1|1;2|1;3|1"},
		},
		{
			name: "add_column_backfill",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, weight integer NOT NULL);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "weight"), Backfill: "0"}}
			},
			same:       []string{itemsRows, partsRows},
			after:      map[string]string{"SELECT id, weight FROM items ORDER BY id": "1|0;2|0;3|0"},
			rebuildsUp: 1,
		},
		{
			// The downgrade of dropping a column with a default and a
			// unique key: the rows get NULL, not one default for all.
			name: "add_column_unique_default",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, code integer DEFAULT 5, CONSTRAINT items_code UNIQUE (code));
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "code")},
					&change.AddUnique{Table: ref("items"), Key: tbl(to, "items").Uniques[0]},
				}
			},
			same:         []string{itemsRows, partsRows},
			after:        map[string]string{"SELECT id, code FROM items ORDER BY id": "1|NULL;2|NULL;3|NULL"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			// The same with a unique index, which ADD COLUMN alone would
			// fill with the default before CREATE UNIQUE INDEX.
			name: "add_column_unique_index_default",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, code integer DEFAULT 5);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);
CREATE UNIQUE INDEX items_code ON items (code);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "code")},
					&change.AddIndex{Table: ref("items"), Index: tbl(to, "items").Indexes[0]},
				}
			},
			same:         []string{itemsRows, partsRows},
			after:        map[string]string{"SELECT id, code FROM items ORDER BY id": "1|NULL;2|NULL;3|NULL"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			// The downgrade of dropping a NOT NULL column in a unique key,
			// with --backfill items.code=id*10: an expression per row.
			name: "add_column_unique_backfill_expression",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, code integer NOT NULL DEFAULT 5, CONSTRAINT items_code UNIQUE (code));
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "code"), Backfill: "id * 10"},
					&change.AddUnique{Table: ref("items"), Key: tbl(to, "items").Uniques[0]},
				}
			},
			same:         []string{itemsRows, partsRows},
			after:        map[string]string{"SELECT id, code FROM items ORDER BY id": "1|10;2|20;3|30"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "add_column_current_timestamp",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, added text DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "added")}}
			},
			same:       []string{itemsRows, partsRows},
			rebuildsUp: 1,
		},
		{
			name: "drop_column_indexed",
			from: parentChild + `CREATE INDEX items_stock ON items (stock);`,
			to:   parentChildNoStock,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.DropIndex{Table: ref("items"), Index: tbl(from, "items").Indexes[0]},
					&change.DropColumn{Table: ref("items"), Column: colOf(from, "items", "stock")},
				}
			},
			same:       []string{itemsRows, partsRows},
			rebuildsUp: 1,
		},
		{
			name: "rename_column",
			from: parentChild + `CREATE INDEX items_name ON items (name);`,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, title text, stock integer);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);
CREATE INDEX items_name ON items (title);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.RenameColumn{Table: ref("items"), From: "name", To: "title"}}
			},
			same:  []string{partsRows},
			after: map[string]string{"SELECT id, title FROM items ORDER BY id": "1|bolt;2|nut;3|gear"},
		},
		{
			name: "alter_column_not_null_backfill",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock bigint NOT NULL DEFAULT 0);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "stock"), To: colOf(to, "items", "stock"), Backfill: "0"}}
			},
			same:         []string{itemsRows, partsRows},
			after:        map[string]string{"SELECT id, stock FROM items ORDER BY id": "1|10;2|0;3|7"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "set_primary_key",
			from: `
CREATE TABLE tags (code text NOT NULL, label text);
CREATE TABLE tagged (id integer PRIMARY KEY, code text);`,
			to: `
CREATE TABLE tags (code text NOT NULL, label text, PRIMARY KEY (code));
CREATE TABLE tagged (id integer PRIMARY KEY, code text);`,
			rows: `INSERT INTO tags VALUES ('a', 'A'), ('b', 'B'); INSERT INTO tagged VALUES (1, 'a'), (2, 'b');`,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.SetPrimaryKey{Table: ref("tags"), To: tbl(to, "tags").PrimaryKey}}
			},
			same:         []string{"SELECT code, label FROM tags ORDER BY code", "SELECT id, code FROM tagged ORDER BY id"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "add_unique_and_check",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer, CONSTRAINT items_name UNIQUE (name), CONSTRAINT stock_positive CHECK (stock > 0));
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddUnique{Table: ref("items"), Key: tbl(to, "items").Uniques[0]},
					&change.AddCheck{Table: ref("items"), Check: tbl(to, "items").Checks[0]},
				}
			},
			same:         []string{itemsRows, partsRows},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "add_foreign_key",
			from: `
CREATE TABLE items (id integer PRIMARY KEY, name text, stock integer);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer, label text);`,
			to:   parentChild,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddForeignKey{Table: ref("parts"), FK: tbl(to, "parts").ForeignKeys[0]}}
			},
			same:         []string{itemsRows, partsRows},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "index",
			from: parentChild,
			to:   parentChild + `CREATE UNIQUE INDEX parts_label ON parts (lower(label)) WHERE label IS NOT NULL;`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddIndex{Table: ref("parts"), Index: tbl(to, "parts").Indexes[0]}}
			},
			same: []string{itemsRows, partsRows},
		},
		{
			name: "view_and_trigger",
			from: parentChild,
			to: parentChild + `
CREATE VIEW stocked AS SELECT id, name FROM items WHERE stock > 0;
CREATE TRIGGER parts_label AFTER INSERT ON parts BEGIN UPDATE parts SET label = upper(label) WHERE id = new.id; END;`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddView{View: to.Views[0]}, &change.AddTrigger{Trigger: to.Triggers[0]}}
			},
			same: []string{itemsRows, partsRows},
		},
		{
			// A parent with dependants: its indexes, its own trigger, a view
			// over it, a view over that view, a trigger on another table that
			// names it, and cascading children. Several changes on it merge
			// into one rebuild.
			name:         "rebuild_parent_with_dependants",
			from:         dependants(`stock integer`, ``),
			to:           dependants(`stock integer NOT NULL DEFAULT 0, price numeric(10,2)`, `, CONSTRAINT stock_known CHECK (stock >= 0)`),
			rows:         parentChildRows + `INSERT INTO notes VALUES (1, 1, 'x'), (2, 3, 'y');`,
			changes:      dependantChanges,
			same:         []string{itemsRows, partsRows, "SELECT * FROM item_names ORDER BY 1", "SELECT count(*) FROM audit", "SELECT id, item_id FROM notes ORDER BY id"},
			after:        map[string]string{"SELECT id, stock FROM items ORDER BY id": "1|10;2|0;3|7"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			// The upgrade renames first and then rebuilds the new name;
			// the downgrade rebuilds first and merges the rename.
			name: "rename_and_rebuild_table",
			from: parentChild + `CREATE INDEX items_name ON items (name);
CREATE TRIGGER items_ins AFTER INSERT ON items BEGIN SELECT 1; END;`,
			to: `
CREATE TABLE products (id integer PRIMARY KEY, name text, stock integer NOT NULL DEFAULT 0);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES products (id) ON DELETE CASCADE, label text);
CREATE INDEX items_name ON products (name);
CREATE TRIGGER items_ins AFTER INSERT ON products BEGIN SELECT 1; END;`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.DropTrigger{Trigger: from.Triggers[0]},
					&change.RenameTable{From: "items", To: "products"},
					&change.AlterColumn{Table: ref("products"), From: colOf(from, "items", "stock"), To: colOf(to, "products", "stock"), Backfill: "0"},
					&change.AddTrigger{Trigger: to.Triggers[0]},
				}
			},
			same:         []string{partsRows},
			after:        map[string]string{"SELECT id, name, stock FROM products ORDER BY id": "1|bolt|10;2|nut|0;3|gear|7"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			// A trigger merged into the first rebuild names the table of
			// the second: the second drops and recreates it, once.
			name: "two_rebuilds_trigger_between",
			from: parentChild,
			to: `
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL DEFAULT '', stock integer);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text NOT NULL DEFAULT '');
CREATE TRIGGER items_del AFTER DELETE ON items BEGIN DELETE FROM parts WHERE item_id = old.id; END;`,
			rows: parentChildRows,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "name"), To: colOf(to, "items", "name"), Backfill: "''"},
					&change.AddTrigger{Trigger: to.Triggers[0]},
					&change.AlterColumn{Table: ref("parts"), From: colOf(from, "parts", "label"), To: colOf(to, "parts", "label"), Backfill: "''"},
				}
			},
			same:         []string{itemsRows, partsRows},
			rebuildsUp:   2,
			rebuildsDown: 2,
		},
		{
			name: "self_reference_and_type_change",
			from: `CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer REFERENCES nodes (id) ON DELETE CASCADE, weight text);`,
			to:   `CREATE TABLE nodes (id integer PRIMARY KEY, parent_id integer REFERENCES nodes (id) ON DELETE CASCADE, weight real);`,
			rows: `INSERT INTO nodes VALUES (1, NULL, '1.5'), (2, 1, '2'), (3, 2, NULL);`,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("nodes"), From: colOf(from, "nodes", "weight"), To: colOf(to, "nodes", "weight")}}
			},
			same:         []string{"SELECT id, parent_id FROM nodes ORDER BY id"},
			after:        map[string]string{"SELECT id, typeof(weight) FROM nodes ORDER BY id": "1|real;2|real;3|null"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
		{
			name: "autoincrement_keeps_counter",
			from: `CREATE TABLE log (id integer PRIMARY KEY AUTOINCREMENT, msg text);`,
			to:   `CREATE TABLE log (id integer PRIMARY KEY AUTOINCREMENT, msg text NOT NULL DEFAULT '');`,
			rows: `INSERT INTO log (msg) VALUES ('a'), ('b'), ('c'); DELETE FROM log WHERE id = 3;`,
			changes: func(from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("log"), From: colOf(from, "log", "msg"), To: colOf(to, "log", "msg"), Backfill: "''"}}
			},
			same:         []string{"SELECT id, msg FROM log ORDER BY id", "SELECT seq FROM sqlite_sequence WHERE name = 'log'"},
			rebuildsUp:   1,
			rebuildsDown: 1,
		},
	}
}

const parentChildNoStock = `
CREATE TABLE items (id integer PRIMARY KEY, name text);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);
`

func dependants(stock, extra string) string {
	return `
CREATE TABLE items (id integer PRIMARY KEY, name text, ` + stock + extra + `);
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text);
CREATE TABLE notes (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE SET NULL, body text);
CREATE TABLE audit (id integer PRIMARY KEY, what text);
CREATE INDEX items_name ON items (name);
CREATE UNIQUE INDEX items_lower ON items (lower(name)) WHERE name IS NOT NULL;
CREATE VIEW in_stock AS SELECT id, name FROM items WHERE stock > 0;
CREATE VIEW item_names AS SELECT name FROM in_stock;
CREATE TRIGGER items_ins AFTER INSERT ON items BEGIN INSERT INTO audit (what) VALUES ('item ' || new.id); END;
CREATE TRIGGER parts_ins AFTER INSERT ON parts BEGIN INSERT INTO audit (what) SELECT 'part of ' || name FROM items WHERE id = new.item_id; END;
CREATE TRIGGER in_stock_del INSTEAD OF DELETE ON in_stock BEGIN DELETE FROM items WHERE id = old.id; END;
`
}

func dependantChanges(from, to *schema.Schema) []change.Change {
	return []change.Change{
		&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "stock"), To: colOf(to, "items", "stock"), Backfill: "0"},
		&change.AddColumn{Table: ref("items"), Column: colOf(to, "items", "price")},
		&change.AddCheck{Table: ref("items"), Check: tbl(to, "items").Checks[0]},
	}
}

// loadSchema runs ddl in a fresh in-memory database and inspects it.
func loadSchema(t *testing.T, ddl string) *schema.Schema {
	t.Helper()
	ctx := context.Background()
	db, drop, err := New().CreateScratch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer drop(ctx)
	if _, err := db.ExecContext(ctx, ddl); err != nil {
		t.Fatalf("load schema: %v\n%s", err, ddl)
	}
	return inspectDB(t, db)
}

func inspectDB(t *testing.T, db *sql.DB) *schema.Schema {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := New().Inspect(ctx, conn, dialect.InspectOptions{})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return s
}

// openFK opens a database file with foreign keys on, as applications
// commonly set it.
func openFK(t *testing.T) *sql.DB {
	t.Helper()
	u, err := dialect.ParseURL("sqlite:" + filepath.Join(t.TempDir(), "app.db") + "?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db, err := New().Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// applyAsRunner runs stmts in one transaction begun by Begin, as the runner
// runs a revision.
func applyAsRunner(t *testing.T, db *sql.DB, stmts []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := New().Begin(ctx, conn, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }() // after a failed statement; a no-op after Commit
	rendertest.Exec(t, "revision", stmts, func(s string) error {
		_, err := tx.ExecContext(ctx, s)
		return err
	})
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	var fk int
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys after the revision = %d, %v: want it back on", fk, err)
	}
}

// rowsOf returns the result of query as "a|b;c|d".
func rowsOf(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var f []string
		for _, v := range vals {
			if v.Valid {
				f = append(f, v.String)
			} else {
				f = append(f, "NULL")
			}
		}
		out = append(out, strings.Join(f, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, ";")
}

func countRebuilds(stmts []string) int {
	n := 0
	for _, s := range stmts {
		if strings.HasPrefix(s, "CREATE TABLE "+rebuildTablePrefix) {
			n++
		}
	}
	return n
}

// TestRender renders every case's upgrade and downgrade, compares them
// with testdata/render/<case>.golden (refresh with -update), applies them
// to a database with rows and foreign keys on through Begin, and requires
// the inspected result to format like the target (then like the source)
// with every row kept.
func TestRender(t *testing.T) {
	d := New()
	for _, tc := range renderCases() {
		t.Run(tc.name, func(t *testing.T) {
			from, to := loadSchema(t, tc.from), loadSchema(t, tc.to)
			changes := tc.changes(from, to)
			up, down := rendertest.UpDown(t, d, from, to, changes)
			if n := countRebuilds(up); n != tc.rebuildsUp {
				t.Errorf("upgrade rebuilds %d tables, want %d", n, tc.rebuildsUp)
			}
			if n := countRebuilds(down); n != tc.rebuildsDown {
				t.Errorf("downgrade rebuilds %d tables, want %d", n, tc.rebuildsDown)
			}
			rendertest.Golden(t, filepath.Join("testdata", "render", tc.name+".golden"), up, down)

			db := openFK(t)
			if _, err := db.Exec(tc.from + tc.rows); err != nil {
				t.Fatalf("load source and rows: %v", err)
			}
			before := map[string]string{}
			for _, q := range tc.same {
				before[q] = rowsOf(t, db, q)
				if before[q] == "" {
					t.Fatalf("%s: no rows to keep; the case proves nothing", q)
				}
			}
			applyAsRunner(t, db, up)
			rendertest.SameSchema(t, "upgrade", d.Format(inspectDB(t, db)), d.Format(to), up)
			for _, q := range tc.same {
				if got := rowsOf(t, db, q); got != before[q] {
					t.Errorf("after upgrade %s = %q, want %q", q, got, before[q])
				}
			}
			for q, want := range tc.after {
				if got := rowsOf(t, db, q); got != want {
					t.Errorf("after upgrade %s = %q, want %q", q, got, want)
				}
			}
			applyAsRunner(t, db, down)
			rendertest.SameSchema(t, "downgrade", d.Format(inspectDB(t, db)), d.Format(from), down)
			for _, q := range tc.same {
				if got := rowsOf(t, db, q); got != before[q] {
					t.Errorf("after downgrade %s = %q, want %q", q, got, before[q])
				}
			}
		})
	}
}

// TestRenderDeferForeignKeysStillCascades records why the rebuild needs
// foreign keys off before BEGIN: inside a transaction with foreign keys
// on, PRAGMA defer_foreign_keys does not stop DROP TABLE from cascading
// into child tables.
func TestRenderDeferForeignKeysStillCascades(t *testing.T) {
	db := openFK(t)
	ctx := context.Background()
	if _, err := db.Exec(parentChild + parentChildRows); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range []string{
		"BEGIN",
		"PRAGMA defer_foreign_keys = ON",
		"CREATE TABLE new_items (id integer PRIMARY KEY, name text, stock integer)",
		"INSERT INTO new_items SELECT * FROM items",
		"DROP TABLE items",
		"ALTER TABLE new_items RENAME TO items",
		"COMMIT",
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM parts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("parts has %d rows after a rebuild with defer_foreign_keys: SQLite no longer cascades, revisit Render's foreign key guard", n)
	}
}

// TestRenderGuardRefusesForeignKeysOn runs a rendered rebuild in a plain
// transaction with foreign keys on: the guard must fail it before any row
// is touched.
func TestRenderGuardRefusesForeignKeysOn(t *testing.T) {
	d := New()
	tc := renderCases()
	var rc renderCase
	for _, c := range tc {
		if c.name == "alter_column_not_null_backfill" {
			rc = c
		}
	}
	from, to := loadSchema(t, rc.from), loadSchema(t, rc.to)
	up, err := d.Render(from, to, rc.changes(from, to))
	if err != nil {
		t.Fatal(err)
	}
	db := openFK(t)
	if _, err := db.Exec(rc.from + rc.rows); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	var failed error
	for _, s := range up {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			failed = err
			break
		}
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if failed == nil || !strings.Contains(failed.Error(), "foreign_keys must be OFF") {
		t.Fatalf("rebuild with foreign keys on: error %v, want the guard's", failed)
	}
	if got := rowsOf(t, db, partsRows); got != "10|1|a;11|1|b;12|2|c;13|3|d" {
		t.Fatalf("parts after the refused rebuild: %q", got)
	}
}

// TestRenderForeignKeyCheckWithForeignKeysOff checks that a rebuild that
// adds a foreign key fails, and changes nothing, when rows of the table
// have no parent, even on a connection with foreign keys off, where the
// runner's foreign_key_check does not run: the downgrade of dropping a
// parent table recreates it empty.
func TestRenderForeignKeyCheckWithForeignKeysOff(t *testing.T) {
	d := New()
	const parent = "CREATE TABLE items (id integer PRIMARY KEY, name text);\n"
	withoutFK := parent + "CREATE TABLE parts (id integer PRIMARY KEY, item_id integer, label text);\n"
	withFK := parent + "CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id), label text);\n"
	from, to := loadSchema(t, withoutFK), loadSchema(t, withFK)
	up, err := d.Render(from, to, []change.Change{&change.AddForeignKey{Table: ref("parts"), FK: tbl(to, "parts").ForeignKeys[0]}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := dialect.ParseURL("sqlite:" + filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(withoutFK + "INSERT INTO items VALUES (1, 'bolt');\nINSERT INTO parts VALUES (10, 1, 'a'), (11, 2, 'b'), (12, NULL, 'c');"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := d.Begin(ctx, conn, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	var failed error
	for _, s := range up {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			failed = err
			break
		}
	}
	if failed == nil {
		_ = tx.Rollback()
		t.Fatal("a foreign key that row 11 of parts breaks was added with foreign keys off")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(failed.Error(), "rows of parts have no parent in items") {
		t.Fatalf("error %v, want the foreign key check's", failed)
	}
	if got := d.Format(inspectDB(t, db)); got != d.Format(from) {
		t.Fatalf("schema changed by the failed revision:\n%s", firstDiff(d.Format(from), got))
	}
	if got := rowsOf(t, db, "SELECT id, item_id, label FROM parts ORDER BY id"); got != "10|1|a;11|2|b;12|NULL|c" {
		t.Fatalf("parts after the failed revision: %q", got)
	}
	// With the orphan gone, the same statements run.
	if _, err := conn.ExecContext(ctx, "UPDATE parts SET item_id = NULL WHERE id = 11"); err != nil {
		t.Fatal(err)
	}
	if tx, err = d.Begin(ctx, conn, 5*time.Second, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range up {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			_ = tx.Rollback()
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := d.Format(inspectDB(t, db)); got != d.Format(to) {
		t.Fatalf("schema after the revision:\n%s", firstDiff(d.Format(to), got))
	}
}

// TestRenderMergesRebuilds checks that changes on one table, mixed with
// changes on another, give one rebuild per table, where the first change
// on it stands.
func TestRenderMergesRebuilds(t *testing.T) {
	d := New()
	from := loadSchema(t, parentChild)
	to := loadSchema(t, `
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL DEFAULT '', stock integer, CONSTRAINT items_name UNIQUE (name));
CREATE TABLE parts (id integer PRIMARY KEY, item_id integer REFERENCES items (id) ON DELETE CASCADE, label text NOT NULL DEFAULT 'x');
CREATE TABLE extra (id integer PRIMARY KEY);`)
	changes := []change.Change{
		&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "name"), To: colOf(to, "items", "name"), Backfill: "''"},
		&change.AddTable{Table: tbl(to, "extra")},
		&change.AlterColumn{Table: ref("parts"), From: colOf(from, "parts", "label"), To: colOf(to, "parts", "label"), Backfill: "'x'"},
		&change.AddUnique{Table: ref("items"), Key: tbl(to, "items").Uniques[0]},
	}
	up, err := d.Render(from, to, changes)
	if err != nil {
		t.Fatal(err)
	}
	var creates []string
	for _, s := range up {
		if strings.HasPrefix(s, "CREATE TABLE") {
			creates = append(creates, strings.Fields(s)[2])
		}
	}
	want := []string{rebuildTablePrefix + "items", "extra", rebuildTablePrefix + "parts"}
	if fmt.Sprint(creates) != fmt.Sprint(want) {
		t.Fatalf("CREATE TABLE order %v, want %v", creates, want)
	}
	db := openFK(t)
	if _, err := db.Exec(parentChild + parentChildRows); err != nil {
		t.Fatal(err)
	}
	applyAsRunner(t, db, up)
	if got, want := d.Format(inspectDB(t, db)), d.Format(to); got != want {
		t.Fatalf("after upgrade:\n%s", firstDiff(want, got))
	}
	if got := rowsOf(t, db, partsRows); got != "10|1|a;11|1|b;12|2|c;13|3|d" {
		t.Fatalf("parts after the rebuilds: %q", got)
	}
}

// TestRenderTriggerOfTableDroppedLater: a trigger change on a table the
// list drops afterwards is left out, so the trigger stays as the database
// has it until the DROP TABLE. A rebuild in between of a table the trigger
// names must drop and recreate a trigger that is still there (else the
// rename back fails on it) and must not drop one that was never created.
func TestRenderTriggerOfTableDroppedLater(t *testing.T) {
	d := New()
	const audit = `CREATE TABLE audit (id integer PRIMARY KEY, what text);`
	const trigger = `CREATE TRIGGER parts_ins AFTER INSERT ON parts BEGIN INSERT INTO audit (what) SELECT 'part of ' || name FROM items WHERE id = new.item_id; END;`
	const target = `CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL DEFAULT '', stock integer);` + audit
	withTrigger := loadSchema(t, parentChild+audit+trigger)
	for _, tc := range []struct {
		name, from string
		first      change.Change // the trigger change on parts
	}{
		{"drop_trigger", parentChild + audit + trigger, &change.DropTrigger{Trigger: withTrigger.Triggers[0]}},
		{"add_trigger", parentChild + audit, &change.AddTrigger{Trigger: withTrigger.Triggers[0]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := loadSchema(t, tc.from), loadSchema(t, target)
			up, err := d.Render(from, to, []change.Change{
				tc.first,
				&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "name"), To: colOf(to, "items", "name"), Backfill: "''"},
				&change.DropTable{Table: tbl(from, "parts")},
			})
			if err != nil {
				t.Fatal(err)
			}
			db := openFK(t)
			if _, err := db.Exec(tc.from + parentChildRows); err != nil {
				t.Fatal(err)
			}
			applyAsRunner(t, db, up)
			rendertest.SameSchema(t, "upgrade", d.Format(inspectDB(t, db)), d.Format(to), up)
		})
	}
}

func TestRenderUnsupported(t *testing.T) {
	d := New()
	s := &schema.Schema{Dialect: "sqlite"}
	for _, c := range []change.Change{
		&change.AddSequence{Sequence: &schema.Sequence{Name: "s"}},
		&change.AddType{Type: &schema.Type{Kind: schema.EnumType, Name: "mood"}},
		&change.AddRoutine{Routine: &schema.Routine{Kind: schema.Function, Name: "f"}},
		&change.AddView{View: &schema.View{Name: "m", Materialized: true}},
		&change.SetTableComment{Table: ref("t"), To: "hello"},
	} {
		_, err := d.Render(s, s, []change.Change{c})
		if !errors.Is(err, ErrUnsupportedChange) || !strings.Contains(err.Error(), c.Describe()) {
			t.Errorf("render %s: error %v, want ErrUnsupportedChange naming the change", c.Describe(), err)
		}
	}
}

func TestCreateScratch(t *testing.T) {
	d := New()
	ctx := context.Background()
	a, dropA, err := d.CreateScratch(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := dialect.ParseURL("sqlite:app.db")
	b, dropB, err := d.CreateScratch(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (x integer)"); err != nil {
		t.Fatal(err)
	}
	// Many statements on the pool still see one database.
	for i := 0; i < 5; i++ {
		if _, err := a.ExecContext(ctx, "INSERT INTO t VALUES (?)", i); err != nil {
			t.Fatal(err)
		}
	}
	if got := rowsOf(t, a, "SELECT count(*) FROM t"); got != "5" {
		t.Errorf("scratch a has %s rows, want 5", got)
	}
	if got := rowsOf(t, b, "SELECT count(*) FROM sqlite_schema"); got != "0" {
		t.Errorf("scratch b has %s objects, want an empty database", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := dropA(cancelled); err != nil {
		t.Errorf("drop after cancel: %v", err)
	}
	if err := a.PingContext(ctx); err == nil {
		t.Errorf("scratch database still open after drop")
	}
	if err := dropB(ctx); err != nil {
		t.Error(err)
	}
	pg, _ := dialect.ParseURL("postgres://u:secret@localhost/db")
	if _, _, err := d.CreateScratch(ctx, pg); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("scratch for a postgres URL: %v, want an error without the password", err)
	}
}

// diffCase is an autogenerate step whose changes come from diff.Compare.
type diffCase struct {
	name     string
	from, to string
	rows     string
	opts     diff.Options
	same     []string
}

// TestRenderDiff renders what diff.Compare finds between two schemas, both
// ways, and applies it to a database with rows and foreign keys on: the
// result must inspect like the target (then the source), every row kept.
func TestRenderDiff(t *testing.T) {
	shop := `
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, CONSTRAINT customers_email UNIQUE (email));
CREATE TABLE orders (id integer PRIMARY KEY AUTOINCREMENT, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total numeric(10,2), note text);
CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty integer);
CREATE INDEX lines_sku ON lines (sku);
CREATE VIEW order_totals AS SELECT o.id, c.email, o.total FROM orders AS o JOIN customers AS c ON c.id = o.customer_id;
CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'new' WHERE id = new.id AND note IS NULL; END;
`
	shopRows := `
INSERT INTO customers VALUES (1, 'a@x'), (2, 'b@x');
INSERT INTO orders (id, customer_id, total, note) VALUES (1, 1, 9.5, NULL), (2, 1, 3, 'gift'), (3, 2, NULL, NULL);
INSERT INTO lines VALUES (1, 1, 'bolt', 2), (2, 1, 'nut', NULL), (3, 2, 'gear', 1), (4, 3, 'bolt', 5);
`
	keep := []string{
		"SELECT id, email FROM customers ORDER BY id",
		"SELECT id, customer_id FROM orders ORDER BY id",
		"SELECT id, order_id, sku FROM lines ORDER BY id",
	}
	cases := []diffCase{
		{
			name: "many_changes",
			from: shop,
			to: `
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL COLLATE NOCASE, name text NOT NULL DEFAULT '', CONSTRAINT customers_email UNIQUE (email));
CREATE TABLE orders (id integer PRIMARY KEY AUTOINCREMENT, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total numeric(12,2) NOT NULL, placed text DEFAULT CURRENT_TIMESTAMP, CHECK (total >= 0));
CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty integer NOT NULL);
CREATE TABLE shipments (id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE, line_id integer REFERENCES lines (id));
CREATE INDEX lines_order ON lines (order_id);
CREATE VIEW order_totals AS SELECT o.id, c.email, o.total FROM orders AS o JOIN customers AS c ON c.id = o.customer_id;
CREATE TRIGGER orders_placed AFTER INSERT ON orders BEGIN UPDATE orders SET placed = CURRENT_TIMESTAMP WHERE id = new.id; END;
`,
			rows: shopRows,
			opts: diff.Options{Backfill: map[string]string{"orders.total": "0", "lines.qty": "1"}},
			same: keep,
		},
		{
			name: "renames",
			from: shop,
			to: `
CREATE TABLE clients (id integer PRIMARY KEY, mail text NOT NULL, CONSTRAINT customers_email UNIQUE (mail));
CREATE TABLE orders (id integer PRIMARY KEY AUTOINCREMENT, client_id integer NOT NULL REFERENCES clients (id) ON DELETE CASCADE, total numeric(10,2), note text);
CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty integer);
CREATE INDEX lines_sku ON lines (sku);
CREATE VIEW order_totals AS SELECT o.id, c.mail AS email, o.total FROM orders AS o JOIN clients AS c ON c.id = o.client_id;
CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'new' WHERE id = new.id AND note IS NULL; END;
`,
			rows: shopRows,
			opts: diff.Options{Renames: map[string]string{"customers": "clients", "clients.email": "mail", "orders.customer_id": "client_id"}},
			same: []string{"SELECT id, order_id, sku FROM lines ORDER BY id", "SELECT count(*) FROM orders"},
		},
		{
			name: "rename_and_alter",
			from: shop,
			to: `
CREATE TABLE clients (id integer PRIMARY KEY, email text NOT NULL, vip boolean NOT NULL DEFAULT 0, CONSTRAINT customers_email UNIQUE (email), CHECK (vip IN (0, 1)));
CREATE TABLE orders (id integer PRIMARY KEY AUTOINCREMENT, customer_id integer NOT NULL REFERENCES clients (id) ON DELETE CASCADE, total numeric(10,2), note text);
CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES orders (id) ON DELETE CASCADE, sku text NOT NULL, qty integer);
CREATE INDEX lines_sku ON lines (sku);
CREATE VIEW order_totals AS SELECT o.id, c.email, o.total FROM orders AS o JOIN clients AS c ON c.id = o.customer_id;
CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'new' WHERE id = new.id AND note IS NULL; END;
`,
			rows: shopRows,
			opts: diff.Options{Renames: map[string]string{"customers": "clients"}},
			same: keep[1:],
		},
		{
			name: "drop_parent_table",
			from: shop,
			to: `
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL, CONSTRAINT customers_email UNIQUE (email));
CREATE TABLE orders (id integer PRIMARY KEY AUTOINCREMENT, customer_id integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE, total numeric(10,2), note text);
CREATE VIEW order_totals AS SELECT o.id, c.email, o.total FROM orders AS o JOIN customers AS c ON c.id = o.customer_id;
`,
			rows: shopRows,
			same: keep[:2],
		},
	}
	d := New()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			from, to := loadSchema(t, tc.from), loadSchema(t, tc.to)
			changes, err := diff.Compare(from, to, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) == 0 {
				t.Fatal("diff found no changes; the case proves nothing")
			}
			up, down := rendertest.UpDown(t, d, from, to, changes)
			rendertest.Golden(t, filepath.Join("testdata", "render", "diff_"+tc.name+".golden"), up, down)
			db := openFK(t)
			if _, err := db.Exec(tc.from + tc.rows); err != nil {
				t.Fatalf("load source and rows: %v", err)
			}
			before := map[string]string{}
			for _, q := range tc.same {
				before[q] = rowsOf(t, db, q)
			}
			applyAsRunner(t, db, up)
			rendertest.SameSchema(t, "upgrade", d.Format(inspectDB(t, db)), d.Format(to), up)
			for _, q := range tc.same {
				if got := rowsOf(t, db, q); got != before[q] {
					t.Errorf("after upgrade %s = %q, want %q", q, got, before[q])
				}
			}
			applyAsRunner(t, db, down)
			rendertest.SameSchema(t, "downgrade", d.Format(inspectDB(t, db)), d.Format(from), down)
			for _, q := range tc.same {
				if got := rowsOf(t, db, q); got != before[q] {
					t.Errorf("after downgrade %s = %q, want %q", q, got, before[q])
				}
			}
		})
	}
}

// TestRenderRefusesOnTableRebuiltLater: a change SQLite cannot make, on a
// table that a later change of the list rebuilds or drops, is refused by
// name; the plan must not fold it into the rebuild in silence.
func TestRenderRefusesOnTableRebuiltLater(t *testing.T) {
	d := New()
	from := loadSchema(t, parentChild)
	to := loadSchema(t, `CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL DEFAULT '', stock integer);`)
	for _, first := range []change.Change{
		&change.SetTableComment{Table: ref("parts"), To: "spare parts"},
		&change.SetTableOptions{Table: ref("parts"), To: schema.TableOptions{Engine: "InnoDB"}},
		&change.SetTableComment{Table: ref("items"), To: "things"},
	} {
		_, err := d.Render(from, to, []change.Change{
			first,
			&change.AlterColumn{Table: ref("items"), From: colOf(from, "items", "name"), To: colOf(to, "items", "name"), Backfill: "''"},
			&change.DropTable{Table: tbl(from, "parts")},
		})
		if !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, ErrUnsupportedChange) || err == nil || !strings.Contains(err.Error(), first.Describe()) {
			t.Errorf("%s before a rebuild and a drop: error %v, want a refusal naming it", first.Describe(), err)
		}
	}
}
