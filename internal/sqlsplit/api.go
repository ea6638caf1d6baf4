// Package sqlsplit splits SQL scripts into statements with a real lexer:
// string literals, quoted identifiers, comments, dollar-quoted bodies,
// trigger BEGIN ... END bodies and MySQL DELIMITER directives are honoured,
// so a ';' inside any of them never ends a statement.
//
// The lexer makes one pass over the script, uses no regular expressions and
// allocates only the result slice: every Statement.Text is a substring of
// the script.
//
// # Rules per dialect
//
// A UTF-8 byte order mark at the start of the script is skipped; CR LF line
// endings are white space like LF.
//
//   - Strings: '...' everywhere, a doubled quote standing for one. Postgres
//     and Generic also lex E'...' strings with backslash escapes; their standard strings do
//     not treat a backslash as an escape. In MySQL both '...' and "..." are
//     strings with backslash escapes and doubling.
//   - Quoted identifiers: "..." (not MySQL, where "..." is a string) and
//     `...` (not Postgres), a doubled quote standing for one; [...] (SQLite only;
//     in Postgres '[' is an array subscript).
//   - Comments: -- to the end of the line (in MySQL only when followed by
//     white space or a control character, as the server requires); # to the
//     end of the line in MySQL only; /* */ nested in Postgres and Generic,
//     not nested in MySQL and SQLite. A MySQL conditional comment
//     /*! ... */ (or MariaDB executable comment /*M! ... */) is code: it is kept in the statement text as one token (a
//     statement made of one, such as "/*!40101 SET NAMES utf8 */", is a
//     statement) and a ';' inside it does not split.
//   - Dollar quotes $$...$$ and $tag$...$tag$ in Postgres and Generic; $1
//     is a parameter. In MySQL and SQLite '$' is an identifier or
//     parameter character.
//   - BEGIN ... END: inside a CREATE or ALTER statement for a TRIGGER,
//     PROCEDURE, FUNCTION or EVENT, BEGIN opens a block (in Postgres only
//     BEGIN ATOMIC does, the SQL-standard function body), and so does CASE;
//     END closes the innermost one, END CASE closes a CASE, and END IF, END
//     LOOP, END WHILE, END REPEAT and END FOR close constructs that need no
//     counting because they only occur inside a block. A ';' ends the
//     statement only when no block is open. Elsewhere BEGIN is an ordinary
//     word, so "BEGIN;" and "BEGIN TRANSACTION;" are statements of their
//     own. In MySQL and Generic a statement starting BEGIN NOT ATOMIC
//     (a MariaDB anonymous block) is a block too. Words after a '.' are
//     names (new.end), not keywords. A MySQL trigger or routine whose body
//     is a bare IF, LOOP, WHILE or REPEAT statement with ';' inside, not
//     wrapped in BEGIN ... END, needs a DELIMITER, as in the mysql client.
//   - Parentheses (Postgres and Generic): as in psql, a ';' inside
//     parentheses does not split, so a rule with several actions,
//     CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT ...; UPDATE ...), is
//     one statement. MySQL and SQLite split there, as their clients do.
//   - DELIMITER (MySQL and Generic): a line whose first token starts a
//     statement and is DELIMITER (any case) followed by white space and a
//     delimiter sets the terminator for what follows; the rest of the line
//     is ignored and the directive is not a statement. "DELIMITER ;"
//     restores ';'. While a custom delimiter is set, ';' does not split and
//     BEGIN ... END blocks are not needed to split: the delimiter always
//     ends a statement, as in the mysql client. The delimiter is found even
//     inside a word, as the mysql client does ("END$$").
//   - psql meta-commands (Postgres and Generic): a '\' where a statement
//     would start begins a meta-command such as \c, \copy or \pset, which
//     runs to the end of the line and is returned as its own Statement
//     (its Text starts with '\'; callers that execute SQL skip such
//     statements). The inline data that follows COPY ... FROM stdin in a
//     pg_dump file is not supported.
//
// # Tokens
//
// Tokens returns the tokens Split reads (words, quoted identifiers,
// strings, numbers, parameters, punctuation, ...; white space and
// comments are not tokens), each with its offset, for callers that need
// SQL's lexical structure without a lexer of their own.
//
// # Errors
//
// An unterminated string, quoted identifier, block comment, conditional
// comment, dollar quote, BEGIN block, CASE expression or parenthesis is a
// *SyntaxError
// whose Line is the line where the unterminated token (or the outermost
// open block) starts. A DELIMITER directive without a delimiter, or with
// one longer than 15 bytes (the mysql client's limit), is one too.
package sqlsplit

// Dialect selects the lexical rules of one database family.
type Dialect int

const (
	// Generic accepts the union of the rules that do not conflict: the
	// Postgres rules (E'' strings without backslash escapes elsewhere,
	// $tag$ bodies, nested /* */, parentheses, psql meta-commands) plus
	// backtick identifiers, BEGIN ... END bodies as in MySQL and SQLite, and
	// DELIMITER directives. It has no # comments, no [identifiers] and no
	// conditional comments.
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

// String returns the dialect's name: "generic", "postgres", "mysql" or
// "sqlite".
func (d Dialect) String() string {
	switch d {
	case Generic:
		return "generic"
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "Dialect(" + itoa(int(d)) + ")"
}

// MarshalText writes the dialect's name, as String does, so that JSON
// shows "postgres" rather than a number.
func (d Dialect) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

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
	// Offset is the byte offset in the script where it starts.
	Offset int
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
