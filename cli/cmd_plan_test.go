package cli

import "testing"

// TestPlanBeforeUpgrade checks when upgrade prints its plan before it
// runs: on a terminal unless --quiet, never into a pipe or a file.
func TestPlanBeforeUpgrade(t *testing.T) {
	for _, c := range []struct {
		terminal, quiet, want bool
	}{
		{terminal: true, quiet: false, want: true},
		{terminal: true, quiet: true, want: false},
		{terminal: false, quiet: false, want: false},
		{terminal: false, quiet: true, want: false},
	} {
		if got := planBeforeUpgrade(c.terminal, c.quiet); got != c.want {
			t.Errorf("planBeforeUpgrade(terminal=%v, quiet=%v) = %v, want %v", c.terminal, c.quiet, got, c.want)
		}
	}
}
