package sqlsplit

import "strings"

// Secrets returns the string literals of stmt that hold a password, so
// that what retort prints or records about a failed statement can leave
// them out: the literal after PASSWORD (PostgreSQL's [ENCRYPTED] PASSWORD
// 'x', MySQL's SET PASSWORD = 'x' and PASSWORD('x')), and after BY or AS
// once the statement has said IDENTIFIED (MySQL's IDENTIFIED BY 'x',
// IDENTIFIED WITH plugin BY 'x' or AS 'hash'). A statement that does not
// tokenize has none that can be found; it is returned as nil.
func Secrets(stmt string, d Dialect) []Token {
	toks, err := Tokens(stmt, d)
	if err != nil {
		return nil
	}
	var out []Token
	var sc secretScan
	for _, t := range toks {
		if sc.step(t) {
			out = append(out, t)
		}
	}
	return out
}

// Redact returns stmt with every literal Secrets finds replaced by
// '****'. A space keeps the replacement a token of its own where the
// original touched its neighbour: in MySQL an empty "" string next to
// an empty single-quoted one is two strings, but '****' next to the
// second would read as one.
func Redact(stmt string, d Dialect) string {
	secrets := Secrets(stmt, d)
	if len(secrets) == 0 {
		return stmt
	}
	var b strings.Builder
	at := 0
	for _, t := range secrets {
		b.WriteString(stmt[at:t.Pos])
		if t.Pos > 0 && gluesTo(stmt[t.Pos-1]) {
			b.WriteByte(' ')
		}
		b.WriteString("'****'")
		at = t.End()
		if at < len(stmt) && gluesTo(stmt[at]) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(stmt[at:])
	return b.String()
}

// gluesTo reports whether c, written right next to a quoted literal,
// could read as part of it: another quote, or a word character that
// makes a prefix such as N'...' or _utf8'...'.
func gluesTo(c byte) bool {
	return c == '\'' || c == '"' || c == '`' || c == '_' ||
		c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// SecretValues returns the text inside the quotes of each literal Secrets
// finds, for scrubbing a server's error message that quotes the statement.
func SecretValues(stmt string, d Dialect) []string {
	var out []string
	for _, t := range Secrets(stmt, d) {
		v := strings.TrimPrefix(strings.TrimPrefix(t.Text, "E"), "e")
		if len(v) >= 2 {
			v = v[1 : len(v)-1]
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// secretScan is Secrets' state between tokens.
type secretScan struct {
	identified bool // the statement said IDENTIFIED
	armed      bool // the next string literal is a secret
	forUser    bool // SET PASSWORD FOR user: armed again at the '='
}

// step reads t and reports whether it is a secret literal. Once armed
// (after PASSWORD, or IDENTIFIED ... BY or AS) the next string is one
// (armedStep); after SET PASSWORD FOR user the '=' arms again; any
// other token may arm (watch).
func (s *secretScan) step(t Token) bool {
	switch {
	case s.armed:
		return s.armedStep(t)
	case s.forUser:
		s.armed = t.Kind == Punct && t.Text == "="
		s.forUser = !s.armed
	default:
		s.watch(t)
	}
	return false
}

// armedStep reads a token while armed: a string literal is the secret;
// '=' and '(' may come before it (PASSWORD = 'x', PASSWORD('x')); FOR
// names a user first (SET PASSWORD FOR user = 'x'), which is no secret.
func (s *secretScan) armedStep(t Token) bool {
	switch {
	case t.Kind == String:
		s.armed = false
		return true
	case t.Kind == Punct && (t.Text == "=" || t.Text == "("):
	case isWord(t, "FOR"):
		s.armed, s.forUser = false, true
	default:
		s.watch(t)
	}
	return false
}

// watch arms the scan at PASSWORD, and at BY or AS once the statement has
// said IDENTIFIED.
func (s *secretScan) watch(t Token) {
	if isWord(t, "IDENTIFIED") {
		s.identified, s.armed = true, false
		return
	}
	s.armed = isWord(t, "PASSWORD") || s.identified && (isWord(t, "BY") || isWord(t, "AS"))
}

// isWord reports whether t is the bare word w, in any case.
func isWord(t Token, w string) bool { return t.Kind == Word && strings.EqualFold(t.Text, w) }
