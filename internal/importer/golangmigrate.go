package importer

import (
	"fmt"
	"io/fs"
	"slices"
	"strconv"

	"github.com/retortdb/retort/internal/lazyre"
)

// golangMigrateConv reads a golang-migrate directory:
// {version}_{title}.up.sql and {version}_{title}.down.sql pairs, applied
// in increasing version (an unsigned 64-bit number).
type golangMigrateConv struct{}

func (golangMigrateConv) Name() string { return "golang-migrate" }

var migrateName = lazyre.New(`^([0-9]+)_(.*)\.(up|down)\.sql$`)

func (golangMigrateConv) Detect(fsys fs.FS) bool {
	names, _ := sqlFiles(fsys)
	for _, n := range names {
		if migrateName().MatchString(n) {
			return true
		}
	}
	return false
}

// migratePair is one version's files.
type migratePair struct {
	version  uint64
	title    string
	up, down string
}

// Read pairs the up and down files by version (migratePairs) and reads
// each pair into an entry (migrateEntry), in version order.
func (golangMigrateConv) Read(fsys fs.FS, _ Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import golang-migrate: %w", err)
	}
	pairs, err := migratePairs(names)
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(pairs))
	for _, p := range pairs {
		e, err := migrateEntry(fsys, p)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	revs, err := chain("golang-migrate", entries)
	if err != nil {
		return nil, err
	}
	return &Result{Revisions: revs}, nil
}

// migratePairs reads the file names into one pair of files per version,
// in version order; a name golang-migrate would not read, and a second
// file for one version and direction, are refused.
func migratePairs(names []string) ([]*migratePair, error) {
	byVersion := map[uint64]*migratePair{}
	for _, name := range names {
		m := migrateName().FindStringSubmatch(name)
		if m == nil {
			return nil, &SourceError{Tool: "golang-migrate", File: name, Msg: "golang-migrate names migrations {version}_{title}.up.sql and {version}_{title}.down.sql; rename the file or move it out of the directory"}
		}
		v, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			return nil, &SourceError{Tool: "golang-migrate", File: name, Msg: "the version is not an unsigned 64-bit number"}
		}
		p := byVersion[v]
		if p == nil {
			p = &migratePair{version: v, title: m[2]}
			byVersion[v] = p
		}
		slot := &p.up
		if m[3] == "down" {
			slot = &p.down
		}
		if *slot != "" {
			return nil, &SourceError{Tool: "golang-migrate", File: name, Msg: fmt.Sprintf("version %d has a second %s file, %s: golang-migrate allows one per direction", v, m[3], *slot)}
		}
		*slot = name
	}
	pairs := make([]*migratePair, 0, len(byVersion))
	for _, p := range byVersion {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(a, b *migratePair) int { return cmpInt(a.version, b.version) })
	return pairs, nil
}

// migrateEntry reads one version's files: the up file, which must be
// there, and the down file, whose absence makes the downgrade
// irreversible.
func migrateEntry(fsys fs.FS, p *migratePair) (entry, error) {
	if p.up == "" {
		return entry{}, &SourceError{Tool: "golang-migrate", File: p.down, Msg: "a down file without its up file: add the .up.sql or remove this one"}
	}
	e := entry{version: strconv.FormatUint(p.version, 10), file: p.up, message: words(p.title)}
	data, err := fs.ReadFile(fsys, p.up)
	if err != nil {
		return entry{}, fmt.Errorf("import golang-migrate: %w", err)
	}
	e.up = section(string(data), 1)
	e.up.None = false
	if p.down == "" {
		e.down = irreversible()
		return e, nil
	}
	data, err = fs.ReadFile(fsys, p.down)
	if err != nil {
		return entry{}, fmt.Errorf("import golang-migrate: %w", err)
	}
	e.down = section(string(data), 1)
	e.file = p.up + ", " + p.down
	return e, nil
}
