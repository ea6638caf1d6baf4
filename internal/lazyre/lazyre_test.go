package lazyre

import "testing"

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a(b+)$`)
	first := re()
	if m := first.FindStringSubmatch("abb"); len(m) != 2 || m[1] != "bb" {
		t.Fatalf("match %q; want the b's", m)
	}
	if re() != first {
		t.Error("a second call compiled the expression again")
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad expression did not panic on first use")
		}
	}()
	bad := New(`(`) // no panic here: nothing is compiled yet
	bad()
}
