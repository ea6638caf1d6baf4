package sqlsplit

import (
	"errors"
	"strings"
	"testing"
)

// tokenString prints tokens as "kind:text" separated by spaces, with a
// "_" before a token that white space or a comment precedes.
func tokenString(toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Space {
			b.WriteByte('_')
		}
		b.WriteString(t.Kind.String() + ":" + t.Text)
	}
	return b.String()
}

func TestTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d        Dialect
		in, want string
	}{
		{SQLite, `CREATE TABLE "t" ([a] INT DEFAULT x'00ff', b REAL DEFAULT .5e-3)`,
			`word:CREATE _word:TABLE _quoted identifier:"t" _punctuation:( quoted identifier:[a] _word:INT _word:DEFAULT _blob:x'00ff' punctuation:, _word:b _word:REAL _word:DEFAULT _number:.5e-3 punctuation:)`},
		{SQLite, "a->>'$.x' || ?1 <> :n -- c\n/* d */ @v $w 0x1F 1_000",
			`word:a punctuation:->> string:'$.x' _punctuation:|| _parameter:?1 _punctuation:<> _parameter::n _parameter:@v _parameter:$w _number:0x1F _number:1_000`},
		{Postgres, `SELECT $1, E'\'', $f$ ; $f$ FROM "T"; \x`,
			`word:SELECT _parameter:$1 punctuation:, _string:E'\'' punctuation:, _string:$f$ ; $f$ _word:FROM _quoted identifier:"T" punctuation:; _meta-command:\x`},
		{MySQL, "DELIMITER $$\nSELECT \"a\\\"\" /*!40101 x */ `b`$$ # c",
			"directive:DELIMITER $$ _word:SELECT _string:\"a\\\"\" _executable comment:/*!40101 x */ _quoted identifier:`b` delimiter:$$"},
	} {
		toks, err := Tokens(tc.in, tc.d)
		if err != nil {
			t.Errorf("%v %q: %v", tc.d, tc.in, err)
			continue
		}
		if got := tokenString(toks); got != tc.want {
			t.Errorf("%v %q:\n got %s\nwant %s", tc.d, tc.in, got, tc.want)
		}
	}
}

// TestTokensUnterminated: an unterminated token is a *SyntaxError at its
// offset, with the tokens before it; an open BEGIN block is not Tokens'
// concern.
func TestTokensUnterminated(t *testing.T) {
	t.Parallel()
	toks, err := Tokens("SELECT 1, 'abc", SQLite)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 10 || se.Line != 1 {
		t.Fatalf("err = %#v, want a *SyntaxError at offset 10", err)
	}
	if got, want := tokenString(toks), "word:SELECT _number:1 punctuation:,"; got != want {
		t.Errorf("tokens before the error: %s, want %s", got, want)
	}
	if _, err := Tokens("CREATE TRIGGER t BEGIN SELECT 1;", SQLite); err != nil {
		t.Errorf("open BEGIN block: %v, want no error", err)
	}
	if _, err := Split("CREATE TRIGGER t BEGIN SELECT 1;", SQLite); err == nil {
		t.Errorf("Split of an open BEGIN block succeeded")
	}
	if _, err := Tokens("x", Dialect(9)); err == nil {
		t.Errorf("unknown dialect accepted")
	}
}
