package lint

import (
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// stmt is one statement of a revision with its tokens.
type stmt struct {
	text    string
	toks    []sqlsplit.Token
	index   int // 1-based number in the section
	line    int // line in the file
	secLine int // line in the section
}

// toks is a run of tokens: a statement, or one action of an ALTER TABLE.
type toks []sqlsplit.Token

// word returns token i upper-cased when it is a bare word, else "".
func (t toks) word(i int) string {
	if i < 0 || i >= len(t) || t[i].Kind != sqlsplit.Word {
		return ""
	}
	return strings.ToUpper(t[i].Text)
}

// at reports whether the tokens from i on match words: each a keyword
// (matched against bare words, any case) or punctuation.
func (t toks) at(i int, words ...string) bool {
	if i+len(words) > len(t) {
		return false
	}
	for k, w := range words {
		tk := t[i+k]
		if tk.Kind == sqlsplit.Punct {
			if tk.Text != w {
				return false
			}
			continue
		}
		if tk.Kind != sqlsplit.Word || !strings.EqualFold(tk.Text, w) {
			return false
		}
	}
	return true
}

// atAny reports whether the tokens start with one of the word lists.
func (t toks) atAny(leads [][]string) bool {
	for _, words := range leads {
		if t.at(0, words...) {
			return true
		}
	}
	return false
}

// skip returns i moved past words when they are at i, else i.
func (t toks) skip(i int, words ...string) int {
	if t.at(i, words...) {
		return i + len(words)
	}
	return i
}

// find returns the first index at or after i, outside parentheses, where
// words start, or -1.
func (t toks) find(i int, words ...string) int {
	depth := 0
	for ; i < len(t); i++ {
		if depth == 0 && t.at(i, words...) {
			return i
		}
		depth += nesting(t[i])
	}
	return -1
}

// nesting is how a token changes the parenthesis depth: +1 for "(", -1
// for ")", 0 otherwise. The scans that skip nested parts share it.
func nesting(tk sqlsplit.Token) int {
	switch tk.Text {
	case "(":
		return 1
	case ")":
		return -1
	}
	return 0
}

// has reports whether words occur anywhere outside parentheses.
func (t toks) has(words ...string) bool { return t.find(0, words...) >= 0 }

// hasAny reports whether any of the words occurs at any depth.
func (t toks) hasAnyDeep(words ...string) bool {
	for i := range t {
		for _, w := range words {
			if t.at(i, w) {
				return true
			}
		}
	}
	return false
}

// name reads a possibly qualified name at i (a, "a", `a`, s.a) and
// returns its last part, normalised for comparison (unquoted, lower
// case), and the index after it.
func (t toks) name(i int) (string, int) {
	last := ""
	for i < len(t) {
		tk := t[i]
		if tk.Kind != sqlsplit.Word && tk.Kind != sqlsplit.QuotedIdent {
			break
		}
		last = ident(tk)
		i++
		if i < len(t) && t[i].Text == "." {
			i++
			continue
		}
		break
	}
	return last, i
}

// ident is a name token unquoted and, when it was not quoted, lower-cased.
func ident(tk sqlsplit.Token) string {
	if tk.Kind == sqlsplit.QuotedIdent && len(tk.Text) >= 2 {
		q := tk.Text[:1]
		closing := tk.Text[len(tk.Text)-1:]
		inner := tk.Text[1 : len(tk.Text)-1]
		if q == "[" {
			return inner
		}
		return strings.ReplaceAll(inner, closing+closing, closing)
	}
	return strings.ToLower(tk.Text)
}

// splitTop splits t at commas outside parentheses.
func (t toks) splitTop() []toks {
	var out []toks
	depth, start := 0, 0
	for i, tk := range t {
		switch tk.Text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 && tk.Kind == sqlsplit.Punct {
				out = append(out, t[start:i])
				start = i + 1
			}
		}
	}
	return append(out, t[start:])
}

// paren returns the tokens inside the parenthesis that opens at i and the
// index after its closing one; ok is false when t[i] is not "(".
func (t toks) paren(i int) (inner toks, next int, ok bool) {
	if i >= len(t) || t[i].Text != "(" {
		return nil, i, false
	}
	depth := 0
	for k := i; k < len(t); k++ {
		switch t[k].Text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return t[i+1 : k], k + 1, true
			}
		}
	}
	return t[i+1:], len(t), true
}

// text joins the tokens as written, a space where the source had one.
func (t toks) text() string {
	var b strings.Builder
	for i, tk := range t {
		if i > 0 && tk.Space {
			b.WriteByte(' ')
		}
		b.WriteString(tk.Text)
	}
	return b.String()
}

// typeStopWords end a column's type in a column definition.
var typeStopWords = map[string]bool{
	"NOT": true, "NULL": true, "DEFAULT": true, "CONSTRAINT": true, "PRIMARY": true,
	"UNIQUE": true, "REFERENCES": true, "CHECK": true, "COLLATE": true, "GENERATED": true,
	"USING": true, "AUTO_INCREMENT": true, "AUTOINCREMENT": true, "COMMENT": true, "FIRST": true,
	"AFTER": true, "ON": true, "CHARACTER": true, "CHARSET": true, "AS": true, "INVISIBLE": true,
	"VISIBLE": true, "KEY": true, "IDENTITY": true, "STORAGE": true, "COMPRESSION": true,
}

// columnType reads a column's type starting at i and returns it
// normalised (lower case, no spaces) and the index after it.
func (t toks) columnType(i int) (string, int) {
	var b strings.Builder
	depth := 0
	for ; i < len(t); i++ {
		tk := t[i]
		if depth == 0 && typeStopWords[t.word(i)] {
			break
		}
		depth += nesting(tk)
		if b.Len() > 0 && tk.Space && depth == 0 && tk.Text != "(" {
			b.WriteByte(' ')
		}
		b.WriteString(strings.ToLower(tk.Text))
	}
	return b.String(), i
}
