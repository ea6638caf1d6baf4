package script

import "strings"

// JoinStatements writes statements as a revision section: each ends with
// ";" and a blank line separates them.
func JoinStatements(stmts []string) string {
	var b strings.Builder
	for i, s := range stmts {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strings.TrimSpace(s))
		b.WriteString(";\n")
	}
	return b.String()
}
