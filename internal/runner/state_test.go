package runner_test

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/testdb"
)

// Reading the version table (what "retort current" asks the database) is
// one simple query on PostgreSQL, not a prepare and an execute: after the
// startup message the client sends the query and nothing else, and the
// rows read the same as through the extended protocol.
func TestStateOneRoundTripPostgres(t *testing.T) {
	tg := newTarget(t, "postgres")
	ctx := ctxT(t)
	if _, err := runner.New(tg.db, tg.d, runner.Options{}).Run(ctx, upgradeAll(chainN(2))); err != nil {
		t.Fatal(err)
	}
	rec := testdb.NewRecorder(t, tg.url)
	d, db := openURL(t, rec.Through(t, tg.url))
	got, err := runner.New(db, d, runner.Options{}).State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := rec.Sent()
	sent = sent[binary.BigEndian.Uint32(sent):] // the startup message
	var types []byte
	for len(sent) >= 5 {
		types = append(types, sent[0])
		sent = sent[1+int(binary.BigEndian.Uint32(sent[1:5])):]
	}
	if string(types) != "Q" {
		t.Errorf("messages after startup: %q; want one simple query (Q)", types)
	}
	// The same rows through tg.db, which prepares (no OneTripArgs).
	var want []runner.Row
	rows, err := tg.db.QueryContext(ctx, "SELECT revision, checksum, applied_at, duration_ms, state FROM retort_revisions ORDER BY applied_at, revision")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r runner.Row
		if err := rows.Scan(&r.Revision, &r.Checksum, &r.AppliedAt, &r.DurationMS, &r.State); err != nil {
			t.Fatal(err)
		}
		r.AppliedAt = r.AppliedAt.UTC()
		r.StatementsDone = 3
		want = append(want, r)
	}
	if diff := cmp.Diff(want, got.Rows); diff != "" {
		t.Errorf("rows read with the simple protocol (-extended +simple):\n%s", diff)
	}
}
