package importer

import (
	"fmt"
	"io/fs"
	"strings"
)

// dbmateConv reads a dbmate directory (db/migrations): <version>_<name>.sql
// files, applied in file-name order, with "-- migrate:up" and
// "-- migrate:down" sections that may carry "transaction:false".
type dbmateConv struct{}

func (dbmateConv) Name() string { return "dbmate" }

func (dbmateConv) Detect(fsys fs.FS) bool { return anyFileContains(fsys, "-- migrate:up") }

func (dbmateConv) Read(fsys fs.FS, opts Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import dbmate: %w", err)
	}
	entries := make([]entry, 0, len(names))
	for _, name := range names {
		version, title, _ := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		if _, ok := leadingNumber(version); !ok || len(version) == 0 {
			return nil, &SourceError{Tool: "dbmate", File: name, Msg: "dbmate names migrations <version>_<name>.sql with a number (a timestamp) as version; rename the file or move it out of the directory"}
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("import dbmate: %w", err)
		}
		a := annotated{tool: "dbmate", file: name, parse: dbmateDirective, opts: opts}
		s, err := a.read(string(data))
		if err != nil {
			return nil, err
		}
		entries = append(entries, entry{version: version, file: name, message: words(title), up: s.up, down: s.down, noTx: s.noTx})
	}
	revs, err := chain("dbmate", entries)
	if err != nil {
		return nil, err
	}
	return &Result{Revisions: revs}, nil
}

// dbmateDirective reads "-- migrate:up" and "-- migrate:down" lines and
// their options.
func dbmateDirective(l string) (directive, bool, string) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(l), "-- migrate:")
	if !ok {
		return directive{}, false, ""
	}
	f := strings.Fields(rest)
	var d directive
	switch {
	case len(f) > 0 && f[0] == "up":
		d.kind = dirUp
	case len(f) > 0 && f[0] == "down":
		d.kind = dirDown
	default:
		return d, false, fmt.Sprintf("unknown dbmate directive %q: dbmate knows migrate:up and migrate:down", strings.TrimSpace(l))
	}
	for _, o := range f[1:] {
		switch o {
		case "transaction:false":
			d.noTx = true
		case "transaction:true":
		default:
			return d, false, fmt.Sprintf("unknown option %q: dbmate knows transaction:false", o)
		}
	}
	return d, true, ""
}
