package sqlsplit

import (
	"errors"
	"strings"
)

// TokenKind is the lexical class of a Token.
type TokenKind int

const (
	// Word is a bare identifier or keyword.
	Word TokenKind = iota + 1
	// QuotedIdent is a quoted identifier, quotes included: "x", `x`, [x].
	QuotedIdent
	// String is a string literal, quotes included: 'x', E'x', MySQL's "x",
	// and a Postgres dollar-quoted $tag$...$tag$ body.
	String
	// Number is a numeric literal. In SQLite it follows SQLite's rules
	// (0x1F, 1_000, .5, 1.5e-3); elsewhere it is a digit and the
	// identifier characters and dots after it.
	Number
	// Blob is an SQLite blob literal, X'00ff'.
	Blob
	// Param is a parameter: $1 (Postgres and Generic); ?, ?1, :a, @a and
	// $a (SQLite).
	Param
	// Punct is an operator or punctuation: one byte, except SQLite's
	// two- and three-byte operators (||, <=, ->>, ...).
	Punct
	// Executable is a MySQL conditional comment /*!...*/ or MariaDB
	// executable comment /*M!...*/, which hold code.
	Executable
	// MetaCommand is a psql meta-command such as \c db: a '\' where a
	// statement would start, to the end of the line (Postgres and
	// Generic).
	MetaCommand
	// Delimiter is the custom terminator set by a DELIMITER directive,
	// where it ends a statement (MySQL and Generic). A ';' is always
	// Punct: whether it ends a statement depends on the BEGIN ... END
	// blocks around it, which Split tracks.
	Delimiter
	// Directive is a DELIMITER directive line (MySQL and Generic).
	Directive
)

var tokenKindNames = [...]string{
	Word: "word", QuotedIdent: "quoted identifier", String: "string", Number: "number",
	Blob: "blob", Param: "parameter", Punct: "punctuation", Executable: "executable comment",
	MetaCommand: "meta-command", Delimiter: "delimiter", Directive: "directive",
}

// String returns the kind's name, such as "quoted identifier".
func (k TokenKind) String() string {
	if k > 0 && int(k) < len(tokenKindNames) {
		return tokenKindNames[k]
	}
	return "TokenKind(" + itoa(int(k)) + ")"
}

// Token is one token of a script. White space and comments (other than
// executable comments) are not tokens.
type Token struct {
	Kind TokenKind
	// Text is the token as written: script[Pos:Pos+len(Text)].
	Text string
	// Pos is the byte offset of Text in the script.
	Pos int
	// Space reports whether white space or a comment precedes the token.
	Space bool
}

// End is the byte offset just after the token.
func (t Token) End() int { return t.Pos + len(t.Text) }

// Tokens returns the tokens of script under the rules of d, the same
// tokens Split reads (see the package documentation for the rules per
// dialect). Its only errors are unterminated tokens (strings, quoted
// identifiers, comments, dollar quotes): a *SyntaxError whose Offset is
// where that token starts, returned with the tokens before it. Open
// BEGIN blocks and parentheses are statement structure, which Split
// checks and Tokens does not.
func Tokens(script string, d Dialect) ([]Token, error) {
	if d < Generic || d > SQLite {
		return nil, errors.New("sqlsplit: unknown dialect " + itoa(int(d)))
	}
	var toks []Token
	l := newLexer(script, d)
	l.sink = func(t Token) { toks = append(toks, t) }
	err := l.run()
	return toks, err
}

// scanner reads the tokens of a script one at a time; the statement
// tracking that decides where statements end is lexer's.
type scanner struct {
	s     string
	d     Dialect
	i     int    // next byte to read
	delim string // custom terminator set by DELIMITER; "" means ';'
	space bool   // white space or a comment since the last token
}

func (sc *scanner) mysqlish() bool { return sc.d == MySQL || sc.d == Generic }
func (sc *scanner) pgish() bool    { return sc.d == Postgres || sc.d == Generic }

// errorAt returns a *SyntaxError for the token starting at byte pos.
func (sc *scanner) errorAt(pos int, msg string) error {
	return &SyntaxError{Line: strings.Count(sc.s[:pos], "\n") + 1, Offset: pos, Msg: msg}
}

// atDelim reports whether a custom delimiter starts at byte j.
func (sc *scanner) atDelim(j int) bool {
	return sc.delim != "" && sc.s[j] == sc.delim[0] && strings.HasPrefix(sc.s[j:], sc.delim)
}

// next returns the next token, and false at the end of the script.
// atStart says that no statement is open, where DELIMITER directives and
// psql meta-commands are recognised.
func (sc *scanner) next(atStart bool) (Token, bool, error) {
	for sc.i < len(sc.s) {
		i := sc.i
		end, kind, err := sc.lex(atStart)
		if err != nil {
			return Token{}, false, err
		}
		sc.i = end
		if kind == 0 {
			sc.space = true // white space or a comment
			continue
		}
		t := Token{Kind: kind, Text: sc.s[i:end], Pos: i, Space: sc.space}
		sc.space = false
		if kind == MetaCommand {
			t.Text = strings.TrimRight(t.Text, " \t\r\f\v")
		}
		return t, true, nil
	}
	return Token{}, false, nil
}

// lex reads what starts at sc.i: its end and its kind, 0 for white space
// and comments.
func (sc *scanner) lex(atStart bool) (int, TokenKind, error) {
	i := sc.i
	c := sc.s[i]
	if sc.atDelim(i) {
		return i + len(sc.delim), Delimiter, nil
	}
	if isSpace(c) {
		return i + 1, 0, nil
	}
	if end, kind, ok, err := sc.lexQuoted(atStart); ok || err != nil {
		return end, kind, err
	}
	if sc.d == SQLite {
		if end, kind, ok := sc.lexSQLite(); ok {
			return end, kind, nil
		}
	}
	switch {
	case isIdentStart(c):
		return sc.lexWord(atStart)
	case isDigit(c):
		return sc.lexNumber(), Number, nil
	}
	return i + 1, Punct, nil
}

// lexNumber returns the end of the number at sc.i outside SQLite: a
// digit and the identifier characters and dots after it, up to a custom
// delimiter.
func (sc *scanner) lexNumber() int {
	s := sc.s
	j := sc.i + 1
	for j < len(s) && (isIdentChar(s[j]) || s[j] == '.') && !sc.atDelim(j) {
		j++
	}
	return j
}

// lexQuoted reads the tokens that open with a quote or comment character:
// comments, strings, quoted identifiers, dollar quotes, '$' words and
// meta-commands. ok is false when the byte at sc.i starts none of them
// in this dialect.
func (sc *scanner) lexQuoted(atStart bool) (end int, kind TokenKind, ok bool, err error) {
	if end, kind, ok, err := sc.lexComments(); ok || err != nil {
		return end, kind, ok, err
	}
	s, i := sc.s, sc.i
	switch s[i] {
	case '\'':
		end, err := sc.quoted(i, sc.d == MySQL, "unterminated string literal")
		return end, String, true, err
	case '"':
		if sc.d == MySQL {
			end, err := sc.quoted(i, true, "unterminated string literal")
			return end, String, true, err
		}
		end, err := sc.quoted(i, false, "unterminated quoted identifier")
		return end, QuotedIdent, true, err
	case '`':
		if sc.d != Postgres {
			end, err := sc.quoted(i, false, "unterminated quoted identifier")
			return end, QuotedIdent, true, err
		}
	case '[':
		if sc.d == SQLite {
			k := strings.IndexByte(s[i+1:], ']')
			if k < 0 {
				return 0, 0, true, sc.errorAt(i, "unterminated quoted identifier")
			}
			return i + 1 + k + 1, QuotedIdent, true, nil
		}
	case '$':
		if sc.pgish() {
			end, kind, err := sc.dollar(i)
			return end, kind, true, err
		}
		if sc.d == MySQL {
			// '$' starts an identifier.
			end, kind, err := sc.lexWord(atStart)
			return end, kind, true, err
		}
	case '\\':
		if atStart && sc.pgish() {
			// A psql meta-command: the rest of the line, as its own
			// statement.
			return lineEnd(s, i), MetaCommand, true, nil
		}
	}
	return 0, 0, false, nil
}

// lexComments reads a comment at sc.i (kind 0), or a MySQL conditional
// comment (Executable); ok is false when none starts there.
func (sc *scanner) lexComments() (end int, kind TokenKind, ok bool, err error) {
	s, i := sc.s, sc.i
	switch s[i] {
	case '-':
		if i+1 < len(s) && s[i+1] == '-' && (sc.d != MySQL || i+2 >= len(s) || s[i+2] <= ' ') {
			return lineEnd(s, i), 0, true, nil
		}
	case '#':
		if sc.d == MySQL {
			return lineEnd(s, i), 0, true, nil
		}
	case '/':
		if i+1 < len(s) && s[i+1] == '*' {
			end, kind, err := sc.lexComment()
			return end, kind, true, err
		}
	}
	return 0, 0, false, nil
}

// quoted reads a quoted token at i, with backslash escapes or not.
func (sc *scanner) quoted(i int, escapes bool, msg string) (int, error) {
	var j int
	var ok bool
	if escapes {
		j, ok = escapedQuote(sc.s, i)
	} else {
		j, ok = doubledQuote(sc.s, i)
	}
	if !ok {
		return 0, sc.errorAt(i, msg)
	}
	return j, nil
}

// lexComment reads a block comment at sc.i, or a MySQL conditional
// comment, which is code: one Executable token.
func (sc *scanner) lexComment() (int, TokenKind, error) {
	s, i := sc.s, sc.i
	if sc.d == MySQL && executable(s[i:]) {
		k := strings.Index(s[i+3:], "*/")
		if k < 0 {
			if s[i+2] == 'M' {
				return 0, 0, sc.errorAt(i, "unterminated executable comment /*M!")
			}
			return 0, 0, sc.errorAt(i, "unterminated conditional comment /*!")
		}
		return i + 3 + k + 2, Executable, nil
	}
	j, ok := sc.blockComment(i)
	if !ok {
		return 0, 0, sc.errorAt(i, "unterminated block comment")
	}
	return j, 0, nil
}

// lexWord reads a bare word at sc.i: a DELIMITER directive where a
// statement may start (MySQL and Generic), a Postgres E” string
// (escapeString), or a word, which ends at a custom delimiter as in the
// mysql client.
func (sc *scanner) lexWord(atStart bool) (int, TokenKind, error) {
	s, i := sc.s, sc.i
	if atStart && sc.mysqlish() {
		j, ok, err := sc.delimiter(i)
		if err != nil || ok {
			return j, Directive, err
		}
	}
	if sc.pgish() && escapeStringAt(s, i) {
		return sc.escapeString(i)
	}
	j := i + 1
	for j < len(s) && isIdentChar(s[j]) && !sc.atDelim(j) {
		j++
	}
	return j, Word, nil
}

// escapeStringAt reports an E'...' string at s[i].
func escapeStringAt(s string, i int) bool {
	return (s[i] == 'e' || s[i] == 'E') && i+1 < len(s) && s[i+1] == '\''
}

// escapeString reads a Postgres E'...' string at i, whose backslashes
// escape.
func (sc *scanner) escapeString(i int) (int, TokenKind, error) {
	j, ok := escapedQuote(sc.s, i+1)
	if !ok {
		return 0, 0, sc.errorAt(i, "unterminated string literal")
	}
	return j, String, nil
}

// lexSQLite reads the tokens SQLite's tokenizer has and the other
// dialects lex differently: blobs, parameters (sqliteParam), numbers and
// multi-byte operators (sqliteOperator).
func (sc *scanner) lexSQLite() (int, TokenKind, bool) {
	s, i := sc.s, sc.i
	c := s[i]
	switch {
	case (c == 'x' || c == 'X') && i+1 < len(s) && s[i+1] == '\'':
		j, ok := doubledQuote(s, i+1)
		if !ok {
			return 0, 0, false // the error is the quote's
		}
		return j, Blob, true
	case sqliteNumberAt(s, i):
		return sqliteNumber(s, i), Number, true
	}
	if j, ok := sqliteParam(s, i); ok {
		return j, Param, true
	}
	if j, ok := sqliteOperator(s, i); ok {
		return j, Punct, true
	}
	return 0, 0, false
}

// sqliteNumberAt reports a number at s[i]: a digit, or a '.' before one.
func sqliteNumberAt(s string, i int) bool {
	return isDigit(s[i]) || s[i] == '.' && i+1 < len(s) && isDigit(s[i+1])
}

// sqliteParam returns the end of a parameter at s[i]: ?, ?1, :a, @a, $a.
func sqliteParam(s string, i int) (int, bool) {
	switch c := s[i]; {
	case c == '?':
		return digitsOnly(s, i+1), true
	case (c == ':' || c == '@' || c == '$') && i+1 < len(s) && isIdentChar(s[i+1]):
		j := i + 1
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		return j, true
	}
	return 0, false
}

// sqliteOperator returns the end of a multi-byte operator at s[i].
func sqliteOperator(s string, i int) (int, bool) {
	for _, op := range sqliteOperators {
		if strings.HasPrefix(s[i:], op) {
			return i + len(op), true
		}
	}
	return 0, false
}

// sqliteOperators are SQLite's multi-byte operators, longest first.
var sqliteOperators = []string{"->>", "||", "<<", ">>", "<=", ">=", "==", "!=", "<>", "->"}

// sqliteNumber returns the end of the number at s[i], by SQLite's rules:
// hexadecimal 0x... (sqliteHex), or digits with '_' separators, a
// fraction and an exponent (exponent).
func sqliteNumber(s string, i int) int {
	if s[i] == '0' && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') {
		return sqliteHex(s, i+2)
	}
	i = digits(s, i)
	if i < len(s) && s[i] == '.' {
		i = digits(s, i+1)
	}
	return exponent(s, i)
}

// sqliteHex returns the end of the hexadecimal digits (and '_') at s[i].
func sqliteHex(s string, i int) int {
	for i < len(s) && (isHexDigit(s[i]) || s[i] == '_') {
		i++
	}
	return i
}

// exponent returns the end of an exponent at s[i] (e, an optional sign,
// digits), or i when there is none: an 'e' without digits is not one.
func exponent(s string, i int) int {
	if i >= len(s) || s[i] != 'e' && s[i] != 'E' {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j < len(s) && isDigit(s[j]) {
		return digits(s, j)
	}
	return i
}

// digits returns the end of the run of digits and '_' at s[i].
func digits(s string, i int) int {
	for i < len(s) && (isDigit(s[i]) || s[i] == '_') {
		i++
	}
	return i
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
