package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/internal/change"
	"github.com/retortdb/retort/internal/diff"
	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

// BaselineSplitTables is the number of tables above which Baseline
// splits the schema into several revisions, and the most statements one
// of them holds. One PostgreSQL transaction takes a lock on every table,
// index and sequence it creates, and the server's lock table holds
// max_locks_per_transaction (64) times max_connections (100) of them: a
// few thousand tables in one revision fail with "out of shared memory".
const BaselineSplitTables = 500

// BaselineOptions are the choices of Baseline.
type BaselineOptions struct {
	// Generate gives the scratch database (Scratch or DevDatabase) on
	// which the baseline is proved, and Ignore and OnIgnored for the
	// objects retort cannot represent.
	Generate GenerateOptions
	// MaxStatements is the most statements of one revision when the
	// schema has more than BaselineSplitTables tables; 0 means
	// BaselineSplitTables.
	MaxStatements int
}

// BaselinePart is one revision of a baseline: its upgrade and downgrade.
type BaselinePart struct {
	// Up is the upgrade's SQL; Down its statements.
	Up   string
	Down []string
}

// Baseline is the history that rebuilds a live database that has no
// revisions: one revision, or a chain of them for a large schema.
type Baseline struct {
	// Schema is the live schema; SQL is it as inspect prints it.
	Schema *schema.Schema
	SQL    string
	// Parts are the revisions, in the order they apply.
	Parts []BaselinePart
}

// Baseline reads the live database's schema and returns the revisions
// that build it from nothing: the schema as inspect prints it (the
// dialect's Format) as the upgrade, and as the downgrade the statements
// that drop it, rendered as migrate renders them. A schema with more than
// BaselineSplitTables tables is cut into consecutive runs of statements
// (tables first, as Format orders them, then the rest), one revision each.
// The revisions are proved on a scratch database: upgraded one after the
// other they must give the live schema again, and downgraded, nothing.
// Nothing is written, to the database or anywhere else.
func (m *Migrator) Baseline(ctx context.Context, opts BaselineOptions) (*Baseline, error) {
	if m.db == nil {
		return nil, ErrNoDatabase
	}
	live, err := m.inspect(ctx, m.db)
	if err != nil {
		return nil, fmt.Errorf("inspect the live database: %w", err)
	}
	if err := checkUnrepresented(opts.Generate, schemaSide{"the live database", live}); err != nil {
		return nil, err
	}
	if objects(live) == 0 {
		return nil, errors.New("the database has no objects: there is nothing to baseline; write the schema in schema.sql and run `retort migrate -m MESSAGE`")
	}
	b := &Baseline{Schema: live, SQL: m.dialect.Format(live)}
	chunks := [][]string{nil}
	if len(live.Tables) > BaselineSplitTables {
		if chunks, err = splitStatements(b.SQL, m.dialect, opts.MaxStatements); err != nil {
			return nil, err
		}
	}
	sc, err := m.newScratch(ctx, opts.Generate)
	if err != nil {
		return nil, fmt.Errorf("create a scratch database to prove the baseline: %w", err)
	}
	defer sc.close()
	if err := m.baselineParts(ctx, sc, b, chunks); err != nil {
		return nil, err
	}
	return b, nil
}

// splitStatements cuts script into consecutive runs of at most size
// statements (BaselineSplitTables when size is 0 or less).
func splitStatements(script string, d dialect.Dialect, size int) ([][]string, error) {
	if size <= 0 {
		size = BaselineSplitTables
	}
	stmts, err := sqlsplit.Split(script, d.Splitter())
	if err != nil {
		return nil, fmt.Errorf("split the live schema into statements: %w", err)
	}
	var chunks [][]string
	for i := 0; i < len(stmts); i += size {
		var c []string
		for _, s := range stmts[i:min(i+size, len(stmts))] {
			c = append(c, s.Text)
		}
		chunks = append(chunks, c)
	}
	return chunks, nil
}

// baselineParts applies each chunk of statements (nil: the whole schema)
// to the scratch database and renders the downgrade from what it holds
// after the chunk to what it held before. It then checks that the scratch
// database holds the live schema, and that the downgrades empty it.
func (m *Migrator) baselineParts(ctx context.Context, sc *scratch, b *Baseline, chunks [][]string) error {
	rd, err := m.fitted(ctx, sc.db)
	if err != nil {
		return err
	}
	prev := &schema.Schema{Dialect: b.Schema.Dialect}
	for i, c := range chunks {
		up := b.SQL
		if c != nil {
			up = script.JoinStatements(c)
		}
		if err := m.loadFiles(ctx, sc, []source.File{{Path: fmt.Sprintf("baseline part %d", i+1), SQL: up, Of: "the baseline"}}, nil); err != nil {
			return fmt.Errorf("baseline part %d of %d does not run on a scratch database (the live schema as inspect prints it cannot be replayed; report it): %w", i+1, len(chunks), err)
		}
		cur, err := m.inspect(ctx, sc.db)
		if err != nil {
			return fmt.Errorf("inspect the scratch database: %w", err)
		}
		down, err := downgrade(rd, prev, cur)
		if err != nil {
			return fmt.Errorf("render the downgrade of baseline part %d: %w", i+1, err)
		}
		b.Parts = append(b.Parts, BaselinePart{Up: up, Down: down})
		prev = cur
	}
	if rest, err := diff.Compare(prev, b.Schema, diff.Options{}); err != nil || len(rest) > 0 {
		return baselineMismatch("upgrade", rest, err)
	}
	for i := len(b.Parts) - 1; i >= 0; i-- {
		down := []source.File{{Path: fmt.Sprintf("baseline part %d downgrade", i+1), SQL: script.JoinStatements(b.Parts[i].Down), Of: "the baseline's downgrade"}}
		if err := m.loadSerial(ctx, sc, down, nil); err != nil {
			return fmt.Errorf("the downgrade of baseline part %d does not run on a scratch database: %w", i+1, err)
		}
	}
	left, err := m.inspect(ctx, sc.db)
	if err != nil {
		return fmt.Errorf("inspect the scratch database: %w", err)
	}
	if objects(left) > 0 {
		rest, err := diff.Compare(left, &schema.Schema{Dialect: left.Dialect}, diff.Options{})
		return baselineMismatch("downgrade", rest, err)
	}
	return nil
}

// downgrade returns the statements that take the schema after a part
// (after) back to the one before it (before), as migrate renders a
// downgrade: the inverse of the changes that build after from before, so
// that objects are dropped in the reverse order of their creation (a
// partition before its parent).
func downgrade(rd dialect.Renderer, before, after *schema.Schema) ([]string, error) {
	up, err := diff.Compare(before, after, diff.Options{})
	if err != nil || len(up) == 0 {
		return nil, err
	}
	return rd.Render(after, before, change.Invert(up))
}

// baselineMismatch reports a baseline whose replay on a scratch database
// does not give back what it should.
func baselineMismatch(dir string, rest []change.Change, err error) error {
	if err != nil {
		return fmt.Errorf("compare the baseline's %s on a scratch database: %w", dir, err)
	}
	msg := fmt.Sprintf("the baseline's %s, replayed on a scratch database, differs from what it should give (nothing was written; report it):", dir)
	for _, c := range rest {
		msg += "\n    " + c.Describe()
	}
	return errors.New(msg)
}
