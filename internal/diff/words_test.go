package diff

import (
	"maps"
	"slices"
	"testing"
)

// TestWords checks what a definition's text names: words and quoted
// identifiers of every quoting style, lower-cased, and nothing from
// strings and comments.
func TestWords(t *testing.T) {
	t.Parallel()
	got := words("SELECT \"Order\".id, `line``s`.qty FROM \"Order\" JOIN `line``s` ON x = 'users' -- comment\n/* items */ WHERE [Br] = 1")
	want := []string{"br", "from", "id", "join", "line`s", "on", "order", "qty", "select", "where", "x"}
	if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, want) {
		t.Fatalf("words = %q, want %q", keys, want)
	}
}
