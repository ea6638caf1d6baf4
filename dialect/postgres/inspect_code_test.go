package postgres

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

func init() {
	// The golden-file flag is shared with the package's other tests; define
	// it only once, whichever file comes first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata")
	}
}

// codeUpdateGolden reports whether -update was given.
func codeUpdateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// codeDB is a fresh PostgreSQL test database.
func codeDB(t *testing.T) *testdb.DB {
	t.Helper()
	return testdb.New(t, "postgres")
}

// codePsqlRun runs script with psql on the database at url, stopping at the
// first error.
func codePsqlRun(t *testing.T, url, script string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "script.sql")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	codePsqlFile(t, url, f, true)
}

// codePsqlFile runs a file with psql.
func codePsqlFile(t *testing.T, url, file string, stopOnError bool) {
	t.Helper()
	args := []string{"-X", "-q", "-d", url, "-f", file}
	if stopOnError {
		args = append(args, "-v", "ON_ERROR_STOP=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "psql", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("psql -f %s: %v\n%s", file, err, out)
	}
}

// inspectCodeOf runs inspectCode alone on db and returns the schema and the
// number of catalog queries it ran.
func inspectCodeOf(t *testing.T, db *testdb.DB, opts dialect.InspectOptions) (*schema.Schema, int) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	i := newInspector(conn, opts)
	if err := i.inspectCode(ctx); err != nil {
		t.Fatalf("inspectCode: %v", err)
	}
	return i.s, i.queries
}

// formatCode prints the code-object part of s the way Format does: after
// Format's preamble (function bodies are not checked), and followed by the
// comments of s.Comments, which Format prints with the other comments.
func formatCode(s *schema.Schema) string {
	var b strings.Builder
	b.WriteString(formatPreamble + "\n")
	writeRoutines(&b, s, nil)
	writeViews(&b, s)
	writeTriggersAndRules(&b, s)
	for _, c := range s.Comments {
		b.WriteString("COMMENT ON " + c.Object + " IS " + quoteLiteralSQL(c.Text) + ";\n\n")
	}
	return b.String()
}

// codeRoundTrip loads base and then code into a fresh database X, inspects
// and prints X's code objects (text1), loads base and text1 into a fresh
// database Y, inspects and prints Y (text2), and requires text1 == text2.
// It returns X's schema and text1.
func codeRoundTrip(t *testing.T, base, code string) (*schema.Schema, string) {
	t.Helper()
	x := codeDB(t)
	codePsqlRun(t, x.URL, base+"\n"+code)
	sx, _ := inspectCodeOf(t, x, dialect.InspectOptions{})
	text1 := formatCode(sx)

	y := codeDB(t)
	codePsqlRun(t, y.URL, base+"\n"+text1)
	sy, _ := inspectCodeOf(t, y, dialect.InspectOptions{})
	text2 := formatCode(sy)
	codeRequireSame(t, text1, text2)
	return sx, text1
}

// codeRequireSame fails with the first differing lines of want and got.
func codeRequireSame(t *testing.T, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	n := 0
	for n < len(wl) && n < len(gl) && wl[n] == gl[n] {
		n++
	}
	var d strings.Builder
	from := max(0, n-3)
	for k := from; k < n; k++ {
		d.WriteString("  " + wl[k] + "\n")
	}
	for k := n; k < min(len(wl), n+8); k++ {
		d.WriteString("- " + wl[k] + "\n")
	}
	for k := n; k < min(len(gl), n+8); k++ {
		d.WriteString("+ " + gl[k] + "\n")
	}
	t.Fatalf("round trip differs at line %d (- first, + second):\n%s", n+1, d.String())
}

func codeFindView(s *schema.Schema, name string) *schema.View {
	for _, v := range s.Views {
		if v.Name == name {
			return v
		}
	}
	return nil
}

func codeFindRoutine(s *schema.Schema, name, sig string) *schema.Routine {
	for _, r := range s.Routines {
		if r.Name == name && r.Signature == sig {
			return r
		}
	}
	return nil
}

const codeBaseTables = `
CREATE TABLE item (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2));
CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item_id integer REFERENCES item (id), note text);
`

func TestInspectCodeViews(t *testing.T) {
	code := `
CREATE VIEW cheap AS SELECT id, name FROM item WHERE price < 10;
CREATE VIEW cheap_named WITH (security_barrier = true) AS SELECT name FROM cheap WHERE name <> '' WITH LOCAL CHECK OPTION;
CREATE MATERIALIZED VIEW item_totals AS SELECT i.id, count(a.id) AS n FROM item i LEFT JOIN audit a ON a.item_id = i.id GROUP BY i.id;
CREATE UNIQUE INDEX item_totals_id ON item_totals (id);
CREATE INDEX item_totals_n ON item_totals (n DESC) WHERE n > 0;
COMMENT ON VIEW cheap IS 'items under ten';
COMMENT ON COLUMN cheap.name IS 'the item''s name';
COMMENT ON MATERIALIZED VIEW item_totals IS 'audit counts';
COMMENT ON INDEX item_totals_id IS 'one row per item';
`
	s, text := codeRoundTrip(t, codeBaseTables, code)

	if len(s.Views) != 3 {
		t.Fatalf("got %d views, want 3: %+v", len(s.Views), s.Views)
	}
	cheap := codeFindView(s, "cheap")
	if cheap == nil || cheap.Schema != "public" || cheap.Materialized || cheap.Comment != "items under ten" {
		t.Fatalf("cheap = %+v", cheap)
	}
	if !slices.Equal(cheap.Columns, []string{"id", "name"}) {
		t.Errorf("cheap columns = %q", cheap.Columns)
	}
	if !strings.HasPrefix(cheap.Definition, "SELECT item.id,") || strings.HasSuffix(cheap.Definition, ";") {
		t.Errorf("cheap definition = %q", cheap.Definition)
	}
	named := codeFindView(s, "cheap_named")
	if named.CheckOption != "LOCAL" || named.Options != "security_barrier=true" {
		t.Errorf("cheap_named check option %q, options %q", named.CheckOption, named.Options)
	}
	if !slices.Contains(named.DependsOn, "VIEW cheap") {
		t.Errorf("cheap_named depends on %q, want VIEW cheap", named.DependsOn)
	}
	mv := codeFindView(s, "item_totals")
	if !mv.Materialized || mv.Comment != "audit counts" || len(mv.Indexes) != 2 {
		t.Fatalf("item_totals = %+v", mv)
	}
	ix := mv.Indexes[0]
	if ix.Name != "item_totals_id" || !ix.Unique || ix.Comment != "one row per item" ||
		ix.Definition != "CREATE UNIQUE INDEX item_totals_id ON public.item_totals USING btree (id)" ||
		len(ix.Parts) != 1 || ix.Parts[0].Column != "id" {
		t.Errorf("index 0 = %+v", ix)
	}
	ix = mv.Indexes[1]
	if ix.Name != "item_totals_n" || ix.Unique || ix.Where != "n > 0" || len(ix.Parts) != 1 || !ix.Parts[0].Desc || ix.Parts[0].Nulls != "" {
		t.Errorf("index 1 = %+v (part %+v)", ix, ix.Parts[0])
	}
	want := &schema.Comment{Object: "COLUMN cheap.name", Text: "the item's name"}
	if !slices.ContainsFunc(s.Comments, func(c *schema.Comment) bool { return *c == *want }) {
		t.Errorf("comments = %+v, want %+v", s.Comments, want)
	}
	for _, frag := range []string{
		"CREATE VIEW cheap_named WITH (security_barrier=true) AS\n",
		"\n  WITH LOCAL CHECK OPTION;\n",
		"CREATE MATERIALIZED VIEW item_totals AS\n",
		"\n  WITH NO DATA;\n",
		"COMMENT ON MATERIALIZED VIEW item_totals IS 'audit counts';",
		"COMMENT ON INDEX item_totals_id IS 'one row per item';",
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("output lacks %q:\n%s", frag, text)
		}
	}
}

func TestInspectCodeViewDependencyOrder(t *testing.T) {
	// Name order is the reverse of dependency order, and a view reads a
	// function that returns a table's rows: that function must be printed
	// with the views, after the tables, and before the view.
	code := `
CREATE VIEW c_base AS SELECT id, name FROM item;
CREATE VIEW b_mid AS SELECT id FROM c_base;
CREATE MATERIALIZED VIEW a_top AS SELECT count(*) AS n FROM b_mid;
CREATE FUNCTION z_items() RETURNS SETOF item LANGUAGE sql STABLE AS 'SELECT * FROM item';
CREATE VIEW a_fn AS SELECT id FROM z_items();
CREATE FUNCTION plain(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
`
	s, text := codeRoundTrip(t, codeBaseTables, code)
	order := []string{
		"CREATE OR REPLACE FUNCTION public.plain(",
		"CREATE OR REPLACE FUNCTION public.z_items()",
		"CREATE VIEW a_fn AS",
		"CREATE VIEW c_base AS",
		"CREATE VIEW b_mid AS",
		"CREATE MATERIALIZED VIEW a_top AS",
	}
	last := -1
	for _, frag := range order {
		at := strings.Index(text, frag)
		if at < 0 {
			t.Fatalf("output lacks %q:\n%s", frag, text)
		}
		if at < last {
			t.Errorf("%q printed before what precedes it in %q:\n%s", frag, order, text)
		}
		last = at
	}
	var routines, views strings.Builder
	writeRoutines(&routines, s, nil)
	writeViews(&views, s)
	if strings.Contains(routines.String(), "z_items") || !strings.Contains(routines.String(), "plain") {
		t.Errorf("writeRoutines must hold plain and leave z_items (which needs table item) to writeViews:\n%s", routines.String())
	}
	if !strings.Contains(views.String(), "z_items") {
		t.Errorf("writeViews lacks z_items:\n%s", views.String())
	}
	z := codeFindRoutine(s, "z_items", "")
	if z == nil || !slices.Contains(z.DependsOn, "TABLE item") {
		t.Errorf("z_items = %+v, want DependsOn TABLE item", z)
	}
}

func TestInspectCodeRoutines(t *testing.T) {
	code := `
CREATE FUNCTION add_item(p_name text, p_price numeric DEFAULT 1) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE new_id integer;
BEGIN
  SELECT coalesce(max(id), 0) + 1 INTO new_id FROM item;
  INSERT INTO item VALUES (new_id, p_name, p_price);
  RETURN new_id;
END
$$;
CREATE FUNCTION twice(integer) RETURNS integer LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 * 2';
CREATE FUNCTION twice(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1 * 2';
CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM item;
END;
CREATE PROCEDURE purge(keep integer) LANGUAGE sql AS $$ DELETE FROM audit WHERE id > keep $$;
CREATE FUNCTION _cat(acc text, x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN acc = '' THEN x ELSE acc || ',' || x END $$;
CREATE FUNCTION _cat_final(acc text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '[' || acc || ']' $$;
CREATE AGGREGATE cat(text) (SFUNC = _cat, STYPE = text, FINALFUNC = _cat_final, INITCOND = '');
CREATE AGGREGATE total(numeric) (SFUNC = numeric_add, STYPE = numeric, COMBINEFUNC = numeric_add, PARALLEL = SAFE);
CREATE AGGREGATE my_max(integer) (SFUNC = int4larger, STYPE = integer, SORTOP = >, PARALLEL = RESTRICTED);
CREATE AGGREGATE my_pd(float8 ORDER BY anyelement) (SFUNC = ordered_set_transition, STYPE = internal, FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE AGGREGATE msum(int4) (SFUNC = int4pl, STYPE = int4, MSFUNC = int4pl, MINVFUNC = int4mi, MSTYPE = int4, INITCOND = '0', MINITCOND = '0');
CREATE AGGREGATE my_rank(VARIADIC "any" ORDER BY VARIADIC "any") (SFUNC = ordered_set_transition_multi, STYPE = internal, FINALFUNC = rank_final, FINALFUNC_EXTRA, HYPOTHETICAL);
COMMENT ON AGGREGATE my_pd(float8 ORDER BY anyelement) IS 'ordered set';
COMMENT ON FUNCTION twice(integer) IS 'doubles';
COMMENT ON AGGREGATE cat(text) IS 'joins with commas';
COMMENT ON PROCEDURE purge(integer) IS 'drops the audit trail';
`
	s, text := codeRoundTrip(t, codeBaseTables, code)
	if len(s.Routines) != 13 {
		t.Fatalf("got %d routines, want 13", len(s.Routines))
	}
	for _, c := range []struct{ name, sig, def string }{
		{"my_max", "integer", "CREATE AGGREGATE my_max(integer) (\n    SFUNC = int4larger,\n    STYPE = integer,\n    SORTOP = OPERATOR(pg_catalog.>),\n    PARALLEL = RESTRICTED\n)"},
		{"my_pd", "double precision ORDER BY anyelement", "CREATE AGGREGATE my_pd(double precision ORDER BY anyelement) (\n    SFUNC = ordered_set_transition,\n    STYPE = internal,\n    FINALFUNC = percentile_disc_final,\n    FINALFUNC_EXTRA\n)"},
		{"msum", "integer", "CREATE AGGREGATE msum(integer) (\n    SFUNC = int4pl,\n    STYPE = integer,\n    INITCOND = '0',\n    MSFUNC = int4pl,\n    MINVFUNC = int4mi,\n    MSTYPE = integer,\n    MINITCOND = '0'\n)"},
		{"my_rank", `VARIADIC "any" ORDER BY VARIADIC "any"`, "CREATE AGGREGATE my_rank(VARIADIC \"any\" ORDER BY VARIADIC \"any\") (\n    SFUNC = ordered_set_transition_multi,\n    STYPE = internal,\n    FINALFUNC = rank_final,\n    FINALFUNC_EXTRA,\n    HYPOTHETICAL\n)"},
	} {
		r := codeFindRoutine(s, c.name, c.sig)
		if r == nil || r.Kind != schema.Aggregate || r.Definition != c.def {
			t.Errorf("%s(%s) = %+v\nwant definition %s", c.name, c.sig, r, c.def)
		}
	}
	if !strings.Contains(text, "COMMENT ON AGGREGATE my_pd(double precision ORDER BY anyelement) IS 'ordered set';") {
		t.Errorf("output lacks the comment on my_pd")
	}
	add := codeFindRoutine(s, "add_item", "p_name text, p_price numeric")
	if add == nil || add.Kind != schema.Function || !strings.HasPrefix(add.Definition, "CREATE OR REPLACE FUNCTION public.add_item(p_name text, p_price numeric DEFAULT 1)") ||
		!strings.HasSuffix(add.Definition, "$function$") {
		t.Errorf("add_item = %+v", add)
	}
	ti, tn := codeFindRoutine(s, "twice", "integer"), codeFindRoutine(s, "twice", "numeric")
	if ti == nil || tn == nil || ti.Comment != "doubles" || tn.Comment != "" {
		t.Errorf("twice overloads: %+v %+v", ti, tn)
	}
	ic := codeFindRoutine(s, "item_count", "")
	if ic == nil || !strings.Contains(ic.Definition, "BEGIN ATOMIC") || !slices.Contains(ic.DependsOn, "TABLE item") {
		t.Errorf("item_count = %+v", ic)
	}
	p := codeFindRoutine(s, "purge", "IN keep integer")
	if p == nil {
		p = codeFindRoutine(s, "purge", "keep integer")
	}
	if p == nil || p.Kind != schema.Procedure || p.Comment != "drops the audit trail" || !strings.HasPrefix(p.Definition, "CREATE OR REPLACE PROCEDURE public.purge(") {
		t.Errorf("purge = %+v", p)
	}
	cat := codeFindRoutine(s, "cat", "text")
	wantCat := "CREATE AGGREGATE cat(text) (\n    SFUNC = _cat,\n    STYPE = text,\n    FINALFUNC = _cat_final,\n    INITCOND = ''\n)"
	if cat == nil || cat.Kind != schema.Aggregate || cat.Definition != wantCat || cat.Comment != "joins with commas" {
		t.Errorf("cat = %+v\nwant definition %q", cat, wantCat)
	}
	if cat != nil && !slices.Contains(cat.DependsOn, "FUNCTION _cat(acc text, x text)") {
		t.Errorf("cat depends on %q", cat.DependsOn)
	}
	total := codeFindRoutine(s, "total", "numeric")
	wantTotal := "CREATE AGGREGATE total(numeric) (\n    SFUNC = numeric_add,\n    STYPE = numeric,\n    COMBINEFUNC = numeric_add,\n    PARALLEL = SAFE\n)"
	if total == nil || total.Definition != wantTotal {
		t.Errorf("total = %+v\nwant definition %q", total, wantTotal)
	}
	for _, frag := range []string{
		"COMMENT ON FUNCTION twice(integer) IS 'doubles';",
		"COMMENT ON AGGREGATE cat(text) IS 'joins with commas';",
		"$function$;\n",
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("output lacks %q", frag)
		}
	}
	// The aggregate follows its support functions.
	if strings.Index(text, "CREATE AGGREGATE cat(") < strings.Index(text, "FUNCTION public._cat_final(") {
		t.Errorf("aggregate cat printed before its final function:\n%s", text)
	}
}

func TestInspectCodeTriggersAndRules(t *testing.T) {
	base := codeBaseTables + `
CREATE TABLE measurement (at date NOT NULL, v integer) PARTITION BY RANGE (at);
CREATE TABLE measurement_2026 PARTITION OF measurement FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE item_archive (LIKE item);
`
	code := `
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'set'); RETURN NEW; END $$;
CREATE FUNCTION no_op() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER audit_touch BEFORE INSERT OR UPDATE OF note ON audit FOR EACH ROW WHEN (NEW.item_id IS NOT NULL) EXECUTE FUNCTION touch();
CREATE TRIGGER measure_stmt AFTER INSERT ON measurement FOR EACH STATEMENT EXECUTE FUNCTION no_op();
CREATE TRIGGER measure_row AFTER INSERT ON measurement FOR EACH ROW EXECUTE FUNCTION no_op();
CREATE CONSTRAINT TRIGGER audit_check AFTER INSERT ON audit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION no_op();
CREATE RULE archive_delete AS ON DELETE TO item DO ALSO INSERT INTO item_archive VALUES (OLD.id, OLD.name, OLD.price);
CREATE RULE no_archive_update AS ON UPDATE TO item_archive DO INSTEAD NOTHING;
CREATE VIEW item_names AS SELECT id, name FROM item;
CREATE TRIGGER item_names_insert INSTEAD OF INSERT ON item_names FOR EACH ROW EXECUTE FUNCTION no_op();
COMMENT ON TRIGGER audit_touch ON audit IS 'fills the note';
COMMENT ON RULE archive_delete ON item IS 'keeps deleted items';
ALTER TABLE measurement DISABLE TRIGGER measure_stmt;
ALTER TABLE item_archive DISABLE RULE no_archive_update;
`
	s, text := codeRoundTrip(t, base, code)
	var names []string
	for _, tr := range s.Triggers {
		names = append(names, tr.Table+"."+tr.Name)
	}
	// The FK's internal triggers and measure_row's clone on the partition
	// are not listed.
	if want := []string{"audit.audit_check", "audit.audit_touch", "item_names.item_names_insert", "measurement.measure_row", "measurement.measure_stmt"}; !slices.Equal(names, want) {
		t.Fatalf("triggers = %q, want %q", names, want)
	}
	tt := s.Triggers[1]
	if tt.Schema != "public" || tt.Comment != "fills the note" ||
		tt.Definition != "CREATE TRIGGER audit_touch BEFORE INSERT OR UPDATE OF note ON audit FOR EACH ROW WHEN (new.item_id IS NOT NULL) EXECUTE FUNCTION touch()" {
		t.Errorf("audit_touch = %+v", tt)
	}
	if !strings.HasPrefix(s.Triggers[0].Definition, "CREATE CONSTRAINT TRIGGER audit_check AFTER INSERT ON audit DEFERRABLE INITIALLY DEFERRED") {
		t.Errorf("audit_check = %+v", s.Triggers[0])
	}
	names = names[:0]
	for _, r := range s.Rules {
		names = append(names, r.Table+"."+r.Name)
	}
	if want := []string{"item.archive_delete", "item_archive.no_archive_update"}; !slices.Equal(names, want) {
		t.Fatalf("rules = %q, want %q", names, want)
	}
	r := s.Rules[0]
	if r.Comment != "keeps deleted items" || !strings.HasPrefix(r.Definition, "CREATE RULE archive_delete AS\n    ON DELETE TO item DO") || strings.HasSuffix(r.Definition, ";") {
		t.Errorf("archive_delete = %+v", r)
	}
	for _, w := range []string{
		"trigger measure_stmt on measurement is disabled: the firing state is not kept (it is created enabled)",
		"rule no_archive_update on item_archive is disabled: the firing state is not kept (it is created enabled)",
	} {
		if !slices.Contains(s.Notes(), w) {
			t.Errorf("warnings %q lack %q", s.Notes(), w)
		}
	}
	for _, frag := range []string{
		"COMMENT ON TRIGGER audit_touch ON audit IS 'fills the note';",
		"COMMENT ON RULE archive_delete ON item IS 'keeps deleted items';",
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("output lacks %q:\n%s", frag, text)
		}
	}
}

func TestInspectCodeHostileNames(t *testing.T) {
	base := `
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."select" ("from" integer, "Mixed" text, "ünï" text);
`
	code := `
CREATE VIEW "Odd Schema"."View ""quoted""" AS SELECT "from", "Mixed" FROM "Odd Schema"."select";
CREATE VIEW "Odd Schema"."2nd" AS SELECT "from" FROM "Odd Schema"."View ""quoted""";
CREATE FUNCTION "Odd Schema"."Fn-x"("in" integer) RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION "Odd Schema".tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "Trigger; drop" BEFORE INSERT ON "Odd Schema"."select" FOR EACH ROW EXECUTE FUNCTION "Odd Schema".tg();
CREATE RULE "user" AS ON UPDATE TO "Odd Schema"."select" DO INSTEAD NOTHING;
COMMENT ON VIEW "Odd Schema"."View ""quoted""" IS 'it''s odd';
COMMENT ON COLUMN "Odd Schema"."View ""quoted"""."Mixed" IS 'mixed';
COMMENT ON FUNCTION "Odd Schema"."Fn-x"(integer) IS 'fn';
COMMENT ON TRIGGER "Trigger; drop" ON "Odd Schema"."select" IS 'tr';
COMMENT ON RULE "user" ON "Odd Schema"."select" IS 'ru';
`
	s, text := codeRoundTrip(t, base, code)
	if len(s.Views) != 2 || len(s.Routines) != 2 || len(s.Triggers) != 1 || len(s.Rules) != 1 {
		t.Fatalf("got %d views, %d routines, %d triggers, %d rules", len(s.Views), len(s.Routines), len(s.Triggers), len(s.Rules))
	}
	for _, frag := range []string{
		`CREATE VIEW "Odd Schema"."View ""quoted""" AS`,
		`COMMENT ON COLUMN "Odd Schema"."View ""quoted"""."Mixed" IS 'mixed';`,
		`COMMENT ON TRIGGER "Trigger; drop" ON "Odd Schema"."select" IS 'tr';`,
		`COMMENT ON RULE "user" ON "Odd Schema"."select" IS 'ru';`,
		`COMMENT ON FUNCTION "Odd Schema"."Fn-x"("in" integer) IS 'fn';`,
	} {
		if !strings.Contains(text, frag) {
			t.Errorf("output lacks %s:\n%s", frag, text)
		}
	}
	if strings.Index(text, `CREATE VIEW "Odd Schema"."2nd"`) < strings.Index(text, `CREATE VIEW "Odd Schema"."View ""quoted"""`) {
		t.Errorf("view 2nd printed before the view it reads:\n%s", text)
	}
}

// TestCodeIdentMatchesServer checks the quoting the code objects' output
// uses against the server's quote_ident for every keyword and a set of
// awkward names. (quote_ident also quotes '$', which is valid unquoted after
// the first character; quoteIdentIfNeeded does not.)
func TestCodeIdentMatchesServer(t *testing.T) {
	db := codeDB(t)
	ctx := context.Background()
	names := []string{"a", "abc_1", "_x", "1a", "A", "aB", "a b", `a"b`, "ü", "a-b", "", "select", "Select", "user", "name", "text", "zone"}
	rows, err := db.DB.QueryContext(ctx, "SELECT word FROM pg_get_keywords()")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		names = append(names, w)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(names) < 400 {
		t.Fatalf("only %d names to check", len(names))
	}
	for _, n := range names {
		var want string
		if err := db.DB.QueryRowContext(ctx, "SELECT quote_ident($1)", n).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := quoteIdentIfNeeded(n); got != want {
			t.Errorf("quoteIdentIfNeeded(%q) = %s, quote_ident gives %s", n, got, want)
		}
	}
}

// TestInspectCodeQueryCount checks that the number of catalog queries does
// not depend on the number of objects.
func TestInspectCodeQueryCount(t *testing.T) {
	counts := map[int]int{}
	for _, n := range []int{1, 50} {
		db := codeDB(t)
		var b strings.Builder
		b.WriteString("CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n")
		for k := range n {
			fmtTable := "CREATE TABLE t%[1]d (id integer PRIMARY KEY, v text);\n" +
				"CREATE VIEW v%[1]d AS SELECT id FROM t%[1]d;\n" +
				"CREATE MATERIALIZED VIEW m%[1]d AS SELECT id FROM v%[1]d;\n" +
				"CREATE INDEX m%[1]d_id ON m%[1]d (id);\n" +
				"CREATE FUNCTION f%[1]d(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x';\n" +
				"CREATE TRIGGER tr%[1]d BEFORE INSERT ON t%[1]d FOR EACH ROW EXECUTE FUNCTION tg();\n" +
				"CREATE RULE r%[1]d AS ON DELETE TO t%[1]d DO INSTEAD NOTHING;\n"
			b.WriteString(strings.ReplaceAll(fmtTable, "%[1]d", strconv.Itoa(k)))
		}
		codePsqlRun(t, db.URL, b.String())
		s, q := inspectCodeOf(t, db, dialect.InspectOptions{})
		if len(s.Views) != 2*n || len(s.Routines) != n+1 || len(s.Triggers) != n || len(s.Rules) != n {
			t.Fatalf("%d objects each: got %d views, %d routines, %d triggers, %d rules", n, len(s.Views), len(s.Routines), len(s.Triggers), len(s.Rules))
		}
		counts[n] = q
	}
	if counts[1] != counts[50] || counts[1] != codeQueries {
		t.Errorf("catalog queries: %d for 1 object of each kind, %d for 50, want %d for both", counts[1], counts[50], codeQueries)
	}
}

// TestInspectCodeSchemasAndExclusions checks opts.Schemas, opts.Exclude,
// the version tables and extension members.
func TestInspectCodeSchemasAndExclusions(t *testing.T) {
	db := codeDB(t)
	codePsqlRun(t, db.URL, `
CREATE EXTENSION pg_trgm;
CREATE SCHEMA other;
CREATE TABLE retort_revisions (revision varchar(64) PRIMARY KEY);
CREATE TABLE keep (id integer);
CREATE TABLE skip_me (id integer);
CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER on_revisions BEFORE INSERT ON retort_revisions FOR EACH ROW EXECUTE FUNCTION tg();
CREATE TRIGGER on_skip BEFORE INSERT ON skip_me FOR EACH ROW EXECUTE FUNCTION tg();
CREATE TRIGGER on_keep BEFORE INSERT ON keep FOR EACH ROW EXECUTE FUNCTION tg();
CREATE VIEW skip_view AS SELECT 1 AS one;
CREATE VIEW other.v AS SELECT id FROM keep;
CREATE FUNCTION other.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
`)
	s, _ := inspectCodeOf(t, db, dialect.InspectOptions{Exclude: []string{"public.skip_me", "skip_view"}})
	// pg_trgm's functions belong to the extension and are left out.
	var routines []string
	for _, r := range s.Routines {
		routines = append(routines, r.Schema+"."+r.Name)
	}
	if want := []string{"other.f", "public.tg"}; !slices.Equal(routines, want) {
		t.Errorf("routines = %q, want %q", routines, want)
	}
	if len(s.Triggers) != 1 || s.Triggers[0].Name != "on_keep" {
		t.Errorf("triggers = %+v, want only on_keep", s.Triggers)
	}
	if len(s.Views) != 1 || s.Views[0].Schema != "other" {
		t.Errorf("views = %+v, want only other.v", s.Views)
	}

	s, _ = inspectCodeOf(t, db, dialect.InspectOptions{Schemas: []string{"other"}})
	if len(s.Views) != 1 || len(s.Routines) != 1 || s.Routines[0].Name != "f" || len(s.Triggers) != 0 {
		t.Errorf("schemas [other]: views %+v, routines %+v, triggers %+v", s.Views, s.Routines, s.Triggers)
	}
}

func TestInspectCodeEventTriggerWarning(t *testing.T) {
	db := codeDB(t)
	codePsqlRun(t, db.URL, `
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER "Log DDL" ON ddl_command_end EXECUTE FUNCTION on_ddl();
`)
	s, _ := inspectCodeOf(t, db, dialect.InspectOptions{})
	want := `skipped event trigger "Log DDL": not supported`
	if !slices.Contains(s.Notes(), want) {
		t.Errorf("warnings = %q, want %q", s.Notes(), want)
	}
	if codeFindRoutine(s, "on_ddl", "") == nil {
		t.Errorf("the event trigger's function is an ordinary routine and must be kept")
	}
}

// TestFormatCodeGolden prints a hand-written schema's code objects and
// compares them with testdata/code_format.golden (refresh with -update).
func TestFormatCodeGolden(t *testing.T) {
	s := &schema.Schema{
		Dialect: "postgres",
		Routines: []*schema.Routine{
			{Kind: schema.Aggregate, Schema: "public", Name: "agg", Signature: "integer",
				Definition: "CREATE AGGREGATE agg(integer) (\n    SFUNC = public.step,\n    STYPE = integer\n)",
				DependsOn:  []string{"FUNCTION step(integer, integer)"}},
			{Kind: schema.Function, Schema: "public", Name: "rows_of", Signature: "",
				Definition: "CREATE OR REPLACE FUNCTION public.rows_of()\n RETURNS SETOF t\n LANGUAGE sql\nAS $function$SELECT * FROM t$function$\n",
				DependsOn:  []string{"TABLE t"}, Comment: "all of t"},
			{Kind: schema.Function, Schema: "public", Name: "step", Signature: "integer, integer",
				Definition: "CREATE OR REPLACE FUNCTION public.step(integer, integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT $1 + $2$function$"},
			{Kind: schema.Procedure, Schema: "Sales", Name: "Run", Signature: "n integer",
				Definition: "CREATE OR REPLACE PROCEDURE \"Sales\".\"Run\"(n integer)\n LANGUAGE sql\nAS $procedure$SELECT 1$procedure$", Comment: "it's run"},
		},
		Views: []*schema.View{
			{Schema: "public", Name: "a", Definition: " SELECT b.x\n   FROM b;", DependsOn: []string{"VIEW b"}, CheckOption: "CASCADED"},
			{Schema: "public", Name: "b", Definition: "SELECT x FROM rows_of() x", DependsOn: []string{"FUNCTION rows_of()"}, Comment: "bee"},
			{Schema: "public", Name: "m", Materialized: true, Definition: "SELECT 1 AS one", Options: "fillfactor=50",
				Indexes: []*schema.Index{{Name: "m one", Unique: true, Parts: []*schema.IndexPart{{Column: "one", Desc: true, Nulls: "LAST"}, {Expr: "one + 1"}}, Include: []string{"Two"}, Where: "one > 0", Comment: "idx"}}},
		},
		Triggers: []*schema.Trigger{
			{Schema: "public", Table: "t", Name: "tr", Definition: "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", Comment: "trig"},
		},
		Rules: []*schema.Rule{
			{Schema: "public", Table: "t", Name: "r", Definition: "CREATE RULE r AS\n    ON DELETE TO t DO INSTEAD NOTHING;", Comment: "rule"},
		},
	}
	var b strings.Builder
	b.WriteString("-- writeRoutines\n\n")
	writeRoutines(&b, s, nil)
	b.WriteString("-- writeViews\n\n")
	writeViews(&b, s)
	b.WriteString("-- writeTriggersAndRules\n\n")
	writeTriggersAndRules(&b, s)
	got := b.String()
	golden := filepath.Join("testdata", "code_format.golden")
	if codeUpdateGolden() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	codeRequireSame(t, string(want), got)
}

// TestInspectCodeCorpus round-trips only the code objects of corpus files:
// the file is loaded into X and into Y with psql; in Y every view, routine,
// trigger and rule is dropped and recreated from X's printed code objects;
// Y's code objects must then print to the same text.
func TestInspectCodeCorpus(t *testing.T) {
	cases := []struct {
		path                                  string
		stopOnError                           bool
		views, routines, triggers, rules, agg int
	}{
		{"pagila/pagila-schema.sql", true, 8, 10, 15, 0, 1},
		{"sakila-jooq/postgres/postgres-sakila-schema.sql", true, 7, 10, 15, 6, 1},
		{"adventureworks/install.sql", false, 89, 0, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.path, "/", "_"), func(t *testing.T) {
			file := filteredCopy(t, filepath.Join(corpusDir, c.path), false)
			x := codeDB(t)
			codePsqlFile(t, x.URL, file, c.stopOnError)
			sx, _ := inspectCodeOf(t, x, dialect.InspectOptions{})
			aggs := 0
			for _, r := range sx.Routines {
				if r.Kind == schema.Aggregate {
					aggs++
				}
			}
			t.Logf("%d views, %d routines (%d aggregates), %d triggers, %d rules, %d comments", len(sx.Views), len(sx.Routines), aggs, len(sx.Triggers), len(sx.Rules), len(sx.Comments))
			if len(sx.Views) != c.views || len(sx.Routines) != c.routines || len(sx.Triggers) != c.triggers || len(sx.Rules) != c.rules || aggs != c.agg {
				t.Errorf("want %d views, %d routines (%d aggregates), %d triggers, %d rules", c.views, c.routines, c.agg, c.triggers, c.rules)
			}
			text1 := formatCode(sx)

			y := codeDB(t)
			codePsqlFile(t, y.URL, file, c.stopOnError)
			var drop strings.Builder
			for _, tr := range sx.Triggers {
				drop.WriteString("DROP TRIGGER " + quoteIdentIfNeeded(tr.Name) + " ON " + qualifiedName(tr.Schema, tr.Table) + ";\n")
			}
			for _, r := range sx.Rules {
				drop.WriteString("DROP RULE " + quoteIdentIfNeeded(r.Name) + " ON " + qualifiedName(r.Schema, r.Table) + ";\n")
			}
			for _, v := range sx.Views {
				kw, name, _ := strings.Cut(viewDesignation(v), " "+qualifiedName(v.Schema, v.Name))
				drop.WriteString("DROP " + kw + " IF EXISTS " + name + qualifiedName(v.Schema, v.Name) + " CASCADE;\n")
			}
			for _, r := range sx.Routines {
				d := routineDesignation(r.Kind, r.Schema, r.Name, r.Signature)
				kw, rest, _ := strings.Cut(d, " ")
				drop.WriteString("DROP " + kw + " IF EXISTS " + rest + " CASCADE;\n")
			}
			codePsqlRun(t, y.URL, drop.String())
			if sy, _ := inspectCodeOf(t, y, dialect.InspectOptions{}); len(sy.Views)+len(sy.Routines)+len(sy.Triggers)+len(sy.Rules) != 0 {
				t.Fatalf("after the drops Y still has %d views, %d routines, %d triggers, %d rules", len(sy.Views), len(sy.Routines), len(sy.Triggers), len(sy.Rules))
			}
			codePsqlRun(t, y.URL, text1)
			sy, _ := inspectCodeOf(t, y, dialect.InspectOptions{})
			codeRequireSame(t, text1, formatCode(sy))
		})
	}
}

// BenchmarkInspectCode2000 runs inspectCode on 2,000 tables with a view, a
// function and a trigger each (and a materialized view with an index for
// every tenth table), created once in a fresh database.
func BenchmarkInspectCode2000(b *testing.B) {
	db := testdb.New(b, "postgres")
	var sb strings.Builder
	sb.WriteString("CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n")
	for k := range 2000 {
		n := strconv.Itoa(k)
		sb.WriteString("CREATE TABLE t" + n + " (id integer PRIMARY KEY, a text, b integer);\n" +
			"CREATE VIEW v" + n + " AS SELECT id, a FROM t" + n + " WHERE b > 0;\n" +
			"CREATE FUNCTION f" + n + "(x integer) RETURNS SETOF t" + n + " LANGUAGE sql AS 'SELECT * FROM t" + n + " WHERE id = x';\n" +
			"CREATE TRIGGER tr" + n + " BEFORE UPDATE ON t" + n + " FOR EACH ROW EXECUTE FUNCTION tg();\n")
		if k%10 == 0 {
			sb.WriteString("CREATE MATERIALIZED VIEW m" + n + " AS SELECT id FROM v" + n + ";\n" +
				"CREATE UNIQUE INDEX m" + n + "_id ON m" + n + " (id);\n")
		}
	}
	f := filepath.Join(b.TempDir(), "schema.sql")
	if err := os.WriteFile(f, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.URL, "-f", f).CombinedOutput()
	if err != nil {
		b.Fatalf("psql: %v\n%s", err, out)
	}
	ctx := context.Background()
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var before, after runtime.MemStats
	var peak uint64
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		i := newInspector(conn, dialect.InspectOptions{})
		if err := i.inspectCode(ctx); err != nil {
			b.Fatal(err)
		}
		if len(i.s.Views) != 2200 || len(i.s.Routines) != 2001 || len(i.s.Triggers) != 2000 {
			b.Fatalf("got %d views, %d routines, %d triggers", len(i.s.Views), len(i.s.Routines), len(i.s.Triggers))
		}
		var sb strings.Builder
		writeRoutines(&sb, i.s, nil)
		writeViews(&sb, i.s)
		writeTriggersAndRules(&sb, i.s)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "alloc_MB/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak_heap_MB")
}

// TestOrderCode checks the ordering of views and routines without a
// database: dependencies first, the given order otherwise, and a cycle
// (which a server would refuse) neither loops nor loses an item.
func TestOrderCode(t *testing.T) {
	v := func(name string, deps ...string) codeItem {
		return codeItem{view: &schema.View{Schema: "public", Name: name, DependsOn: deps}}
	}
	names := func(items []codeItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.view.Name)
		}
		return out
	}
	got := names(orderCode([]codeItem{v("a", "VIEW c"), v("b"), v("c", "VIEW b", "VIEW elsewhere.x")}))
	if want := []string{"b", "c", "a"}; !slices.Equal(got, want) {
		t.Errorf("order = %q, want %q", got, want)
	}
	got = names(orderCode([]codeItem{v("a", "VIEW b"), v("b", "VIEW a"), v("c")}))
	if want := []string{"c", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("cycle order = %q, want %q", got, want)
	}
}

// TestDeferredRoutines checks which routines wait for the tables: those
// that need a relation, directly or through another routine, but not those
// that need only types or other early routines.
func TestDeferredRoutines(t *testing.T) {
	r := func(name string, deps ...string) *schema.Routine {
		return &schema.Routine{Kind: schema.Function, Schema: "public", Name: name, DependsOn: deps}
	}
	s := &schema.Schema{Routines: []*schema.Routine{
		r("plain"),
		r("typed", "TYPE point3"),
		r("rows", "TABLE t"),
		r("via", "FUNCTION rows()"),
		r("early", "FUNCTION plain()"),
		r("seq", "SEQUENCE s"),
		r("loop1", "FUNCTION loop2()"),
		r("loop2", "FUNCTION loop1()"),
	}}
	d := deferredRoutines(s)
	var got []string
	for _, x := range s.Routines {
		if d[x] {
			got = append(got, x.Name)
		}
	}
	if want := []string{"rows", "via", "seq"}; !slices.Equal(got, want) {
		t.Errorf("deferred = %q, want %q", got, want)
	}
}

// TestInspectCodeEndToEnd round-trips every kind of code object through the
// dialect's public Inspect and Format, with the tables they use, from an
// SQL script to an empty database.
func TestInspectCodeEndToEnd(t *testing.T) {
	x := codeDB(t)
	codePsqlRun(t, x.URL, codeBaseTables+`
CREATE SCHEMA app;
CREATE FUNCTION app.items_over(p numeric) RETURNS SETOF item LANGUAGE sql STABLE AS 'SELECT * FROM item WHERE price > p';
CREATE FUNCTION app.n_items() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM item; END;
CREATE FUNCTION app.label(i item) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT i.name || ' #' || i.id $$;
CREATE FUNCTION app._cat(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1 || $2 $$;
CREATE AGGREGATE app.cat(text) (SFUNC = app._cat, STYPE = text, INITCOND = '');
CREATE PROCEDURE app.reset() LANGUAGE sql AS $$ DELETE FROM audit $$;
CREATE VIEW app.expensive AS SELECT id, app.label(i) AS label FROM app.items_over(100) i;
CREATE MATERIALIZED VIEW app.summary AS SELECT count(*) AS n, app.cat(label) AS labels FROM app.expensive;
CREATE UNIQUE INDEX summary_n ON app.summary (n);
CREATE VIEW "Report" AS SELECT n FROM app.summary;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'x'; RETURN NEW; END $$;
CREATE TRIGGER audit_touch BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE RULE item_no_delete AS ON DELETE TO item WHERE OLD.price IS NULL DO INSTEAD NOTHING;
COMMENT ON VIEW app.expensive IS 'over 100';
COMMENT ON COLUMN app.expensive.label IS 'name and id';
COMMENT ON FUNCTION app.items_over(numeric) IS 'rows over a price';
COMMENT ON TRIGGER audit_touch ON audit IS 'note';
`)
	ctx := context.Background()
	inspect := func(db *testdb.DB) (*schema.Schema, string) {
		conn, err := db.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		s, err := New().Inspect(ctx, conn, dialect.InspectOptions{})
		if err != nil {
			t.Fatalf("Inspect: %v", err)
		}
		return s, New().Format(s)
	}
	s, text1 := inspect(x)
	if len(s.Views) != 3 || len(s.Routines) != 7 || len(s.Triggers) != 1 || len(s.Rules) != 1 {
		t.Fatalf("got %d views, %d routines, %d triggers, %d rules", len(s.Views), len(s.Routines), len(s.Triggers), len(s.Rules))
	}
	if n := strings.Count(text1, "COMMENT ON COLUMN app.expensive.label IS 'name and id';"); n != 1 {
		t.Errorf("the view column comment is printed %d times, want once:\n%s", n, text1)
	}
	// items_over returns item rows: it must come after CREATE TABLE item.
	if strings.Index(text1, "FUNCTION app.items_over(") < strings.Index(text1, "CREATE TABLE item") {
		t.Errorf("app.items_over printed before table item:\n%s", text1)
	}
	y := codeDB(t)
	codePsqlRun(t, y.URL, text1)
	_, text2 := inspect(y)
	codeRequireSame(t, text1, text2)
}

// TestInspectCodeWithoutCatalogRights checks the error when the user may not
// read a catalog the code objects need (pg_trigger, revoked in the test
// database only: it is a per-database catalog).
func TestInspectCodeWithoutCatalogRights(t *testing.T) {
	db := codeDB(t)
	role := strings.Replace(testdb.UniqueName(t), "rt_", "rt_ro_", 1)
	codePsqlRun(t, db.URL, `CREATE TABLE t (id integer);
CREATE ROLE `+role+` LOGIN;
REVOKE SELECT ON pg_catalog.pg_trigger FROM PUBLIC;`)
	t.Cleanup(func() {
		if _, err := db.DB.Exec(`DROP ROLE IF EXISTS ` + role); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "secret-password")
	ro, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ctx := context.Background()
	conn, err := ro.Conn(ctx)
	if err != nil {
		t.Fatalf("connect as %s: %v", role, err)
	}
	defer conn.Close()
	i := newInspector(conn, dialect.InspectOptions{})
	err = i.inspectCode(ctx)
	var access *CatalogAccessError
	if !errors.As(err, &access) || access.What != "triggers" {
		t.Fatalf("inspectCode as %s: %v (%T), want a *CatalogAccessError for triggers", role, err, err)
	}
	msg := err.Error()
	for _, want := range []string{"inspect triggers", "may not read the system catalogs", "pg_trigger"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "secret-password") {
		t.Errorf("error shows the password: %q", msg)
	}
}

// TestFormatDomainCallsFunction checks that inspect's output loads when a
// domain's CHECK calls a function and another function takes the domain:
// the function before the domain, the domain before the other function
// (a format by kind, types then routines, fails to load).
func TestFormatDomainCallsFunction(t *testing.T) {
	x := codeDB(t)
	codePsqlRun(t, x.URL, `
CREATE FUNCTION f(v text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT length(v) < 10 $$;
CREATE DOMAIN d AS text CHECK (f(VALUE));
CREATE FUNCTION g(v d) RETURNS d LANGUAGE sql IMMUTABLE AS $$ SELECT v $$;
`)
	ctx := context.Background()
	inspect := func(db *testdb.DB) string {
		conn, err := db.DB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		s, err := New().Inspect(ctx, conn, dialect.InspectOptions{})
		if err != nil {
			t.Fatalf("Inspect: %v", err)
		}
		return New().Format(s)
	}
	text1 := inspect(x)
	f, d, g := strings.Index(text1, "FUNCTION public.f("), strings.Index(text1, "CREATE DOMAIN"), strings.Index(text1, "FUNCTION public.g(")
	if f < 0 || d < 0 || g < 0 || !(f < d && d < g) {
		t.Fatalf("want f, then the domain, then g:\n%s", text1)
	}
	y := codeDB(t)
	codePsqlRun(t, y.URL, text1)
	codeRequireSame(t, text1, inspect(y))
}
