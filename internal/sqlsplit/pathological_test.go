package sqlsplit

import (
	"strings"
	"testing"
)

// TestPathological splits large repetitive inputs built to trip a lexer
// into quadratic work (unclosed quotes and comments, long delimiters,
// many statements). It asserts the results; a hang shows as a test timeout.
func TestPathological(t *testing.T) {
	t.Parallel()
	const size = 256 << 10
	for _, p := range []string{
		"$a$", "$$", "/*", "/* ", "'", "a;", "delimiter x\n", "DELIMITER ;;\n", " \n", "\\x\n",
		"CASE ", "BEGIN ", "END ", "create trigger begin ", "e'\\", "-", "--\n", "x", "$a", "/*/*",
		"DELIMITER 0123456789abcde\n0123456789abcd", "\"", "`", "[",
	} {
		s := strings.Repeat(p, size/len(p))
		for d := Generic; d <= SQLite; d++ {
			stmts, err := Split(s, d)
			if err != nil {
				if _, ok := err.(*SyntaxError); !ok {
					t.Fatalf("%q dialect %d: error %v is not a *SyntaxError", p, d, err)
				}
				continue
			}
			end := 0
			for i, st := range stmts {
				if st.Start < end || st.End < st.Start || s[st.Start:st.End] != st.Text {
					t.Fatalf("%q dialect %d: statement %d has range [%d,%d) after %d", p, d, i+1, st.Start, st.End, end)
				}
				end = st.End
			}
		}
	}
}
