package source

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/retortdb/retort/dialect"
)

// LoadParallel runs the files' statements on up to conns connections of
// db, with the same result and the same errors as Load on one connection.
//
// Runs of CREATE TABLE, CREATE INDEX and ALTER TABLE statements are
// grouped into chains of statements that share a table or index name (a
// REFERENCES or LIKE joins the two tables' chains); each chain runs in
// source order on one connection and chains run at the same time. Every
// other statement runs alone, after everything before it and before
// everything after it. Session statements (SET, USE, set_config, MySQL's
// /*!...*/) run on every connection; a statement that may change the
// session unseen (SELECT, DO, CALL, BEGIN) makes the rest of the load
// serial. When statements fail, the one reported is the first in source
// order, as on one connection, and no statement starts once a failure is
// seen: nothing after the failing run of CREATE/ALTER statements runs.
// Unlike one connection, independent statements of that run that come
// after the failure in source order may already have run on other
// connections; the load is for scratch databases, which are dropped or
// emptied after a failure. The connections are closed afterwards, never
// returned to the pool, since the files may have changed their sessions.
func LoadParallel(ctx context.Context, db *sql.DB, d dialect.Dialect, files []File, conns int, notify func(Notice)) error {
	if notify == nil {
		notify = func(Notice) {}
	}
	l := &loader{db: db, max: max(conns, 1), steps: planLoad(files, d.Splitter(), notify), parallel: conns > 1}
	defer l.discard()
	return l.run(ctx)
}

// loader is one LoadParallel.
type loader struct {
	db       *sql.DB
	max      int
	steps    []step
	conns    []*sql.Conn
	session  []int // the session steps run so far, replayed on new connections
	parallel bool
}

func (l *loader) run(ctx context.Context) error {
	for i := 0; i < len(l.steps); {
		if l.parallel && l.steps[i].kind == table {
			j := i
			for j < len(l.steps) && l.steps[j].kind == table {
				j++
			}
			if err := l.runSegment(ctx, chains(l.steps, i, j)); err != nil {
				return err
			}
			i = j
			continue
		}
		if err := l.runOne(ctx, i); err != nil {
			return err
		}
		i++
	}
	return nil
}

// runOne runs step i on the first connection (a session step on all).
func (l *loader) runOne(ctx context.Context, i int) error {
	s := l.steps[i]
	if s.err != nil {
		return s.err
	}
	c, err := l.conn(ctx, 0)
	if err != nil {
		return err
	}
	if err := execStep(ctx, c, s); err != nil {
		return err
	}
	switch s.kind {
	case stopParallel:
		l.parallel = false
	case session:
		l.session = append(l.session, i)
		for _, c := range l.conns[1:] {
			if err := execStep(ctx, c, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// conn returns connection k, opening connections up to it; a new one
// first runs the session statements run so far.
func (l *loader) conn(ctx context.Context, k int) (*sql.Conn, error) {
	for len(l.conns) <= k {
		c, err := l.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("open a connection to load the desired schema: %w", err)
		}
		l.conns = append(l.conns, c)
		for _, i := range l.session {
			if err := execStep(ctx, c, l.steps[i]); err != nil {
				return nil, err
			}
		}
	}
	return l.conns[k], nil
}

// runSegment runs the chains of a segment on up to l.max connections and
// returns the error of the failing statement that comes first in source
// order. The connections share a segmentRun and each runs chains from
// it (runChains) until none is left.
func (l *loader) runSegment(ctx context.Context, seg segment) error {
	n := min(l.max, len(seg.chains))
	for k := range n {
		if _, err := l.conn(ctx, k); err != nil {
			return err
		}
	}
	r := &segmentRun{chains: seg.chains, failAt: len(l.steps)}
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func(c *sql.Conn) {
			defer wg.Done()
			l.runChains(ctx, c, r)
		}(l.conns[k])
	}
	wg.Wait()
	return r.failErr
}

// runChains runs the chains it takes from r on c, each statement in
// order, a chain stopping at its failure or at a statement after the
// earliest failure so far.
func (l *loader) runChains(ctx context.Context, c *sql.Conn, r *segmentRun) {
	for ch := r.take(); ch != nil; ch = r.take() {
		for _, i := range ch {
			if !r.before(i) {
				break
			}
			if err := execStep(ctx, c, l.steps[i]); err != nil {
				r.fail(i, err)
				break
			}
		}
	}
}

// segmentRun is what the connections of one runSegment share, under mu:
// the next chain to take, and the earliest failure so far.
type segmentRun struct {
	mu      sync.Mutex
	chains  [][]int
	next    int
	failAt  int
	failErr error
}

// take returns the next chain, nil when none is left.
func (r *segmentRun) take() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next >= len(r.chains) {
		return nil
	}
	r.next++
	return r.chains[r.next-1]
}

// before reports whether step i comes before the earliest failure.
func (r *segmentRun) before(i int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return i < r.failAt
}

// fail records the failure of step i when it is the earliest.
func (r *segmentRun) fail(i int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i < r.failAt {
		r.failAt, r.failErr = i, err
	}
}

func execStep(ctx context.Context, c *sql.Conn, s step) error {
	if _, err := c.ExecContext(ctx, s.st.Text); err != nil {
		return &ApplyError{Of: s.f.Of, Path: s.f.Path, Line: s.st.Line, SQL: s.st.Text, Err: err}
	}
	return nil
}

// discard closes the load's connections without returning them to the
// pool: the next user gets a fresh session.
func (l *loader) discard() {
	for _, c := range l.conns {
		_ = c.Raw(func(any) error { return driver.ErrBadConn })
		c.Close()
	}
}
