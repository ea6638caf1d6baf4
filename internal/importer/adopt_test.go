package importer

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/script"
	_ "modernc.org/sqlite"
)

// Each tool's version table, written as the tool documents it, reads as
// the applied revision ids the converter gives; what the tool itself
// would refuse to go on from is refused.
func TestReadApplied(t *testing.T) {
	cases := []struct {
		tool     string
		setup    []string
		want     []string
		complete bool
		baseline string
		err      string
	}{
		{tool: "goose", setup: []string{
			"CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY, version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL, tstamp TIMESTAMP)",
			"INSERT INTO goose_db_version (id, version_id, is_applied) VALUES (1, 0, 1), (2, 1, 1), (3, 2, 1), (4, 3, 1), (5, 3, 0)",
		}, want: []string{"1", "2"}, complete: true},
		{tool: "golang-migrate", setup: []string{
			"CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
			"INSERT INTO schema_migrations VALUES (20240101120000, 0)",
		}, want: []string{"20240101120000"}},
		{tool: "golang-migrate", setup: []string{
			"CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
			"INSERT INTO schema_migrations VALUES (3, 1)",
		}, err: "adopt golang-migrate: schema_migrations: dirty at version 3"},
		{tool: "flyway", setup: []string{
			"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, success BOOLEAN NOT NULL)",
			"INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 1), (2, '1.10', 'b', 'SQL', 'V1.10__b.sql', 1), (3, NULL, 'user names', 'SQL', 'R__user_names.sql', 1), (4, '1.10', 'b', 'UNDO_SQL', 'U1.10__b.sql', 1)",
		}, want: []string{"1", "R_user_names"}, complete: true},
		{tool: "flyway", setup: []string{
			"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, success BOOLEAN NOT NULL)",
			"INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 0)",
		}, err: "failed migration V1__a.sql (1)"},
		{tool: "flyway", setup: []string{
			"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, success BOOLEAN NOT NULL)",
			"INSERT INTO flyway_schema_history VALUES (1, NULL, '<< Flyway Schema Creation >>', 'SCHEMA', '\"app\"', 1), (2, '1_5', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', 1), (3, '2', 'b', 'SQL', 'V2__b.sql', 1)",
		}, want: []string{"2"}, complete: true, baseline: "1.5"},
		{tool: "flyway", setup: []string{
			"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, success BOOLEAN NOT NULL)",
			"INSERT INTO flyway_schema_history VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', 1), (2, '2', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', 1)",
		}, err: "two baseline rows (versions 1 and 2)"},
		{tool: "sql-migrate", setup: []string{
			"CREATE TABLE gorp_migrations (id VARCHAR(255) PRIMARY KEY, applied_at DATETIME)",
			"INSERT INTO gorp_migrations (id) VALUES ('1_init.sql'), ('2_more.sql')",
		}, want: []string{"1_init", "2_more"}, complete: true},
		{tool: "atlas", setup: []string{
			"CREATE TABLE atlas_schema_revisions (version VARCHAR(255) PRIMARY KEY, applied BIGINT NOT NULL, total BIGINT NOT NULL, error TEXT)",
			"INSERT INTO atlas_schema_revisions VALUES ('20240101000000', 2, 3, NULL)",
		}, err: "version 20240101000000 ran 2 of 3 statements"},
		{tool: "alembic", setup: []string{
			"CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
			"INSERT INTO alembic_version VALUES ('27c6a30d7c24'), ('ae1027a6acf')",
		}, want: []string{"27c6a30d7c24", "ae1027a6acf"}},
		{tool: "dbmate", err: "adopt dbmate: schema_migrations: cannot read it"},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			db, err := sql.Open("sqlite", ":memory:")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			for _, s := range c.setup {
				if _, err := db.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			got, err := ReadApplied(context.Background(), db, c.tool)
			if c.err != "" {
				var ae *AdoptError
				if err == nil || !errors.As(err, &ae) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want an *AdoptError containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.IDs, c.want) || got.Complete != c.complete || got.Baseline != c.baseline {
				t.Fatalf("got %v (complete %v, baseline %q), want %v (complete %v, baseline %q)", got.IDs, got.Complete, got.Baseline, c.want, c.complete, c.baseline)
			}
		})
	}
}

// A Flyway baseline stands for the revisions imported from Flyway whose
// version is at most its own, compared as Flyway compares versions;
// revisions from elsewhere and those above it are not among them.
func TestResolveBaseline(t *testing.T) {
	rev := func(id, from string) *script.Revision { return &script.Revision{ID: id, ImportedFrom: from} }
	revs := []*script.Revision{
		rev("1", "flyway V1__a.sql"),
		rev("1_2", "flyway V1_2__b.sql, U1_2__b.sql"),
		rev("1_9", "flyway V1.9__c.sql"),
		rev("mine", ""),
		rev("1_10", "flyway V1.10__d.sql"),
		rev("7", "goose 7_x.sql"),
	}
	// The history also lists 1_10 as applied: it is not added twice.
	for _, c := range []struct {
		baseline   string
		below, ids []string
	}{
		{"", nil, []string{"1_10"}},
		{"0", nil, []string{"1_10"}},
		{"1", []string{"1"}, []string{"1", "1_10"}},
		{"1.5", []string{"1", "1_2"}, []string{"1", "1_2", "1_10"}},
		{"1.9", []string{"1", "1_2", "1_9"}, []string{"1", "1_2", "1_9", "1_10"}},
		{"1.10", []string{"1", "1_2", "1_9"}, []string{"1", "1_2", "1_9", "1_10"}},
		{"2", []string{"1", "1_2", "1_9"}, []string{"1", "1_2", "1_9", "1_10"}},
	} {
		a := &Applied{IDs: []string{"1_10"}, Baseline: c.baseline}
		got, err := a.ResolveBaseline(revs)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.below) || !slices.Equal(a.IDs, c.ids) {
			t.Fatalf("baseline %q: got %v, IDs %v; want %v, IDs %v", c.baseline, got, a.IDs, c.below, c.ids)
		}
	}
}
