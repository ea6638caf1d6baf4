package sqlite

import (
	"errors"
	"strings"

	"github.com/retortdb/retort/dialect/internal/sqlx"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// ddlKind is the lexical class of a token of SQLite DDL text.
type ddlKind int

const (
	ddlWord   ddlKind = iota // bare identifier or keyword
	ddlQuoted                // "x", [x] or `x`
	ddlString                // 'x'
	ddlNumber                // 12, 1.5e3, 0x1F
	ddlBlob                  // X'00ff'
	ddlVar                   // ?, ?1, :a, @a, $a
	ddlPunct                 // operators and ( ) , ; .
)

// ddlToken is one token of SQLite DDL text. Whitespace and comments are not
// tokens; space records whether any preceded the token.
type ddlToken struct {
	kind  ddlKind
	text  string
	pos   int // byte offset of text in the input
	space bool
}

// is reports whether t is the bare word w (ASCII case-insensitive).
func (t ddlToken) is(w string) bool {
	return t.kind == ddlWord && strings.EqualFold(t.text, w)
}

// punct reports whether t is the punctuation p.
func (t ddlToken) punct(p string) bool { return t.kind == ddlPunct && t.text == p }

// ident returns the name a token designates when used as an identifier:
// quotes removed and doubled quotes undone.
func (t ddlToken) ident() string {
	switch t.kind {
	case ddlQuoted, ddlString:
		open := t.text[0]
		closer := open
		if open == '[' {
			closer = ']'
		}
		body := t.text[1:]
		if len(body) > 0 && body[len(body)-1] == closer {
			body = body[:len(body)-1]
		}
		if open == '[' {
			return body
		}
		q := string(open)
		return strings.ReplaceAll(body, q+q, q)
	}
	return t.text
}

// ddlKinds maps sqlsplit's token kinds to ddlKind; the kinds SQLite does
// not have (directives, meta-commands, ...) never occur.
var ddlKinds = map[sqlsplit.TokenKind]ddlKind{
	sqlsplit.Word: ddlWord, sqlsplit.QuotedIdent: ddlQuoted, sqlsplit.String: ddlString,
	sqlsplit.Number: ddlNumber, sqlsplit.Blob: ddlBlob, sqlsplit.Param: ddlVar,
	sqlsplit.Punct: ddlPunct,
}

// ddlLex splits SQLite SQL text into tokens with sqlsplit's SQLite lexer
// (SQLite's tokenizer): comments and whitespace are dropped, quoted
// tokens keep their quotes. An unterminated quote runs to the end of the
// text, and an unterminated comment is dropped, as in ddlTail: the input
// comes from sqlite_schema, which the server has already parsed, so only
// hand-made text (the fuzz target) has them, and a token is better than
// an error there.
func ddlLex(s string) []ddlToken {
	stoks, err := sqlsplit.Tokens(s, sqlsplit.SQLite)
	toks := make([]ddlToken, 0, len(stoks)+1)
	for _, t := range stoks {
		toks = append(toks, ddlToken{kind: ddlKinds[t.Kind], text: t.Text, pos: t.Pos, space: t.Space})
	}
	var se *sqlsplit.SyntaxError
	if errors.As(err, &se) {
		toks = ddlTail(s, toks, se.Offset)
	}
	return toks
}

// ddlTail adds the unterminated token at s[at:] that ended sqlsplit's
// tokens: a string, quoted identifier or blob running to the end of s
// (a blob's X is then the last token, which it joins); an unterminated
// comment adds nothing.
func ddlTail(s string, toks []ddlToken, at int) []ddlToken {
	rest := s[at:]
	kind := ddlQuoted
	switch rest[0] {
	case '/':
		return toks
	case '\'':
		kind = ddlString
		if n := len(toks); n > 0 && toks[n-1].pos+len(toks[n-1].text) == at && (toks[n-1].text == "x" || toks[n-1].text == "X") {
			last := toks[n-1]
			return append(toks[:n-1], ddlToken{kind: ddlBlob, text: s[last.pos:], pos: last.pos, space: last.space})
		}
	}
	prevEnd := 0 // where sqlsplit started: after the last token, or a byte order mark
	if n := len(toks); n > 0 {
		prevEnd = toks[n-1].pos + len(toks[n-1].text)
	} else if strings.HasPrefix(s, "\ufeff") {
		prevEnd = len("\ufeff")
	}
	space := at > prevEnd
	return append(toks, ddlToken{kind: kind, text: rest, pos: at, space: space})
}

// canonQuoted rewrites [x] and `x` quoting as "x", which SQLite reads as the
// same identifier; other tokens are returned as they are.
func canonQuoted(t ddlToken) string {
	if t.kind == ddlQuoted && t.text[0] != '"' {
		return `"` + strings.ReplaceAll(t.ident(), `"`, `""`) + `"`
	}
	return t.text
}

// normExpr prints an expression (a default, check, generated column, index
// key or predicate) in retort's canonical spelling: comments dropped, any
// run of whitespace made one space, no space after "(" or around the "."
// of a qualified name, none before ")" or ",", one after ",", and [x] / `x`
// quoting written as "x".
// Letter case is kept. normExpr(normExpr(x)) == normExpr(x).
func normExpr(toks []ddlToken) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			prev := toks[i-1]
			switch {
			case t.punct(")") || t.punct(",") || prev.punct("("):
			case t.punct(".") && (prev.kind == ddlWord || prev.kind == ddlQuoted):
			case prev.punct(".") && (t.kind == ddlWord || t.kind == ddlQuoted || t.punct("*")):
			case prev.punct(","):
				b.WriteByte(' ')
			case t.space:
				b.WriteByte(' ')
			}
		}
		b.WriteString(canonQuoted(t))
	}
	return b.String()
}

// normType prints a declared column type in one spelling: bare words upper
// case, one space between words, none around parentheses and commas
// ("NUMERIC(10,2)", "UNSIGNED BIG INT"); elsewhere a run of whitespace
// becomes one space. normType(normType(x)) == normType(x).
func normType(s string) string {
	toks := ddlLex(s)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			prev := toks[i-1]
			switch {
			case t.punct("(") || t.punct(")") || t.punct(",") || prev.punct("(") || prev.punct(","):
			case t.kind != ddlPunct && prev.kind != ddlPunct || t.space:
				b.WriteByte(' ')
			}
		}
		if t.kind == ddlWord {
			b.WriteString(strings.ToUpper(t.text))
		} else {
			b.WriteString(canonQuoted(t))
		}
	}
	return b.String()
}

// normText normalises the stored text of a view or trigger without touching
// what it means: line endings become "\n", whitespace at the end of a line
// (outside literals) is removed, and so is leading and trailing space.
func normText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	pending := 0 // start in s of the whitespace not yet written
	i := 0
	flush := func(end int) { b.WriteString(s[pending:end]); pending = end }
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '\n':
			// Drop the spaces before the newline.
			j := i
			for j > pending && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\r') {
				j--
			}
			b.WriteString(s[pending:j])
			b.WriteByte('\n')
			i++
			pending = i
			continue
		case c == '\'' || c == '"' || c == '`':
			i, _ = sqlx.QuotedEnd(s, i)
		case c == '[':
			if j := strings.IndexByte(s[i:], ']'); j >= 0 {
				i += j + 1
			} else {
				i = len(s)
			}
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += 2 + j + 2
			} else {
				i = len(s)
			}
		default:
			i++
		}
		flush(i)
	}
	flush(len(s))
	return strings.TrimSpace(b.String())
}

// ddlMatchParen returns the index of the ")" that closes the "(" at toks[i],
// or len(toks) when it is not closed.
func ddlMatchParen(toks []ddlToken, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].punct("("):
			depth++
		case toks[j].punct(")"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

// ddlSplitTop splits toks at the commas outside parentheses.
func ddlSplitTop(toks []ddlToken) [][]ddlToken {
	var parts [][]ddlToken
	depth, start := 0, 0
	for j, t := range toks {
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth--
		case t.punct(",") && depth == 0:
			parts = append(parts, toks[start:j])
			start = j + 1
		}
	}
	if start < len(toks) {
		parts = append(parts, toks[start:])
	}
	return parts
}
