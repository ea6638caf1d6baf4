package e2e

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/source"
)

// kindCase is one kind of object with a statement that makes one, added to
// kindBase.
type kindCase struct {
	kind string
	ddl  string
	// refuse is the ignore key ("policy:public.t.p") of the object
	// migrate, check and drift must refuse by name; empty, the case
	// must be migrated (a revision with changes, verified both ways).
	refuse string
	// byHand: the model holds the object, but autogenerate cannot
	// express the change, and says so by name (diff.UnsupportedError):
	// the revision is written by hand.
	byHand bool
}

// kindBase is the schema every case adds its object to.
const kindBase = "CREATE TABLE t (id integer PRIMARY KEY, name varchar(20));\n"

// kindCases make, per dialect, every kind of object the inspectors know
// about, each with what must become of it. The test reads the kinds from
// the code (inspectorKinds, modelKinds) and fails for one that no case
// makes: a kind added to an inspector or to the model belongs here.
var kindCases = map[string][]kindCase{
	"sqlite": {
		{kind: "table", ddl: "CREATE TABLE t2 (id integer PRIMARY KEY)"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c integer"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "unique index", ddl: "CREATE UNIQUE INDEX t_name ON t (name)"},
		{kind: "unique constraint", ddl: "CREATE TABLE u (id integer PRIMARY KEY, e text UNIQUE)"},
		{kind: "foreign key", ddl: "CREATE TABLE c (id integer PRIMARY KEY, t_id integer REFERENCES t (id))"},
		{kind: "check", ddl: "CREATE TABLE c (id integer PRIMARY KEY, n integer CHECK (n > 0))"},
		{kind: "view", ddl: "CREATE VIEW v AS SELECT id FROM t"},
		{kind: "trigger", ddl: "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET name = 'x' WHERE id = NEW.id; END"},
		{kind: "without rowid", ddl: "CREATE TABLE w (id integer PRIMARY KEY) WITHOUT ROWID"},
		{kind: "strict", ddl: "CREATE TABLE st (id integer PRIMARY KEY) STRICT"},
		{kind: "virtual_table", ddl: "CREATE VIRTUAL TABLE docs USING fts5(body)", refuse: "virtual_table:docs"},
		{kind: "table_clause", ddl: "CREATE TABLE oc (id integer PRIMARY KEY ON CONFLICT REPLACE)", refuse: "table_clause:oc"},
	},
	"postgres": {
		{kind: "table", ddl: "CREATE TABLE t2 (id int PRIMARY KEY)"},
		{kind: "unlogged table", ddl: "CREATE UNLOGGED TABLE ul (id int PRIMARY KEY)"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c int"},
		{kind: "identity column", ddl: "CREATE TABLE t2 (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY)"},
		{kind: "generated column", ddl: "CREATE TABLE t2 (a int, b int GENERATED ALWAYS AS (a * 2) STORED)"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "cluster on", ddl: "CREATE TABLE cl (id int PRIMARY KEY, n int);\nCREATE INDEX cl_n ON cl (n);\nALTER TABLE cl CLUSTER ON cl_n"},
		{kind: "cluster on a table of the head", ddl: "CREATE INDEX t_name ON t (name);\nALTER TABLE t CLUSTER ON t_name"},
		{kind: "comment on a view column", ddl: "CREATE VIEW v AS SELECT id FROM t;\nCOMMENT ON COLUMN v.id IS 'the id'", byHand: true},
		{kind: "unique constraint", ddl: "ALTER TABLE t ADD CONSTRAINT t_name_key UNIQUE (name)"},
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
		{kind: "extension", ddl: "CREATE EXTENSION citext"},
		{kind: "comment", ddl: "COMMENT ON TABLE t IS 'people'"},
		{kind: "comment on a constraint", ddl: "COMMENT ON CONSTRAINT t_pkey ON t IS 'the key'"},
		{kind: "rule", ddl: "CREATE RULE r AS ON DELETE TO t DO INSTEAD NOTHING"},
		{kind: "partitioned table", ddl: "CREATE TABLE pt (d date) PARTITION BY RANGE (d);\nCREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')"},
		{kind: "inherits", ddl: "CREATE TABLE ch (x int) INHERITS (t)"},
		{kind: "exclusion constraint", ddl: "CREATE TABLE e (r tstzrange, CONSTRAINT ex EXCLUDE USING gist (r WITH &&))"},
		{kind: "policy", ddl: "CREATE POLICY p ON t USING (name = current_user)"},
		{kind: "row security", ddl: "ALTER TABLE t ENABLE ROW LEVEL SECURITY"},
		{kind: "row security forced", ddl: "ALTER TABLE t FORCE ROW LEVEL SECURITY"},
		{kind: "grant", ddl: "GRANT SELECT ON t TO PUBLIC"},
		{kind: "revoke", ddl: "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';\nREVOKE ALL ON FUNCTION g() FROM PUBLIC"},
		{kind: "grant on a column", ddl: "GRANT SELECT (name) ON t TO PUBLIC", refuse: "grant:public.t.name"},
		{kind: "grant on a type", ddl: "CREATE TYPE gt AS ENUM ('a');\nREVOKE USAGE ON TYPE gt FROM PUBLIC", refuse: "grant:public.gt"},
		{kind: "default privileges", ddl: "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC", refuse: "grant:default"},
		{kind: "statistics", ddl: "CREATE STATISTICS st ON id, name FROM t", refuse: "statistics:public.st"},
		{kind: "collation", ddl: `CREATE COLLATION co (provider = icu, locale = 'und')`, refuse: "collation:public.co"},
		{kind: "range_options", ddl: "CREATE TYPE fr AS RANGE (subtype = float8, subtype_diff = float8mi)", refuse: "range_options:public.fr"},
		{kind: "storage_parameters", ddl: "ALTER TABLE t SET (fillfactor = 70)", refuse: "storage_parameters:public.t"},
		{kind: "typed_table", ddl: "CREATE TYPE ct AS (a int);\nCREATE TABLE tt OF ct", refuse: "typed_table:public.tt"},
		{kind: "unlogged_sequence", ddl: "CREATE UNLOGGED SEQUENCE us", refuse: "unlogged_sequence:public.us"},
		{kind: "column_storage", ddl: "ALTER TABLE t ALTER COLUMN name SET STATISTICS 100", refuse: "column_storage:public.t.name"},
		{kind: "replica_identity", ddl: "ALTER TABLE t REPLICA IDENTITY FULL", refuse: "replica_identity:public.t"},
		{kind: "publication", ddl: "CREATE PUBLICATION pub FOR TABLE t", refuse: "publication:pub"},
		{kind: "operator", ddl: "CREATE FUNCTION eq2(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';\nCREATE OPERATOR === (leftarg = int, rightarg = int, function = eq2)", refuse: "operator:public.==="},
		{kind: "operator_class", ddl: "CREATE OPERATOR CLASS myops FOR TYPE int USING btree AS OPERATOR 1 <, FUNCTION 1 btint4cmp(int, int)", refuse: "operator_class:public.myops"},
		{kind: "operator_family", ddl: "CREATE OPERATOR FAMILY fam USING btree", refuse: "operator_family:public.fam"},
		{kind: "cast", ddl: "CREATE TYPE pr AS (a int);\nCREATE FUNCTION pr_of(int) RETURNS pr LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1)::pr';\nCREATE CAST (int AS pr) WITH FUNCTION pr_of(int)", refuse: "cast:integer.pr"},
		{kind: "base_type", ddl: "CREATE TYPE bt;\nCREATE FUNCTION bt_in(cstring) RETURNS bt LANGUAGE internal IMMUTABLE STRICT AS 'int4in';\nCREATE FUNCTION bt_out(bt) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';\nCREATE TYPE bt (INPUT = bt_in, OUTPUT = bt_out, LIKE = int4)", refuse: "base_type:public.bt"},
		{kind: "text_search_configuration", ddl: "CREATE TEXT SEARCH CONFIGURATION tsc (COPY = english)", refuse: "text_search_configuration:public.tsc"},
		{kind: "text_search_dictionary", ddl: "CREATE TEXT SEARCH DICTIONARY tsd (TEMPLATE = simple)", refuse: "text_search_dictionary:public.tsd"},
		{kind: "conversion", ddl: "CREATE CONVERSION conv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8", refuse: "conversion:public.conv"},
		{kind: "foreign_data_wrapper", ddl: "CREATE FOREIGN DATA WRAPPER w", refuse: "foreign_data_wrapper:w"},
		{kind: "foreign_server", ddl: "CREATE FOREIGN DATA WRAPPER w;\nCREATE SERVER srv FOREIGN DATA WRAPPER w", refuse: "foreign_server:srv"},
		{kind: "foreign_table", ddl: "CREATE FOREIGN DATA WRAPPER w;\nCREATE SERVER srv FOREIGN DATA WRAPPER w;\nCREATE FOREIGN TABLE ft (a int) SERVER srv", refuse: "foreign_table:public.ft"},
		{kind: "event_trigger", ddl: "CREATE FUNCTION et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\nCREATE EVENT TRIGGER etr ON ddl_command_start EXECUTE FUNCTION et()", refuse: "event_trigger:etr"},
	},
	"mysql": {
		{kind: "table", ddl: "CREATE TABLE t2 (id int PRIMARY KEY)"},
		{kind: "engine", ddl: "CREATE TABLE my (id int PRIMARY KEY) ENGINE=MyISAM"},
		{kind: "character set", ddl: "CREATE TABLE lat (id int PRIMARY KEY) DEFAULT CHARSET=latin1 COLLATE=latin1_bin"},
		{kind: "column", ddl: "ALTER TABLE t ADD COLUMN c int"},
		{kind: "index", ddl: "CREATE INDEX t_name ON t (name)"},
		{kind: "unique key", ddl: "ALTER TABLE t ADD CONSTRAINT t_name UNIQUE (name)"},
		{kind: "foreign key", ddl: "CREATE TABLE c (id int PRIMARY KEY, t_id int, FOREIGN KEY (t_id) REFERENCES t (id))"},
		{kind: "check", ddl: "CREATE TABLE c (id int PRIMARY KEY, n int CHECK (n > 0))"},
		{kind: "view", ddl: "CREATE VIEW v AS SELECT id FROM t"},
		{kind: "trigger", ddl: "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.name = 'x'"},
		{kind: "function", ddl: "CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1"},
		{kind: "procedure", ddl: "CREATE PROCEDURE p() SELECT 1"},
		{kind: "partitioning", ddl: "CREATE TABLE p (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000))"},
		{kind: "table options", ddl: "CREATE TABLE k (id int PRIMARY KEY) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8"},
		{kind: "event", ddl: "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO DELETE FROM t"},
		{kind: "subpartitioning", ddl: "CREATE TABLE sp (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (PARTITION p0 VALUES LESS THAN (2000))", refuse: "partitioning:sp"},
		{kind: "sequence", ddl: "CREATE SEQUENCE seq", refuse: "sequence:seq"},
		{kind: "system_versioned_table", ddl: "CREATE TABLE sv (id int) WITH SYSTEM VERSIONING", refuse: "system_versioned_table:sv"},
		{kind: "invisible_column", ddl: "ALTER TABLE t ADD COLUMN h int INVISIBLE", refuse: "invisible_column:t.h"},
		{kind: "grant", ddl: "GRANT SELECT ON t TO 'retort_kinds'@'%'", refuse: "grant:t"},
		{kind: "grant on a column", ddl: "GRANT SELECT (name) ON t TO 'retort_kinds'@'%'", refuse: "grant:t.name"},
	},
}

// byHandOnly are the model's kinds that no revision autogenerate writes
// holds: a case makes one, and migrate names it and says to write the
// revision by hand (byHand), with the reason. An entry for a kind the
// model no longer has fails the test.
var byHandOnly = map[string]string{
	"Schema.Comments": "comments on objects without a Comment field (a view's columns): diff names them, no change type expresses them",
}

// unreachable are, per dialect, the kinds an inspector reports that no
// case can make on the test servers, and its catch-all reports
// ("file.go:function": the kind is the server's own word for an object
// the inspector does not know), each with the reason. An entry here
// that the code no longer has fails the test too.
var unreachable = map[string]map[string]string{
	"sqlite": {
		"inspect.go:add": "a type in sqlite_schema other than table, index, view and trigger: SQLite has no other",
	},
	"postgres": {
		"tablespace": "CREATE TABLESPACE needs a directory on the server's host, which the test cannot make",
	},
	"mysql": {
		"inspect.go:inspectTables":   "a TABLE_TYPE other than BASE TABLE, VIEW, SEQUENCE and SYSTEM VERSIONED: MariaDB 10.11 lists no other for a database's own tables",
		"inspect.go:inspectRoutines": "a ROUTINE_TYPE other than FUNCTION and PROCEDURE (MariaDB's PACKAGE in sql_mode ORACLE, which a schema file loaded on several connections cannot set)",
	},
}

// TestEveryKindMigratedOrRefused walks every kind of object the inspectors
// know about: added to a schema, each one is either round-tripped by
// autogenerate (a revision with at least one change, which Generate
// verifies both ways on a scratch database) or refused by name and
// file:line (issue 19), as its case says. A "no changes" answer, or a
// check that finds the schemas equal, is the silent loss this test exists
// to catch. The kinds are read from the code: every kind of unrepresented
// object an inspector's source reports must be refused by a case
// (inspectorKinds), and every field of the model must be made by a
// migrated case on one of the databases (modelKinds).
func TestEveryKindMigratedOrRefused(t *testing.T) {
	model := modelKinds(t)
	covered := map[string]bool{}
	ran := 0
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			if d != "sqlite" {
				testdb.ServerURL(t, d)
			}
			kinds := checkCasesCoverKinds(t, d)
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
					for _, k := range checkKind(t, m, live, c, kinds) {
						covered[k] = true
					}
				})
			}
			ran++
		})
	}
	if ran < len(testdb.Dialects) {
		t.Logf("the model's kinds are checked only when every database ran (%d of %d did)", ran, len(testdb.Dialects))
		return
	}
	for k := range byHandOnly {
		if !slices.Contains(model, k) {
			t.Errorf("byHandOnly excuses %s, which the model no longer has: remove the entry", k)
		}
	}
	for _, k := range model {
		if !covered[k] && byHandOnly[k] == "" {
			t.Errorf("the model holds %s, but no case migrates one: add a case that makes one to kindCases", k)
		}
	}
}

// checkCasesCoverKinds fails the test for each kind of unrepresented
// object dialect d's inspector reports that no case makes (and that
// unreachable does not excuse), for each catch-all report unreachable
// does not explain, and for each excuse the code no longer needs. It
// returns the kinds.
func checkCasesCoverKinds(t *testing.T, d string) map[string]string {
	kinds, catchAll := inspectorKinds(t, d)
	refused := map[string]bool{}
	for _, c := range kindCases[d] {
		if c.refuse == "" {
			continue
		}
		kind, _, _ := strings.Cut(c.refuse, ":")
		refused[kind] = true
		if _, ok := kinds[kind]; !ok {
			t.Errorf("case %q expects a refusal of kind %q, which the %s inspector's source does not report (or inspectorKinds no longer finds it)", c.kind, kind, d)
		}
	}
	for kind, at := range kinds {
		if !refused[kind] && unreachable[d][kind] == "" {
			t.Errorf("the %s inspector reports unrepresented objects of kind %q (%s), but no case makes one: add one to kindCases[%q] with its ignore key (or say in unreachable why no test server can make one)", d, kind, at, d)
		}
	}
	for _, site := range catchAll {
		if unreachable[d][site] == "" {
			t.Errorf("%s (dialect/%s) reports unrepresented objects without naming their kind: name it and add a case, or say in unreachable[%q] what it catches", site, d, d)
		}
	}
	for k := range unreachable[d] {
		if _, ok := kinds[k]; !ok && !slices.Contains(catchAll, k) {
			t.Errorf("unreachable[%q] excuses %q, which dialect/%s no longer reports: remove the entry", d, k, d)
		}
	}
	return kinds
}

// checkKind runs one case: migrated (a verified revision with changes,
// and check finds them), it returns the model's kinds the revision made;
// refused, it checks the refusal.
func checkKind(t *testing.T, m *engine.Migrator, live *liveDB, c kindCase, kinds map[string]string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := engine.GenerateOptions{
		Desired: []source.File{{Path: "schema.sql", SQL: kindBase + "\n" + c.ddl + ";\n"}},
		Scratch: live.scratchURL(),
	}
	g, err := m.Generate(ctx, opts)
	if c.refuse != "" {
		checkRefused(ctx, t, m, opts, c, err, kinds)
		return nil
	}
	if c.byHand {
		var de *diff.UnsupportedError
		if !errors.As(err, &de) {
			t.Fatalf("migrate must name the %s as a change it cannot express, but answers %v", c.kind, err)
		}
		if _, err := m.CheckWith(ctx, opts); !errors.As(err, &de) {
			t.Errorf("migrate names the %s as a change it cannot express, but check answers %v", c.kind, err)
		}
		return nil
	}
	var ue *engine.UnrepresentedError
	switch {
	case errors.As(err, &ue):
		t.Fatalf("the %s must be migrated, but migrate refuses it: %v", c.kind, err)
	case err != nil:
		t.Fatalf("generate: %v", err)
	case len(g.Changes) == 0:
		t.Fatalf("no changes: the %s was dropped in silence", c.kind)
	}
	changes, err := m.CheckWith(ctx, opts)
	if err != nil || len(changes) == 0 {
		t.Errorf("migrate writes %d changes, but check finds %d (err %v)", len(g.Changes), len(changes), err)
	}
	return coveredKinds(g.Current, g.Desired)
}

// checkRefused checks that migrate (err) and check refuse the case's
// object by its ignore key, with its file:line, that every object refused
// is of a kind inspectorKinds found, and that ignoring them lets migrate
// go on.
func checkRefused(ctx context.Context, t *testing.T, m *engine.Migrator, opts engine.GenerateOptions, c kindCase, err error, kinds map[string]string) {
	var ue *engine.UnrepresentedError
	if !errors.As(err, &ue) {
		t.Fatalf("the %s must be refused by name (%s), but migrate answers %v", c.kind, c.refuse, err)
	}
	found := false
	var ignore []string
	for _, o := range ue.Objects {
		ignore = append(ignore, o.Key())
		if _, ok := kinds[o.Kind]; !ok {
			t.Errorf("refused %s, of a kind inspectorKinds did not find in the inspector's source", o.Key())
		}
		if o.Key() == c.refuse {
			found = true
			if o.Position == "" {
				t.Errorf("%s: no file:line in the desired schema", c.refuse)
			}
		}
	}
	if !found {
		t.Errorf("refused, but not naming %s: %v", c.refuse, err)
	}
	if _, err := m.CheckWith(ctx, opts); !errors.As(err, &ue) {
		t.Errorf("migrate refuses, but check answers %v", err)
	}
	opts.Ignore = ignore
	// Ignored, the object is still on the scratch database that
	// verifies the revision: when it depends on what the revision
	// creates (an operator on its function), the downgrade cannot run
	// while it exists, and migrate says so by its ignore key.
	var ve *engine.VerifyError
	if _, err := m.Generate(ctx, opts); errors.As(err, &ve) && slices.Contains(ve.Ignored, c.refuse) {
		t.Logf("ignoring %s: the revision cannot be verified while it exists, said by name: %v", c.refuse, err)
	} else if err != nil {
		t.Errorf("ignoring %s, migrate still fails: %v", opts.Ignore, err)
	}
}
