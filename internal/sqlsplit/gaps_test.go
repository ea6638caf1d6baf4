package sqlsplit

import (
	"strings"
	"testing"
)

// checkGaps asserts that every byte of script outside the statements is
// white space, a comment, a terminator or a DELIMITER directive line. It
// re-lexes the gaps with a small checker written independently of the
// splitter, following the delimiter as the directives change it.
func checkGaps(t testing.TB, script string, d Dialect, stmts []Statement) {
	t.Helper()
	delim := ";"
	prev := 0
	for i := 0; i <= len(stmts); i++ {
		end := len(script)
		if i < len(stmts) {
			end = stmts[i].Start
		}
		gap := script[prev:end]
		var msg string
		delim, msg = checkGap(script, prev, gap, d, delim)
		if msg != "" {
			t.Fatalf("gap before statement %d (bytes %d..%d) %s: %q", i+1, prev, end, msg, gap)
		}
		if i < len(stmts) {
			prev = stmts[i].End
		}
	}
}

// checkGap lexes one gap that starts at byte off of script and returns the
// delimiter in force after it, or a message saying what is not allowed.
func checkGap(script string, off int, gap string, d Dialect, delim string) (string, string) {
	mysqlish := d == MySQL || d == Generic
	nested := d == Postgres || d == Generic
	j := 0
	if off == 0 && strings.HasPrefix(gap, "\xef\xbb\xbf") {
		j = 3 // a byte order mark
	}
	for j < len(gap) {
		rest := gap[j:]
		switch {
		case strings.HasPrefix(rest, delim):
			j += len(delim)
		case strings.ContainsRune(" \t\r\n\f\v", rune(gap[j])):
			j++
		case strings.HasPrefix(rest, "--") && (d != MySQL || len(rest) == 2 || rest[2] <= ' '),
			d == MySQL && rest[0] == '#':
			k := strings.IndexByte(rest, '\n')
			if k < 0 {
				k = len(rest)
			}
			j += k
		case strings.HasPrefix(rest, "/*") && !(d == MySQL && (strings.HasPrefix(rest, "/*!") || strings.HasPrefix(rest, "/*M!"))):
			depth, k := 0, 0
			for k < len(rest) {
				if strings.HasPrefix(rest[k:], "/*") && (k == 0 || nested) {
					depth++
					k += 2
				} else if strings.HasPrefix(rest[k:], "*/") {
					depth--
					k += 2
					if depth == 0 {
						break
					}
				} else {
					k++
				}
			}
			if depth != 0 {
				return delim, "has an unterminated comment"
			}
			j += k
		case mysqlish && len(rest) > 10 && strings.EqualFold(rest[:10], "delimiter ") || mysqlish && len(rest) > 10 && strings.EqualFold(rest[:10], "delimiter\t"):
			// Only at the start of a line.
			for p := off + j - 1; p >= 0 && script[p] != '\n'; p-- {
				if script[p] != ' ' && script[p] != '\t' && script[p] != '\r' {
					return delim, "has DELIMITER after other text on its line"
				}
			}
			line := rest
			if k := strings.IndexByte(line, '\n'); k >= 0 {
				line = line[:k]
			}
			arg := strings.TrimLeft(line[len("delimiter"):], " \t")
			if k := strings.IndexAny(arg, " \t\r\n\f\v"); k >= 0 {
				arg = arg[:k]
			}
			if arg == "" {
				return delim, "has DELIMITER without a delimiter"
			}
			delim = arg
			j += len(line)
		default:
			return delim, "has text that is no comment, white space or terminator at byte " + itoa(off+j)
		}
	}
	return delim, ""
}
