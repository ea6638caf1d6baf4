package cli

import (
	"bytes"
	"maps"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/engine"
)

// TestAskBackfill checks the questions migrate asks on a terminal for the
// columns a BackfillError names, the answers it keeps, and that it stops
// on an empty answer or on the answer that was already refused.
func TestAskBackfill(t *testing.T) {
	be := &engine.BackfillError{
		Columns: []string{"items.stock"},
		Keyed:   []string{"items.code"},
		Dropped: []string{"items.old", "items.tag"},
		Unique:  []string{"items.tag"},
	}
	for _, tc := range []struct {
		name, answers string
		prior         map[string]string
		ok            bool
		want          map[string]string
		asked         []string // in order
	}{
		{
			name: "every answer", answers: "0\nid\n'x'\nid * 10\n", ok: true,
			want:  map[string]string{"items.stock": "0", "items.code": "id", "items.old": "'x'", "items.tag": "id * 10"},
			asked: []string{"items.stock is NOT NULL with no default", "items.code is NOT NULL with a default and a unique key by itself", "items.old is dropped and the downgrade re-adds it NOT NULL with no default", "items.tag is dropped and the downgrade re-adds it NOT NULL in a unique key"},
		},
		{
			name: "stops on an empty answer", answers: "0\n\n", ok: false,
			want:  map[string]string{"items.stock": "0"},
			asked: []string{"items.stock", "items.code"},
		},
		{
			name: "stops on the refused value again", answers: "0\n5\n", prior: map[string]string{"items.code": "5"}, ok: false,
			want:  map[string]string{"items.stock": "0", "items.code": "5"},
			asked: []string{"items.stock", "items.code"},
		},
	} {
		var stderr bytes.Buffer
		a := &app{stdin: strings.NewReader(tc.answers), stderr: &stderr}
		got := map[string]string{}
		maps.Copy(got, tc.prior)
		if ok := a.askBackfill(be, got); ok != tc.ok {
			t.Errorf("%s: askBackfill = %v, want %v", tc.name, ok, tc.ok)
		}
		if !maps.Equal(got, tc.want) {
			t.Errorf("%s: backfill %v, want %v", tc.name, got, tc.want)
		}
		out := stderr.String()
		for i, q := range tc.asked {
			j := strings.Index(out, q)
			if j < 0 {
				t.Errorf("%s: question %d (%q) not asked; asked:\n%s", tc.name, i+1, q, out)
				break
			}
			out = out[j+len(q):]
		}
	}
}
