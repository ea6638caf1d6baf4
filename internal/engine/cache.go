package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// headCacheFormat versions the cache's entries and keys: change it
// whenever what an entry holds (schema.Schema's JSON) or how a key is
// made changes, so that old entries are never read as new ones.
const headCacheFormat = 2 // 2: schema.NameRules.RoutineKinds

// headEntry is one cache file: the inspected schema that replaying a set
// of revisions produces.
type headEntry struct {
	Format int            `json:"format"`
	Key    string         `json:"key"`
	Schema *schema.Schema `json:"schema"`
}

// headCache is the cache entry of one replay (issue 14, decision 1). The
// zero value caches nothing.
type headCache struct {
	dir, key string
	// what says what the entry is of, for -v: "3 revisions, server 15".
	what   string
	notify func(source.Notice)
}

// revSum is a revision's id and file checksum, a line of a cache key.
type revSum struct{ id, checksum string }

// replaySteps are the revisions that replaying targets applies, in
// order: every target in turn, nil meaning the heads.
func (m *Migrator) replaySteps(targets []string) ([]revision.Step, error) {
	if targets == nil {
		targets = []string{"heads"}
	}
	var applied []string
	var steps []revision.Step
	for _, t := range targets {
		tg, err := revision.ParseTarget(t)
		if err != nil {
			return nil, err
		}
		p, err := m.graph.Upgrade(applied, tg)
		if err != nil {
			return nil, err
		}
		for _, st := range p.Steps {
			steps = append(steps, st)
			applied = append(applied, st.Revision.ID)
		}
	}
	return steps, nil
}

// headCacheFor returns the cache entry of the schema that replaying
// targets produces. It caches nothing when opts.CacheDir is empty, when a
// revision on the path is written in Go (its code has no checksum) or
// has none, or when the server's version cannot be read (each said with
// -v): the caller then replays, as without a cache.
func (m *Migrator) headCacheFor(ctx context.Context, opts GenerateOptions, targets []string, extra ...*script.Revision) headCache {
	notify := opts.Notify
	if notify == nil {
		notify = func(source.Notice) {}
	}
	if opts.CacheDir == "" {
		return headCache{}
	}
	steps, err := m.replaySteps(targets)
	if err != nil {
		return headCache{}
	}
	var sums []revSum
	for _, st := range steps {
		sums = append(sums, revSum{st.Revision.ID, st.Revision.Checksum})
	}
	for _, r := range extra {
		sums = append(sums, revSum{r.ID, r.Checksum})
	}
	for _, st := range steps {
		if st.Revision.Go || st.Revision.Checksum == "" {
			notify(source.Notice{Path: "head cache", Verbose: true, Msg: fmt.Sprintf("not used: revision %s is written in Go or has no file checksum", st.Revision.ID)})
			return headCache{}
		}
	}
	version, err := m.serverVersion(ctx, opts)
	if err != nil {
		notify(source.Notice{Path: "head cache", Verbose: true, Msg: fmt.Sprintf("not used: %v", err)})
		return headCache{}
	}
	return headCache{
		dir:    opts.CacheDir,
		key:    cacheKey(m.dialect.Name(), version, m.inspectSettings(opts.Schema), sums),
		what:   fmt.Sprintf("%d revisions, %s %s", len(sums), m.dialect.Name(), version),
		notify: notify,
	}
}

// inspectSettings is what, besides the revisions, changes what inspecting
// the replayed head gives: whether privileges are read, which version
// tables are left out, and the schema of a drift scoped to one (ns, whose
// name the inspected objects carry; keys without one are as before).
func (m *Migrator) inspectSettings(ns string) string {
	s := fmt.Sprintf("privileges %t tables %s %s", m.o.privileges, m.o.tables.Revisions, m.o.tables.Log)
	if ns != "" {
		s += " schema " + ns
	}
	return s
}

// cacheKey is the hex SHA-256 of everything that determines a replayed
// schema as retort inspects it: the cache format, the dialect, the
// server's version, the inspection settings and the revisions applied
// with their file checksums. The revisions are sorted: the same set of
// files always replays in the same order.
func cacheKey(dialectName, version, inspect string, sums []revSum) string {
	sums = slices.Clone(sums)
	slices.SortFunc(sums, func(a, b revSum) int { return cmp.Compare(a.id, b.id) })
	h := sha256.New()
	fmt.Fprintf(h, "retort head cache\nformat %d\ndialect %s\nserver %s\ninspect %s\n", headCacheFormat, dialectName, version, inspect)
	for _, s := range sums {
		fmt.Fprintf(h, "%s %s\n", s.id, s.checksum)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// serverVersion reads the version of the server that scratch databases
// live on (for SQLite, the linked library's).
func (m *Migrator) serverVersion(ctx context.Context, opts GenerateOptions) (string, error) {
	u := opts.DevDatabase
	if u == nil {
		u = opts.Scratch
	}
	if u == nil {
		u = &dialect.URL{Dialect: m.dialect.Name(), Path: ":memory:"}
	}
	db, err := m.dialect.Open(ctx, u)
	if err != nil {
		return "", err
	}
	defer db.Close()
	return m.dialect.ServerVersion(ctx, db)
}

func (c headCache) path() string { return filepath.Join(c.dir, c.key+".json") }

// get returns the cached schema, or nil on a miss. An entry that cannot
// be read or decoded is a miss with a warning, never an error.
func (c headCache) get() *schema.Schema {
	if c.key == "" {
		return nil
	}
	data, err := os.ReadFile(c.path())
	if errors.Is(err, fs.ErrNotExist) {
		c.notify(source.Notice{Path: "head cache", Verbose: true, Msg: fmt.Sprintf("miss (%s): replaying the migrations", c.what)})
		return nil
	}
	var e headEntry
	if err == nil {
		err = json.Unmarshal(data, &e)
	}
	if err == nil && (e.Format != headCacheFormat || e.Key != c.key || e.Schema == nil) {
		err = fmt.Errorf("format %d, key %.12s: not this entry", e.Format, e.Key)
	}
	if err != nil {
		c.notify(source.Notice{Path: c.path(), Msg: fmt.Sprintf("unreadable head-schema cache entry, replaying the migrations instead (%v); --no-cache skips the cache", err)})
		return nil
	}
	c.notify(source.Notice{Path: "head cache", Verbose: true, Msg: fmt.Sprintf("hit (%s): no replay", c.what)})
	return e.Schema
}

// put stores s as the entry, through a temporary file renamed into
// place, so that a reader never sees half an entry. A failure is a
// warning: the cache only saves time.
func (c headCache) put(s *schema.Schema) {
	if c.key == "" {
		return
	}
	if err := c.write(s); err != nil {
		c.notify(source.Notice{Path: "head cache", Verbose: true, Msg: fmt.Sprintf("not stored: %v", err)})
	}
}

func (c headCache) write(s *schema.Schema) error {
	data, err := json.Marshal(headEntry{Format: headCacheFormat, Key: c.key, Schema: s})
	if err != nil {
		return err
	}
	return writeAtomic(c.path(), data)
}

// writeAtomic writes data to path through a temporary file in the same
// directory renamed into place, so that a reader never sees half of it.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// CacheHead stores desired as the schema of the migrations' heads
// followed by rev: the revision that Generate returned, verified, and the
// caller wrote as a file whose checksum rev.Checksum holds. The next
// Generate, Check or Drift then needs no replay. It does nothing when
// opts.CacheDir is empty, and nothing for a revision generated with
// FromDB (it fits the live database, not a replay) or NoVerify (not
// proved); failures are warnings through opts.Notify.
func (m *Migrator) CacheHead(ctx context.Context, opts GenerateOptions, rev *script.Revision, desired *schema.Schema) {
	if opts.FromDB || opts.NoVerify || rev == nil || desired == nil || rev.Checksum == "" {
		return
	}
	m.headCacheFor(ctx, opts, nil, rev).put(desired)
}
