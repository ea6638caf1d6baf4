package runner

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// OfflineWho is the "who" written to the log by offline scripts.
const OfflineWho = "offline script (retort --sql)"

// WriteSQL writes the SQL that applying plan runs, for a DBA to review and
// run: the version-table DDL, then per revision its statements with the
// version-row statements, wrapped as the runner runs them (one transaction
// where the dialect's DDL is transactional and the revision allows it;
// otherwise progress rows after every statement). Nothing is read from a
// database, so the script assumes the state the plan was made for.
func WriteSQL(w io.Writer, d dialect.Dialect, t dialect.VersionTables, plan *revision.Plan) error {
	t = withDefaultNames(t)
	steps, err := compile(d, plan)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if st.isGo() {
			return &GoOfflineError{Revision: st.id()}
		}
	}
	bw := bufio.NewWriter(w)
	o := newOffline(bw, d, t)
	for _, l := range o.wrap.Preamble {
		fmt.Fprintln(bw, l)
	}
	fmt.Fprintf(bw, "-- retort offline script for %s: %d step(s)\n\n-- version tables\n", d.Name(), len(steps))
	for _, s := range d.VersionTableDDL(t) {
		o.stmt(s)
	}
	for _, rw := range plan.Rewrites {
		o.rewrite(rw)
	}
	for _, st := range steps {
		o.step(st)
	}
	return bw.Flush()
}

// withDefaultNames fills in the default version table names t leaves
// empty.
func withDefaultNames(t dialect.VersionTables) dialect.VersionTables {
	def := dialect.DefaultVersionTables()
	if t.Revisions == "" {
		t.Revisions = def.Revisions
	}
	if t.Log == "" {
		t.Log = def.Log
	}
	return t
}

// newOffline is the script writer for d: its quoted version tables, its
// BEGIN (IMMEDIATE where Begin is the lock) and its wrapping.
func newOffline(bw *bufio.Writer, d dialect.Dialect, t dialect.VersionTables) *offline {
	o := &offline{w: bw, d: d, rt: d.QuoteIdent(t.Revisions), lt: d.QuoteIdent(t.Log), now: d.NowUTC()}
	o.begin = "BEGIN"
	if d.Capabilities().BeginLocks {
		o.begin = "BEGIN IMMEDIATE"
	}
	if w, ok := d.(dialect.OfflineWrapper); ok {
		o.wrap = w.OfflineWrap()
	}
	return o
}

// rewrite records a squashed revision in place of the revisions it
// replaces, as the runner's rewrite does.
func (o *offline) rewrite(rw revision.Rewrite) {
	id := o.lit(rw.Revision.ID)
	fmt.Fprintf(o.w, "\n-- record squashed revision %s in place of %s (all applied; no SQL)\n", rw.Revision.ID, strings.Join(rw.Replaces, ", "))
	o.stmt(o.begin)
	for _, old := range rw.Replaces {
		o.stmt("DELETE FROM " + o.rt + " WHERE revision = " + o.lit(old))
	}
	if rw.Recorded {
		o.stmt("COMMIT")
		return
	}
	o.stmt("INSERT INTO " + o.rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" +
		id + ", " + o.lit(rw.Revision.Checksum) + ", " + o.now + ", 0, " + o.lit(StateApplied) + ", 0)")
	o.stmt("INSERT INTO " + o.lt + " (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" +
		id + ", 'stamp', " + o.now + ", " + o.now + ", TRUE, " + o.lit("recorded as applied: it squashes "+strings.Join(rw.Revision.Replaces, ", ")+", all applied (no SQL run)") + ", " + o.lit(OfflineWho) + ", '')")
	o.stmt("COMMIT")
}

type offline struct {
	w          *bufio.Writer
	d          dialect.Dialect
	wrap       dialect.OfflineWrap
	rt, lt     string
	now, begin string
}

func (o *offline) stmt(s string) {
	if o.d.Splitter() == sqlsplit.MySQL && strings.Contains(s, ";") {
		// A compound statement: the mysql client needs another delimiter.
		fmt.Fprintf(o.w, "DELIMITER $$\n%s$$\nDELIMITER ;\n", s)
		return
	}
	o.w.WriteString(s)
	o.w.WriteString(";\n")
}

func (o *offline) stmts(list []string) {
	for _, s := range list {
		o.stmt(s)
	}
}

func (o *offline) lit(s string) string { return o.d.QuoteLiteral(s) }

func (o *offline) step(st *step) {
	id := o.lit(st.id())
	fmt.Fprintf(o.w, "\n-- %s %s: %s (%s)\n", st.Direction, st.id(), st.rev.Message, st.rev.Path)
	n := strconv.Itoa(len(st.stmts))
	logRow := "INSERT INTO " + o.lt + " (revision, direction, started_at, finished_at, ok, error, who, retort_version) VALUES (" +
		id + ", " + o.lit(st.Direction.String()) + ", " + o.now + ", " + o.now + ", TRUE, NULL, " + o.lit(OfflineWho) + ", '')"
	done := "INSERT INTO " + o.rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" +
		id + ", " + o.lit(st.rev.Checksum) + ", " + o.now + ", 0, " + o.lit(StateApplied) + ", " + n + ")"
	if st.Direction == revision.Down {
		done = "DELETE FROM " + o.rt + " WHERE revision = " + id
	}
	if o.d.Capabilities().TransactionalDDL && !st.rev.NoTransaction {
		o.stmts(o.wrap.Before)
		o.stmt(o.begin)
		for _, s := range st.stmts {
			o.stmt(s.Text)
		}
		o.stmt(done)
		o.stmt(logRow)
		// Last before COMMIT: a failed check undoes the version rows too.
		o.stmts(o.wrap.Check)
		o.stmt("COMMIT")
		o.stmts(o.wrap.After)
		return
	}
	if st.Direction == revision.Down {
		o.stmt("UPDATE " + o.rt + " SET state = " + o.lit(StateReverting) + ", statements_done = 0 WHERE revision = " + id)
	} else {
		o.stmt("INSERT INTO " + o.rt + " (revision, checksum, applied_at, duration_ms, state, statements_done) VALUES (" +
			id + ", " + o.lit(st.rev.Checksum) + ", " + o.now + ", 0, " + o.lit(StatePartial) + ", 0)")
		done = "UPDATE " + o.rt + " SET checksum = " + o.lit(st.rev.Checksum) + ", applied_at = " + o.now +
			", duration_ms = 0, state = " + o.lit(StateApplied) + ", statements_done = " + n + " WHERE revision = " + id
	}
	for i, s := range st.stmts {
		o.stmt(s.Text)
		o.stmt("UPDATE " + o.rt + " SET statements_done = " + strconv.Itoa(i+1) + " WHERE revision = " + id)
	}
	o.stmt(o.begin)
	o.stmt(done)
	o.stmt(logRow)
	o.stmt("COMMIT")
}
