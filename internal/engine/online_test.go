package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/source"
)

// onlineCase is a change whose online form differs from the generated
// one, and a wrong online rewrite of it.
type onlineCase struct {
	desired  string
	backfill map[string]string
	// want is in the online upgrade, as the rewrite writes it.
	want []string
	// breakIt breaks the online upgrade as a wrong rewrite would;
	// complaint is what the verification then says.
	breakIt   func(up []string) []string
	complaint []string
}

var onlineCases = map[string]onlineCase{
	// SET NOT NULL through a validated CHECK, the index CONCURRENTLY; the
	// broken rewrite forgets the SET NOT NULL itself.
	"postgres": {
		desired:  "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER NOT NULL, b INTEGER);\nCREATE INDEX t_b ON t (b);\n",
		backfill: map[string]string{"public.t.a": "0"},
		want:     []string{"CREATE INDEX CONCURRENTLY", "VALIDATE CONSTRAINT", "SET statement_timeout = 0", "SET lock_timeout = '5000ms'"},
		breakIt: func(up []string) []string {
			return slices.DeleteFunc(up, func(s string) bool { return strings.HasSuffix(s, "SET NOT NULL") })
		},
		complaint: []string{"does not reproduce the expected schema", "bug in retort's online rewrite"},
	},
	// ALGORITHM=INPLACE, LOCK=NONE stated; the broken rewrite claims
	// INSTANT, which the server refuses for an index: a server limit, said
	// so.
	"mysql": {
		desired: "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b INTEGER);\nCREATE INDEX t_b ON t (b);\n",
		want:    []string{"ALGORITHM=INPLACE", "SET SESSION lock_wait_timeout = 5"},
		breakIt: func(up []string) []string {
			out := slices.Clone(up)
			for i, s := range out {
				out[i] = strings.Replace(s, "ALGORITHM=INPLACE LOCK=NONE", "ALGORITHM=INSTANT", 1)
			}
			return out
		},
		complaint: []string{"failed on the scratch database at statement 2 of 3", "ALGORITHM=INSTANT", "cannot make it without blocking writes"},
	},
}

// TestVerifyRunsOnlineForm: with GenerateOptions.Online, the revision
// verified on the scratch database is the online form, the one written:
// it passes as rewritten, and a rewrite broken on purpose (through the
// beforeVerify hook, between the rewrite and the verification) fails the
// verification, which names the online form.
func TestVerifyRunsOnlineForm(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			m, opts := onlineMigrator(t, d)
			tc := onlineCases[d]
			opts.Desired = []source.File{{Path: "schema.sql", SQL: tc.desired}}
			opts.Backfill = tc.backfill
			g, err := m.Generate(ctx, opts)
			if err != nil {
				t.Fatalf("Generate --online: %v", err)
			}
			up := strings.Join(g.Up, ";\n")
			for _, w := range tc.want {
				if !strings.Contains(up, w) {
					t.Errorf("the online upgrade lacks %q:\n%s", w, up)
				}
			}
			if g.NoTransaction != (d == "postgres") || len(g.OnlineNotes) == 0 {
				t.Errorf("NoTransaction %v, notes %q", g.NoTransaction, g.OnlineNotes)
			}
			var broken []string
			opts.beforeVerify = func(g *Generated) {
				g.Up = tc.breakIt(g.Up)
				broken = g.Up
			}
			_, err = m.Generate(ctx, opts)
			if slices.Equal(broken, g.Up) {
				t.Fatalf("the broken rewrite changed nothing:\n%s", up)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Direction != revision.Up || !ve.Online {
				t.Fatalf("Generate with a broken online form: %v; want a VerifyError of the online upgrade", err)
			}
			for _, w := range append(tc.complaint, "generated upgrade (its --online form)", "without --online") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// onlineMigrator is a project with one revision, table t, on dialect d,
// and the options of migrate --online with the default timeouts.
func onlineMigrator(t *testing.T, d string) (*Migrator, GenerateOptions) {
	t.Helper()
	m, u := headMigrator(t, d, "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b INTEGER);", "DROP TABLE t;")
	return m, GenerateOptions{
		Scratch: u,
		Online:  &OnlineOptions{LockTimeout: DefaultOnlineLockTimeout, StatementTimeout: DefaultOnlineStatementTimeout},
	}
}

// TestOnlineOptionsValidate: a statement timeout not longer than the lock
// timeout would end the lock wait first, as an error upgrade does not
// retry.
func TestOnlineOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		o    OnlineOptions
		want string
	}{
		{OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: time.Minute}, ""},
		{OnlineOptions{LockTimeout: 5 * time.Second}, ""},
		{OnlineOptions{}, "must be positive"},
		{OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: 5 * time.Second}, "must be longer than the online lock timeout"},
		{OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: -time.Second}, "0 (none) or positive"},
	} {
		err := tc.o.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
}
