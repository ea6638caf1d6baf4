// Package runner applies revision plans to a database and records them in
// retort's version tables: it takes the migration lock, runs each revision
// in a transaction where the dialect's DDL is transactional, and records
// progress statement by statement where it is not, so that a failed
// revision can be resumed after its file is fixed.
//
// All work of one call happens on one connection taken from the pool:
// session locks and SQLite settings belong to a connection.
package runner

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/revision"
)

// Row states in the revisions table.
const (
	// StateApplied: every statement of the revision ran.
	StateApplied = "applied"
	// StatePartial: an upgrade outside a transaction stopped after
	// StatementsDone statements.
	StatePartial = "partial"
	// StateReverting: a downgrade outside a transaction stopped after
	// StatementsDone statements of the downgrade section.
	StateReverting = "reverting"
)

// DefaultLockTimeout is how long a Runner waits for the migration lock
// when Options.LockTimeout is zero.
const DefaultLockTimeout = 60 * time.Second

// Options configures a Runner.
type Options struct {
	// Tables names the version tables; empty names take the defaults of
	// dialect.DefaultVersionTables.
	Tables dialect.VersionTables
	// LockTimeout bounds the wait for the migration lock (default 60s).
	// The version-table writes that must match what ran (progress
	// records, the log row of a failure) get at least 10s whatever it is.
	LockTimeout time.Duration
	// OnEvent, when set, receives progress events. It is called on the
	// goroutine that runs the plan and must not block for long.
	OnEvent func(Event)
	// Version is the retort version written to the log.
	Version string
	// LockRetry is how a statement that gave up waiting for a lock is
	// retried; the zero value is 3 retries about 1s, 2s and 4s apart.
	LockRetry LockRetry
}

// Runner applies plans to one database.
type Runner struct {
	db   *sql.DB
	d    dialect.Dialect
	opts Options
	q    queries
	// oneTrip are the arguments that send a query without arguments in
	// one round trip (dialect.OneTripQuerier).
	oneTrip []any
}

// New returns a Runner for db, which d opened.
func New(db *sql.DB, d dialect.Dialect, opts Options) *Runner {
	def := dialect.DefaultVersionTables()
	if opts.Tables.Revisions == "" {
		opts.Tables.Revisions = def.Revisions
	}
	if opts.Tables.Log == "" {
		opts.Tables.Log = def.Log
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	r := &Runner{db: db, d: d, opts: opts, q: buildQueries(d, opts.Tables)}
	if ot, ok := d.(dialect.OneTripQuerier); ok {
		r.oneTrip = ot.OneTripArgs(db)
	}
	return r
}

// Row is one row of the revisions table.
type Row struct {
	Revision       string
	Checksum       string
	AppliedAt      time.Time
	DurationMS     int64
	State          string // StateApplied, StatePartial or StateReverting
	StatementsDone int
	// InFlight is the 1-based statement that an earlier run started but
	// did not record as done (0 when none): it commits by itself (MySQL
	// DDL), so it may or may not have run. StatementsDone is then
	// InFlight-1. (The table stores both in statements_done: see
	// progress.encode.)
	InFlight int
}

// State is the content of the revisions table.
type State struct {
	// Rows in the order they were applied.
	Rows []Row
}

// Applied returns the ids of the fully applied revisions.
func (s *State) Applied() []string {
	var ids []string
	for _, r := range s.Rows {
		if r.State == StateApplied {
			ids = append(ids, r.Revision)
		}
	}
	return ids
}

// Partial returns the rows of revisions stopped part-way (StatePartial or
// StateReverting).
func (s *State) Partial() []Row {
	var rows []Row
	for _, r := range s.Rows {
		if r.State != StateApplied {
			rows = append(rows, r)
		}
	}
	return rows
}

// Row returns the row of revision id.
func (s *State) Row(id string) (Row, bool) {
	for _, r := range s.Rows {
		if r.Revision == id {
			return r, true
		}
	}
	return Row{}, false
}

func (s *State) set(row Row) {
	for i := range s.Rows {
		if s.Rows[i].Revision == row.Revision {
			s.Rows[i] = row
			return
		}
	}
	s.Rows = append(s.Rows, row)
}

func (s *State) remove(id string) {
	for i := range s.Rows {
		if s.Rows[i].Revision == id {
			s.Rows = append(s.Rows[:i], s.Rows[i+1:]...)
			return
		}
	}
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventLockWait: another migrator holds the lock; waiting for it.
	EventLockWait EventKind = iota + 1
	// EventStart: a revision is starting.
	EventStart
	// EventDone: a revision finished; Duration is set.
	EventDone
	// EventResume: a partial revision resumes at Statement (1-based).
	EventResume
	// EventSkip: the revision was already done by another process.
	EventSkip
	// EventPlan: the plan is made and checked; Count is its number of
	// steps. Where Begin is the lock (SQLite) the lock is not held at this
	// point, elsewhere it is held until the run ends.
	EventPlan
	// EventReplan: another process moved the database since the plan was
	// made (SQLite), and the run plans again from where it now is (see
	// Replan).
	EventReplan
	// EventRetry: statement Statement gave up waiting for a lock (its
	// lock timeout) and runs again after Duration (see LockRetry).
	EventRetry
	// EventInvalidIndex: on resume, the invalid index an interrupted
	// concurrent build of statement Statement left was dropped, to be
	// built again.
	EventInvalidIndex
	// EventSessionRestored: on resume at Statement, the earlier statements
	// that set the session (SET lock_timeout, ...) ran again first.
	EventSessionRestored
	// EventSquash: the database had applied every revision a squashed
	// revision replaces, and is now recorded at the squashed revision
	// (Revision) instead; no SQL ran.
	EventSquash
)

// eventKindNames are the kinds' names, by kind.
var eventKindNames = [...]string{
	EventLockWait: "lock-wait", EventStart: "start", EventDone: "done", EventResume: "resume",
	EventSkip: "skip", EventPlan: "plan", EventReplan: "replan", EventRetry: "retry",
	EventInvalidIndex: "invalid-index", EventSessionRestored: "session-restored", EventSquash: "squash",
}

// String returns the kind's name.
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports progress.
type Event struct {
	Kind      EventKind
	Revision  string
	Direction revision.Direction
	// Statement is the 1-based statement (EventResume); Count the
	// statements of the section.
	Statement, Count int
	// Duration of the revision (EventDone), or the wait before a retry
	// (EventRetry).
	Duration time.Duration
	// Message is a human-readable line describing the event.
	Message string
}

func (r *Runner) emit(e Event) {
	if r.opts.OnEvent != nil {
		r.opts.OnEvent(e)
	}
}

// State reads the revisions table with one query. When the version tables
// do not exist yet it returns an empty State and creates nothing.
func (r *Runner) State(ctx context.Context) (*State, error) {
	return r.readState(ctx, r.db)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (r *Runner) readState(ctx context.Context, q querier) (*State, error) {
	rows, err := q.QueryContext(ctx, r.q.selectState, r.oneTrip...)
	if err != nil {
		if r.d.IsMissingTable(err) {
			return &State{}, nil
		}
		return nil, fmt.Errorf("read version table %s: %w", r.opts.Tables.Revisions, err)
	}
	defer rows.Close()
	s := &State{}
	for rows.Next() {
		var row Row
		if err := rows.Scan(&row.Revision, &row.Checksum, &row.AppliedAt, &row.DurationMS, &row.State, &row.StatementsDone); err != nil {
			return nil, fmt.Errorf("read version table %s: %w", r.opts.Tables.Revisions, err)
		}
		row.AppliedAt = row.AppliedAt.UTC()
		p := decodeProgress(row.StatementsDone)
		row.StatementsDone, row.InFlight = p.done, p.inFlightStatement()
		s.Rows = append(s.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read version table %s: %w", r.opts.Tables.Revisions, err)
	}
	return s, nil
}

// Interrupted reports whether the newest log row of revision id records a
// run stopped by an interruption (SIGTERM, Ctrl-C: an InterruptedError)
// rather than by a failed statement. It is false when the log has no
// failed row for id.
func (r *Runner) Interrupted(ctx context.Context, id string) (bool, error) {
	var ok bool
	var msg sql.NullString
	err := r.db.QueryRowContext(ctx, r.q.selectLastLog, id).Scan(&ok, &msg)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err != nil && r.d.IsMissingTable(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("read log table %s for revision %s: %w", r.opts.Tables.Log, id, err)
	}
	return !ok && msg.Valid && isInterruptedMessage(msg.String), nil
}

// whoAmI describes the migrator for the log: the database user and the OS
// user@host.
func (r *Runner) whoAmI(ctx context.Context, conn *sql.Conn) string {
	osu := "unknown"
	if u, err := user.Current(); err == nil {
		osu = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		osu += "@" + h
	}
	if su, ok := r.d.(dialect.SessionUserer); ok {
		if dbu, err := su.SessionUser(ctx, conn); err == nil && dbu != "" {
			return truncate(dbu+" ("+osu+")", 255)
		}
	}
	return truncate(osu, 255)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
