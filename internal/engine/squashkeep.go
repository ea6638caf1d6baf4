package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// keepReasons returns, for each revision of chain, why a squashed
// revision keeps its SQL as written ("" when its part may be generated
// from the schema), and refuses Go revisions, which no SQL file holds.
func (m *Migrator) keepReasons(chain []*script.Revision) ([]string, error) {
	out := make([]string, len(chain))
	for i, r := range chain {
		if r.Go {
			return nil, &SquashRefusedError{Revision: r.ID, Path: r.Path, Reason: "it is written in Go, and a squashed revision is SQL: squash a range that ends before it or starts after it"}
		}
		why, err := keepReason(m.dialect.Splitter(), r)
		if err != nil {
			return nil, err
		}
		if why != "" {
			if err := keepable(r); err != nil {
				return nil, err
			}
		}
		out[i] = why
	}
	return out, nil
}

// keepReason says why r's SQL is kept as written: the first statement of
// its upgrade or downgrade that does more than change the schema, or
// that moves or converts rows while it does (see statementRisk); "" when
// there is none. Generated SQL would make the same schema, but not do
// the same to rows.
func keepReason(sp sqlsplit.Dialect, r *script.Revision) (string, error) {
	for _, sec := range []struct {
		name string
		s    script.Section
	}{{"upgrade", r.Up}, {"downgrade", r.Down}} {
		stmts, err := r.Split(sec.s, sec.name, sp)
		if err != nil {
			return "", err
		}
		for _, st := range stmts {
			toks, err := sqlsplit.Tokens(st.Text, sp)
			if err != nil {
				return "", fmt.Errorf("%s:%d: revision %s: %w", r.Path, sec.s.Line+st.Line-1, r.ID, err)
			}
			if why := statementRisk(toks); why != "" {
				return fmt.Sprintf("%s line %d: %s", sec.name, sec.s.Line+st.Line-1, why), nil
			}
		}
	}
	return "", nil
}

// dataVerbs start statements that change rows.
var dataVerbs = []string{"INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "TRUNCATE", "COPY", "UPSERT"}

// statementRisk says why a statement's effect on rows is more than its
// schema change shows ("" when it is not): a data statement, a statement
// that is not DDL at all (a SELECT or DO that calls a function, a CALL),
// CREATE TABLE ... AS SELECT, and an ALTER that renames (RENAME, MySQL's
// CHANGE) or converts with an expression (USING). Statements that only
// set the session (SET, PRAGMA) are none. A false positive only keeps a
// revision as written: never wrong, less compact.
func statementRisk(toks []sqlsplit.Token) string {
	w := word(toks, 0)
	switch w {
	case "CREATE":
		if createsTable(toks) && atDepth0(toks, "SELECT") {
			return "CREATE TABLE ... SELECT, which copies rows"
		}
		return ""
	case "ALTER":
		for _, kw := range []string{"RENAME", "CHANGE", "USING"} {
			if atDepth0(toks, kw) {
				return "ALTER ... " + kw + ", which keeps rows under a new name or converts them"
			}
		}
		return ""
	case "DROP", "COMMENT", "GRANT", "REVOKE", "SET", "RESET", "PRAGMA":
		return ""
	case "RENAME":
		return "RENAME, which keeps rows under a new name"
	case "":
		if len(toks) > 0 && toks[0].Kind == sqlsplit.Executable {
			return "a conditional comment (" + firstLineOf(toks[0].Text) + "), which retort does not read"
		}
		return ""
	}
	if slices.Contains(dataVerbs, w) {
		return w + ", a data statement"
	}
	return w + ", not a schema statement"
}

// word returns token i upper-cased when it is a bare word, else "".
func word(toks []sqlsplit.Token, i int) string {
	if i < len(toks) && toks[i].Kind == sqlsplit.Word {
		return strings.ToUpper(toks[i].Text)
	}
	return ""
}

// createsTable reports whether a CREATE statement creates a table: TABLE
// among its first words, before any parenthesis.
func createsTable(toks []sqlsplit.Token) bool {
	for i := 1; i < len(toks) && i < 6; i++ {
		if toks[i].Kind != sqlsplit.Word {
			return false
		}
		if word(toks, i) == "TABLE" {
			return true
		}
	}
	return false
}

// atDepth0 reports whether the bare word kw is in toks outside
// parentheses.
func atDepth0(toks []sqlsplit.Token, kw string) bool {
	depth := 0
	for i, t := range toks {
		switch {
		case t.Kind == sqlsplit.Punct && t.Text == "(":
			depth++
		case t.Kind == sqlsplit.Punct && t.Text == ")":
			depth--
		case depth == 0 && word(toks, i) == kw:
			return true
		}
	}
	return false
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
