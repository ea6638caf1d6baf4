package script

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadHeaders: the graph fields equal LoadDir's, the sections and
// checksum are not read, and a body LoadDir refuses is not even looked
// at; a header longer than one read is read whole.
func TestLoadHeaders(t *testing.T) {
	dir := t.TempDir()
	long := "-- " + strings.Repeat("x", 3*headChunk) + "\n"
	files := map[string]string{
		"a1_base.sql": "-- base\n--\n-- Revision: a1\n-- Revises:\n\n-- +upgrade\nCREATE TABLE t (id int);\n\n-- +downgrade\nDROP TABLE t;\n",
		"b2_next.sql": long + "--\n-- Revision: b2\n-- Revises: a1\n-- Branch: feature\n-- Depends-On: a1\n-- Transaction: none\n\n-- +upgrade\nSELECT 1;\n",
		"c3_bad.sql":  "-- bad body\n--\n-- Revision: c3\n-- Revises: b2\n\n-- +upgrade\nSELECT 1;\n-- +upgrade\nSELECT 2;\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, fsys := range []struct {
		name string
		fs   any
	}{{"DirFS", DirFS(dir)}, {"MapFS", mapFS(files)}} {
		t.Run(fsys.name, func(t *testing.T) {
			var revs []*Revision
			var err error
			switch f := fsys.fs.(type) {
			case dirFS:
				revs, err = LoadHeaders(f)
			case fstest.MapFS:
				revs, err = LoadHeaders(f)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(revs) != 3 {
				t.Fatalf("%d revisions; want 3", len(revs))
			}
			b := revs[1]
			if b.ID != "b2" || b.Revises[0] != "a1" || b.Branches[0] != "feature" || b.DependsOn[0] != "a1" || !b.NoTransaction || len(b.Message) != 3*headChunk {
				t.Errorf("b2 header: %+v", b)
			}
			for _, r := range revs {
				if !r.HeaderOnly || r.Checksum != "" || r.Up.Present || r.Up.SQL != "" {
					t.Errorf("%s: HeaderOnly %v, checksum %q, up %+v; want a header only", r.ID, r.HeaderOnly, r.Checksum, r.Up)
				}
			}
		})
	}
	if _, err := LoadDir(DirFS(dir)); err == nil || !strings.Contains(err.Error(), "second") {
		t.Errorf("LoadDir: %v; want c3's second upgrade marker refused", err)
	}
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}
