package script

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cacheTest is a versions directory, its files cache and a counter of
// the files the cached loads read.
type cacheTest struct {
	t          *testing.T
	dir, cache string
	reads      atomic.Int64
	// later is how far after the real time the loads take their t0: a
	// file written by the test counts as settled when later is larger
	// than settleMargin.
	later time.Duration
}

func newCacheTest(t *testing.T) *cacheTest {
	t.Helper()
	if !stampsKept {
		t.Skip("the files cache is not used on this system")
	}
	return &cacheTest{t: t, dir: t.TempDir(), cache: filepath.Join(t.TempDir(), "files", "x"), later: time.Minute}
}

func (c *cacheTest) loader(onBodyError func(string, []byte, error) (*Revision, error)) cachedLoad {
	return cachedLoad{
		dir: c.dir, cachePath: c.cache,
		now: func() time.Time { return time.Now().Add(c.later) },
		read: func(path string) ([]byte, fileStamp, error) {
			c.reads.Add(1)
			return readStamped(path)
		},
		onBodyError: onBodyError,
	}
}

// load loads through the cache and returns the revisions and how many
// files it read.
func (c *cacheTest) load() ([]*Revision, int64) {
	c.t.Helper()
	c.reads.Store(0)
	revs, err := c.loader(refuseBody).load()
	if err != nil {
		c.t.Fatal(err)
	}
	return revs, c.reads.Load()
}

func (c *cacheTest) write(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, name), []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// settle waits until the files' last change lies in an earlier tick of
// the clock that stamps them than anything the test does next: what
// settleMargin waits for in real use, here shortened by c.later.
func settle() { time.Sleep(20 * time.Millisecond) }

// fileRev is a revision file whose every header field is set.
func fileRev(id, parent, msg, up string) string {
	revises := ""
	if parent != "" {
		revises = " " + parent
	}
	return fmt.Sprintf("-- %s\n--\n-- Revision: %s\n-- Revises:%s\n-- Branch: lbl_%s\n-- Depends-On: %s\n-- Transaction: none\n-- Created: 2026-01-02 03:04:05 UTC\n\n-- +upgrade\n%s\n\n-- +downgrade irreversible\n",
		msg, id, revises, id, "x0", up)
}

// plain is LoadDir's result as the cached loads return it: no SQL.
func plain(t *testing.T, dir string) []*Revision {
	t.Helper()
	revs, err := LoadDir(DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range revs {
		stripSQL(r)
	}
	return revs
}

func TestLoadDirCachedReadsOnlyChangedFiles(t *testing.T) {
	c := newCacheTest(t)
	c.write("x0_dep.sql", fileRev("x0", "", "dep", "SELECT 0;"))
	c.write("a1_base.sql", fileRev("a1", "", "base", "CREATE TABLE a (id int);"))
	c.write("b2_next.sql", fileRev("b2", "a1", "next", "CREATE TABLE b (id int);"))
	settle()

	revs, n := c.load()
	if n != 3 {
		t.Fatalf("first load read %d files; want 3", n)
	}
	if diff := cmp.Diff(plain(t, c.dir), revs); diff != "" {
		t.Fatalf("first load differs from LoadDir (-LoadDir +cached):\n%s", diff)
	}
	revs, n = c.load()
	if n != 0 {
		t.Fatalf("second load read %d files; want none", n)
	}
	if diff := cmp.Diff(plain(t, c.dir), revs); diff != "" {
		t.Fatalf("load from the cache differs from LoadDir (-LoadDir +cached):\n%s", diff)
	}
	b := revs[1]
	if b.ID != "b2" || b.Message != "next" || b.Branches[0] != "lbl_b2" || b.DependsOn[0] != "x0" || !b.NoTransaction ||
		b.Created.IsZero() || !b.Up.Present || !b.Down.Irreversible || b.Checksum == "" || !b.HeaderOnly || b.Up.SQL != "" {
		t.Errorf("b2 from the cache: %+v", b)
	}

	c.write("c3_new.sql", fileRev("c3", "b2", "new", "SELECT 3;"))
	settle()
	if revs, n = c.load(); n != 1 || len(revs) != 4 {
		t.Errorf("after adding a file: read %d, %d revisions; want 1 read, 4 revisions", n, len(revs))
	}
	if err := os.Remove(filepath.Join(c.dir, "x0_dep.sql")); err != nil {
		t.Fatal(err)
	}
	if revs, n = c.load(); n != 0 || len(revs) != 3 || revs[0].ID != "a1" {
		t.Errorf("after removing a file: read %d, %d revisions; want none read, 3 revisions from a1", n, len(revs))
	}
}

// An edit that keeps the size and puts the modification time back (what
// `touch -r` or a careful tool does) changes the change time, which the
// cache compares too.
func TestLoadDirCachedSeesSameSizeEdit(t *testing.T) {
	c := newCacheTest(t)
	path := filepath.Join(c.dir, "a1_base.sql")
	c.write("a1_base.sql", fileRev("a1", "", "base", "SELECT 1;"))
	settle()
	c.load()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	settle()
	c.write("a1_base.sql", fileRev("a1", "", "base", "SELECT 2;"))
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	settle()
	revs, n := c.load()
	if n != 1 || revs[0].Checksum != plain(t, c.dir)[0].Checksum {
		t.Errorf("same-size edit with the old mtime: read %d files, checksum %s; want it read and its new checksum", n, revs[0].Checksum)
	}
}

// A file replaced by another one renamed over it (what editors and git
// checkout do) is a new inode.
func TestLoadDirCachedSeesReplacedFile(t *testing.T) {
	c := newCacheTest(t)
	c.write("a1_base.sql", fileRev("a1", "", "base", "SELECT 1;"))
	settle()
	c.load()
	other := filepath.Join(t.TempDir(), "new.sql")
	if err := os.WriteFile(other, []byte(fileRev("a1", "", "Base", "SELECT 1;")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, filepath.Join(c.dir, "a1_base.sql")); err != nil {
		t.Fatal(err)
	}
	settle()
	if revs, n := c.load(); n != 1 || revs[0].Message != "Base" {
		t.Errorf("replaced file: read %d, message %q; want it read, message Base", n, revs[0].Message)
	}
}

// The racy case: a file that changed within settleMargin of the load that
// read it is not trusted by the next load, however its stamp looks.
func TestLoadDirCachedDoesNotTrustRecentFiles(t *testing.T) {
	c := newCacheTest(t)
	c.later = 0
	c.write("a1_base.sql", fileRev("a1", "", "base", "SELECT 1;"))
	c.load()
	if _, n := c.load(); n != 1 {
		t.Errorf("a file written just before the first load: the second load read %d files; want 1", n)
	}
	if _, err := os.Stat(c.cache); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cache file after loads of unsettled files only: %v; want none written", err)
	}
}

func TestSettledAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC).UnixNano()
	for _, tc := range []struct {
		ctime time.Duration // before t0
		want  bool
	}{{settleMargin + 1, true}, {settleMargin, false}, {time.Second, false}, {0, false}, {-time.Second, false}} {
		if got := (fileStamp{ctime: t0 - int64(tc.ctime)}).settledAt(t0); got != tc.want {
			t.Errorf("ctime %v before t0: settled %v; want %v", tc.ctime, got, tc.want)
		}
	}
}

func TestLoadDirCachedDamagedCache(t *testing.T) {
	c := newCacheTest(t)
	c.write("a1_base.sql", fileRev("a1", "", "base", "SELECT 1;"))
	c.write("b2_next.sql", fileRev("b2", "a1", "next", "SELECT 2;"))
	settle()
	c.load()
	data, err := os.ReadFile(c.cache)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(filesCacheMagic); i < len(data); i += 7 {
		bad := slices.Clone(data)
		bad[i] ^= 0x20
		if _, err := decodeCache(c.dir, bad); err == nil {
			t.Fatalf("byte %d flipped: decoded; want errBadCache", i)
		}
	}
	if _, err := decodeCache(c.dir+"x", data); err == nil {
		t.Fatal("another directory's cache decoded")
	}
	if err := os.WriteFile(c.cache, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if revs, n := c.load(); n != 2 || len(revs) != 2 {
		t.Errorf("truncated cache: read %d files, %d revisions; want both read", n, len(revs))
	}
	if _, n := c.load(); n != 0 {
		t.Errorf("after the cache was rewritten: read %d files; want none", n)
	}
}

// A body that does not parse: LoadHeadersCached loads its header with the
// whole file's checksum (so that retort.sum still compares it) and does
// not record it; LoadDirCached refuses it as LoadDir does.
func TestLoadHeadersCachedBrokenBody(t *testing.T) {
	c := newCacheTest(t)
	bad := "-- bad\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nSELECT 1;\n-- +upgrade\nSELECT 2;\n"
	c.write("a1_bad.sql", bad)
	settle()
	for range 2 {
		c.reads.Store(0)
		revs, err := c.loader(headerOnly).load()
		if err != nil {
			t.Fatal(err)
		}
		if c.reads.Load() != 1 || revs[0].ID != "a1" || revs[0].Checksum != Checksum([]byte(bad)) {
			t.Errorf("broken body: read %d, %+v; want it read every time, with its checksum", c.reads.Load(), revs[0])
		}
	}
	if _, err := c.loader(refuseBody).load(); err == nil || !strings.Contains(err.Error(), "second") {
		t.Errorf("LoadDirCached: %v; want the second upgrade marker refused", err)
	}
}

// Random edits, additions, removals, renames, replacements and touches,
// each followed by a load through the cache: every load returns what
// LoadDir returns, and a sum check of it what a sum check of LoadDir's
// result says. Loads take their t0 a minute late (every file settled),
// the case where only the stamps stand between the cache and a stale
// answer.
func TestLoadDirCachedNeverStale(t *testing.T) {
	c := newCacheTest(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 6 {
		c.write(fmt.Sprintf("r%d.sql", i), fileRev(fmt.Sprintf("r%d", i), "", "m0", "SELECT 0;"))
	}
	settle()
	revs, _ := c.load()
	sum := NewSum(revs)
	for step := range 120 {
		what := mutate(t, c.dir, rng, step)
		settle()
		got, _ := c.load()
		want := plain(t, c.dir)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("step %d (%s): cached load differs from LoadDir (-LoadDir +cached):\n%s", step, what, diff)
		}
		if e1, e2 := errString(sum.Check("s", want)), errString(sum.Check("s", got)); e1 != e2 {
			t.Fatalf("step %d (%s): sum check of LoadDir: %s\nof the cached load: %s", step, what, e1, e2)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// mutate changes dir at random and says how.
func mutate(t *testing.T, dir string, rng *rand.Rand, step int) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	name := entries[rng.IntN(len(entries))].Name()
	path := filepath.Join(dir, name)
	id := strings.TrimSuffix(name, ".sql")
	var do func() error
	var what string
	switch k := rng.IntN(6); {
	case k == 0 || len(entries) < 3:
		n := fmt.Sprintf("n%d", step)
		what, do = "add "+n, func() error {
			return os.WriteFile(filepath.Join(dir, n+".sql"), []byte(fileRev(n, "", "m0", "SELECT 0;")), 0o644)
		}
	case k == 1:
		what, do = "remove "+name, func() error { return os.Remove(path) }
	case k == 2:
		// Same size: one digit of the message changes.
		what, do = "edit "+name+" in place", func() error {
			return os.WriteFile(path, []byte(fileRev(id, "", fmt.Sprintf("m%d", rng.IntN(10)), "SELECT 0;")), 0o644)
		}
	case k == 3:
		what, do = "replace "+name+" by a rename", func() error {
			tmp := path + ".tmp"
			if err := os.WriteFile(tmp, []byte(fileRev(id, "", "mx", "SELECT 1;")), 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, path)
		}
	case k == 4:
		what, do = "touch "+name, func() error { return os.Chtimes(path, time.Now(), time.Now().Add(-time.Hour)) }
	default:
		what, do = "rename "+name, func() error { return os.Rename(path, filepath.Join(dir, "z"+name)) }
	}
	if err := do(); err != nil {
		t.Fatal(err)
	}
	return what
}
