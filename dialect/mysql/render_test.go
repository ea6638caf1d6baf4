package mysql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// renderCase is one autogenerate step checked end to end: the two schemas
// are built by running SQL in fresh databases and inspecting them, changes
// builds the change list from them, and the rendered upgrade and downgrade
// must take the from database (holding rows) to exactly to and back.
type renderCase struct {
	name     string
	from, to []string
	// rows run on the from database before the upgrade.
	rows    []string
	changes func(r *lookup) []change.Change
	// up and down are a query and its expected single-value result after
	// the upgrade and after the downgrade: the rows that must survive.
	up, down [2]string
}

// lookup finds objects of the two inspected schemas, failing the test when
// one is missing.
type lookup struct {
	t        *testing.T
	from, to *schema.Schema
}

func (l *lookup) table(s *schema.Schema, name string) *schema.Table {
	l.t.Helper()
	t := s.Table("", name)
	if t == nil {
		l.t.Fatalf("no table %s in schema", name)
	}
	return t
}

func (l *lookup) col(s *schema.Schema, table, name string) *schema.Column {
	l.t.Helper()
	c := l.table(s, table).Column(name)
	if c == nil {
		l.t.Fatalf("no column %s.%s in schema", table, name)
	}
	return c
}

func (l *lookup) index(s *schema.Schema, table, name string) *schema.Index {
	l.t.Helper()
	for _, x := range l.table(s, table).Indexes {
		if x.Name == name {
			return x
		}
	}
	l.t.Fatalf("no index %s on %s", name, table)
	return nil
}

func (l *lookup) unique(s *schema.Schema, table, name string) *schema.Key {
	l.t.Helper()
	for _, k := range l.table(s, table).Uniques {
		if k.Name == name {
			return k
		}
	}
	l.t.Fatalf("no unique key %s on %s", name, table)
	return nil
}

func (l *lookup) fk(s *schema.Schema, table, name string) *schema.ForeignKey {
	l.t.Helper()
	for _, k := range l.table(s, table).ForeignKeys {
		if k.Name == name {
			return k
		}
	}
	l.t.Fatalf("no foreign key %s on %s", name, table)
	return nil
}

func (l *lookup) check(s *schema.Schema, table, name string) *schema.Check {
	l.t.Helper()
	for _, c := range l.table(s, table).Checks {
		if c.Name == name {
			return c
		}
	}
	l.t.Fatalf("no check %s on %s", name, table)
	return nil
}

func (l *lookup) view(s *schema.Schema, name string) *schema.View {
	l.t.Helper()
	for _, v := range s.Views {
		if v.Name == name {
			return v
		}
	}
	l.t.Fatalf("no view %s", name)
	return nil
}

func (l *lookup) routine(s *schema.Schema, name string) *schema.Routine {
	l.t.Helper()
	for _, r := range s.Routines {
		if r.Name == name {
			return r
		}
	}
	l.t.Fatalf("no routine %s", name)
	return nil
}

func (l *lookup) trigger(s *schema.Schema, name string) *schema.Trigger {
	l.t.Helper()
	for _, tr := range s.Triggers {
		if tr.Name == name {
			return tr
		}
	}
	l.t.Fatalf("no trigger %s", name)
	return nil
}

var items = change.Ref{Name: "items"}

const itemsTable = `CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL)`

var itemsRows = []string{`INSERT INTO items (id, name) VALUES (1, 'pen'), (2, 'ink')`}

var names = [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', name) ORDER BY id) FROM items", "1:pen,2:ink"}

func renderCases() []renderCase {
	return []renderCase{
		{
			name: "add_table",
			from: []string{itemsTable},
			to: []string{itemsTable, "CREATE TABLE `order lines` (\n" +
				"id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,\n" +
				"item_id int NOT NULL,\n" +
				"`select` varchar(80) NOT NULL DEFAULT 'it''s',\n" +
				"price decimal(10,2) COMMENT 'net',\n" +
				"placed datetime NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n" +
				"UNIQUE KEY uq_select (`select`),\n" +
				"KEY ix_item (item_id, price DESC),\n" +
				"CONSTRAINT ck_price CHECK (price >= 0)\n" +
				") COMMENT='lines of orders'"},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddTable{Table: l.table(l.to, "order lines")}}
			},
			up: names, down: names,
		},
		{
			name: "rename_table",
			from: []string{itemsTable},
			to:   []string{strings.Replace(itemsTable, "items", "goods", 1)},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.RenameTable{From: "items", To: "goods"}}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(name ORDER BY id) FROM goods", "pen,ink"},
			down: names,
		},
		{
			name: "add_column",
			from: []string{itemsTable},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, note varchar(20) DEFAULT 'n/a' COMMENT 'free text')`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddColumn{Table: items, Column: l.col(l.to, "items", "note")}}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', name, ':', note) ORDER BY id) FROM items", "1:pen:n/a,2:ink:n/a"},
			down: names,
		},
		{
			name: "add_column_backfill",
			from: []string{itemsTable},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, stock int NOT NULL)`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddColumn{Table: items, Column: l.col(l.to, "items", "stock"), Backfill: "0"}}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', name, ':', stock) ORDER BY id) FROM items", "1:pen:0,2:ink:0"},
			down: names,
		},
		{
			// The downgrade of dropping a column with a default and a
			// unique key: the rows get NULL, not one default for all.
			name: "add_column_unique_default",
			from: []string{itemsTable},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, code int DEFAULT 5, UNIQUE KEY items_code (code))`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: items, Column: l.col(l.to, "items", "code")},
					&change.AddUnique{Table: items, Key: l.unique(l.to, "items", "items_code")},
				}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', COALESCE(code, '-')) ORDER BY id) FROM items", "1:-,2:-"},
			down: names,
		},
		{
			// The downgrade of dropping a NOT NULL column in a unique key,
			// with --backfill items.code=id*10: an expression per row, the
			// default set after it (MariaDB would fill 0, then the default).
			name: "add_column_unique_backfill_expression",
			from: []string{itemsTable},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, code int NOT NULL DEFAULT 5, UNIQUE KEY items_code (code))`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: items, Column: l.col(l.to, "items", "code"), Backfill: "id * 10"},
					&change.AddUnique{Table: items, Key: l.unique(l.to, "items", "items_code")},
				}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', code) ORDER BY id) FROM items", "1:10,2:20"},
			down: names,
		},
		{
			name: "drop_column",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, obsolete int)`},
			to:   []string{itemsTable},
			rows: []string{`INSERT INTO items (id, name, obsolete) VALUES (1, 'pen', 7), (2, 'ink', 8)`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.DropColumn{Table: items, Column: l.col(l.from, "items", "obsolete")}}
			},
			up: names, down: names,
		},
		{
			name: "rename_column",
			from: []string{itemsTable},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, title varchar(40) NOT NULL)`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.RenameColumn{Table: items, From: "name", To: "title"}}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', title) ORDER BY id) FROM items", "1:pen,2:ink"},
			down: names,
		},
		{
			name: "alter_column",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40), status enum('new','old') NOT NULL DEFAULT 'new', at datetime)`},
			to: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY,
				name varchar(80) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT '' COMMENT 'the item''s name',
				status enum('new','old','gone') NOT NULL DEFAULT 'old',
				at datetime DEFAULT current_timestamp() ON UPDATE current_timestamp())`},
			rows: []string{`INSERT INTO items (id, name, status) VALUES (1, 'pen', 'new'), (2, 'ink', 'old')`},
			changes: func(l *lookup) []change.Change {
				var cs []change.Change
				for _, c := range []string{"name", "status", "at"} {
					cs = append(cs, &change.AlterColumn{Table: items, From: l.col(l.from, "items", c), To: l.col(l.to, "items", c)})
				}
				return cs
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', name, ':', status) ORDER BY id) FROM items", "1:pen:new,2:ink:old"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT(id, ':', name, ':', status) ORDER BY id) FROM items", "1:pen:new,2:ink:old"},
		},
		{
			name: "alter_column_backfill",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, qty int, size smallint)`},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, qty int NOT NULL, size bigint NOT NULL DEFAULT 1)`},
			rows: []string{`INSERT INTO items (id, qty, size) VALUES (1, NULL, NULL), (2, 5, 3)`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: items, From: l.col(l.from, "items", "qty"), To: l.col(l.to, "items", "qty"), Backfill: "1"},
					&change.AlterColumn{Table: items, From: l.col(l.from, "items", "size"), To: l.col(l.to, "items", "size"), Backfill: "-1"},
				}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, qty, size) ORDER BY id) FROM items", "1:1:-1,2:5:3"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, qty, size) ORDER BY id) FROM items", "1:1:-1,2:5:3"},
		},
		{
			name: "generated_column",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a + 1) VIRTUAL, h int AS (a * 3) VIRTUAL, z int)`},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, a int, g int GENERATED ALWAYS AS (a * 2) STORED, h int AS (a * 4) VIRTUAL, z int)`},
			rows: []string{`INSERT INTO items (id, a, z) VALUES (1, 10, 100), (2, 20, 200)`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: items, From: l.col(l.from, "items", "g"), To: l.col(l.to, "items", "g")},
					&change.AlterColumn{Table: items, From: l.col(l.from, "items", "h"), To: l.col(l.to, "items", "h")},
				}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, a, g, h, z) ORDER BY id) FROM items", "1:10:20:40:100,2:20:40:80:200"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, a, g, h, z) ORDER BY id) FROM items", "1:10:11:30:100,2:20:21:60:200"},
		},
		{
			// The changes come in an order MySQL refuses (AUTO_INCREMENT
			// before its key); Render fixes it both ways.
			name: "auto_increment_key",
			from: []string{`CREATE TABLE items (id int NOT NULL, name varchar(40) NOT NULL)`},
			to:   []string{`CREATE TABLE items (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(40) NOT NULL)`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: items, From: l.col(l.from, "items", "id"), To: l.col(l.to, "items", "id")},
					&change.SetPrimaryKey{Table: items, To: l.table(l.to, "items").PrimaryKey},
				}
			},
			up: names, down: names,
		},
		{
			// An AUTO_INCREMENT column must be a key: the column and its
			// key come (and go) in one ALTER TABLE, numbering the rows.
			name: "auto_increment_column",
			from: []string{`CREATE TABLE items (code char(3) NOT NULL, name varchar(40) NOT NULL)`},
			to:   []string{`CREATE TABLE items (code char(3) NOT NULL, name varchar(40) NOT NULL, id int NOT NULL AUTO_INCREMENT PRIMARY KEY)`},
			rows: []string{`INSERT INTO items VALUES ('abc', 'pen'), ('def', 'ink')`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: items, Column: l.col(l.to, "items", "id")},
					&change.SetPrimaryKey{Table: items, To: l.table(l.to, "items").PrimaryKey},
				}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', code, name) ORDER BY id) FROM items", "abc:pen,def:ink"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', code, name) ORDER BY code) FROM items", "abc:pen,def:ink"},
		},
		{
			name: "primary_key",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, code char(3) NOT NULL)`},
			to:   []string{`CREATE TABLE items (id int NOT NULL, name varchar(40) NOT NULL, code char(3) NOT NULL, PRIMARY KEY (code, id))`},
			rows: []string{`INSERT INTO items VALUES (1, 'pen', 'abc'), (2, 'ink', 'abc')`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.SetPrimaryKey{Table: items, From: l.table(l.from, "items").PrimaryKey, To: l.table(l.to, "items").PrimaryKey}}
			},
			up: names, down: names,
		},
		{
			name: "unique_and_indexes",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, body text, pos point NOT NULL)`},
			to: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, body text, pos point NOT NULL,
				UNIQUE KEY uq_name (name),
				KEY ix_prefix (body(10), id DESC) COMMENT 'prefix',
				UNIQUE KEY ux_prefix (name(5), id),
				FULLTEXT KEY ft_body (body),
				SPATIAL KEY sp_pos (pos))`},
			rows: []string{`INSERT INTO items VALUES (1, 'pen', 'blue', POINT(1, 2)), (2, 'ink', 'black', POINT(3, 4))`},
			changes: func(l *lookup) []change.Change {
				cs := []change.Change{&change.AddUnique{Table: items, Key: l.unique(l.to, "items", "uq_name")}}
				for _, x := range []string{"ft_body", "ix_prefix", "sp_pos", "ux_prefix"} {
					cs = append(cs, &change.AddIndex{Table: items, Index: l.index(l.to, "items", x)})
				}
				return cs
			},
			up: names, down: names,
		},
		{
			name: "foreign_key",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, KEY ix_parent (parent_id))`},
			to: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, KEY ix_parent (parent_id),
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL)`},
			rows: []string{`INSERT INTO parent VALUES (1)`, `INSERT INTO child VALUES (10, 1), (11, NULL)`},
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddForeignKey{Table: change.Ref{Name: "child"}, FK: l.fk(l.to, "child", "fk_parent")}}
			},
			up:   [2]string{"SELECT COUNT(*) FROM child", "2"},
			down: [2]string{"SELECT COUNT(*) FROM child", "2"},
		},
		{
			// InnoDB made the index fk_parent for the key in to; the
			// changes list it after the key (and, inverted, drop it
			// first): Render moves it.
			name: "foreign_key_index",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int)`},
			to: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int,
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`},
			rows: []string{`INSERT INTO parent VALUES (1)`, `INSERT INTO child VALUES (10, 1)`},
			changes: func(l *lookup) []change.Change {
				child := change.Ref{Name: "child"}
				return []change.Change{
					&change.AddForeignKey{Table: child, FK: l.fk(l.to, "child", "fk_parent")},
					&change.AddIndex{Table: child, Index: l.index(l.to, "child", "fk_parent")},
				}
			},
			up:   [2]string{"SELECT COUNT(*) FROM child", "1"},
			down: [2]string{"SELECT COUNT(*) FROM child", "1"},
		},
		{
			// InnoDB refuses to change the type of a column on either
			// side of a foreign key: the key is dropped around the changes.
			name: "foreign_key_column_type",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY, code varchar(10) NOT NULL, UNIQUE KEY uq_code (code))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, code varchar(10),
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
				CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES parent (code) ON UPDATE CASCADE)`},
			to: []string{`CREATE TABLE parent (id bigint NOT NULL PRIMARY KEY, code varchar(10) COLLATE utf8mb4_bin NOT NULL, UNIQUE KEY uq_code (code))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id bigint, code varchar(10) COLLATE utf8mb4_bin,
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
				CONSTRAINT fk_code FOREIGN KEY (code) REFERENCES parent (code) ON UPDATE CASCADE)`},
			rows: []string{`INSERT INTO parent VALUES (1, 'a'), (2, 'b')`, `INSERT INTO child VALUES (10, 1, 'a'), (11, 2, NULL)`},
			changes: func(l *lookup) []change.Change {
				var cs []change.Change
				for _, tc := range [][2]string{{"parent", "id"}, {"parent", "code"}, {"child", "parent_id"}, {"child", "code"}} {
					cs = append(cs, &change.AlterColumn{Table: change.Ref{Name: tc[0]}, From: l.col(l.from, tc[0], tc[1]), To: l.col(l.to, tc[0], tc[1])})
				}
				return cs
			},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, parent_id, code) ORDER BY id) FROM child", "10:1:a,11:2"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, parent_id, code) ORDER BY id) FROM child", "10:1:a,11:2"},
		},
		{
			// Two tables that reference each other: tables first, keys
			// after (and dropped before the tables on the way down).
			name: "foreign_key_cycle",
			from: []string{itemsTable},
			to: []string{itemsTable,
				`CREATE TABLE a (id int NOT NULL PRIMARY KEY, b_id int)`,
				`CREATE TABLE b (id int NOT NULL PRIMARY KEY, a_id int, CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id))`,
				`ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id)`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AddTable{Table: l.table(l.to, "a")},
					&change.AddTable{Table: l.table(l.to, "b")},
					&change.AddForeignKey{Table: change.Ref{Name: "a"}, FK: l.fk(l.to, "a", "fk_a_b")},
					&change.AddForeignKey{Table: change.Ref{Name: "b"}, FK: l.fk(l.to, "b", "fk_b_a")},
				}
			},
			up: names, down: names,
		},
		{
			name: "check_and_comment",
			from: []string{itemsTable},
			to:   []string{itemsTable + ` COMMENT 'what''s on sale'`, `ALTER TABLE items ADD CONSTRAINT ck_name CHECK (char_length(name) > 1)`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.AddCheck{Table: items, Check: l.check(l.to, "items", "ck_name")},
					&change.SetTableComment{Table: items, To: "what's on sale"},
				}
			},
			up: names, down: names,
		},
		{
			name: "view",
			from: []string{itemsTable, `CREATE VIEW v_all AS SELECT id, name FROM items`},
			to: []string{itemsTable, `CREATE VIEW v_all AS SELECT id, name FROM items`,
				`CREATE SQL SECURITY INVOKER VIEW v_some AS SELECT id, name FROM v_all WHERE id > 0 WITH CASCADED CHECK OPTION`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddView{View: l.view(l.to, "v_some")}}
			},
			up:   [2]string{"SELECT GROUP_CONCAT(name ORDER BY id) FROM v_some", "pen,ink"},
			down: names,
		},
		{
			name: "routines",
			from: []string{itemsTable, `CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2`},
			to: []string{itemsTable, `CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x + x`,
				`CREATE PROCEDURE add_item(IN p_name varchar(40), OUT p_id int)
				COMMENT 'adds; returns the id'
				BEGIN
					SELECT COALESCE(MAX(id), 0) + 1 INTO p_id FROM items;
					INSERT INTO items (id, name) VALUES (p_id, p_name);
				END`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{
					&change.ReplaceRoutine{From: l.routine(l.from, "twice"), To: l.routine(l.to, "twice")},
					&change.AddRoutine{Routine: l.routine(l.to, "add_item")},
				}
			},
			up: names, down: names,
		},
		{
			name: "trigger",
			from: []string{itemsTable},
			to: []string{itemsTable, `CREATE TRIGGER items_bi BEFORE INSERT ON items FOR EACH ROW
				BEGIN
					IF NEW.name = '' THEN
						SET NEW.name = 'unnamed; really';
					END IF;
				END`},
			rows: itemsRows,
			changes: func(l *lookup) []change.Change {
				return []change.Change{&change.AddTrigger{Trigger: l.trigger(l.to, "items_bi")}}
			},
			up: names, down: names,
		},
	}
}

// TestRender renders every change kind, compares the SQL with the golden
// files, checks that the statements split back as they are, and applies the
// upgrade and the downgrade to a database holding rows: the result must
// format exactly as the target schema, and the rows must survive.
func TestRender(t *testing.T) {
	d := New()
	for _, tc := range renderCases() {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newInspectDB(t), newInspectDB(t)
			inspectExec(t, src, tc.from...)
			inspectExec(t, dst, tc.to...)
			from, _ := inspectDB(t, src, dialect.InspectOptions{})
			to, _ := inspectDB(t, dst, dialect.InspectOptions{})
			if d.Format(from) == d.Format(to) {
				t.Fatal("from and to format the same: the case tests nothing")
			}
			changes := tc.changes(&lookup{t: t, from: from, to: to})
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

// checkSplit fails unless the statements, joined by ";\n", split back into
// the same statements.
func checkSplit(t *testing.T, stmts []string) {
	t.Helper()
	got, err := sqlsplit.Split(strings.Join(stmts, ";\n"), sqlsplit.MySQL)
	if err != nil {
		t.Fatalf("split rendered statements: %v", err)
	}
	texts := make([]string, len(got))
	for k, s := range got {
		texts[k] = s.Text
	}
	if !slices.Equal(texts, stmts) {
		t.Errorf("rendered statements split into %d, want %d:\n%q\nwant\n%q", len(texts), len(stmts), texts, stmts)
	}
}

// TestRenderUnsupported: changes MySQL cannot express are errors that
// wrap errors.ErrUnsupported and name the change.
func TestRenderUnsupported(t *testing.T) {
	d := New()
	for _, c := range []change.Change{
		&change.AddSequence{Sequence: &schema.Sequence{Name: "seq"}},
		&change.AddType{Type: &schema.Type{Kind: schema.EnumType, Name: "mood", Values: []string{"a"}}},
		&change.AddEnumValues{From: &schema.Type{Name: "mood"}, To: &schema.Type{Name: "mood"}},
		&change.AddView{View: &schema.View{Name: "mv", Materialized: true}},
	} {
		_, err := d.Render(&schema.Schema{}, &schema.Schema{}, []change.Change{&change.SetTableComment{Table: items, To: "x"}, c})
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Render(%s) = %v, want errors.ErrUnsupported", c.Describe(), err)
			continue
		}
		if !strings.Contains(err.Error(), c.Describe()) {
			t.Errorf("Render(%s) error %q does not name the change", c.Describe(), err)
		}
	}
	if _, err := d.Render(nil, nil, []change.Change{nil}); err == nil {
		t.Error("Render(nil change) succeeded")
	}
	// A change without its object is an error naming its kind (Describe
	// would dereference the missing field).
	_, err := d.Render(nil, nil, []change.Change{&change.DropColumn{Table: items}})
	if err == nil || !strings.Contains(err.Error(), "*change.DropColumn: no column") {
		t.Errorf("Render(DropColumn without a column) = %v", err)
	}
}

// TestRenderReorder checks the order fixes on their own: a foreign key's
// supporting index before the key, dropped after it, and AUTO_INCREMENT
// after its key is added and before it is dropped. Other changes keep
// their order.
func TestRenderReorder(t *testing.T) {
	child := change.Ref{Name: "child"}
	fk := &schema.ForeignKey{Name: "fk", Columns: []string{"a", "b"}, RefTable: "p", RefColumns: []string{"x", "y"}}
	ix := &schema.Index{Name: "ix", Parts: []*schema.IndexPart{{Column: "a"}, {Column: "b"}, {Column: "c"}}}
	other := &schema.Index{Name: "other", Parts: []*schema.IndexPart{{Column: "b"}}}
	c1 := &change.SetTableComment{Table: child, To: "x"}
	addFK := &change.AddForeignKey{Table: child, FK: fk}
	addIx := &change.AddIndex{Table: child, Index: ix}
	addOther := &change.AddIndex{Table: child, Index: other}
	addElsewhere := &change.AddIndex{Table: change.Ref{Name: "t2"}, Index: ix}
	in := []change.Change{c1, addFK, addOther, addElsewhere, addIx}
	got := reorder(in)
	want := []change.Change{c1, addIx, addFK, addOther, addElsewhere}
	if !slices.Equal(got, want) {
		t.Errorf("reorder(add) = %v, want %v", describeAll(got), describeAll(want))
	}
	inv := reorder(change.Invert(in))
	var pos = map[string]int{}
	for k, c := range inv {
		pos[c.Describe()] = k
	}
	if pos[(&change.DropIndex{Table: child, Index: ix}).Describe()] < pos[(&change.DropForeignKey{Table: child, FK: fk}).Describe()] {
		t.Errorf("reorder(drop) = %v: index dropped before its foreign key", describeAll(inv))
	}
	if len(inv) != len(in) {
		t.Errorf("reorder lost changes: %v", describeAll(inv))
	}
}

func describeAll(cs []change.Change) []string {
	out := make([]string, len(cs))
	for k, c := range cs {
		out[k] = c.Describe()
	}
	return out
}

// TestCreateScratch creates two scratch databases next to a test database
// whose default collation is not the server's, uses one, and drops it with
// a cancelled context.
func TestCreateScratch(t *testing.T) {
	d := New()
	tdb := newInspectDB(t)
	inspectExec(t, tdb, "ALTER DATABASE "+d.QuoteIdent(tdb.Name)+" CHARACTER SET latin1 COLLATE latin1_bin")
	u, err := dialect.ParseURL(tdb.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, drop, err := d.CreateScratch(ctx, u)
	if err != nil {
		t.Fatalf("CreateScratch: %v", err)
	}
	var name, coll string
	if err := db.QueryRowContext(ctx, "SELECT DATABASE(), @@collation_database").Scan(&name, &coll); err != nil {
		t.Fatal(err)
	}
	hexPart, ok := strings.CutPrefix(name, ScratchPrefix)
	if !ok || len(hexPart) != 12 || strings.Trim(hexPart, "0123456789abcdef") != "" {
		t.Errorf("scratch database is %q, want %s and 12 hex digits", name, ScratchPrefix)
	}
	if coll != "latin1_bin" {
		t.Errorf("scratch collation %s, want latin1_bin (the database the URL names)", coll)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatalf("use scratch database: %v", err)
	}

	// A second one on a URL whose database does not exist: another name,
	// the server's defaults.
	db2, drop2, err := d.CreateScratch(ctx, u.WithDatabase("rt_no_such_database"))
	if err != nil {
		t.Fatalf("CreateScratch on a missing database: %v", err)
	}
	var name2 string
	if err := db2.QueryRowContext(ctx, "SELECT DATABASE(), @@collation_database").Scan(&name2, &coll); err != nil {
		t.Fatal(err)
	}
	if name2 == name || !strings.HasPrefix(name2, ScratchPrefix) {
		t.Errorf("second scratch database %q (first %q)", name2, name)
	}
	if coll == "latin1_bin" {
		t.Error("scratch database on a missing database took another database's collation")
	}
	if err := drop2(ctx); err != nil {
		t.Errorf("drop second scratch: %v", err)
	}

	cancel()
	if err := drop(ctx); err != nil {
		t.Fatalf("drop after cancel: %v", err)
	}
	if err := drop(ctx); err != nil {
		t.Errorf("second drop: %v", err)
	}
	if err := db.PingContext(context.Background()); err == nil {
		t.Error("scratch handle still open after drop")
	}
	var n int
	err = tdb.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)", name, name2).Scan(&n)
	if err != nil || n != 0 {
		t.Errorf("%d scratch databases left after drop (%v)", n, err)
	}
}

// TestCreateScratchDenied: a user without the CREATE privilege gets an
// error that says so, names dev_database, and hides the password.
func TestCreateScratchDenied(t *testing.T) {
	d := New()
	base := testdb.ServerURL(t, "mysql")
	tdb := newInspectDB(t)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	user, pw := "rt_nocreate_"+hex.EncodeToString(b[:]), "Secret-"+hex.EncodeToString(b[:])
	inspectExec(t, tdb, "CREATE USER "+d.QuoteLiteral(user)+"@'%' IDENTIFIED BY "+d.QuoteLiteral(pw),
		"GRANT SELECT ON "+d.QuoteIdent(tdb.Name)+".* TO "+d.QuoteLiteral(user)+"@'%'")
	t.Cleanup(func() {
		if _, err := tdb.DB.ExecContext(context.Background(), "DROP USER "+d.QuoteLiteral(user)+"@'%'"); err != nil {
			t.Errorf("drop user: %v", err)
		}
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	pu.User = url.UserPassword(user, pw)
	pu.Path = "/" + tdb.Name
	u, err := dialect.ParseURL(pu.String())
	if err != nil {
		t.Fatal(err)
	}
	db, drop, err := d.CreateScratch(context.Background(), u)
	if err == nil {
		drop(context.Background())
		db.Close()
		t.Fatal("CreateScratch succeeded for a user without CREATE")
	}
	var de *ScratchDeniedError
	if !errors.As(err, &de) {
		t.Fatalf("error %v (%T), want *ScratchDeniedError", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "dev_database") || !strings.Contains(msg, "may not create databases") {
		t.Errorf("error %q does not say what to do", msg)
	}
	if strings.Contains(msg, pw) {
		t.Errorf("error %q shows the password", msg)
	}
	if !strings.Contains(msg, "1044") {
		t.Errorf("error %q lost the server's error", msg)
	}
}

// diffCase is an autogenerate step as migrate runs it: diff.Compare finds
// the changes, Render renders them both ways, and both directions must
// apply to a database holding rows and reach exactly the other schema.
type diffCase struct {
	name     string
	from, to []string
	rows     []string
	opts     diff.Options
	up, down [2]string
}

func diffCases() []diffCase {
	return []diffCase{
		{
			name: "shop",
			from: []string{itemsTable},
			to: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, title varchar(80) NOT NULL, stock int NOT NULL,
					price decimal(10,2) DEFAULT 0.00, KEY ix_title (title))`,
				`CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, item_id int NOT NULL,
					placed datetime NOT NULL DEFAULT current_timestamp(),
					CONSTRAINT fk_item FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE)`,
				`CREATE VIEW v_stock AS SELECT title, stock FROM items WHERE stock > 0`},
			rows: itemsRows,
			opts: diff.Options{Renames: map[string]string{"items.name": "title"}, Backfill: map[string]string{"items.stock": "0"}},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, title, stock, price) ORDER BY id) FROM items", "1:pen:0:0.00,2:ink:0:0.00"},
			down: names,
		},
		{
			name: "drop_parent",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`},
			to: []string{`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int)`},
			// A downgrade cannot bring parent's rows back: child's rows
			// reference none, or the restored key would refuse them.
			rows: []string{`INSERT INTO parent VALUES (1)`, `INSERT INTO child VALUES (10, NULL)`},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, parent_id)) FROM child", "10"},
			down: [2]string{"SELECT COUNT(*) FROM child", "1"},
		},
		{
			name: "surrogate_key",
			from: []string{`CREATE TABLE items (code char(3) NOT NULL, name varchar(40) NOT NULL, UNIQUE KEY uq_code (code))`},
			to: []string{`CREATE TABLE items (code char(3) NOT NULL, name varchar(40) NOT NULL, id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
				UNIQUE KEY uq_code (code))`},
			rows: []string{`INSERT INTO items VALUES ('abc', 'pen'), ('def', 'ink')`},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', code, name, id IS NOT NULL) ORDER BY code) FROM items", "abc:pen:1,def:ink:1"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', code, name) ORDER BY code) FROM items", "abc:pen,def:ink"},
		},
		{
			name: "key_types",
			from: []string{`CREATE TABLE parent (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int NOT NULL, status enum('a','b') NOT NULL DEFAULT 'a',
					CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`},
			to: []string{`CREATE TABLE parent (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id bigint unsigned NOT NULL, status enum('a','b','c') NOT NULL DEFAULT 'a',
					CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`},
			rows: []string{`INSERT INTO parent (name) VALUES ('x'), ('y')`, `INSERT INTO child VALUES (10, 1, 'b'), (11, 2, 'a')`},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, parent_id, status) ORDER BY id) FROM child", "10:1:b,11:2:a"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, parent_id, status) ORDER BY id) FROM child", "10:1:b,11:2:a"},
		},
		{
			name: "implicit_fk_index",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int)`},
			to: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY)`, `CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int,
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`},
			rows: []string{`INSERT INTO parent VALUES (1)`, `INSERT INTO child VALUES (10, 1), (11, NULL)`},
			up:   [2]string{"SELECT COUNT(*) FROM child", "2"},
			down: [2]string{"SELECT COUNT(*) FROM child", "2"},
		},
		{
			// The foreign key keeps working on another index: ix_parent
			// goes, fk_parent (InnoDB's own) comes; and ix_both changes
			// its columns under the same name while fk_both needs it.
			name: "fk_index_replaced",
			from: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY, k int NOT NULL, UNIQUE KEY uq_k (k))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, k int, KEY ix_parent (parent_id), KEY ix_both (k),
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
				CONSTRAINT fk_both FOREIGN KEY (k) REFERENCES parent (k))`},
			to: []string{`CREATE TABLE parent (id int NOT NULL PRIMARY KEY, k int NOT NULL, UNIQUE KEY uq_k (k))`,
				`CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int, k int, KEY ix_both (k, id),
				CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
				CONSTRAINT fk_both FOREIGN KEY (k) REFERENCES parent (k))`},
			rows: []string{`INSERT INTO parent VALUES (1, 5)`, `INSERT INTO child VALUES (10, 1, 5)`},
			up:   [2]string{"SELECT COUNT(*) FROM child", "1"},
			down: [2]string{"SELECT COUNT(*) FROM child", "1"},
		},
		{
			// Issue 19: the key of an AUTO_INCREMENT column changes; the
			// column must stay a key throughout, so the two keys swap in
			// one ALTER TABLE (dropping the old one alone is error 1075).
			name: "auto_increment_key_swap",
			from: []string{`CREATE TABLE items (id int NOT NULL AUTO_INCREMENT, o int NOT NULL, PRIMARY KEY (id))`},
			to:   []string{`CREATE TABLE items (id int NOT NULL AUTO_INCREMENT, o int NOT NULL, PRIMARY KEY (id, o))`},
			rows: []string{`INSERT INTO items (o) VALUES (7), (8)`},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, o) ORDER BY id) FROM items", "1:7,2:8"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, o) ORDER BY id) FROM items", "1:7,2:8"},
		},
		{
			// Issues 12 and 19: MariaDB's column-level checks (a JSON
			// column's json_valid() too) cannot be dropped by name, go
			// with their column, and are lost by a MODIFY COLUMN that
			// does not restate them.
			name: "column_checks",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, c int CHECK (c > 0), added int, loose int CHECK (loose <> 0),
				gone int CHECK (gone < 5), doc json)`},
			to:   []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, c int DEFAULT 5 CHECK (c > 0), added int CHECK (added < 100), loose int)`},
			rows: []string{`INSERT INTO items VALUES (1, 1, 1, 1, 1, '{}'), (2, NULL, NULL, NULL, NULL, NULL)`},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, c, loose) ORDER BY id) FROM items", "1:1:1,2"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, c, loose) ORDER BY id) FROM items", "1:1:1,2"},
		},
		// Issues 12 and 19: indexes that back a kept foreign key, InnoDB's
		// own ones, replacements that reuse a name, keys over columns
		// added in the same revision.
		{
			name: "fk_index_name_reused",
			from: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, KEY c_pid_fk_idx (pid), KEY c_pid_idx (id, pid),
				CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			to: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, KEY c_pid_idx (pid),
				CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			rows: fkRows,
			up:   fkCount, down: fkCount,
		},
		{
			name: "fk_key_over_new_column",
			from: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int NOT NULL, name varchar(20),
				UNIQUE KEY c_pid_name_uq (pid, name), CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			to: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int NOT NULL, name varchar(20), kind int,
				UNIQUE KEY c_pid_kind_name_uq (pid, kind, name), CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			rows: []string{`INSERT INTO p VALUES (1)`, `INSERT INTO c (id, pid, name) VALUES (10, 1, 'a'), (11, 1, 'b')`},
			up:   fkCount, down: fkCount,
		},
		{
			name: "fk_own_index_served",
			from: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, created_at int,
				CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			to: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, created_at int, KEY c_pid_idx (pid, created_at),
				CONSTRAINT c_pid_fk FOREIGN KEY (pid) REFERENCES p (id))`},
			rows: fkRows,
			up:   fkCount, down: fkCount,
		},
		{
			name: "fk_own_index_unnamed",
			from: []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES p (id))`},
			to:   []string{fkParent, `CREATE TABLE c (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES p (id), INDEX idx_p (pid))`},
			rows: fkRows,
			up:   fkCount, down: fkCount,
		},
		{
			name: "fk_repointed_unnamed",
			from: []string{fkParent, `CREATE TABLE p2 (id int NOT NULL PRIMARY KEY)`,
				`CREATE TABLE c (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES p (id))`},
			to: []string{fkParent, `CREATE TABLE p2 (id int NOT NULL PRIMARY KEY)`,
				`CREATE TABLE c (id int PRIMARY KEY, pid int, FOREIGN KEY (pid) REFERENCES p2 (id))`},
			rows: []string{`INSERT INTO p VALUES (1)`, `INSERT INTO p2 VALUES (1)`, `INSERT INTO c VALUES (10, 1), (11, NULL)`},
			up:   fkCount, down: fkCount,
		},
		{
			name: "json_and_timestamps",
			from: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, qty int)`},
			to: []string{`CREATE TABLE items (id int NOT NULL PRIMARY KEY, name varchar(40) NOT NULL, qty int NOT NULL DEFAULT 0,
				data json, changed timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
				made timestamp(3) NULL DEFAULT NULL)`},
			rows: []string{`INSERT INTO items VALUES (1, 'pen', NULL), (2, 'ink', 4)`},
			opts: diff.Options{Backfill: map[string]string{"items.qty": "0"}},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, name, qty, data IS NULL, changed IS NOT NULL, made IS NULL) ORDER BY id) FROM items", "1:pen:0:1:1:1,2:ink:4:1:1:1"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', id, name, qty) ORDER BY id) FROM items", "1:pen:0,2:ink:4"},
		},
		{
			name: "code",
			from: []string{itemsTable},
			to: []string{itemsTable,
				`CREATE TABLE audit (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, item_id int, at datetime DEFAULT current_timestamp())`,
				`CREATE TRIGGER items_ai AFTER INSERT ON items FOR EACH ROW BEGIN INSERT INTO audit (item_id) VALUES (NEW.id); END`,
				`CREATE FUNCTION label(x varchar(40)) RETURNS varchar(50) DETERMINISTIC RETURN CONCAT('item ', x)`,
				`CREATE VIEW v_labels AS SELECT id, label(name) AS label FROM items`},
			rows: itemsRows,
			up:   [2]string{"SELECT GROUP_CONCAT(label ORDER BY id) FROM v_labels", "item pen,item ink"},
			down: names,
		},
		{
			name: "rename_table",
			from: []string{itemsTable, `CREATE TABLE tags (item_id int NOT NULL, tag varchar(10) NOT NULL, PRIMARY KEY (item_id, tag),
				CONSTRAINT fk_tag_item FOREIGN KEY (item_id) REFERENCES items (id))`},
			to: []string{strings.Replace(itemsTable, "items", "goods", 1), `CREATE TABLE tags (item_id int NOT NULL, tag varchar(10) NOT NULL, PRIMARY KEY (item_id, tag),
				CONSTRAINT fk_tag_item FOREIGN KEY (item_id) REFERENCES goods (id))`},
			rows: append(slices.Clone(itemsRows), `INSERT INTO tags VALUES (1, 'blue'), (2, 'black')`),
			opts: diff.Options{Renames: map[string]string{"items": "goods"}},
			up:   [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', g.name, t.tag) ORDER BY g.id) FROM goods g JOIN tags t ON t.item_id = g.id", "pen:blue,ink:black"},
			down: [2]string{"SELECT GROUP_CONCAT(CONCAT_WS(':', g.name, t.tag) ORDER BY g.id) FROM items g JOIN tags t ON t.item_id = g.id", "pen:blue,ink:black"},
		},
	}
}

// fkParent, fkRows and fkCount are the parent table, the rows and the
// check of the foreign-key index cases of diffCases.
const fkParent = `CREATE TABLE p (id int NOT NULL PRIMARY KEY)`

var (
	fkRows  = []string{`INSERT INTO p VALUES (1)`, `INSERT INTO c (id, pid) VALUES (10, 1), (11, NULL)`}
	fkCount = [2]string{"SELECT COUNT(*) FROM c", "2"}
)

// TestRenderDiff runs autogenerate steps end to end with diff.Compare.
func TestRenderDiff(t *testing.T) {
	d := New()
	for _, tc := range diffCases() {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := newInspectDB(t), newInspectDB(t)
			inspectExec(t, src, tc.from...)
			inspectExec(t, dst, tc.to...)
			from, _ := inspectDB(t, src, dialect.InspectOptions{})
			to, _ := inspectDB(t, dst, dialect.InspectOptions{})
			changes, err := diff.Compare(from, to, tc.opts)
			if err != nil {
				t.Fatalf("diff: %v", err)
			}
			if len(changes) == 0 {
				t.Fatal("diff found no changes: the case tests nothing")
			}
			up, down := rendertest.UpDown(t, d, from, to, changes)
			t.Logf("%s", rendertest.GoldenText(up, down))
			checkSplit(t, up)
			checkSplit(t, down)
			inspectExec(t, src, tc.rows...)
			applyAndCheck(t, src, "upgrade", up, to, tc.up)
			applyAndCheck(t, src, "downgrade", down, from, tc.down)
		})
	}
}

// applyAndCheck runs stmts on db one by one, then checks that the schema
// formats as want does and that the query rows[0] returns rows[1].
func applyAndCheck(t *testing.T, db *testdb.DB, what string, stmts []string, want *schema.Schema, rows [2]string) {
	t.Helper()
	d := New()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rendertest.Exec(t, what, stmts, func(s string) error {
		_, err := db.DB.ExecContext(ctx, s)
		return err
	})
	got, _ := inspectDB(t, db, dialect.InspectOptions{})
	rendertest.SameSchema(t, what, d.Format(got), d.Format(want), stmts)
	if rows[0] != "" {
		var v string
		if err := db.DB.QueryRowContext(ctx, rows[0]).Scan(&v); err != nil {
			t.Fatalf("after the %s: %s: %v", what, rows[0], err)
		}
		if v != rows[1] {
			t.Errorf("after the %s: %s = %q, want %q", what, rows[0], v, rows[1])
		}
	}
}
