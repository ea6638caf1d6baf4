package script_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/retortdb/retort/internal/script"
)

// TestDirFS checks DirFS against the fs.FS contract and reads files of
// every size around its buffer boundaries back exactly.
func TestDirFS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	want := map[string][]byte{}
	for _, n := range []int{0, 1, 511, 512, 513, 4095, 4096, 4097, 1 << 20} {
		name := "f" + strings.Repeat("x", n%7) + "_" + string(rune('a'+len(want))) + ".sql"
		data := bytes.Repeat([]byte("0123456789abcdef\n"), n/17+1)[:n]
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		want[name] = data
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	fsys := script.DirFS(dir)
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	if err := fstest.TestFS(fsys, names...); err != nil {
		t.Fatal(err)
	}
	for name, data := range want {
		got, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatalf("ReadFile(%s): %v", name, err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("ReadFile(%s): %d bytes, want %d", name, len(got), len(data))
		}
	}
	if _, err := fs.ReadFile(fsys, "missing.sql"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing.sql) = %v, want fs.ErrNotExist", err)
	}
	var pe *fs.PathError
	if _, err := fs.ReadFile(fsys, "missing.sql"); !errors.As(err, &pe) || pe.Path != "missing.sql" {
		t.Errorf("ReadFile(missing.sql) error %v: want a *fs.PathError naming missing.sql", err)
	}
	if _, err := fs.ReadFile(fsys, "sub.sql"); err == nil {
		t.Error("ReadFile of a directory succeeded")
	}
	if _, err := fs.ReadFile(fsys, "../x.sql"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadFile(../x.sql) = %v, want fs.ErrInvalid", err)
	}
}
