package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// UnrepresentedObject is an object retort cannot represent, found in one
// of the two schemas a command compares.
type UnrepresentedObject struct {
	schema.Unrepresented
	// In names the schema that holds it: "the desired schema", "the
	// migrations' head", "the live database" or "the applied revisions".
	In string
}

// UnrepresentedError reports objects that retort cannot represent in the
// schemas being compared and that GenerateOptions.Ignore does not name. A
// revision written without them, or a "no changes" verdict, would drop
// them in silence.
type UnrepresentedError struct {
	// Objects are the objects, the desired schema's first.
	Objects []UnrepresentedObject
}

// Error names every object, where the desired schema makes it, and the
// ways to go on.
func (e *UnrepresentedError) Error() string {
	var b strings.Builder
	b.WriteString("retort cannot represent these objects yet, so it would leave them out of the comparison in silence:")
	var keys []string
	for _, o := range e.Objects {
		fmt.Fprintf(&b, "\n    %s (in %s; ignore key %s)", o.Describe(), o.In, o.Key())
		if !slices.Contains(keys, o.Key()) {
			keys = append(keys, o.Key())
		}
	}
	fmt.Fprintf(&b, "\nmanage them outside retort's autogenerate (write them in a revision by hand), then ignore them on purpose: ignore = [%s] in retort.toml (or --ignore %s), or a whole kind, such as ignore = [%q]",
		quoteList(keys), strings.Join(keys, ","), e.Objects[0].Kind)
	return b.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// ignores reports whether an ignore entry names u: its kind ("grant"), or
// its kind and name ("statistics:public.st").
func ignores(entries []string, u schema.Unrepresented) bool {
	for _, e := range entries {
		if e == u.Kind || e == u.Key() {
			return true
		}
	}
	return false
}

// checkUnrepresented returns an *UnrepresentedError for the objects of
// the two schemas that retort cannot represent and opts.Ignore does not
// name, and passes those it names to opts.OnIgnored. Every command that
// compares two schemas calls it before it compares them.
func checkUnrepresented(opts GenerateOptions, sides ...schemaSide) error {
	var refused []UnrepresentedObject
	var ignored []UnrepresentedObject
	for _, side := range sides {
		if side.s == nil {
			continue
		}
		for _, u := range side.s.Unrepresented {
			o := UnrepresentedObject{Unrepresented: u, In: side.in}
			if ignores(opts.Ignore, u) {
				ignored = append(ignored, o)
			} else {
				refused = append(refused, o)
			}
		}
	}
	if len(ignored) > 0 && opts.OnIgnored != nil {
		opts.OnIgnored(ignored)
	}
	if len(refused) > 0 {
		return &UnrepresentedError{Objects: refused}
	}
	return nil
}

// schemaSide is one of the schemas a command compares, and what to call
// it in messages.
type schemaSide struct {
	in string
	s  *schema.Schema
}

// locateUnrepresented sets the Position of each unrepresented object of
// s, made by texts (the desired schema's files, or the upgrades of the
// revisions replayed, newest first), to the file:line of the first
// statement of texts that holds the object's keyword and one of its
// name's parts (the most specific first): an exclusion constraint named by
// the server is found by its table's name. Without such a statement, the
// one statement with the keyword is taken when there is just one.
func locateUnrepresented(s *schema.Schema, texts []sqlText, d sqlsplit.Dialect) {
	if len(s.Unrepresented) == 0 {
		return
	}
	type stmt struct {
		pos   string
		words map[string]bool
	}
	var stmts []stmt
	for _, t := range texts {
		split, err := sqlsplit.Split(t.sql, d)
		if err != nil {
			continue // it ran, so this does not happen; no position then
		}
		for _, st := range split {
			stmts = append(stmts, stmt{pos: fmt.Sprintf("%s:%d", t.path, t.line+st.Line-1), words: words(st.Text)})
		}
	}
	for i := range s.Unrepresented {
		u := &s.Unrepresented[i]
		var withKeyword []stmt
		for _, st := range stmts {
			if hasKeyword(st.words, u.Keyword) {
				withKeyword = append(withKeyword, st)
			}
		}
		parts := strings.Split(strings.ToLower(u.Name), ".")
		for p := len(parts) - 1; p >= 0 && u.Position == ""; p-- {
			for _, st := range withKeyword {
				if st.words[parts[p]] {
					u.Position = st.pos
					break
				}
			}
		}
		if u.Position == "" && len(withKeyword) == 1 {
			// A name that is not a word (an operator's): the one
			// statement with the keyword.
			u.Position = withKeyword[0].pos
		}
	}
}

// hasKeyword reports whether a statement's words hold the keyword, or one
// of its alternatives ("WITH|SET"); REVOKE counts as GRANT.
func hasKeyword(words map[string]bool, keyword string) bool {
	for _, k := range strings.Split(strings.ToLower(keyword), "|") {
		if k != "" && words[k] || k == "grant" && words["revoke"] {
			return true
		}
	}
	return false
}

// words returns the lower-cased words and quoted identifiers of a
// statement.
func words(sql string) map[string]bool {
	w := map[string]bool{}
	start := -1
	for i := 0; i <= len(sql); i++ {
		if i < len(sql) && isWordByte(sql[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			w[strings.ToLower(sql[start:i])] = true
			start = -1
		}
		if i < len(sql) && (sql[i] == '"' || sql[i] == '`') {
			if j := strings.IndexByte(sql[i+1:], sql[i]); j >= 0 {
				w[strings.ToLower(sql[i+1:i+1+j])] = true
				i += j + 1
			}
		}
	}
	return w
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// locateInRevisions sets the Position of each unrepresented object of s,
// the schema that replaying the revisions up to targets (nil: the heads)
// gives, to the revision file and line of the latest upgrade statement
// that makes it. A position s already had is dropped: a head-schema cache
// entry that migrate stored is the desired schema, located in its files.
func (m *Migrator) locateInRevisions(s *schema.Schema, targets []string) {
	if len(s.Unrepresented) == 0 {
		return
	}
	if targets == nil {
		targets = []string{"heads"}
	}
	var ids []string
	for _, t := range targets {
		tg, err := revision.ParseTarget(t)
		if err != nil {
			continue // the replay parsed it; no position then
		}
		plan, err := m.graph.Upgrade(nil, tg)
		if err != nil {
			continue
		}
		for _, st := range plan.Steps {
			if !slices.Contains(ids, st.Revision.ID) {
				ids = append(ids, st.Revision.ID)
			}
		}
	}
	slices.Reverse(ids)
	for i := range s.Unrepresented {
		s.Unrepresented[i].Position = ""
	}
	locateUnrepresented(s, m.upgradesText(ids), m.dialect.Splitter())
}

// currentName names the schema Generate compares the desired one with.
func currentName(opts GenerateOptions) string {
	if opts.FromDB {
		return "the live database"
	}
	return "the migrations' head"
}
