package sqlx

import "testing"

func TestQuotedEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s      string
		i      int
		end    int
		closed bool
	}{
		{`"a" x`, 0, 3, true},
		{`"a""b".c`, 0, 6, true},
		{"x `a``b` y", 2, 8, true},
		{`'it''s'`, 0, 7, true},
		{`""`, 0, 2, true},
		{`"a""`, 0, 4, false},
		{`"abc`, 0, 4, false},
	} {
		end, closed := QuotedEnd(tc.s, tc.i)
		if end != tc.end || closed != tc.closed {
			t.Errorf("QuotedEnd(%q, %d) = %d, %v; want %d, %v", tc.s, tc.i, end, closed, tc.end, tc.closed)
		}
	}
}

func TestMajorMinor(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]string{
		"10.11.6-MariaDB-0+deb12u1": "10.11",
		"8.0.36":                    "8.0",
		"3.46.1":                    "3.46",
		"8.4":                       "8.4",
		"16-beta":                   "16",
		"":                          "",
	} {
		if got := MajorMinor(v); got != want {
			t.Errorf("MajorMinor(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestDeferClause(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		deferrable, deferred bool
		want                 string
	}{
		{false, false, ""},
		{true, false, " DEFERRABLE"},
		{true, true, " DEFERRABLE INITIALLY DEFERRED"},
		{false, true, " DEFERRABLE INITIALLY DEFERRED"},
	} {
		if got := DeferClause(tc.deferrable, tc.deferred); got != tc.want {
			t.Errorf("DeferClause(%v, %v) = %q, want %q", tc.deferrable, tc.deferred, got, tc.want)
		}
	}
}

func TestBaseQuoteIdent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		quote      byte
		name, want string
	}{
		{'"', `a"b`, `"a""b"`},
		{'"', "a`b", "\"a`b\""},
		{'`', "a`b", "`a``b`"},
		{'`', `a"b`, "`a\"b`"},
		{'`', "", "``"},
	} {
		if got := (Base{Quote: tc.quote}).QuoteIdent(tc.name); got != tc.want {
			t.Errorf("Base{Quote: %q}.QuoteIdent(%q) = %s, want %s", tc.quote, tc.name, got, tc.want)
		}
	}
}
