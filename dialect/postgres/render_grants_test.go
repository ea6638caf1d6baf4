package postgres

import (
	"slices"
	"testing"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/schema"
)

// grantObjectsSQL holds one object of each kind privileges are kept for.
// The grantees are roles every PostgreSQL 10+ server has.
const grantObjectsSQL = `CREATE SCHEMA app;
CREATE TABLE app.item (id integer PRIMARY KEY, name text);
CREATE VIEW app.item_names AS SELECT name FROM app.item;
CREATE SEQUENCE app.ticket;
CREATE FUNCTION app.answer(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';
`

const grantsSQL = `GRANT USAGE ON SCHEMA app TO pg_monitor;
GRANT SELECT, INSERT ON app.item TO pg_monitor WITH GRANT OPTION;
GRANT SELECT ON app.item_names TO PUBLIC;
GRANT USAGE ON SEQUENCE app.ticket TO pg_read_all_stats;
REVOKE EXECUTE ON FUNCTION app.answer(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.answer(integer) TO pg_monitor;
`

// inspectWithPrivileges inspects db with privileges.
func inspectWithPrivileges(t *testing.T, db *testdb.DB) *schema.Schema {
	t.Helper()
	ctx := renderCtx(t)
	conn, err := db.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s, err := New().Inspect(ctx, conn, dialect.InspectOptions{Privileges: true})
	if err != nil {
		t.Fatalf("inspect %s: %v", db.Name, err)
	}
	return s
}

// TestRenderGrants renders the privileges diff.Compare finds between a
// schema without grants and one with a grant or revoke on every kind of
// object, checks them against the golden file, and applies the upgrade
// and the downgrade, each of which must inspect (with privileges) as the
// schema it should be. Without privileges the two schemas are equal.
func TestRenderGrants(t *testing.T) {
	d := New()
	db := testdb.New(t, "postgres")
	dbTo := testdb.New(t, "postgres")
	renderExec(t, db, grantObjectsSQL)
	renderExec(t, dbTo, grantObjectsSQL+grantsSQL)
	from, to := inspectWithPrivileges(t, db), inspectWithPrivileges(t, dbTo)
	// What the model cannot hold is named, not dropped.
	dbW := testdb.New(t, "postgres")
	renderExec(t, dbW, grantObjectsSQL+`CREATE TYPE mood AS ENUM ('ok'); REVOKE USAGE ON TYPE mood FROM PUBLIC; GRANT SELECT (name) ON app.item TO pg_read_all_stats;`)
	var unrep []string
	for _, u := range inspectWithPrivileges(t, dbW).Unrepresented {
		unrep = append(unrep, u.Key())
	}
	if !slices.Contains(unrep, "grant:public.mood") || !slices.Contains(unrep, "grant:app.item.name") {
		t.Errorf("unrepresented %q should name the type's and the column's privileges", unrep)
	}
	if len(from.Grants) != 0 {
		t.Errorf("objects with default privileges inspect with grants %v", from.Grants)
	}
	if got := d.Format(renderInspect(t, dbTo)); got != d.Format(renderInspect(t, db)) {
		t.Errorf("without privileges the schemas differ:\n%s", got)
	}
	var changes []change.Change
	for _, g := range to.Grants {
		changes = append(changes, &change.AddGrant{Grant: g})
	}
	up, down := renderBothWays(t, d, "grants", from, to, changes, true)
	fromText, toText := d.Format(from), d.Format(to)
	format := func(s *schema.Schema) string { return d.Format(s) }
	renderApply(t, db, "upgrade", up)
	if got := format(inspectWithPrivileges(t, db)); got != toText {
		t.Fatalf("after the upgrade (- want, + got):\n%s", diffText(toText, got))
	}
	renderApply(t, db, "downgrade", down)
	if got := format(inspectWithPrivileges(t, db)); got != fromText {
		t.Fatalf("after the downgrade (- want, + got):\n%s", diffText(fromText, got))
	}
}

// TestRenderGrantsRecreatedRoutine checks that a routine the renderer
// drops and creates (its RETURNS type changes) gets its privileges back:
// diff sees them unchanged and emits no change for them.
func TestRenderGrantsRecreatedRoutine(t *testing.T) {
	d := New()
	const grants = `REVOKE EXECUTE ON FUNCTION answer(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION answer(integer) TO pg_monitor;
`
	db := testdb.New(t, "postgres")
	dbTo := testdb.New(t, "postgres")
	renderExec(t, db, `CREATE FUNCTION answer(integer) RETURNS integer LANGUAGE sql AS 'SELECT $1';`+grants)
	renderExec(t, dbTo, `CREATE FUNCTION answer(integer) RETURNS bigint LANGUAGE sql AS 'SELECT $1::bigint';`+grants)
	from, to := inspectWithPrivileges(t, db), inspectWithPrivileges(t, dbTo)
	changes := []change.Change{&change.ReplaceRoutine{From: from.Routines[0], To: to.Routines[0]}}
	up, down := renderBothWays(t, d, "grants_recreated_routine", from, to, changes, true)
	renderApply(t, db, "upgrade", up)
	if got, want := d.Format(inspectWithPrivileges(t, db)), d.Format(to); got != want {
		t.Fatalf("after the upgrade (- want, + got):\n%s", diffText(want, got))
	}
	renderApply(t, db, "downgrade", down)
	if got, want := d.Format(inspectWithPrivileges(t, db)), d.Format(from); got != want {
		t.Fatalf("after the downgrade (- want, + got):\n%s", diffText(want, got))
	}
}
