package dialect_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/retortdb/retort/dialect"
)

func TestCreatesOnOpen(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "there.db")
	if err := os.WriteFile(existing, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"sqlite:" + existing, false},
		{"sqlite:" + filepath.Join(dir, "missing.db"), true},
		{"sqlite:" + dir, true}, // a directory: not a database file to reuse
		{"sqlite::memory:", false},
		{"postgres://u@localhost/db", false},
		{"mysql://u@localhost/db", false},
	} {
		u, err := dialect.ParseURL(tc.url)
		if err != nil {
			t.Fatalf("ParseURL(%s): %v", tc.url, err)
		}
		if got := u.CreatesOnOpen(); got != tc.want {
			t.Errorf("CreatesOnOpen(%s) = %v, want %v", tc.url, got, tc.want)
		}
	}
}
