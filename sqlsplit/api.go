// Package sqlsplit splits SQL scripts into statements with a real lexer:
// string literals, quoted identifiers, comments, dollar-quoted bodies,
// trigger BEGIN ... END bodies and MySQL DELIMITER directives are honoured,
// so a ';' inside any of them never ends a statement.
package sqlsplit

// Dialect selects the lexical rules of one database family.
type Dialect int

const (
	// Generic accepts the union of the rules that do not conflict.
	Generic Dialect = iota
	// Postgres: E'' strings, $tag$ bodies, "identifiers", nested /* */.
	Postgres
	// MySQL: backticks, backslash escapes in strings, # comments,
	// DELIMITER directives, BEGIN ... END compound statements.
	MySQL
	// SQLite: "identifiers", [identifiers], `identifiers`, trigger
	// BEGIN ... END bodies.
	SQLite
)

// Statement is one statement of a script.
type Statement struct {
	// Text is the statement without its terminator, from its first token
	// (leading white space and comments are not part of it) to its last
	// token. Comments inside it are kept.
	Text string
	// Line is the 1-based line of the statement's first token.
	Line int
	// Start and End are byte offsets of Text in the script: script[Start:End] == Text.
	Start, End int
}

// SyntaxError reports a script that cannot be split, such as an
// unterminated string, quoted identifier, comment or dollar quote.
type SyntaxError struct {
	// Line is the 1-based line where the unterminated token starts.
	Line int
	// Msg says what is wrong, for example "unterminated dollar quote $body$".
	Msg string
}

// Error implements error.
func (e *SyntaxError) Error() string { return "line " + itoa(e.Line) + ": " + e.Msg }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
