package importer

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

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
			if !slices.Equal(got.IDs, c.want) || got.Complete != c.complete {
				t.Fatalf("got %v (complete %v), want %v (complete %v)", got.IDs, got.Complete, c.want, c.complete)
			}
		})
	}
}
