package mysql

import (
	"strings"
	"unicode"
)

// CommitsImplicitly reports whether stmt commits by itself. Only plain
// data changes (INSERT, UPDATE, DELETE, REPLACE) are known not to; every
// other statement is taken to commit, which is what MySQL does for DDL and
// the safe reading for anything else.
func (d *Dialect) CommitsImplicitly(stmt string) bool {
	switch strings.ToUpper(firstWord(stmt)) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return false
	}
	return true
}

// firstWord returns the first keyword of stmt, after white space and
// comments ("--", "#", "/* */"; a "/*!" conditional comment is code and
// ends the search).
func firstWord(s string) string {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		switch {
		case strings.HasPrefix(s, "--") || strings.HasPrefix(s, "#"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*!"):
			return ""
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return ""
			}
			s = s[i+4:]
		default:
			end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
			if end < 0 {
				return s
			}
			return s[:end]
		}
	}
}
