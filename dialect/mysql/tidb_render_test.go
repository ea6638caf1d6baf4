package mysql

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/rendertest"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
)

// tidbCase is a render or diff case of render_test.go rendered for TiDB.
type tidbCase struct {
	from, to []string
	opts     diff.Options
	changes  func(l *lookup) []change.Change // nil: diff.Compare
	// innoDB is set where the TiDB rendering counts on what InnoDB does
	// otherwise (InnoDB renames its own index for a key added again over
	// it, TiDB keeps the index): it is not run on MariaDB.
	innoDB bool
}

// tidbCases are the cases whose MariaDB rendering TiDB refuses or that
// TiDB renders its own way: a column becoming generated, a primary key
// swapped, AUTO_INCREMENT with its key, and indexes that foreign keys
// need, replaced or renamed.
func tidbCases() map[string]tidbCase {
	cases := map[string]tidbCase{}
	for _, rc := range renderCases() {
		switch rc.name {
		case "generated_column", "primary_key", "auto_increment_key", "foreign_key_index", "unique_and_indexes":
			cases[rc.name] = tidbCase{from: rc.from, to: rc.to, changes: rc.changes}
		}
	}
	for _, dc := range diffCases() {
		switch dc.name {
		case "surrogate_key", "fk_index_replaced", "fk_index_name_reused", "fk_key_over_new_column",
			"fk_own_index_served", "fk_own_index_unnamed", "fk_repointed_unnamed":
			cases[dc.name] = tidbCase{from: dc.from, to: dc.to, opts: dc.opts, innoDB: dc.name == "fk_repointed_unnamed"}
		}
	}
	return cases
}

// TestRenderTiDB renders each case for MariaDB and for TiDB, from schemas
// inspected on MariaDB, and compares both with golden files side by side
// (testdata/render/tidb/NAME.mariadb.golden and NAME.tidb.golden). Every
// ALTER TABLE of the TiDB rendering must pass TiDB's rule for several
// changes in one statement (tidbAlterViolation). No TiDB server can be
// installed here: the TiDB rendering is run on MariaDB instead, both ways,
// and must reach the same schemas, so that its order of statements (the
// foreign keys dropped around their indexes) is sound.
func TestRenderTiDB(t *testing.T) {
	maria, tidb := New(), &Dialect{tidb: true}
	violated, ran := 0, 0
	for name, tc := range tidbCases() {
		t.Run(name, func(t *testing.T) {
			from, to, changes := tidbCaseChanges(t, tc)
			ran++
			up, down := rendertest.UpDown(t, maria, from, to, changes)
			rendertest.Golden(t, filepath.Join("testdata", "render", "tidb", name+".mariadb.golden"), up, down)
			for _, s := range append(up, down...) {
				if tidbAlterViolation(s) != "" {
					violated++
				}
			}
			up, down = rendertest.UpDown(t, tidb, from, to, changes)
			rendertest.Golden(t, filepath.Join("testdata", "render", "tidb", name+".tidb.golden"), up, down)
			checkSplit(t, up)
			checkSplit(t, down)
			for _, s := range append(up, down...) {
				if v := tidbAlterViolation(s); v != "" {
					t.Errorf("TiDB refuses %s: %s", s, v)
				}
			}
			if !tc.innoDB {
				db := newInspectDB(t)
				inspectExec(t, db, tc.from...)
				applyAndCheck(t, db, "TiDB upgrade", up, to, [2]string{})
				applyAndCheck(t, db, "TiDB downgrade", down, from, [2]string{})
			}
		})
	}
	// Without a server every case skips (they build their schemas on
	// MariaDB), and there is nothing to count.
	if ran > 0 && violated == 0 {
		t.Error("no MariaDB rendering breaks TiDB's rule: the cases test nothing")
	}
}

// tidbCaseChanges builds the case's schemas on MariaDB and its changes.
func tidbCaseChanges(t *testing.T, tc tidbCase) (from, to *schema.Schema, changes []change.Change) {
	t.Helper()
	src, dst := newInspectDB(t), newInspectDB(t)
	inspectExec(t, src, tc.from...)
	inspectExec(t, dst, tc.to...)
	from, _ = inspectDB(t, src, dialect.InspectOptions{})
	to, _ = inspectDB(t, dst, dialect.InspectOptions{})
	if tc.changes != nil {
		return from, to, tc.changes(&lookup{t: t, from: from, to: to})
	}
	changes, err := diff.Compare(from, to, tc.opts)
	if err != nil || len(changes) == 0 {
		t.Fatalf("diff: %d changes, %v", len(changes), err)
	}
	return from, to, changes
}

// tidbAlterViolation returns why TiDB refuses stmt as one ALTER TABLE
// with several changes, "" when it does not: TiDB's
// checkOperateSameColAndIdx refuses a column added, dropped or modified
// twice, a column so changed that an index of the statement or an AFTER
// names (but for an AUTO_INCREMENT column added with the primary key on
// it), an index added or dropped twice (the primary key is the index
// "primary"), and a statement that also drops a foreign key or a
// constraint, which its multi-schema change does not take.
func tidbAlterViolation(stmt string) string {
	clauses := alterClauses(stmt)
	if len(clauses) < 2 {
		return ""
	}
	changed, indexes := map[string]bool{}, map[string]bool{}
	var relative []string
	autoInc := map[string]bool{}
	for _, c := range clauses {
		col, idx, rel, v := clauseObjects(c)
		if v != "" {
			return v
		}
		if col != "" && changed[col] || idx != "" && indexes[idx] {
			return "it changes " + col + idx + " twice"
		}
		changed[col], indexes[idx] = col != "", idx != ""
		relative = append(relative, rel...)
		if words(c)[0] == "ADD" && strings.Contains(strings.ToUpper(c), "AUTO_INCREMENT") {
			autoInc[col] = true
		}
	}
	for _, r := range relative {
		if changed[r] && !autoInc[r] {
			return "it names column " + r + ", which it changes"
		}
	}
	return ""
}

// alterClauses returns the clauses of an ALTER TABLE statement (nil for
// other statements), split at the commas outside parentheses, as words.
func alterClauses(stmt string) []string {
	toks, err := sqlsplit.Tokens(stmt, sqlsplit.MySQL)
	if err != nil || len(toks) < 3 || !strings.EqualFold(toks[0].Text, "ALTER") || !strings.EqualFold(toks[1].Text, "TABLE") {
		return nil
	}
	i := 3 // after the table's name, which may be qualified
	for i+1 < len(toks) && toks[i].Text == "." {
		i += 2
	}
	if i >= len(toks) {
		return nil
	}
	var out []string
	start, depth := toks[i].Pos, 0
	for _, tk := range toks[i:] {
		switch tk.Text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, strings.TrimSpace(stmt[start:tk.Pos]))
				start = tk.End()
			}
		}
	}
	return append(out, strings.TrimSpace(stmt[start:]))
}

// clauseObjects returns the column and index an ALTER TABLE clause
// changes, the columns it names besides (index parts, AFTER), and why TiDB
// takes no such clause with others.
func clauseObjects(c string) (col, idx string, relative []string, violation string) {
	w := words(c)
	verb := strings.Join(w[:min(2, len(w))], " ")
	switch {
	case verb == "DROP FOREIGN", verb == "DROP CONSTRAINT", verb == "DROP CHECK":
		return "", "", nil, "TiDB does not drop a foreign key or constraint with other changes"
	case verb == "ADD COLUMN":
		col = w[2]
		if k := indexOf(w, "AFTER"); k >= 0 {
			relative = append(relative, strings.ToLower(w[k+1]))
		}
	case verb == "DROP COLUMN", verb == "MODIFY COLUMN":
		col = w[2]
	case verb == "DROP PRIMARY", verb == "ADD PRIMARY":
		idx = "primary"
	case verb == "DROP INDEX", verb == "DROP KEY":
		idx = w[2]
	case w[0] == "ADD" && (indexOf(w, "KEY") >= 0 || indexOf(w, "INDEX") >= 0) && indexOf(w, "FOREIGN") < 0:
		idx = w[indexOf(w, "(")-1]
	}
	if idx != "" && strings.HasPrefix(w[0], "ADD") {
		relative = append(relative, partColumnsOf(w)...)
	}
	return strings.ToLower(col), strings.ToLower(idx), relative, ""
}

// words returns the tokens of an SQL fragment, bare words upper-cased,
// quoted names unquoted and lower-cased.
func words(s string) []string {
	toks, _ := sqlsplit.Tokens(s, sqlsplit.MySQL)
	out := make([]string, len(toks))
	for k, t := range toks {
		switch t.Kind {
		case sqlsplit.QuotedIdent:
			out[k] = strings.ToLower(strings.Trim(t.Text, "`"))
		case sqlsplit.Word:
			out[k] = strings.ToUpper(t.Text)
		default:
			out[k] = t.Text
		}
	}
	return append(out, "")
}

// partColumnsOf returns the names in the first parentheses of w, lower
// case: an index's columns.
func partColumnsOf(w []string) []string {
	open := indexOf(w, "(")
	var cols []string
	for _, x := range w[open+1:] {
		if x == ")" {
			break
		}
		if x != "," {
			cols = append(cols, strings.ToLower(x))
		}
	}
	return cols
}

func indexOf(w []string, s string) int {
	for k, x := range w {
		if x == s {
			return k
		}
	}
	return -1
}

// The rule itself, on statements TiDB refuses (issue 18, TiDB v8.4) and on
// ones it takes.
func TestTiDBAlterViolation(t *testing.T) {
	for stmt, refused := range map[string]bool{
		"ALTER TABLE items DROP COLUMN g, ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED AFTER a": true,
		"ALTER TABLE items MODIFY COLUMN b bigint, ADD INDEX ix_b (b)":                                 true,
		"ALTER TABLE items DROP INDEX x, ADD INDEX x (a, b)":                                           true,
		"ALTER TABLE items DROP PRIMARY KEY, ADD PRIMARY KEY (code, id)":                               true,
		"ALTER TABLE items ADD COLUMN c int, ADD COLUMN d int AFTER c":                                 true,
		"ALTER TABLE child DROP FOREIGN KEY fk, DROP INDEX ix":                                         true,
		"ALTER TABLE items ADD COLUMN c int, DROP COLUMN d, MODIFY COLUMN e bigint":                    false,
		"ALTER TABLE items DROP INDEX x, ADD INDEX y (a)":                                              false,
		"ALTER TABLE items ADD COLUMN id int NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (id)":            false,
		"ALTER TABLE items ADD INDEX ix (a)":                                                           false,
	} {
		if got := tidbAlterViolation(stmt) != ""; got != refused {
			t.Errorf("tidbAlterViolation(%q) = %q, want refused %v", stmt, tidbAlterViolation(stmt), refused)
		}
	}
}

// TiDB's limits are refused at render time with the way around, never
// rendered into a revision that fails (or reported as a bug in retort).
func TestRenderTiDBLimits(t *testing.T) {
	items := change.Ref{Name: "items"}
	id := &schema.Column{Name: "id", Type: "bigint(20)"}
	key := func(clustering string, cols ...string) *schema.Key {
		return &schema.Key{Name: "PRIMARY", Columns: cols, Clustering: clustering}
	}
	autoInc := &schema.Column{Name: "id", Type: "int(11)", AutoIncrement: true}
	from := &schema.Schema{Tables: []*schema.Table{{Name: "items", Columns: []*schema.Column{autoInc, {Name: "o", Type: "int(11)"}}, PrimaryKey: key("NONCLUSTERED", "id")}}}
	cases := map[string]change.Change{
		"clustered key changed":  &change.SetPrimaryKey{Table: items, From: key(clustered, "id"), To: key(clustered, "id", "o")},
		"clustered key dropped":  &change.SetPrimaryKey{Table: items, From: key(clustered, "id")},
		"clustered key added":    &change.SetPrimaryKey{Table: items, To: key(clustered, "id")},
		"clustering flipped":     &change.SetPrimaryKey{Table: items, From: key("NONCLUSTERED", "id"), To: key(clustered, "id")},
		"clustering flipped off": &change.SetPrimaryKey{Table: items, From: key(clustered, "id"), To: key("NONCLUSTERED", "id")},
		"auto_random changed":    &change.AlterColumn{Table: items, From: &schema.Column{Name: "id", Type: "bigint(20)", AutoRandom: "5"}, To: &schema.Column{Name: "id", Type: "bigint(20)", AutoRandom: "6"}},
		"auto_random removed":    &change.AlterColumn{Table: items, From: &schema.Column{Name: "id", Type: "bigint(20)", AutoRandom: "5"}, To: id},
		"auto_random column":     &change.AddColumn{Table: items, Column: &schema.Column{Name: "r", Type: "bigint(20)", AutoRandom: "5"}},
		"auto_increment key":     &change.SetPrimaryKey{Table: items, From: key("NONCLUSTERED", "id"), To: key("NONCLUSTERED", "id", "o")},
	}
	for name, c := range cases {
		_, err := (&Dialect{tidb: true}).Render(from, from, []change.Change{c})
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "TiDB's limit: TiDB cannot") ||
			!strings.Contains(err.Error(), "copy the rows") || strings.Contains(err.Error(), "bug in retort") {
			t.Errorf("%s: Render = %v; want TiDB's limit with the way around", name, err)
		}
	}
	// MySQL swaps the key of an AUTO_INCREMENT column in one statement.
	if _, err := New().Render(from, from, []change.Change{cases["auto_increment key"]}); err != nil {
		t.Errorf("MariaDB: %v", err)
	}
	// What TiDB does make: AUTO_INCREMENT to AUTO_RANDOM (MODIFY COLUMN),
	// and a NONCLUSTERED key changed in two statements.
	toRandom := &change.AlterColumn{Table: items, From: &schema.Column{Name: "id", Type: "bigint(20)", AutoIncrement: true}, To: &schema.Column{Name: "id", Type: "bigint(20)", AutoRandom: "5, 54"}}
	plain := &schema.Schema{Tables: []*schema.Table{{Name: "items", Columns: []*schema.Column{id, {Name: "o", Type: "int(11)"}}}}}
	got, err := (&Dialect{tidb: true}).Render(plain, plain, []change.Change{toRandom,
		&change.SetPrimaryKey{Table: items, From: key("NONCLUSTERED", "id"), To: key("NONCLUSTERED", "id", "o")}})
	want := []string{"ALTER TABLE items MODIFY COLUMN id bigint(20) NOT NULL /*T![auto_rand] AUTO_RANDOM(5, 54) */",
		"ALTER TABLE items DROP PRIMARY KEY", "ALTER TABLE items ADD PRIMARY KEY (id, o) /*T![clustered_index] NONCLUSTERED */"}
	if err != nil || strings.Join(got, ";\n") != strings.Join(want, ";\n") {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
}
