package importer

import (
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// sqlMigrateConv reads a sql-migrate directory: *.sql files with
// "-- +migrate Up/Down" annotations. sql-migrate's id is the file name;
// files sort by their leading number when they have one, else by name.
type sqlMigrateConv struct{}

func (sqlMigrateConv) Name() string { return "sql-migrate" }

func (sqlMigrateConv) Detect(fsys fs.FS) bool { return anyFileContains(fsys, "-- +migrate ") }

func (sqlMigrateConv) Read(fsys fs.FS, opts Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import sql-migrate: %w", err)
	}
	slices.SortStableFunc(names, sqlMigrateOrder)
	entries := make([]entry, 0, len(names))
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("import sql-migrate: %w", err)
		}
		a := annotated{tool: "sql-migrate", file: name, parse: sqlMigrateDirective, opts: opts}
		s, err := a.read(string(data))
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(name, ".sql")
		_, title, ok := strings.Cut(base, "_")
		if !ok {
			title = base
		}
		entries = append(entries, entry{version: base, file: name, message: words(title), up: s.up, down: s.down, noTx: s.noTx})
	}
	revs, err := chain("sql-migrate", entries)
	if err != nil {
		return nil, err
	}
	return &Result{Revisions: revs}, nil
}

// sqlMigrateOrder is sql-migrate's byId order: ids that both start with
// a number compare by it, others by name.
func sqlMigrateOrder(a, b string) int {
	na, oka := leadingNumber(a)
	nb, okb := leadingNumber(b)
	if oka && okb && na != nb {
		return cmpInt(na, nb)
	}
	return strings.Compare(a, b)
}

func leadingNumber(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	return n, err == nil
}

// sqlMigrateDirective reads "-- +migrate ..." lines: the annotation
// (sqlMigrateKinds) and its options, of which Up and Down take only
// notransaction.
func sqlMigrateDirective(l string) (directive, bool, string) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(l), "-- +migrate ")
	if !ok {
		return directive{}, false, ""
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return directive{}, false, "empty sql-migrate annotation"
	}
	d := directive{kind: sqlMigrateKinds[f[0]]}
	if d.kind == 0 {
		return d, false, fmt.Sprintf("unknown sql-migrate annotation %q: sql-migrate knows Up, Down, StatementBegin and StatementEnd", f[0])
	}
	for _, o := range f[1:] {
		if o != "notransaction" || d.kind > dirDown {
			return d, false, fmt.Sprintf("unknown option %q on %s: sql-migrate knows only \"notransaction\" on Up and Down", o, f[0])
		}
		d.noTx = true
	}
	return d, true, ""
}

// sqlMigrateKinds are sql-migrate's annotations, by name as written.
var sqlMigrateKinds = map[string]dirKind{"Up": dirUp, "Down": dirDown, "StatementBegin": dirBegin, "StatementEnd": dirEnd}
