package rendertest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// GoldenText is rendered SQL as every dialect's golden files hold it: the
// revision file's "-- +upgrade" and "-- +downgrade" markers, each
// statement ended by ";" and a newline, and a blank line before the
// downgrade marker.
func GoldenText(up, down []string) string {
	var b strings.Builder
	b.WriteString("-- +upgrade\n")
	for _, s := range up {
		b.WriteString(s + ";\n")
	}
	b.WriteString("\n-- +downgrade\n")
	for _, s := range down {
		b.WriteString(s + ";\n")
	}
	return b.String()
}

// Golden compares up and down, as GoldenText writes them, with the golden
// file path. When the test binary's -update flag is set (each dialect's
// tests define it), it writes the file instead.
func Golden(t testing.TB, path string, up, down []string) {
	t.Helper()
	got := GoldenText(up, down)
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run the test with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("rendered SQL differs from %s (run the test with -update if the change is intended):\n%s", path, FirstDiff(string(want), got))
	}
}

// FirstDiff shows the first lines where want and got differ, with three
// lines of context before: "-" lines are want's, "+" lines got's.
func FirstDiff(want, got string) string {
	al, bl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	var out strings.Builder
	fmt.Fprintf(&out, "@@ line %d @@\n", i+1)
	for k := max(0, i-3); k < i; k++ {
		fmt.Fprintf(&out, " %s\n", al[k])
	}
	for k := i; k < min(len(al), i+5); k++ {
		fmt.Fprintf(&out, "-%s\n", al[k])
	}
	for k := i; k < min(len(bl), i+5); k++ {
		fmt.Fprintf(&out, "+%s\n", bl[k])
	}
	return out.String()
}
