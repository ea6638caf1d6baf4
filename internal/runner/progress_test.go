package runner

import "testing"

// TestProgressEncoding pins the stored encoding of the in-flight protocol
// (docs/decisions.md): done statements as themselves, statement k in
// flight as -k, and the round trip through decodeProgress.
func TestProgressEncoding(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		p        progress
		stored   int
		inFlight int
	}{
		{progress{}, 0, 0},
		{progress{done: 3}, 3, 0},
		{progress{inFlight: true}, -1, 1},
		{progress{done: 2, inFlight: true}, -3, 3},
	} {
		if got := c.p.encode(); got != c.stored {
			t.Errorf("%+v.encode() = %d, want %d", c.p, got, c.stored)
		}
		if got := decodeProgress(c.stored); got != c.p {
			t.Errorf("decodeProgress(%d) = %+v, want %+v", c.stored, got, c.p)
		}
		if got := c.p.inFlightStatement(); got != c.inFlight {
			t.Errorf("%+v.inFlightStatement() = %d, want %d", c.p, got, c.inFlight)
		}
		if c.p.inFlight && !c.p.started(c.p.done) || c.p.started(c.p.done+1) {
			t.Errorf("%+v.started is wrong", c.p)
		}
	}
}
