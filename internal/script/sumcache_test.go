package script

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sumCacheTest is a sum file, its verdict record and a count of the
// checks that parsed the file.
type sumCacheTest struct {
	t            *testing.T
	sum, verdict string
	revs         []*Revision
	parses       int
	later        time.Duration
}

func newSumCacheTest(t *testing.T) *sumCacheTest {
	if !stampsKept {
		t.Skip("file stamps are not kept on this system")
	}
	dir := t.TempDir()
	c := &sumCacheTest{t: t, sum: filepath.Join(dir, SumFile), verdict: filepath.Join(t.TempDir(), "files", "x.sum"), later: time.Minute}
	c.revs = []*Revision{
		{ID: "a1", Checksum: Checksum([]byte("a")), Path: "a1.sql"},
		{ID: "b2", Revises: []string{"a1"}, Checksum: Checksum([]byte("b")), Path: "b2.sql"},
	}
	if err := WriteSum(c.sum, c.revs); err != nil {
		t.Fatal(err)
	}
	settle()
	return c
}

// check runs the cached check and says whether it parsed the file.
func (c *sumCacheTest) check(revs []*Revision) (parsed bool, err error) {
	c.t.Helper()
	before := c.parses
	err = checkSumFile(c.sum, SumFile, c.verdict, revs, time.Now().Add(c.later), func() { c.parses++ })
	return c.parses > before, err
}

// TestCheckSumFileVerdict: a passed check is remembered and spares the
// next one the parse; every change that could change the answer (the
// revisions, the file's bytes even with its mtime put back, a damaged
// record, an unsettled file) makes a full check, which still finds what
// is wrong.
func TestCheckSumFileVerdict(t *testing.T) {
	c := newSumCacheTest(t)
	if parsed, err := c.check(c.revs); err != nil || !parsed {
		t.Fatalf("first check: parsed %v, %v; want a full check that passes", parsed, err)
	}
	if parsed, err := c.check(c.revs); err != nil || parsed {
		t.Fatalf("second check: parsed %v, %v; want the verdict used", parsed, err)
	}

	edited := []*Revision{c.revs[0], {ID: "b2", Revises: []string{"a1"}, Checksum: Checksum([]byte("B")), Path: "b2.sql"}}
	var me *SumMismatchError
	if parsed, err := c.check(edited); !parsed || !errors.As(err, &me) || len(me.Edited) != 1 {
		t.Fatalf("edited revision: parsed %v, %v; want a full check reporting b2.sql edited", parsed, err)
	}
	if parsed, err := c.check(c.revs[:1]); !parsed || !errors.As(err, &me) || len(me.Removed) != 1 {
		t.Fatalf("removed revision: parsed %v, %v; want a full check reporting b2 removed", parsed, err)
	}

	// The sum file edited in place with its mtime put back: its ctime
	// changed, so the record no longer fits.
	st, err := os.Stat(c.sum)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(c.sum)
	data[len(data)-2] ^= 1
	if err := os.WriteFile(c.sum, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(c.sum, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	settle()
	if parsed, err := c.check(c.revs); !parsed || err == nil {
		t.Fatalf("sum file edited, mtime restored: parsed %v, %v; want a full check that fails", parsed, err)
	}

	if err := WriteSum(c.sum, c.revs); err != nil {
		t.Fatal(err)
	}
	settle()
	if parsed, err := c.check(c.revs); err != nil || !parsed {
		t.Fatalf("rewritten sum: parsed %v, %v", parsed, err)
	}
	if err := os.WriteFile(c.verdict, []byte("retort-sum-verdict/1 damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	if parsed, err := c.check(c.revs); err != nil || !parsed {
		t.Fatalf("damaged record: parsed %v, %v; want a full check that passes", parsed, err)
	}
}

// TestCheckSumFileUnsettled: a sum file that changed less than
// settleMargin before the check is not recorded, since a change in the
// same timestamp tick would keep its stamp.
func TestCheckSumFileUnsettled(t *testing.T) {
	c := newSumCacheTest(t)
	c.later = 0
	for i := range 2 {
		if parsed, err := c.check(c.revs); err != nil || !parsed {
			t.Fatalf("check %d: parsed %v, %v; want a full check each time", i+1, parsed, err)
		}
	}
	if _, err := os.Stat(c.verdict); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("verdict record written for an unsettled file: %v", err)
	}
}

// TestCheckSumFileMissing: no sum file is fs.ErrNotExist, as before.
func TestCheckSumFileMissing(t *testing.T) {
	err := CheckSumFile(filepath.Join(t.TempDir(), SumFile), SumFile, "", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v; want fs.ErrNotExist", err)
	}
}

// BenchmarkCheckSumFile compares a full check of a chain's sum file with
// one answered by the verdict record.
func BenchmarkCheckSumFile(b *testing.B) {
	if !stampsKept {
		b.Skip("file stamps are not kept on this system")
	}
	for _, n := range []int{200, 2000} {
		revs := make([]*Revision, n)
		for i := range revs {
			revs[i] = &Revision{ID: fmt.Sprintf("%012x", i+1), Checksum: Checksum(fmt.Appendf(nil, "%d", i))}
			if i > 0 {
				revs[i].Revises = []string{revs[i-1].ID}
			}
		}
		path := filepath.Join(b.TempDir(), SumFile)
		if err := WriteSum(path, revs); err != nil {
			b.Fatal(err)
		}
		later := time.Now().Add(time.Minute)
		for _, mode := range []string{"full", "verdict"} {
			verdict := ""
			if mode == "verdict" {
				verdict = filepath.Join(b.TempDir(), "x.sum")
			}
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				for b.Loop() {
					if err := checkSumFile(path, SumFile, verdict, revs, later, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
