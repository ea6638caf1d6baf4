package sqlsplit

import (
	"fmt"
	"strings"
)

// Split splits script into statements using the rules of d. Empty
// statements (only white space and comments) are dropped. The last
// statement may lack a terminator. A script that cannot be split (an
// unterminated string, quoted identifier, comment, dollar quote, BEGIN
// block or parenthesis; see the package documentation) yields a
// *SyntaxError and no statements.
func Split(script string, d Dialect) ([]Statement, error) {
	if d < Generic || d > SQLite {
		return nil, fmt.Errorf("sqlsplit: unknown dialect %d", int(d))
	}
	l := newLexer(script, d)
	l.out = make([]Statement, 0, estimate(script))
	if err := l.run(); err != nil {
		return nil, err
	}
	if err := l.checkClosed(); err != nil {
		return nil, err
	}
	l.finish()
	return l.out, nil
}

// estimate guesses the number of statements to size the result once.
func estimate(s string) int {
	n := strings.Count(s, ";") + 1
	if n > len(s)/8+1 {
		n = len(s)/8 + 1
	}
	return n
}

// bom is the UTF-8 byte order mark, skipped at the start of a script.
const bom = "\ufeff"

// Kinds of block openers, for the message of an unterminated block.
const (
	openBegin = iota + 1
	openCase
)

// lexer holds the state of one Split or Tokens call: the scanner that
// reads tokens and the statement tracking that decides where statements
// end. There is no package-level state, so both are safe for concurrent
// use.
type lexer struct {
	scanner
	out  []Statement
	sink func(Token) // Tokens: receives every token

	// Line bookkeeping: line is the 1-based line number at byte lineAt.
	line, lineAt int

	// The statement being collected.
	start, end int // first token start (-1: none yet), last token end
	stmtLine   int
	nwords     int  // bare words seen in the statement
	header     bool // first word was CREATE/ALTER: looking for the object kind
	compound   bool // statement is a trigger/routine/event: BEGIN opens a block
	anon       int  // MariaDB "BEGIN NOT ATOMIC": 1 after BEGIN, 2 after NOT
	anonPos    int
	depth      int  // open BEGIN/CASE blocks
	openPos    int  // offset of the outermost open block
	openKind   int  // openBegin or openCase
	pendEnd    bool // END seen, waiting for the next token (END IF, END CASE, ...)
	pendBegin  bool // Postgres: BEGIN seen, waiting for ATOMIC
	parens     int  // open parentheses (Postgres and Generic)
	parenPos   int  // offset of the outermost open parenthesis
	beginPos   int
	prevDot    bool // previous token was '.', so a word is a qualified name part
}

// newLexer returns a lexer at the start of script, past a byte order mark.
func newLexer(script string, d Dialect) *lexer {
	l := &lexer{scanner: scanner{s: script, d: d}, start: -1, line: 1}
	if strings.HasPrefix(script, bom) {
		l.i = len(bom)
	}
	return l
}

// run reads every token and tracks the statements they make.
func (l *lexer) run() error {
	for {
		t, ok, err := l.next(l.start < 0)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if l.sink != nil {
			l.sink(t)
		}
		l.take(t)
	}
	l.resolvePending()
	return nil
}

// take adds one token to the statement being collected, or ends it.
func (l *lexer) take(t Token) {
	switch t.Kind {
	case Delimiter:
		l.resolvePending()
		l.finish()
	case Directive:
		// Not part of any statement.
	case MetaCommand:
		l.token(t.Pos, t.End())
		l.finish()
	case Word:
		l.word(t)
	case Punct:
		l.punctToken(t)
	default:
		l.nonWord(t.Pos, t.End())
	}
}

// punctToken handles punctuation: ';' ends the statement unless a block
// or (Postgres, Generic) a parenthesis is open or a custom delimiter is
// set.
func (l *lexer) punctToken(t Token) {
	if t.Text == ";" && l.delim == "" {
		l.resolvePending()
		if l.depth > 0 || l.parens > 0 {
			l.punct(t.Pos, t.End())
		} else {
			l.finish()
		}
		return
	}
	if l.pgish() {
		l.trackParen(t)
	}
	l.punct(t.Pos, t.End())
}

// trackParen counts the open parentheses: as psql does, a ';' inside
// them does not split (CREATE RULE ... DO (INSERT ...; UPDATE ...)).
func (l *lexer) trackParen(t Token) {
	switch t.Text {
	case "(":
		if l.parens == 0 {
			l.parenPos = t.Pos
		}
		l.parens++
	case ")":
		if l.parens > 0 {
			l.parens--
		}
	}
}

// checkClosed reports a block, CASE or parenthesis still open at the end
// of the script; with a custom delimiter set, nothing needs closing.
func (l *lexer) checkClosed() error {
	if l.delim != "" {
		return nil
	}
	switch {
	case l.depth > 0 && l.openKind == openCase:
		return l.errorAt(l.openPos, "unterminated CASE expression")
	case l.depth > 0:
		return l.errorAt(l.openPos, "unterminated BEGIN block")
	case l.parens > 0:
		return l.errorAt(l.parenPos, "unclosed parenthesis")
	}
	return nil
}

// token records a token [a, b) of the current statement.
func (l *lexer) token(a, b int) {
	if l.start < 0 {
		l.open(a)
	}
	l.end = b
}

// open starts a statement at byte a.
func (l *lexer) open(a int) {
	l.start = a
	l.line += strings.Count(l.s[l.lineAt:a], "\n")
	l.lineAt = a
	l.stmtLine = l.line
}

// punct records a one-byte punctuation token.
func (l *lexer) punct(a, b int) {
	l.nonWord(a, b)
	l.prevDot = l.s[a] == '.'
}

// nonWord records a token that is not a bare word (a string, quoted
// identifier, number or punctuation): it completes a pending END or BEGIN.
func (l *lexer) nonWord(a, b int) {
	if l.pendEnd || l.pendBegin {
		l.resolvePending()
	}
	l.anon = 0
	l.prevDot = false
	l.token(a, b)
}

// resolvePending settles an END or BEGIN whose meaning depended on the
// following word, when the following token is not a word.
func (l *lexer) resolvePending() {
	if l.pendEnd {
		l.pendEnd = false
		l.pop()
	}
	l.pendBegin = false
}

func (l *lexer) push(pos, kind int) {
	if l.depth == 0 {
		l.openPos = pos
		l.openKind = kind
	}
	l.depth++
}

func (l *lexer) pop() {
	if l.depth > 0 {
		l.depth--
	}
}

// finish ends the current statement, if it has any token.
func (l *lexer) finish() {
	if l.start >= 0 {
		l.out = append(l.out, Statement{Text: l.s[l.start:l.end], Line: l.stmtLine, Start: l.start, End: l.end})
	}
	l.start, l.end = -1, 0
	l.nwords = 0
	l.header, l.compound = false, false
	l.anon = 0
	l.depth = 0
	l.parens = 0
	l.pendEnd, l.pendBegin = false, false
	l.prevDot = false
}

// word records a bare word; after or before a '.' it is a name part, not
// a keyword.
func (l *lexer) word(t Token) {
	end := t.End()
	dot := l.prevDot || (end < len(l.s) && l.s[end] == '.')
	l.prevDot = false
	l.token(t.Pos, end)
	if !dot {
		l.keyword(t.Text, t.Pos)
	} else {
		l.resolvePending()
		l.anon = 0
	}
}

// keyword tracks the words that open and close BEGIN ... END blocks.
// Which words matter depends on where the statement is: its first word
// (firstWord), MariaDB's BEGIN NOT ATOMIC (anonBlock), the CREATE header
// that says whether a body follows (headerWord), and the body of a
// trigger or routine (blockWord).
func (l *lexer) keyword(w string, pos int) {
	l.nwords++
	if l.nwords == 1 {
		l.firstWord(w, pos)
		return
	}
	if l.anonBlock(w) {
		return
	}
	switch {
	case l.header:
		l.headerWord(w)
	case l.compound:
		l.blockWord(w, pos)
	}
}

// firstWord reads a statement's first word: CREATE and ALTER start a
// header that may name a trigger or routine; on MySQL, BEGIN may start
// MariaDB's anonymous block.
func (l *lexer) firstWord(w string, pos int) {
	switch {
	case eq(w, "CREATE"), eq(w, "ALTER"):
		l.header = true
	case eq(w, "BEGIN") && l.mysqlish():
		l.anon = 1
		l.anonPos = pos
	}
}

// anonBlock follows MariaDB's BEGIN NOT ATOMIC, a compound statement
// outside any CREATE; it reports whether w was one of its words.
func (l *lexer) anonBlock(w string) bool {
	switch {
	case l.anon == 1 && eq(w, "NOT"):
		l.anon = 2
		return true
	case l.anon == 2 && eq(w, "ATOMIC"):
		l.anon = 0
		l.compound = true
		l.push(l.anonPos, openBegin)
		return true
	}
	l.anon = 0
	return false
}

// headerWord reads a word of a CREATE or ALTER header until it names the
// object kind: a trigger, procedure, function or event has a body whose
// BEGIN opens a block; any other kind (or a long header) has none.
func (l *lexer) headerWord(w string) {
	switch {
	case eq(w, "TRIGGER"), eq(w, "PROCEDURE"), eq(w, "FUNCTION"), eq(w, "EVENT"):
		l.compound = true
		l.header = false
	case l.nwords > 12 || isObjectKind(w):
		l.header = false
	}
}

// blockWord reads a word of a trigger's or routine's body: BEGIN and
// CASE open a block, END closes one once the word after it is known
// (endWord); Postgres's BEGIN opens one only as BEGIN ATOMIC
// (atomicWord).
func (l *lexer) blockWord(w string, pos int) {
	if l.pendEnd && l.endWord(w) {
		return
	}
	if l.pendBegin && l.atomicWord(w) {
		return
	}
	switch {
	case eq(w, "BEGIN"):
		if l.d == Postgres {
			l.pendBegin = true
			l.beginPos = pos
		} else {
			l.push(pos, openBegin)
		}
	case eq(w, "CASE"):
		l.push(pos, openCase)
	case eq(w, "END"):
		l.pendEnd = true
	}
}

// endWord settles a pending END by the word w after it: END IF and
// friends close blocks that are not counted, END CASE closes a CASE, and
// any other word follows a plain END, which closes a block. It reports
// whether w was part of the END.
func (l *lexer) endWord(w string) bool {
	l.pendEnd = false
	switch {
	case eq(w, "IF"), eq(w, "LOOP"), eq(w, "WHILE"), eq(w, "REPEAT"), eq(w, "FOR"):
		return true
	case eq(w, "CASE"):
		l.pop()
		return true
	}
	l.pop()
	return false
}

// atomicWord settles a pending Postgres BEGIN: BEGIN ATOMIC opens a
// block (a SQL-standard function body), a plain BEGIN does not. It
// reports whether w was ATOMIC.
func (l *lexer) atomicWord(w string) bool {
	l.pendBegin = false
	if eq(w, "ATOMIC") {
		l.push(l.beginPos, openBegin)
		return true
	}
	return false
}

// objectKinds are the kinds of object created without a procedural body.
var objectKinds = map[string]bool{
	"VIEW": true, "TYPE": true, "USER": true, "ROLE": true, "RULE": true, "CAST": true,
	"TABLE": true, "INDEX": true,
	"SCHEMA": true, "DOMAIN": true, "POLICY": true, "SERVER": true, "UNIQUE": true,
	"SEQUENCE": true, "DATABASE": true, "OPERATOR": true, "LANGUAGE": true,
	"EXTENSION": true, "COLLATION": true, "AGGREGATE": true, "TRANSFORM": true,
	"TABLESPACE": true, "STATISTICS": true, "CONVERSION": true,
	"PUBLICATION":  true,
	"MATERIALIZED": true, "SUBSCRIPTION": true,
}

// isObjectKind reports whether w names a kind of object created without a
// procedural body, which ends the search for TRIGGER/FUNCTION/... in a
// CREATE statement (so that "CREATE TABLE t (event int)" is no routine).
// The upper-casing goes through a stack buffer, so the lookup does not
// allocate.
func isObjectKind(w string) bool {
	var buf [12]byte
	if len(w) > len(buf) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	return objectKinds[string(buf[:len(w)])]
}

// maxDelimiter is the longest delimiter the mysql client accepts.
const maxDelimiter = 15

// delimiter recognises a DELIMITER directive at i, the start of a
// statement on a line of its own. It returns the end of the directive
// line and whether there was one. The keyword must stand alone at the
// start of its line (delimiterKeyword); the delimiter after it is read
// by delimiterArg.
func (sc *scanner) delimiter(i int) (int, bool, error) {
	if !delimiterKeyword(sc.s, i) {
		return 0, false, nil
	}
	j, k, err := sc.delimiterArg(i)
	if err != nil {
		return 0, false, err
	}
	if d := sc.s[j:k]; d == ";" {
		sc.delim = ""
	} else {
		sc.delim = d
	}
	return lineEnd(sc.s, k), true, nil
}

// delimiterKeyword reports the word DELIMITER at i, followed by a blank
// or the end of the line, with only blanks before it on its line.
func delimiterKeyword(s string, i int) bool {
	const kw = "DELIMITER"
	if len(s)-i < len(kw)+1 || !eq(s[i:i+len(kw)], kw) {
		return false
	}
	if j := i + len(kw); !isBlank(s[j]) && s[j] != '\n' && s[j] != '\r' {
		return false
	}
	return blanksBefore(s, i)
}

// blanksBefore reports whether only blanks precede i on its line.
func blanksBefore(s string, i int) bool {
	for k := i - 1; k >= 0 && s[k] != '\n'; k-- {
		if !isBlank(s[k]) && s[k] != '\r' {
			return false
		}
	}
	return true
}

// delimiterArg returns the bounds [j, k) of the delimiter after the
// DELIMITER keyword at i: the next run of non-space bytes, at most
// maxDelimiter of them.
func (sc *scanner) delimiterArg(i int) (j, k int, err error) {
	s := sc.s
	j = i + len("DELIMITER")
	for j < len(s) && isBlank(s[j]) {
		j++
	}
	k = j
	for k < len(s) && !isSpace(s[k]) {
		k++
	}
	if k == j {
		return 0, 0, sc.errorAt(i, "DELIMITER must be followed by a delimiter")
	}
	if k-j > maxDelimiter {
		// The mysql client keeps 15 bytes; a long delimiter would also make
		// the search for it quadratic.
		return 0, 0, sc.errorAt(i, "DELIMITER longer than 15 bytes")
	}
	return j, k, nil
}

// dollar lexes a '$' at i in the Postgres and Generic dialects: a
// dollar-quoted string, a $1 parameter or a lone '$'. It returns the end
// and the kind.
func (sc *scanner) dollar(i int) (int, TokenKind, error) {
	s := sc.s
	if i+1 < len(s) && isDigit(s[i+1]) {
		return digitsOnly(s, i+1), Param, nil
	}
	j, ok := dollarTag(s, i)
	if !ok {
		return i + 1, Punct, nil
	}
	tag := s[i:j]
	k := strings.Index(s[j:], tag)
	if k < 0 {
		return 0, 0, sc.errorAt(i, "unterminated dollar quote "+tag)
	}
	return j + k + len(tag), String, nil
}

// dollarTag reads the opening tag of a dollar quote at i ($$ or $tag$)
// and returns the end of it; ok is false when none is there.
func dollarTag(s string, i int) (int, bool) {
	j := i + 1
	if j < len(s) && isIdentStart(s[j]) {
		for j < len(s) && isIdentChar(s[j]) && s[j] != '$' {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return 0, false
	}
	return j + 1, true
}

// digitsOnly returns the end of the run of digits at s[i].
func digitsOnly(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// executable reports whether s starts with a MySQL conditional comment
// "/*!" or a MariaDB executable comment "/*M!", which hold code.
func executable(s string) bool {
	return strings.HasPrefix(s, "/*!") || strings.HasPrefix(s, "/*M!")
}

// blockComment skips a /* */ comment at i (nested in Postgres and
// Generic) and returns its end.
func (sc *scanner) blockComment(i int) (int, bool) {
	s := sc.s
	if !sc.pgish() {
		k := strings.Index(s[i+2:], "*/")
		if k < 0 {
			return 0, false
		}
		return i + 2 + k + 2, true
	}
	depth := 1
	j := i + 2
	for j+1 < len(s) {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			depth++
			j += 2
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j += 2
			if depth == 0 {
				return j, true
			}
		default:
			j++
		}
	}
	return 0, false
}

// doubledQuote skips a quoted token at i whose closing quote is s[i] and
// in which a doubled quote stands for one; it returns the end.
func doubledQuote(s string, i int) (int, bool) {
	q := s[i]
	j := i + 1
	for {
		k := strings.IndexByte(s[j:], q)
		if k < 0 {
			return 0, false
		}
		j += k + 1
		if j < len(s) && s[j] == q {
			j++
			continue
		}
		return j, true
	}
}

// escapedQuote skips a quoted token at i in which a backslash escapes the
// next byte and a doubled quote stands for one; it returns the end.
func escapedQuote(s string, i int) (int, bool) {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1, true
		}
	}
	return 0, false
}

// lineEnd returns the offset of the newline ending the line that holds i,
// or len(s).
func lineEnd(s string, i int) int {
	k := strings.IndexByte(s[i:], '\n')
	if k < 0 {
		return len(s)
	}
	return i + k
}

// eq reports whether w equals the upper-case ASCII keyword kw, ignoring case.
func eq(w, kw string) bool {
	if len(w) != len(kw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != kw[i] {
			return false
		}
	}
	return true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}
