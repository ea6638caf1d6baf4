package postgres

import (
	"context"
	"errors"
	"flag"
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
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

func init() {
	// The -update flag is shared with the package's other golden tests;
	// whichever file runs first defines it.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

func renderCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// renderExec runs a script (several statements, simple protocol) on db.
func renderExec(t *testing.T, db *testdb.DB, script string) {
	t.Helper()
	if strings.TrimSpace(script) == "" {
		return
	}
	if _, err := db.DB.ExecContext(renderCtx(t), script); err != nil {
		t.Fatalf("run on %s: %v\n%s", db.Name, err, script)
	}
}

// renderInspect inspects db through the public API.
func renderInspect(t *testing.T, db *testdb.DB) *schema.Schema {
	t.Helper()
	ctx := renderCtx(t)
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := New().Inspect(ctx, conn, dialect.InspectOptions{})
	if err != nil {
		t.Fatalf("inspect %s: %v", db.Name, err)
	}
	return s
}

// renderPair loads the scripts fromSQL and toSQL into two new databases
// and inspects both. It returns the "from" database, the one a test
// migrates, the two schemas and their formatted texts; it stops the test
// when the texts agree, since the scenario would then test nothing.
func renderPair(t *testing.T, d *Dialect, fromSQL, toSQL string) (db *testdb.DB, from, to *schema.Schema, fromText, toText string) {
	t.Helper()
	db = testdb.New(t, "postgres")
	dbTo := testdb.New(t, "postgres")
	renderExec(t, db, fromSQL)
	renderExec(t, dbTo, toSQL)
	from, to = renderInspect(t, db), renderInspect(t, dbTo)
	fromText, toText = d.Format(from), d.Format(to)
	if fromText == toText {
		t.Fatalf("from and to format the same: the scenario tests nothing")
	}
	return db, from, to, fromText, toText
}

// renderApply runs stmts on db in one transaction, as the runner does.
func renderApply(t *testing.T, db *testdb.DB, what string, stmts []string) {
	t.Helper()
	ctx := renderCtx(t)
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rendertest.Exec(t, what, stmts, func(s string) error {
		_, err := tx.ExecContext(ctx, s)
		return err
	})
	if err := tx.Commit(); err != nil {
		t.Fatalf("%s: commit: %v", what, err)
	}
}

func renderQuery(t *testing.T, db *testdb.DB, q string) string {
	t.Helper()
	var s *string
	if err := db.DB.QueryRowContext(renderCtx(t), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if s == nil {
		return "<null>"
	}
	return *s
}

func mustTableR(t *testing.T, s *schema.Schema, name string) *schema.Table {
	t.Helper()
	for _, tb := range s.Tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return nil
}

func mustColumnR(t *testing.T, s *schema.Schema, table, col string) *schema.Column {
	t.Helper()
	c := mustTableR(t, s, table).Column(col)
	if c == nil {
		t.Fatalf("no column %s.%s", table, col)
	}
	return c
}

func mustIndexR(t *testing.T, s *schema.Schema, table, name string) *schema.Index {
	t.Helper()
	for _, x := range mustTableR(t, s, table).Indexes {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no index %s on %s", name, table)
	return nil
}

func mustTypeR(t *testing.T, s *schema.Schema, name string) *schema.Type {
	t.Helper()
	for _, x := range s.Types {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no type %s", name)
	return nil
}

func mustSeqR(t *testing.T, s *schema.Schema, name string) *schema.Sequence {
	t.Helper()
	for _, x := range s.Sequences {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no sequence %s", name)
	return nil
}

func mustViewR(t *testing.T, s *schema.Schema, name string) *schema.View {
	t.Helper()
	for _, x := range s.Views {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no view %s", name)
	return nil
}

func mustRoutineR(t *testing.T, s *schema.Schema, name string) *schema.Routine {
	t.Helper()
	for _, x := range s.Routines {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no routine %s", name)
	return nil
}

func mustTriggerR(t *testing.T, s *schema.Schema, name string) *schema.Trigger {
	t.Helper()
	for _, x := range s.Triggers {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no trigger %s", name)
	return nil
}

func ref(name string) change.Ref { return change.Ref{Schema: "public", Name: name} }

// renderCase is one change-kind scenario: the schema before (from) and
// after (to) as SQL, the rows put into from before the upgrade, the
// changes (built by hand from the two inspected schemas), and queries
// whose results after the upgrade and after the downgrade prove that the
// rows survived.
type renderCase struct {
	name string
	from string
	to   string
	rows string
	// changes builds the changes by hand; nil for a scenario that only
	// TestRenderDiffApply runs.
	changes func(t *testing.T, from, to *schema.Schema) []change.Change
	// upQuery must give upWant after the upgrade; downQuery downWant after
	// the downgrade.
	upQuery, upWant     string
	downQuery, downWant string
	// diffGap, when set, says why diff.Compare cannot produce this
	// scenario's changes yet; TestRenderDiffApply skips it with that reason.
	diffGap string
	// opts are what diff.Compare needs to find the same changes (renames,
	// backfills).
	opts diff.Options
}

const itemsSQL = `CREATE TABLE items (
    id integer NOT NULL PRIMARY KEY,
    name varchar(40),
    price integer DEFAULT 0
);
`

const itemsRows = `INSERT INTO items (id, name, price) VALUES (1, 'apple', 3), (2, 'pear', NULL), (3, NULL, 7);`

func renderCases() []renderCase {
	return []renderCase{
		{
			name: "add_table",
			from: itemsSQL,
			to: itemsSQL + `CREATE TABLE "Order Lines" (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    item_id integer NOT NULL,
    qty integer NOT NULL DEFAULT 1 CONSTRAINT qty_positive CHECK (qty > 0),
    note text COLLATE "C",
    CONSTRAINT order_lines_item_qty UNIQUE (item_id, qty)
);
CREATE INDEX order_lines_note ON "Order Lines" (lower(note)) WHERE note IS NOT NULL;
COMMENT ON TABLE "Order Lines" IS 'one line per item';
COMMENT ON COLUMN "Order Lines".qty IS 'it''s the count';
COMMENT ON INDEX order_lines_note IS 'lookup';
`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddTable{Table: mustTableR(t, to, "Order Lines")}}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "3",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM items`, downWant: "1:apple,2:pear,3:-",
		},
		{
			name: "serial_table",
			from: ``,
			to:   `CREATE TABLE tags (id serial PRIMARY KEY, label text NOT NULL);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddSequence{Sequence: mustSeqR(t, to, "tags_id_seq")},
					&change.AddTable{Table: mustTableR(t, to, "tags")},
				}
			},
			upQuery: `SELECT pg_get_serial_sequence('tags', 'id')`, upWant: "public.tags_id_seq",
			downQuery: `SELECT count(*)::text FROM pg_class WHERE relname IN ('tags', 'tags_id_seq')`, downWant: "0",
		},
		{
			name: "rename_table",
			opts: diff.Options{Renames: map[string]string{"items": "products"}},
			from: itemsSQL,
			to:   strings.Replace(strings.Replace(itemsSQL, "items", "products", 1), "PRIMARY KEY", "CONSTRAINT items_pkey PRIMARY KEY", 1),
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.RenameTable{Schema: "public", From: "items", To: "products"}}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM products`, upWant: "1:apple,2:pear,3:-",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM items`, downWant: "1:apple,2:pear,3:-",
		},
		{
			name: "add_column",
			from: itemsSQL,
			to:   itemsSQL + `ALTER TABLE items ADD COLUMN "In Stock" boolean NOT NULL DEFAULT true; COMMENT ON COLUMN items."In Stock" IS 'available';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "In Stock")}}
			},
			upQuery: `SELECT string_agg(id || ':' || "In Stock", ',' ORDER BY id) FROM items`, upWant: "1:true,2:true,3:true",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM items`, downWant: "1:apple,2:pear,3:-",
		},
		{
			name: "add_column_backfill",
			opts: diff.Options{Backfill: map[string]string{"items.stock": "0"}},
			from: itemsSQL,
			to:   itemsSQL + `ALTER TABLE items ADD COLUMN stock integer NOT NULL;`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "stock"), Backfill: "0"}}
			},
			upQuery: `SELECT string_agg(id || ':' || stock, ',' ORDER BY id) FROM items`, upWant: "1:0,2:0,3:0",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			// The downgrade of dropping a column with a default and a
			// unique index: the rows get NULL, not one default for all.
			name: "add_column_unique_default",
			from: itemsSQL,
			to:   itemsSQL + `ALTER TABLE items ADD COLUMN code integer DEFAULT 5; CREATE UNIQUE INDEX items_code ON items (code);`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "code")},
					&change.AddIndex{Table: ref("items"), Index: mustTableR(t, to, "items").Indexes[0]},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(code::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:-,2:-,3:-",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			// The downgrade of dropping a NOT NULL column in a unique key,
			// with --backfill items.code=id*10: an expression per row, the
			// default set after it.
			name:    "add_column_unique_backfill_expression",
			diffGap: "diff backfills only columns without a default; the downgrade backfill comes from diff.SetDowngradeBackfill",
			from:    itemsSQL,
			to:      itemsSQL + `ALTER TABLE items ADD COLUMN code integer NOT NULL DEFAULT 5; ALTER TABLE items ADD CONSTRAINT items_code UNIQUE (code);`,
			rows:    itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "code"), Backfill: "id * 10"},
					&change.AddUnique{Table: ref("items"), Key: mustTableR(t, to, "items").Uniques[0]},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || code, ',' ORDER BY id) FROM items`, upWant: "1:10,2:20,3:30",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "rename_column",
			opts: diff.Options{Renames: map[string]string{"items.name": "title"}},
			from: itemsSQL,
			to:   strings.Replace(itemsSQL, "name varchar", "title varchar", 1),
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.RenameColumn{Table: ref("items"), From: "name", To: "title"}}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(title, '-'), ',' ORDER BY id) FROM items`, upWant: "1:apple,2:pear,3:-",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM items`, downWant: "1:apple,2:pear,3:-",
		},
		{
			name: "alter_column_type_default",
			from: itemsSQL,
			to: `CREATE TABLE items (
    id bigint NOT NULL PRIMARY KEY,
    name text COLLATE "C",
    price numeric(10,2) DEFAULT 1.5
);
COMMENT ON COLUMN items.price IS 'in euros';
`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				var cs []change.Change
				for _, c := range []string{"id", "name", "price"} {
					cs = append(cs, &change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", c), To: mustColumnR(t, to, "items", c)})
				}
				return cs
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(name, '-') || ':' || coalesce(price::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:apple:3.00,2:pear:-,3:-:7.00",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-') || ':' || coalesce(price::text, '-'), ',' ORDER BY id) FROM items`, downWant: "1:apple:3,2:pear:-,3:-:7",
		},
		{
			name: "alter_column_not_null_backfill",
			opts: diff.Options{Backfill: map[string]string{"items.name": "'unnamed'"}},
			from: itemsSQL,
			to:   strings.Replace(itemsSQL, "name varchar(40)", "name varchar(40) NOT NULL", 1),
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "name"),
					To: mustColumnR(t, to, "items", "name"), Backfill: "'unnamed'"}}
			},
			upQuery: `SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items`, upWant: "1:apple,2:pear,3:unnamed",
			downQuery: `SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items`, downWant: "1:apple,2:pear,3:unnamed",
		},
		{
			name: "alter_column_identity",
			from: itemsSQL,
			to:   strings.Replace(itemsSQL, "id integer NOT NULL", "id integer GENERATED ALWAYS AS IDENTITY (INCREMENT BY 10)", 1),
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "id"), To: mustColumnR(t, to, "items", "id")}}
			},
			// A new row must not collide with the three already there.
			upQuery: `WITH n AS (INSERT INTO items (name) VALUES ('new') RETURNING id) SELECT (id > 3)::text FROM n`, upWant: "true",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "4",
		},
		{
			name: "alter_column_identity_kind",
			from: strings.Replace(itemsSQL, "id integer NOT NULL", "id integer GENERATED ALWAYS AS IDENTITY", 1),
			to:   strings.Replace(itemsSQL, "id integer NOT NULL", "id integer GENERATED BY DEFAULT AS IDENTITY", 1),
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "id"), To: mustColumnR(t, to, "items", "id")}}
			},
		},
		{
			name: "alter_column_generated",
			from: itemsSQL + `ALTER TABLE items ADD COLUMN total integer GENERATED ALWAYS AS (price * 2) STORED; CREATE INDEX items_total ON items (total);`,
			to:   itemsSQL + `ALTER TABLE items ADD COLUMN total integer GENERATED ALWAYS AS (price * 3) STORED; CREATE INDEX items_total ON items (total);`,
			rows: `INSERT INTO items (id, name, price) VALUES (1, 'apple', 3), (2, 'pear', NULL);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "total"), To: mustColumnR(t, to, "items", "total")}}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(total::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:9,2:-",
			downQuery: `SELECT string_agg(id || ':' || coalesce(total::text, '-'), ',' ORDER BY id) FROM items`, downWant: "1:6,2:-",
		},
		{
			name: "alter_column_generated_to_plain",
			from: itemsSQL + `ALTER TABLE items ADD COLUMN total integer GENERATED ALWAYS AS (price * 2) STORED;`,
			to:   itemsSQL + `ALTER TABLE items ADD COLUMN total integer;`,
			rows: `INSERT INTO items (id, name, price) VALUES (1, 'apple', 3);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "total"), To: mustColumnR(t, to, "items", "total")}}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(total::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:6",
			downQuery: `SELECT string_agg(id || ':' || coalesce(total::text, '-'), ',' ORDER BY id) FROM items`, downWant: "1:6",
		},
		{
			name: "alter_column_identity_options",
			from: strings.Replace(itemsSQL, "id integer NOT NULL", "id integer GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 10)", 1),
			to:   strings.Replace(itemsSQL, "id integer NOT NULL", "id integer GENERATED BY DEFAULT AS IDENTITY (START WITH 5 CACHE 3)", 1),
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "id"), To: mustColumnR(t, to, "items", "id")}}
			},
			upQuery: `WITH n AS (INSERT INTO items (name) VALUES ('new') RETURNING id) SELECT id::text FROM n`, upWant: "4",
			downQuery: `WITH n AS (INSERT INTO items (name) VALUES ('newer') RETURNING id) SELECT id::text FROM n`, downWant: "14",
		},
		{
			name: "alter_generated_with_unique",
			from: itemsSQL + `ALTER TABLE items ADD COLUMN code text GENERATED ALWAYS AS ('i' || id) STORED CONSTRAINT items_code_key UNIQUE;
CREATE TABLE refs (code text CONSTRAINT refs_code_fk REFERENCES items (code));`,
			to: itemsSQL + `ALTER TABLE items ADD COLUMN code text GENERATED ALWAYS AS ('item-' || id) STORED CONSTRAINT items_code_key UNIQUE;
CREATE TABLE refs (code text CONSTRAINT refs_code_fk REFERENCES items (code));`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "code"), To: mustColumnR(t, to, "items", "code")},
				}
			},
			upQuery: `SELECT string_agg(code, ',' ORDER BY id) FROM items`, upWant: "item-1,item-2,item-3",
			downQuery: `SELECT string_agg(code, ',' ORDER BY id) FROM items`, downWant: "i1,i2,i3",
		},
		{
			name: "drop_tables_fk_cycle",
			from: `CREATE TABLE a (id integer PRIMARY KEY, b_id integer); CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a);
ALTER TABLE a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES b;
CREATE TABLE keep (id serial PRIMARY KEY);`,
			to:   `CREATE TABLE keep (id serial PRIMARY KEY);`,
			rows: `INSERT INTO keep DEFAULT VALUES;`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.DropForeignKey{Table: ref("a"), FK: mustTableR(t, from, "a").ForeignKeys[0]},
					&change.DropForeignKey{Table: ref("b"), FK: mustTableR(t, from, "b").ForeignKeys[0]},
					&change.DropTable{Table: mustTableR(t, from, "a")},
					&change.DropTable{Table: mustTableR(t, from, "b")},
				}
			},
			upQuery: `SELECT count(*)::text FROM keep`, upWant: "1",
			downQuery: `SELECT count(*)::text FROM keep`, downWant: "1",
		},
		{
			name: "alter_column_to_enum",
			from: `CREATE TABLE items (id integer PRIMARY KEY, status varchar(10) DEFAULT 'ok');`,
			to:   `CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE items (id integer PRIMARY KEY, status mood DEFAULT 'ok');`,
			rows: `INSERT INTO items VALUES (1, 'sad'), (2, DEFAULT), (3, NULL);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddType{Type: mustTypeR(t, to, "mood")},
					&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "status"), To: mustColumnR(t, to, "items", "status")},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(status::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:sad,2:ok,3:-",
			downQuery: `SELECT string_agg(id || ':' || coalesce(status, '-'), ',' ORDER BY id) FROM items`, downWant: "1:sad,2:ok,3:-",
		},
		{
			// PostgreSQL has no cast from one enum to another: the
			// column goes through text (issue 19).
			name: "alter_column_enum_to_enum",
			from: `CREATE TYPE a AS ENUM ('x', 'y'); CREATE TYPE b AS ENUM ('x', 'y', 'z'); CREATE TABLE items (id integer PRIMARY KEY, status a, tags a[]);`,
			to:   `CREATE TYPE a AS ENUM ('x', 'y'); CREATE TYPE b AS ENUM ('x', 'y', 'z'); CREATE TABLE items (id integer PRIMARY KEY, status b, tags b[]);`,
			rows: `INSERT INTO items VALUES (1, 'x', '{x,y}'), (2, 'y', NULL), (3, NULL, '{}');`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "status"), To: mustColumnR(t, to, "items", "status")},
					&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "tags"), To: mustColumnR(t, to, "items", "tags")},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(status::text, '-') || coalesce(tags::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:x{x,y},2:y-,3:-{}",
			downQuery: `SELECT string_agg(id || ':' || coalesce(status::text, '-') || coalesce(tags::text, '-'), ',' ORDER BY id) FROM items`, downWant: "1:x{x,y},2:y-,3:-{}",
		},
		{
			// Issue 19: a domain whose CHECK calls a function, and a
			// function whose signature names the domain: created f, d, g
			// and dropped g, d, f by their dependencies, not by kind.
			name: "domain_check_calls_function",
			from: itemsSQL,
			to: itemsSQL + `CREATE FUNCTION f(x text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT length(x) > 0 $$;
CREATE DOMAIN d AS text CHECK (f(VALUE));
CREATE FUNCTION g(v d) RETURNS d LANGUAGE sql IMMUTABLE AS $$ SELECT v $$;
ALTER TABLE items ADD COLUMN label d;`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddType{Type: mustTypeR(t, to, "d")},
					&change.AddRoutine{Routine: mustRoutineR(t, to, "f")},
					&change.AddRoutine{Routine: mustRoutineR(t, to, "g")},
					&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "label")},
				}
			},
			upQuery: `SELECT g('x')::text`, upWant: "x",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "other_schema",
			opts: diff.Options{Renames: map[string]string{"App.items.name": "title"}},
			from: `CREATE SCHEMA "App"; CREATE TABLE "App".items (id integer PRIMARY KEY, name text);`,
			to: `CREATE SCHEMA "App"; CREATE TABLE "App".items (id integer PRIMARY KEY, title text, qty integer DEFAULT 0 NOT NULL);
CREATE INDEX items_qty ON "App".items (qty);
CREATE SEQUENCE "App".counter OWNED BY "App".items.qty;`,
			rows: `INSERT INTO "App".items VALUES (1, 'a'), (2, NULL);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				r := change.Ref{Schema: "App", Name: "items"}
				var tt *schema.Table
				for _, x := range to.Tables {
					if x.Schema == "App" && x.Name == "items" {
						tt = x
					}
				}
				if tt == nil {
					t.Fatal("no App.items")
				}
				return []change.Change{
					&change.RenameColumn{Table: r, From: "name", To: "title"},
					&change.AddColumn{Table: r, Column: tt.Column("qty")},
					&change.AddIndex{Table: r, Index: tt.Indexes[0]},
					&change.AddSequence{Sequence: mustSeqR(t, to, "counter")},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || coalesce(title, '-') || ':' || qty, ',' ORDER BY id) FROM "App".items`, upWant: "1:a:0,2:-:0",
			downQuery: `SELECT string_agg(id || ':' || coalesce(name, '-'), ',' ORDER BY id) FROM "App".items`, downWant: "1:a,2:-",
		},
		{
			name: "app_evolution",
			from: `CREATE TYPE status AS ENUM ('new', 'paid');
CREATE TABLE customers (id serial PRIMARY KEY, name varchar(40) NOT NULL, email text);
CREATE TABLE orders (id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers ON DELETE CASCADE,
    status status NOT NULL DEFAULT 'new', amount integer NOT NULL);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();`,
			to: `CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE clients (id serial PRIMARY KEY, full_name varchar(80) NOT NULL, email text NOT NULL, region text NOT NULL,
    CONSTRAINT clients_email_key UNIQUE (email));
CREATE TABLE orders (id serial PRIMARY KEY, customer_id integer NOT NULL REFERENCES clients ON DELETE CASCADE,
    status status NOT NULL DEFAULT 'new', amount numeric(12,2) NOT NULL CHECK (amount >= 0), note text);
CREATE INDEX orders_customer ON orders (customer_id, status);
CREATE VIEW order_totals AS SELECT customer_id, sum(amount) AS total, count(*) AS n FROM orders GROUP BY customer_id;
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := coalesce(NEW.note, 'x'); RETURN NEW; END$$;
CREATE TRIGGER orders_stamp BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION stamp();`,
			rows: `INSERT INTO customers (name, email) VALUES ('ann', 'a@x'), ('bob', NULL);
INSERT INTO orders (customer_id, amount) VALUES (1, 10), (1, 5), (2, 7);`,
			opts: diff.Options{
				Renames:  map[string]string{"customers": "clients", "clients.name": "full_name"},
				Backfill: map[string]string{"clients.email": "'unknown'", "clients.region": "'eu'"},
			},
			// The insert proves the id sequence went past the rows.
			upQuery: `WITH n AS (INSERT INTO clients (full_name, email, region) VALUES ('cy', 'c@x', 'us') RETURNING id)
SELECT (SELECT id FROM n) || '|' || string_agg(c.full_name || ':' || c.email || ':' || c.region || ':' || t.total || ':' || t.n, ',' ORDER BY c.id)
FROM clients c JOIN order_totals t ON t.customer_id = c.id`,
			upWant: "3|ann:a@x:eu:15.00:2,bob:unknown:eu:7.00:1",
			downQuery: `WITH n AS (INSERT INTO customers (name) VALUES ('dee') RETURNING id)
SELECT (SELECT id FROM n) || '|' || string_agg(c.name || ':' || coalesce(c.email, '-') || ':' || t.total, ',' ORDER BY c.id)
FROM customers c JOIN order_totals t ON t.customer_id = c.id`,
			downWant: "4|ann:a@x:15,bob:unknown:7",
		},
		{
			name:    "alter_type_under_view",
			from:    itemsSQL + `CREATE VIEW named AS SELECT id, name FROM items WHERE name IS NOT NULL;`,
			to:      strings.Replace(itemsSQL, "name varchar(40)", "name varchar(80)", 1) + `CREATE VIEW named AS SELECT id, name FROM items WHERE name IS NOT NULL;`,
			rows:    itemsRows,
			upQuery: `SELECT string_agg(name, ',' ORDER BY id) FROM named`, upWant: "apple,pear",
			downQuery: `SELECT string_agg(name, ',' ORDER BY id) FROM named`, downWant: "apple,pear",
		},
		{
			name: "partitions_inheritance",
			from: itemsSQL,
			to: itemsSQL + `CREATE TABLE events (id integer NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX events_at ON events (at);
CREATE TABLE special_items (extra text, price integer DEFAULT 5) INHERITS (items);`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddTable{Table: mustTableR(t, to, "events")},
					&change.AddTable{Table: mustTableR(t, to, "events_2026")},
					&change.AddTable{Table: mustTableR(t, to, "special_items")},
				}
			},
			upQuery: `WITH n AS (INSERT INTO events VALUES (1, '2026-05-01') RETURNING tableoid::regclass::text) SELECT * FROM n`, upWant: "events_2026",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "primary_key",
			from: `CREATE TABLE items (id integer NOT NULL, code text NOT NULL, name text);`,
			to:   `CREATE TABLE items (id integer NOT NULL, code text NOT NULL, name text, CONSTRAINT items_pkey PRIMARY KEY (code, id));`,
			rows: `INSERT INTO items VALUES (1, 'a', 'x'), (2, 'b', NULL);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.SetPrimaryKey{Table: ref("items"), To: mustTableR(t, to, "items").PrimaryKey}}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "2",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "2",
		},
		{
			name: "primary_key_change",
			from: `CREATE TABLE items (id integer PRIMARY KEY, code text);`,
			to:   `CREATE TABLE items (id integer NOT NULL, code text, CONSTRAINT items_code_pk PRIMARY KEY (code));`,
			rows: `INSERT INTO items VALUES (1, 'a'), (2, 'b');`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.SetPrimaryKey{Table: ref("items"), From: mustTableR(t, from, "items").PrimaryKey, To: mustTableR(t, to, "items").PrimaryKey},
				}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "2",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "2",
		},
		{
			name: "unique",
			from: itemsSQL,
			to:   itemsSQL + `ALTER TABLE items ADD CONSTRAINT items_name_key UNIQUE NULLS NOT DISTINCT (name) DEFERRABLE; COMMENT ON CONSTRAINT items_name_key ON items IS 'one name';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddUnique{Table: ref("items"), Key: mustTableR(t, to, "items").Uniques[0]}}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "3",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "index",
			from: itemsSQL,
			to:   itemsSQL + `CREATE UNIQUE INDEX "Items By Name" ON items USING btree (lower(name) DESC NULLS LAST) INCLUDE (price) WHERE price > 0;`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddIndex{Table: ref("items"), Index: mustIndexR(t, to, "items", "Items By Name")}}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "3",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "foreign_keys_cycle",
			from: `CREATE TABLE a (id integer PRIMARY KEY, b_id integer); CREATE TABLE b (id integer PRIMARY KEY, a_id integer);`,
			to: `CREATE TABLE a (id integer PRIMARY KEY, b_id integer); CREATE TABLE b (id integer PRIMARY KEY, a_id integer);
ALTER TABLE a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a (id) ON UPDATE CASCADE;`,
			rows: `INSERT INTO a VALUES (1, 1); INSERT INTO b VALUES (1, 1);`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddForeignKey{Table: ref("a"), FK: mustTableR(t, to, "a").ForeignKeys[0]},
					&change.AddForeignKey{Table: ref("b"), FK: mustTableR(t, to, "b").ForeignKeys[0]},
				}
			},
			upQuery: `SELECT count(*)::text FROM a JOIN b ON b.id = a.b_id`, upWant: "1",
			downQuery: `SELECT count(*)::text FROM a`, downWant: "1",
		},
		{
			name: "check",
			from: itemsSQL,
			to:   itemsSQL + `ALTER TABLE items ADD CONSTRAINT "price >= 0" CHECK (price >= 0 AND (price < 1000 OR name IS NOT NULL));`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddCheck{Table: ref("items"), Check: mustTableR(t, to, "items").Checks[0]}}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "3",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "comments",
			from: itemsSQL + `COMMENT ON TABLE items IS 'old';`,
			to:   itemsSQL + `COMMENT ON TABLE items IS 'new\ one''s'; COMMENT ON COLUMN items.name IS 'the name';`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.SetTableComment{Table: ref("items"), From: "old", To: mustTableR(t, to, "items").Comment},
					&change.AlterColumn{Table: ref("items"), From: mustColumnR(t, from, "items", "name"), To: mustColumnR(t, to, "items", "name")},
				}
			},
		},
		{
			name: "enum_add",
			from: itemsSQL,
			to:   `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood NOT NULL DEFAULT 'ok';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddType{Type: mustTypeR(t, to, "mood")},
					&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "mood")},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || mood, ',' ORDER BY id) FROM items`, upWant: "1:ok,2:ok,3:ok",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "enum_values",
			from: `CREATE TYPE mood AS ENUM ('sad', 'happy');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy', ADD COLUMN moods mood[];`,
			to:   `CREATE TYPE mood AS ENUM ('meh', 'sad', 'ok', 'happy', 'ecstatic');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy', ADD COLUMN moods mood[];`,
			rows: itemsRows + `UPDATE items SET mood = 'sad', moods = '{sad,happy}' WHERE id = 1;`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddEnumValues{From: mustTypeR(t, from, "mood"), To: mustTypeR(t, to, "mood")}}
			},
			upQuery: `SELECT string_agg(id || ':' || mood || ':' || coalesce(moods::text, '-'), ',' ORDER BY id) FROM items`, upWant: "1:sad:{sad,happy},2:happy:-,3:happy:-",
			downQuery: `SELECT string_agg(id || ':' || mood || ':' || coalesce(moods::text, '-'), ',' ORDER BY id) FROM items`, downWant: "1:sad:{sad,happy},2:happy:-,3:happy:-",
		},
		{
			name: "enum_values_append",
			from: `CREATE TYPE mood AS ENUM ('sad', 'happy');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy';`,
			to:   `CREATE TYPE mood AS ENUM ('sad', 'happy', 'ecstatic');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy';`,
			rows: itemsRows + `UPDATE items SET mood = 'sad' WHERE id = 1;`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{&change.AddEnumValues{From: mustTypeR(t, from, "mood"), To: mustTypeR(t, to, "mood")}}
			},
			upQuery: `SELECT string_agg(id || ':' || mood, ',' ORDER BY id) FROM items`, upWant: "1:sad,2:happy,3:happy",
			downQuery: `SELECT string_agg(id || ':' || mood, ',' ORDER BY id) FROM items`, downWant: "1:sad,2:happy,3:happy",
		},
		{
			name: "enum_value_used",
			from: `CREATE TYPE mood AS ENUM ('sad', 'happy');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy';`,
			to: `CREATE TYPE mood AS ENUM ('sad', 'happy', 'ecstatic');` + itemsSQL + `ALTER TABLE items ADD COLUMN mood mood DEFAULT 'happy';
ALTER TABLE items ADD COLUMN best mood NOT NULL DEFAULT 'ecstatic';`,
			rows: itemsRows + `UPDATE items SET mood = 'sad' WHERE id = 1;`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddEnumValues{From: mustTypeR(t, from, "mood"), To: mustTypeR(t, to, "mood")},
					&change.AddColumn{Table: ref("items"), Column: mustColumnR(t, to, "items", "best")},
				}
			},
			upQuery: `SELECT string_agg(id || ':' || mood || ':' || best, ',' ORDER BY id) FROM items`, upWant: "1:sad:ecstatic,2:happy:ecstatic,3:happy:ecstatic",
			downQuery: `SELECT string_agg(id || ':' || mood, ',' ORDER BY id) FROM items`, downWant: "1:sad,2:happy,3:happy",
		},
		{
			name: "domain_composite",
			from: ``,
			to: `CREATE DOMAIN "Positive" AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE pair AS (a integer, b text COLLATE "C");
COMMENT ON DOMAIN "Positive" IS 'above zero';`,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddType{Type: mustTypeR(t, to, "Positive")},
					&change.AddType{Type: mustTypeR(t, to, "pair")},
				}
			},
		},
		{
			name: "sequence",
			from: itemsSQL + `CREATE SEQUENCE counter;`,
			to:   itemsSQL + `CREATE SEQUENCE counter AS integer INCREMENT BY 5 START WITH 100 CACHE 10 CYCLE OWNED BY items.price; CREATE SEQUENCE "Other" MINVALUE -10 START WITH -10; COMMENT ON SEQUENCE "Other" IS 'x';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AlterSequence{From: mustSeqR(t, from, "counter"), To: mustSeqR(t, to, "counter")},
					&change.AddSequence{Sequence: mustSeqR(t, to, "Other")},
				}
			},
			upQuery: `SELECT count(*)::text FROM items`, upWant: "3",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "views",
			from: itemsSQL,
			to: itemsSQL + `CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 5 WITH CASCADED CHECK OPTION;
CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(price) AS total FROM items;
CREATE UNIQUE INDEX totals_n ON totals (n);
COMMENT ON VIEW cheap IS 'under five';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddView{View: mustViewR(t, to, "cheap")},
					&change.AddView{View: mustViewR(t, to, "totals")},
				}
			},
			upQuery: `SELECT n || ':' || total FROM totals`, upWant: "3:10",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "3",
		},
		{
			name: "routines",
			from: itemsSQL + `CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
CREATE FUNCTION label(x integer) RETURNS text LANGUAGE sql AS 'SELECT x::text';`,
			to: itemsSQL + `CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + 2';
CREATE FUNCTION label(x integer) RETURNS varchar LANGUAGE sql AS 'SELECT x::varchar';
CREATE FUNCTION greatest_sfunc(a integer, b integer) RETURNS integer LANGUAGE sql AS 'SELECT greatest(a, b)';
CREATE AGGREGATE my_max(integer) (SFUNC = greatest_sfunc, STYPE = integer);
CREATE PROCEDURE bump(n integer) LANGUAGE sql AS $$UPDATE items SET price = price + n$$;
COMMENT ON FUNCTION add_one(integer) IS 'adds';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.ReplaceRoutine{From: mustRoutineR(t, from, "add_one"), To: mustRoutineR(t, to, "add_one")},
					&change.ReplaceRoutine{From: mustRoutineR(t, from, "label"), To: mustRoutineR(t, to, "label")},
					&change.AddRoutine{Routine: mustRoutineR(t, to, "greatest_sfunc")},
					&change.AddRoutine{Routine: mustRoutineR(t, to, "my_max")},
					&change.AddRoutine{Routine: mustRoutineR(t, to, "bump")},
				}
			},
			upQuery: `SELECT add_one(1) || ':' || my_max(price) FROM items`, upWant: "3:7",
			downQuery: `SELECT add_one(1)::text`, downWant: "2",
		},
		{
			name: "trigger",
			from: itemsSQL,
			to: itemsSQL + `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.price := coalesce(NEW.price, 0); RETURN NEW; END$$;
CREATE TRIGGER "Touch Items" BEFORE INSERT OR UPDATE ON items FOR EACH ROW WHEN (NEW.price IS NULL) EXECUTE FUNCTION touch();
COMMENT ON TRIGGER "Touch Items" ON items IS 'fill price';`,
			rows: itemsRows,
			changes: func(t *testing.T, from, to *schema.Schema) []change.Change {
				return []change.Change{
					&change.AddRoutine{Routine: mustRoutineR(t, to, "touch")},
					&change.AddTrigger{Trigger: mustTriggerR(t, to, "Touch Items")},
				}
			},
			upQuery: `WITH n AS (INSERT INTO items (id) VALUES (9) RETURNING price) SELECT price::text FROM n`, upWant: "0",
			downQuery: `SELECT count(*)::text FROM items`, downWant: "4",
		},
	}
}

// TestRenderApply renders each scenario's changes, checks the SQL against
// its golden file, applies the upgrade to the "from" database with rows in
// it and checks that the result inspects as "to" and the rows are there,
// then applies the downgrade (rendered from the inverted changes) and checks
// that the result inspects as "from" again.
func TestRenderApply(t *testing.T) {
	d := New()
	for _, tc := range renderCases() {
		if tc.changes == nil {
			continue // a scenario for diff and renderer together
		}
		t.Run(tc.name, func(t *testing.T) {
			dbFrom, from, to, fromText, toText := renderPair(t, d, tc.from, tc.to)
			up, down := renderBothWays(t, d, tc.name, from, to, tc.changes(t, from, to), false)

			renderExec(t, dbFrom, tc.rows)
			applyChecked(t, dbFrom, "upgrade", up, d.Format, toText)
			checkQuery(t, dbFrom, "upgrade", tc.upQuery, tc.upWant)
			applyChecked(t, dbFrom, "downgrade", down, d.Format, fromText)
			checkQuery(t, dbFrom, "downgrade", tc.downQuery, tc.downWant)
		})
	}
}

// TestRenderDiffApply is TestRenderApply with the changes found by
// diff.Compare instead of built by hand: the upgrade and the downgrade it
// renders must take the database, rows in it, from from to to and back.
func TestRenderDiffApply(t *testing.T) {
	d := New()
	for _, tc := range renderCases() {
		t.Run(tc.name, func(t *testing.T) {
			if tc.diffGap != "" {
				t.Skipf("covered by TestRenderApply only: %s", tc.diffGap)
			}
			dbFrom, from, to, fromText, toText := renderPair(t, d, tc.from, tc.to)
			changes, err := diff.Compare(from, to, tc.opts)
			if err != nil {
				t.Fatalf("diff: %v", err)
			}
			if len(changes) == 0 {
				t.Fatal("diff found no changes")
			}
			up, down := rendertest.UpDown(t, d, from, to, changes)
			renderExec(t, dbFrom, tc.rows)
			applyChecked(t, dbFrom, "upgrade", up, d.Format, toText)
			checkQuery(t, dbFrom, "upgrade", tc.upQuery, tc.upWant)
			applyChecked(t, dbFrom, "downgrade", down, d.Format, fromText)
			checkQuery(t, dbFrom, "downgrade", tc.downQuery, tc.downWant)
		})
	}
}

// TestRenderErrors checks that changes the renderer cannot express are
// errors naming the change.
func TestRenderErrors(t *testing.T) {
	d := New()
	_, err := d.Render(nil, nil, []change.Change{&change.AddColumn{Table: ref("items")}})
	if err == nil || !strings.Contains(err.Error(), "change 1") || !strings.Contains(err.Error(), "no column") {
		t.Errorf("AddColumn without a column: err = %v", err)
	}
	_, err = d.Render(nil, nil, []change.Change{nil})
	if err == nil {
		t.Errorf("nil change: no error")
	}
	_, err = d.Render(nil, nil, []change.Change{&change.AlterSequence{
		From: &schema.Sequence{Name: "a"}, To: &schema.Sequence{Name: "b"}}})
	if err == nil || !strings.Contains(err.Error(), "keeps the name") {
		t.Errorf("AlterSequence renaming: err = %v", err)
	}
}

// TestRenderRefusesMySQLKinds checks that the kinds only MySQL makes are
// refused by name, as unsupported, rather than rendered.
func TestRenderRefusesMySQLKinds(t *testing.T) {
	d := New()
	ev := &schema.Event{Name: "nightly"}
	for _, c := range []change.Change{
		&change.AddEvent{Event: ev},
		&change.DropEvent{Event: ev},
		&change.ReplaceEvent{From: ev, To: ev},
		&change.SetTableOptions{Table: ref("items")},
		&change.AlterPartitioning{Table: ref("items")},
	} {
		_, err := d.Render(nil, nil, []change.Change{c})
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "change 1") || !strings.Contains(err.Error(), "PostgreSQL") ||
			strings.Count(err.Error(), change.Label(c)) != 1 {
			t.Errorf("%T: err = %v, want errors.ErrUnsupported naming change 1 (once) and PostgreSQL", c, err)
		}
	}
}

// TestRenderQuoting checks that hostile names and texts are quoted.
func TestRenderQuoting(t *testing.T) {
	d := New()
	col := &schema.Column{Name: `we"ird`, Type: "text", Nullable: true, Comment: `it's \ here`}
	got, err := d.Render(nil, nil, []change.Change{
		&change.AddColumn{Table: change.Ref{Schema: "My Schema", Name: "select"}, Column: col},
		&change.RenameColumn{Table: ref("t"), From: "Old", To: "new"},
		&change.DropIndex{Table: ref("t"), Index: &schema.Index{Name: "Idx"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`ALTER TABLE "My Schema"."select" ADD COLUMN "we""ird" text`,
		`COMMENT ON COLUMN "My Schema"."select"."we""ird" IS E'it''s \\ here'`,
		`ALTER TABLE t RENAME COLUMN "Old" TO new`,
		`DROP INDEX "Idx"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCreateScratch creates a scratch database, uses it, and drops it
// with a cancelled context.
func TestCreateScratch(t *testing.T) {
	base := testdb.ServerURL(t, "postgres")
	u, err := dialect.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	d := New()
	ctx, cancel := context.WithCancel(context.Background())
	db, drop, err := d.CreateScratch(ctx, u)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "retort_scratch_") || len(name) != len("retort_scratch_")+12 {
		t.Errorf("scratch database name %q, want retort_scratch_ and 12 hex digits", name)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (id integer)"); err != nil {
		t.Fatal(err)
	}
	// A second connection to the scratch database stays open: WITH (FORCE)
	// must end it.
	other, err := d.Open(ctx, u.WithDatabase(name))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := drop(ctx); err != nil {
		t.Fatalf("drop after cancel: %v", err)
	}
	admin, err := d.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRowContext(context.Background(), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("scratch database %s still exists after drop", name)
	}
}

// TestCreateScratchDenied connects as a role without CREATEDB and checks
// the error names dev_database and carries the server's error.
func TestCreateScratchDenied(t *testing.T) {
	base := testdb.ServerURL(t, "postgres")
	u, err := dialect.ParseURL(base)
	if err != nil {
		t.Fatal(err)
	}
	d := New()
	ctx := renderCtx(t)
	admin, err := d.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := testdb.UniqueName(t)
	if _, err := admin.ExecContext(ctx, "CREATE ROLE "+d.QuoteIdent(role)+" LOGIN NOCREATEDB PASSWORD 's3cret-pw'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), "DROP ROLE IF EXISTS "+d.QuoteIdent(role))
	})
	pu := *u.Server
	pu.User = url.UserPassword(role, "s3cret-pw")
	ru, err := dialect.ParseURL(pu.String())
	if err != nil {
		t.Fatal(err)
	}
	db, drop, err := d.CreateScratch(ctx, ru)
	if err == nil {
		db.Close()
		drop(ctx)
		t.Fatal("CreateScratch as a role without CREATEDB succeeded")
	}
	var denied *ScratchDeniedError
	if !errors.As(err, &denied) {
		t.Fatalf("error is %T, want *ScratchDeniedError: %v", err, err)
	}
	msg := err.Error()
	for _, want := range []string{"may not create databases", "dev_database", "42501"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "s3cret-pw") {
		t.Errorf("error shows the password: %s", msg)
	}
	if sqlState(err) != "42501" {
		t.Errorf("the server's error is not in the chain: %v", err)
	}
}

// TestRenderEnumRemoveKeepsRows checks that removing an enum value that a
// row still holds fails, leaving the database as it was, instead of
// losing the row's value.
func TestRenderEnumRemoveKeepsRows(t *testing.T) {
	d := New()
	db := testdb.New(t, "postgres")
	renderExec(t, db, `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE items (id integer PRIMARY KEY, mood mood);
INSERT INTO items VALUES (1, 'ok'), (2, 'sad');`)
	from := renderInspect(t, db)
	to := &schema.Type{Kind: schema.EnumType, Schema: "public", Name: "mood", Values: []string{"sad", "happy"}}
	stmts, err := d.Render(from, from, []change.Change{&change.RemoveEnumValues{From: mustTypeR(t, from, "mood"), To: to}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := renderCtx(t)
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var failed error
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			failed = err
			break
		}
	}
	tx.Rollback()
	if failed == nil {
		t.Fatalf("removing the value 'ok' that row 1 holds succeeded:\n%s", strings.Join(stmts, ";\n"))
	}
	if sqlState(failed) != "22P02" {
		t.Errorf("error %v, want invalid_text_representation (22P02)", failed)
	}
	if got := renderQuery(t, db, `SELECT string_agg(id || ':' || mood, ',' ORDER BY id) FROM items`); got != "1:ok,2:sad" {
		t.Errorf("rows after the failed revision: %s", got)
	}
}

func TestNextvalArg(t *testing.T) {
	cases := []struct {
		def, arg string
		ok       bool
	}{
		{`nextval('items_id_seq'::regclass)`, `'items_id_seq'::regclass`, true},
		{`nextval('"App".counter'::regclass)`, `'"App".counter'::regclass`, true},
		{`nextval('a'::regclass) + 1`, "", false},
		{`(nextval('a'::regclass))`, "", false},
		{`0`, "", false},
	}
	for _, c := range cases {
		arg, ok := nextvalArg(c.def)
		if arg != c.arg || ok != c.ok {
			t.Errorf("nextvalArg(%q) = %q, %v; want %q, %v", c.def, arg, ok, c.arg, c.ok)
		}
	}
}

// renderBothWays renders changes from from to to and their inverse back,
// and checks both against the golden file name. With checkDiff it first
// checks that diff.Compare finds exactly those changes.
func renderBothWays(t *testing.T, d *Dialect, name string, from, to *schema.Schema, changes []change.Change, checkDiff bool) (up, down []string) {
	t.Helper()
	if checkDiff {
		found, err := diff.Compare(from, to, diff.Options{})
		if err != nil {
			t.Fatalf("diff: %v", err)
		}
		if got, want := describeAll(found), describeAll(changes); !slices.Equal(got, want) {
			t.Fatalf("diff.Compare found\n  %q\nwant\n  %q", got, want)
		}
	}
	up, down = rendertest.UpDown(t, d, from, to, changes)
	rendertest.Golden(t, filepath.Join("testdata", "render", name+".golden"), up, down)
	return up, down
}

// applyChecked applies stmts to db and checks that the result, printed
// by text, is want.
func applyChecked(t *testing.T, db *testdb.DB, what string, stmts []string, text func(*schema.Schema) string, want string) {
	t.Helper()
	renderApply(t, db, what, stmts)
	rendertest.SameSchema(t, what, text(renderInspect(t, db)), want, stmts)
}

// checkQuery runs query on db, when something was applied, and checks its
// one value. After a downgrade the query gets a text of its own: pgx
// caches the upgrade's plan, whose result type the downgrade may have
// changed.
func checkQuery(t *testing.T, db *testdb.DB, when, query, want string) {
	t.Helper()
	if query == "" {
		return
	}
	q := query
	if when == "downgrade" {
		q += " /* after downgrade */"
	}
	if got := renderQuery(t, db, q); got != want {
		t.Errorf("after the %s %s = %q, want %q", when, query, got, want)
	}
}
