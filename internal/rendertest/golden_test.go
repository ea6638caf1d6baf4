package rendertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Errorf and Fatalf instead of
// failing the real test.
type recorder struct {
	testing.TB
	msgs []string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, a ...any) { r.msgs = append(r.msgs, format) }
func (r *recorder) Fatalf(format string, a ...any) { r.msgs = append(r.msgs, format) }

func TestGoldenText(t *testing.T) {
	t.Parallel()
	got := GoldenText([]string{"CREATE TABLE t (\n  id int\n)", "CREATE INDEX i ON t (id)"}, []string{"DROP TABLE t"})
	want := "-- +upgrade\nCREATE TABLE t (\n  id int\n);\nCREATE INDEX i ON t (id);\n\n-- +downgrade\nDROP TABLE t;\n"
	if got != want {
		t.Errorf("GoldenText = %q, want %q", got, want)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "case.golden")
	up, down := []string{"CREATE TABLE t (id int)"}, []string{"DROP TABLE t"}
	if err := os.WriteFile(path, []byte(GoldenText(up, down)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Golden(r, path, up, down)
	if len(r.msgs) != 0 {
		t.Errorf("matching file reported %q", r.msgs)
	}
	Golden(r, path, up, []string{"DROP TABLE u"})
	if len(r.msgs) != 1 || !strings.Contains(r.msgs[0], "differs") {
		t.Errorf("different SQL reported %q, want one difference", r.msgs)
	}
	diff := FirstDiff("a\nb\nc", "a\nB\nc")
	if !strings.Contains(diff, "@@ line 2 @@") || !strings.Contains(diff, "-b\n") || !strings.Contains(diff, "+B\n") {
		t.Errorf("FirstDiff = %q", diff)
	}
}
