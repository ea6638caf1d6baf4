package sqlx

import "strings"

// IdentList returns names quoted with quote, separated by ", ".
func IdentList(quote func(string) string, names []string) string {
	q := make([]string, len(names))
	for k, n := range names {
		q[k] = quote(n)
	}
	return strings.Join(q, ", ")
}

// DeferClause returns a constraint's " DEFERRABLE" or " DEFERRABLE
// INITIALLY DEFERRED" (initially deferred implies deferrable), or "" for
// a constraint checked at once.
func DeferClause(deferrable, initiallyDeferred bool) string {
	switch {
	case initiallyDeferred:
		return " DEFERRABLE INITIALLY DEFERRED"
	case deferrable:
		return " DEFERRABLE"
	}
	return ""
}

// QuotedEnd returns the end of the quoted token that starts at s[i], whose
// quote character is s[i] (a doubled quote inside stands for one): the
// index after its closing quote. closed is false when the quote is not
// closed; end is then len(s).
func QuotedEnd(s string, i int) (end int, closed bool) {
	q := s[i]
	for i++; i < len(s); i++ {
		if s[i] != q {
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			i++
			continue
		}
		return i + 1, true
	}
	return len(s), false
}
