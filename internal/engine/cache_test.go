package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/corpustest"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// TestCacheKey: every part of the key changes it; the order in which
// revisions are listed does not.
func TestCacheKey(t *testing.T) {
	sums := []revSum{{"a1", "x"}, {"b2", "y"}}
	base := cacheKey("postgres", "15", "", sums)
	if cacheKey("postgres", "15", "", []revSum{{"b2", "y"}, {"a1", "x"}}) != base {
		t.Error("the key depends on the order the revisions are listed in")
	}
	for name, k := range map[string]string{
		"dialect":        cacheKey("mysql", "15", "", sums),
		"inspection":     cacheKey("postgres", "15", "privileges true", sums),
		"server version": cacheKey("postgres", "16", "", sums),
		"checksum":       cacheKey("postgres", "15", "", []revSum{{"a1", "x"}, {"b2", "z"}}),
		"revision":       cacheKey("postgres", "15", "", sums[:1]),
	} {
		if k == base {
			t.Errorf("a different %s gives the same key", name)
		}
	}
}

// TestHeadCacheGetPut: a miss, a stored entry read back, a corrupt entry
// and an entry under another key are misses, the corrupt one with a
// warning.
func TestHeadCacheGetPut(t *testing.T) {
	var notices []source.Notice
	c := headCache{dir: filepath.Join(t.TempDir(), "retort"), key: cacheKey("sqlite", "3", "", nil), notify: func(n source.Notice) { notices = append(notices, n) }}
	if c.get() != nil || len(notices) != 1 || !notices[0].Verbose {
		t.Fatalf("empty cache: %+v; want a verbose miss", notices)
	}
	want := &schema.Schema{Dialect: "sqlite", Tables: []*schema.Table{{Name: "t", Columns: []*schema.Column{{Name: "id", Type: "INTEGER"}}}}}
	c.put(want)
	if got := c.get(); !reflect.DeepEqual(got, want) {
		t.Fatalf("get after put = %+v; want %+v", got, want)
	}
	for _, data := range []string{"{not json", `{"format":1,"key":"other","schema":{}}`, `{"format":99}`} {
		notices = nil
		if err := os.WriteFile(c.path(), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := c.get(); got != nil {
			t.Errorf("entry %q: a hit", data)
		}
		if len(notices) != 1 || notices[0].Verbose || !strings.Contains(notices[0].Msg, "unreadable head-schema cache entry") {
			t.Errorf("entry %q: notices %+v; want one warning", data, notices)
		}
	}
}

// TestHeadCacheServerFields: what only one server of a dialect has (TiDB's
// clustering and AUTO_RANDOM) comes back from the cache, whose key names
// that server's version ("tidb-8.4", never the "mysql-8.0" TiDB reports
// first: dialect/mysql's TestServerVersion).
func TestHeadCacheServerFields(t *testing.T) {
	c := headCache{dir: t.TempDir(), key: cacheKey("mysql", "tidb-8.4", "", nil), notify: func(source.Notice) {}}
	want := &schema.Schema{Dialect: "mysql", Tables: []*schema.Table{{Name: "t",
		Columns:    []*schema.Column{{Name: "id", Type: "bigint(20)", AutoRandom: "5, 54"}},
		PrimaryKey: &schema.Key{Name: "PRIMARY", Columns: []string{"id"}, Clustering: "CLUSTERED"}}}}
	c.put(want)
	if got := c.get(); !reflect.DeepEqual(got, want) {
		t.Errorf("get after put = %+v; want %+v", got, want)
	}
	if cacheKey("mysql", "tidb-8.4", "", nil) == cacheKey("mysql", "mysql-8.0", "", nil) {
		t.Error("a TiDB and a MySQL 8.0 server share cache entries")
	}
}

// TestHeadCacheRoundTrip: a real schema read back from the cache equals
// the inspected one, on each dialect (a lossy JSON form would make a hit
// answer differently from a replay). It also checks that the missing
// parent warning does not fire on them.
func TestHeadCacheRoundTrip(t *testing.T) {
	corpus := map[string]string{
		"sqlite":   "../../../shared/corpus/sakila-jooq/sqlite/sqlite-sakila-schema.sql",
		"postgres": "../../../shared/corpus/pagila/pagila-schema.sql",
		"mysql":    "../../../shared/corpus/sakila-jooq/mysql/mysql-sakila-schema.sql",
	}
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			data, err := os.ReadFile(corpus[d])
			if err != nil {
				corpustest.Missing(t, corpus[d], err)
			}
			var scratchURL *dialect.URL
			if d != "sqlite" {
				if _, scratchURL, err = dialects.ForURL(testdb.ServerURL(t, d)); err != nil {
					t.Fatal(err)
				}
			}
			dl, err := dialects.ByName(d)
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(dl, nil, nil, WithAllowEmpty())
			if err != nil {
				t.Fatal(err)
			}
			s, sc, err := m.loadDesired(ctx, GenerateOptions{Desired: []source.File{{Path: corpus[d], SQL: string(data)}}, Scratch: scratchURL})
			if err != nil {
				t.Fatal(err)
			}
			sc.close()
			// The corpus schemas reference only their own tables: no
			// foreign key warning (source.MissingParents) on any dialect.
			if n := source.MissingParents(s, []source.File{{Path: corpus[d], SQL: string(data)}}, dl.Splitter()); len(n) > 0 {
				t.Errorf("MissingParents: %v; want none", n)
			}
			c := headCache{dir: t.TempDir(), key: "k", notify: func(source.Notice) {}}
			c.put(s)
			got := c.get()
			if got == nil {
				t.Fatal("no entry")
			}
			if changes, err := diff.Compare(s, got, diff.Options{}); err != nil || len(changes) > 0 {
				t.Errorf("read back: %v, %v; want no differences", changes, err)
			}
			a, _ := json.Marshal(s)
			b, _ := json.Marshal(got)
			if string(a) != string(b) {
				t.Error("read back: the JSON differs")
			}
		})
	}
}
