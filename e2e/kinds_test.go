package e2e

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// kindCase is one kind of object with a statement that makes one, added to
// kindBase.
type kindCase struct {
	kind string
	ddl  string
	// key is the ignore key the refusal names while the kind is not
	// supported ("policy:public.t.p").
	key string
}

// kindBase is the schema every case adds its object to.
const kindBase = "CREATE TABLE t (id integer PRIMARY KEY, name varchar(20));\n"

// kindCases lists, per dialect, every kind of object the inspectors know
// about: the ones the model holds and the ones it reports as
// unrepresented (schema.Unrepresented kinds). A new kind in an inspector
// belongs here.
var kindCases = map[string][]kindCase{
	"sqlite": {
		{kind: "table", ddl: "CREATE TABLE t2 (id integer PRIMARY KEY)"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c integer"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "unique index", ddl: "CREATE UNIQUE INDEX t_name ON t (name)"},
		{kind: "foreign key", ddl: "CREATE TABLE c (id integer PRIMARY KEY, t_id integer REFERENCES t (id))"},
		{kind: "check", ddl: "CREATE TABLE c (id integer PRIMARY KEY, n integer CHECK (n > 0))"},
		{kind: "view", ddl: "CREATE VIEW v AS SELECT id FROM t"},
		{kind: "trigger", ddl: "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET name = 'x' WHERE id = NEW.id; END"},
		{kind: "without rowid", ddl: "CREATE TABLE w (id integer PRIMARY KEY) WITHOUT ROWID"},
		{kind: "virtual_table", ddl: "CREATE VIRTUAL TABLE docs USING fts5(body)", key: "virtual_table:docs"},
		{kind: "table_clause", ddl: "CREATE TABLE oc (id integer PRIMARY KEY ON CONFLICT REPLACE)", key: "table_clause:oc"},
	},
	"postgres": {
		{kind: "table", ddl: "CREATE TABLE t2 (id int PRIMARY KEY)"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c int"},
		{kind: "identity column", ddl: "CREATE TABLE t2 (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)"},
		{kind: "generated column", ddl: "CREATE TABLE t2 (a int, b int GENERATED ALWAYS AS (a * 2) STORED)"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "foreign key", ddl: "CREATE TABLE c (id int PRIMARY KEY, t_id int REFERENCES t (id))"},
		{kind: "check", ddl: "ALTER TABLE t ADD CONSTRAINT t_id CHECK (id > 0)"},
		{kind: "view", ddl: "CREATE VIEW v AS SELECT id FROM t"},
		{kind: "materialized view", ddl: "CREATE MATERIALIZED VIEW mv AS SELECT id FROM t"},
		{kind: "function and trigger", ddl: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"},
		{kind: "procedure", ddl: "CREATE PROCEDURE p() LANGUAGE sql AS $$SELECT 1$$"},
		{kind: "aggregate", ddl: "CREATE AGGREGATE s2 (int) (sfunc = int4pl, stype = int)"},
		{kind: "sequence", ddl: "CREATE SEQUENCE s"},
		{kind: "enum", ddl: "CREATE TYPE mood AS ENUM ('a', 'b')"},
		{kind: "domain", ddl: "CREATE DOMAIN pos AS int CHECK (VALUE > 0)"},
		{kind: "composite type", ddl: "CREATE TYPE pair AS (a int, b int)"},
		{kind: "range type", ddl: "CREATE TYPE ir AS RANGE (subtype = int4)"},
		{kind: "namespace", ddl: "CREATE SCHEMA app"},
		{kind: "comment", ddl: "COMMENT ON TABLE t IS 'people'"},
		{kind: "rule", ddl: "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING"},
		{kind: "partitioned table", ddl: "CREATE TABLE pt (d date) PARTITION BY RANGE (d);\nCREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"},
		{kind: "inherits", ddl: "CREATE TABLE ch (x int) INHERITS (t)"},
		{kind: "exclusion_constraint", ddl: "CREATE TABLE e (r tstzrange, CONSTRAINT ex EXCLUDE USING gist (r WITH &&))", key: "exclusion_constraint:public.e.ex"},
		{kind: "policy", ddl: "CREATE POLICY p ON t USING (name = current_user)", key: "policy:public.t.p"},
		{kind: "row_security", ddl: "ALTER TABLE t ENABLE ROW LEVEL SECURITY", key: "row_security:public.t"},
		{kind: "row_security forced", ddl: "ALTER TABLE t FORCE ROW LEVEL SECURITY", key: "row_security:public.t"},
		{kind: "grant", ddl: "GRANT SELECT ON t TO PUBLIC", key: "grant:public.t"},
		{kind: "grant on a column", ddl: "GRANT SELECT (name) ON t TO PUBLIC", key: "grant:public.t.name"},
		{kind: "revoke", ddl: "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';\nREVOKE ALL ON FUNCTION g() FROM PUBLIC", key: "grant:public.g"},
		{kind: "default privileges", ddl: "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC", key: "grant:default"},
		{kind: "statistics", ddl: "CREATE STATISTICS st ON id, name FROM t", key: "statistics:public.st"},
		{kind: "collation", ddl: `CREATE COLLATION co (provider = icu, locale = 'und')`, key: "collation:public.co"},
		{kind: "range_options", ddl: "CREATE TYPE fr AS RANGE (subtype = float8, subtype_diff = float8mi)", key: "range_options:public.fr"},
		{kind: "storage_parameters", ddl: "ALTER TABLE t SET (fillfactor = 70)", key: "storage_parameters:public.t"},
		{kind: "typed_table", ddl: "CREATE TYPE ct AS (a int);\nCREATE TABLE tt OF ct", key: "typed_table:public.tt"},
		{kind: "unlogged_sequence", ddl: "CREATE UNLOGGED SEQUENCE us", key: "unlogged_sequence:public.us"},
		{kind: "column_storage", ddl: "ALTER TABLE t ALTER COLUMN name SET STATISTICS 100", key: "column_storage:public.t.name"},
		{kind: "replica_identity", ddl: "ALTER TABLE t REPLICA IDENTITY FULL", key: "replica_identity:public.t"},
		{kind: "publication", ddl: "CREATE PUBLICATION pub FOR TABLE t", key: "publication:pub"},
		{kind: "operator", ddl: "CREATE FUNCTION eq2(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';\nCREATE OPERATOR === (leftarg = int, rightarg = int, function = eq2)", key: "operator:public.==="},
		{kind: "text_search_configuration", ddl: "CREATE TEXT SEARCH CONFIGURATION tsc (COPY = english)", key: "text_search_configuration:public.tsc"},
		{kind: "text_search_dictionary", ddl: "CREATE TEXT SEARCH DICTIONARY tsd (TEMPLATE = simple)", key: "text_search_dictionary:public.tsd"},
		{kind: "conversion", ddl: "CREATE CONVERSION conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8", key: "conversion:public.conv"},
		{kind: "foreign_data_wrapper", ddl: "CREATE FOREIGN DATA WRAPPER w", key: "foreign_data_wrapper:w"},
		{kind: "foreign_server", ddl: "CREATE FOREIGN DATA WRAPPER w;\nCREATE SERVER srv FOREIGN DATA WRAPPER w", key: "foreign_server:srv"},
		{kind: "foreign_table", ddl: "CREATE FOREIGN DATA WRAPPER w;\nCREATE SERVER srv FOREIGN DATA WRAPPER w;\nCREATE FOREIGN TABLE ft (a int) SERVER srv", key: "foreign_table:public.ft"},
		{kind: "event_trigger", ddl: "CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\nCREATE EVENT TRIGGER etr ON ddl_command_start EXECUTE FUNCTION et()", key: "event_trigger:etr"},
	},
	"mysql": {
		{kind: "table", ddl: "CREATE TABLE t2 (id int PRIMARY KEY)"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c int"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "foreign key", ddl: "CREATE TABLE c (id int PRIMARY KEY, t_id int, FOREIGN KEY (t_id) REFERENCES t (id))"},
		{kind: "check", ddl: "CREATE TABLE c (id int PRIMARY KEY, n int CHECK (n > 0))"},
		{kind: "view", ddl: "CREATE VIEW v AS SELECT id FROM t"},
		{kind: "trigger", ddl: "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.name = 'x'"},
		{kind: "function", ddl: "CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1"},
		{kind: "procedure", ddl: "CREATE PROCEDURE p() SELECT 1"},
		{kind: "sequence", ddl: "CREATE SEQUENCE seq", key: "sequence:seq"},
		{kind: "system_versioned_table", ddl: "CREATE TABLE sv (id int) WITH SYSTEM VERSIONING", key: "system_versioned_table:sv"},
		{kind: "partitioning", ddl: "CREATE TABLE p (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000))", key: "partitioning:p"},
		{kind: "table_option", ddl: "CREATE TABLE k (id int PRIMARY KEY) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8", key: "table_option:k"},
		{kind: "invisible_column", ddl: "ALTER TABLE t ADD COLUMN h int INVISIBLE", key: "invisible_column:t.h"},
		{kind: "event", ddl: "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM t", key: "event:ev"},
		{kind: "grant", ddl: "GRANT SELECT ON t TO 'retort_kinds'@'%'", key: "grant:t"},
		{kind: "grant on a column", ddl: "GRANT SELECT (name) ON t TO 'retort_kinds'@'%'", key: "grant:t.name"},
	},
}

// TestEveryKindMigratedOrRefused walks every kind of object the inspectors
// know about: added to a schema, each one is either round-tripped by
// autogenerate (a revision with at least one change, which Generate
// verifies both ways on a scratch database) or refused by name and
// file:line (issue 19). A "no changes" answer, or a check that finds the
// schemas equal, is the silent loss this test exists to catch.
func TestEveryKindMigratedOrRefused(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d)
			}
			live := newLiveDB(t, d)
			if d == "mysql" {
				ctx := context.Background()
				if _, err := live.db.ExecContext(ctx, "CREATE USER IF NOT EXISTS 'retort_kinds'@'%'"); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { live.db.ExecContext(ctx, "DROP USER IF EXISTS 'retort_kinds'@'%'") })
			}
			// Privileges on: off, they are ignored on purpose (and the
			// CLI says so), which is neither migrated nor refused.
			m, err := engine.New(mustDialect(t, d), live.db, nil, engine.WithRevisions(revisionOf("k00000000001", "", "base", kindBase, "DROP TABLE t;\n")), engine.WithPrivileges())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range kindCases[d] {
				t.Run(strings.ReplaceAll(c.kind, " ", "_"), func(t *testing.T) {
					checkKind(t, m, live, c)
				})
			}
		})
	}
}

func checkKind(t *testing.T, m *engine.Migrator, live *liveDB, c kindCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := engine.GenerateOptions{
		Desired: []source.File{{Path: "schema.sql", SQL: kindBase + "\n" + c.ddl + ";\n"}},
		Scratch: live.scratchURL(),
	}
	g, err := m.Generate(ctx, opts)
	var ue *engine.UnrepresentedError
	switch {
	case errors.As(err, &ue):
		if c.key == "" {
			t.Fatalf("refused, but the case names no ignore key (add it, or support the kind): %v", err)
		}
		found := false
		var ignore []string
		for _, o := range ue.Objects {
			ignore = append(ignore, o.Key())
			if o.Key() == c.key {
				found = true
				if o.Position == "" {
					t.Errorf("%s: no file:line in the desired schema", c.key)
				}
			}
		}
		if !found {
			t.Errorf("refused, but not naming %s: %v", c.key, err)
		}
		if _, err := m.CheckWith(ctx, opts); !errors.As(err, &ue) {
			t.Errorf("migrate refuses, but check answers %v", err)
		}
		opts.Ignore = ignore
		// Ignored, the object is still on the scratch database that
		// verifies the revision: when it depends on what the revision
		// creates (an operator on its function), the downgrade cannot
		// run while it exists, and migrate says so by its ignore key.
		var ve *engine.VerifyError
		if _, err := m.Generate(ctx, opts); errors.As(err, &ve) && slices.Contains(ve.Ignored, c.key) {
			t.Logf("ignoring %s: the revision cannot be verified while it exists, said by name: %v", c.key, err)
		} else if err != nil {
			t.Errorf("ignoring %s, migrate still fails: %v", opts.Ignore, err)
		}
	case err != nil:
		t.Fatalf("generate: %v", err)
	case len(g.Changes) == 0:
		t.Fatalf("no changes: the %s was dropped in silence", c.kind)
	default:
		changes, err := m.CheckWith(ctx, opts)
		if err != nil || len(changes) == 0 {
			t.Errorf("migrate writes %d changes, but check finds %d (err %v)", len(g.Changes), len(changes), err)
		}
	}
}
