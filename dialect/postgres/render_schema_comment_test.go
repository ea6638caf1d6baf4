package postgres

import (
	"fmt"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// TestRenderSchemaComments renders comments on schemas (public, whose
// default comment the inspector leaves out, and a schema of its own),
// checks them against their golden files and requires diff.Compare to find
// the same changes; applies the upgrade to the "from" database and checks
// it inspects as "to", then the downgrade and checks it inspects as "from"
// again, and reads the comment from the catalog after each step.
func TestRenderSchemaComments(t *testing.T) {
	cases := []struct {
		name     string
		from, to string
		// changes are the changes diff must find.
		changes []change.Change
		// ns names the schema whose comment is read back; up and down are
		// its comment after the upgrade and after the downgrade ("<null>"
		// for none; "" for the comment a new database gives it).
		ns, up, down string
	}{
		{
			// jOOQ Sakila's line: public's default comment, capitalised.
			name:    "schema_comment_public",
			from:    ``,
			to:      `COMMENT ON SCHEMA public IS 'Standard public schema';`,
			changes: []change.Change{&change.SetNamespaceComment{Namespace: "public", FromDefault: true, To: "Standard public schema"}},
			ns:      "public", up: "Standard public schema", down: "",
		},
		{
			name:    "schema_comment_public_removed",
			from:    ``,
			to:      `COMMENT ON SCHEMA public IS NULL;`,
			changes: []change.Change{&change.SetNamespaceComment{Namespace: "public", FromDefault: true}},
			ns:      "public", up: "<null>", down: "",
		},
		{
			// public listed on both sides: the old comment is the one
			// inspected, not a default.
			name:    "schema_comment_public_changed",
			from:    `COMMENT ON SCHEMA public IS 'old';`,
			to:      `COMMENT ON SCHEMA public IS 'it''s new';`,
			changes: []change.Change{&change.SetNamespaceComment{Namespace: "public", From: "old", To: "it's new"}},
			ns:      "public", up: "it's new", down: "old",
		},
		{
			name:    "schema_comment_set",
			from:    `CREATE SCHEMA "Sales";`,
			to:      `CREATE SCHEMA "Sales"; COMMENT ON SCHEMA "Sales" IS 'orders and customers';`,
			changes: []change.Change{&change.SetNamespaceComment{Namespace: "Sales", To: "orders and customers"}},
			ns:      "Sales", up: "orders and customers", down: "<null>",
		},
	}
	d := New()
	comment := func(t *testing.T, db *testdb.DB, ns string) string {
		t.Helper()
		return renderQuery(t, db, `SELECT coalesce(obj_description(oid, 'pg_namespace'), '<null>') FROM pg_namespace WHERE nspname = '`+ns+`'`)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbFrom := testdb.New(t, "postgres")
			dbTo := testdb.New(t, "postgres")
			// The comment "from" gives the schema (for public, the one a
			// new database has, as this server spells it).
			if tc.from != "" {
				renderExec(t, dbFrom, tc.from)
			}
			initial := comment(t, dbFrom, tc.ns)
			renderExec(t, dbTo, tc.to)
			from := renderInspect(t, dbFrom)
			to := renderInspect(t, dbTo)
			fromText, toText := inspectText(d, from), inspectText(d, to)
			if fromText == toText {
				t.Fatalf("from and to format the same: the scenario tests nothing")
			}
			up, down := renderBothWays(t, d, tc.name, from, to, tc.changes, true)
			text := func(s *schema.Schema) string { return inspectText(d, s) }

			applyChecked(t, dbFrom, "upgrade", up, text, toText)
			if got := comment(t, dbFrom, tc.ns); got != tc.up {
				t.Errorf("after the upgrade schema %s has comment %q, want %q", tc.ns, got, tc.up)
			}
			applyChecked(t, dbFrom, "downgrade", down, text, fromText)
			want := tc.down
			if want == "" {
				want = initial
			}
			if got := comment(t, dbFrom, tc.ns); got != want {
				t.Errorf("after the downgrade schema %s has comment %q, want %q", tc.ns, got, want)
			}
		})
	}
}

// TestRenderSchemaCommentErrors: restoring a default comment exists only
// for public.
func TestRenderSchemaCommentErrors(t *testing.T) {
	d := New()
	_, err := d.Render(&schema.Schema{}, &schema.Schema{}, []change.Change{&change.SetNamespaceComment{Namespace: "sales", From: "x", ToDefault: true}})
	if err == nil {
		t.Fatalf("restoring the default comment of schema sales rendered without error")
	}
}

// inspectText is the formatted schema followed by its namespaces as
// inspected: Format prints no comment for public when it has none, which
// inspects differently from public's default comment.
func inspectText(d *Dialect, s *schema.Schema) string {
	var b strings.Builder
	b.WriteString(d.Format(s))
	for _, n := range s.Namespaces {
		fmt.Fprintf(&b, "-- namespace %q comment %q\n", n.Name, n.Comment)
	}
	return b.String()
}
