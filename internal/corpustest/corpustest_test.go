package corpustest

import (
	"io/fs"
	"testing"
)

// recorder is a testing.TB that records whether Missing skipped or
// failed, instead of ending the real test.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		ci         string
		fail, skip bool
	}{
		{ci: "", skip: true},
		{ci: "1", fail: true},
		{ci: "true", fail: true},
	} {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			Missing(r, "pagila/pagila-schema.sql", fs.ErrNotExist)
			if r.failed != tc.fail || r.skipped != tc.skip {
				t.Errorf("CI=%q: failed %v skipped %v, want failed %v skipped %v", tc.ci, r.failed, r.skipped, tc.fail, tc.skip)
			}
		})
	}
}
