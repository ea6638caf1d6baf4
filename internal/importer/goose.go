package importer

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// gooseConv reads a goose directory: <version>_<name>.sql files (a
// sequential number or a timestamp) with "-- +goose" annotations, and
// <version>_<name>.go migrations, which cannot be converted.
type gooseConv struct{}

func (gooseConv) Name() string { return "goose" }

func (gooseConv) Detect(fsys fs.FS) bool { return anyFileContains(fsys, "-- +goose ") }

// gooseFile is one numbered goose file.
type gooseFile struct {
	version int64
	name    string
	title   string
}

func (c gooseConv) Read(fsys fs.FS, opts Options) (*Result, error) {
	files, err := c.list(fsys)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	entries := make([]entry, 0, len(files))
	for _, f := range files {
		e := entry{version: strconv.FormatInt(f.version, 10), file: f.name, message: words(f.title)}
		if strings.HasSuffix(f.name, ".go") {
			res.GoMigrations = append(res.GoMigrations, f.name)
			e.goStub = true
			e.up = script.Section{Present: true, SQL: fmt.Sprintf("-- goose Go migration %s: port its Up function to a retort Go revision\n-- registered under id %s (retort.GoRevision), or replace this file by SQL.\n", f.name, e.version)}
			e.down = script.Section{Present: true, SQL: "-- port its Down function too.\n"}
			entries = append(entries, e)
			continue
		}
		data, err := fs.ReadFile(fsys, f.name)
		if err != nil {
			return nil, fmt.Errorf("import goose: %w", err)
		}
		a := annotated{tool: "goose", file: f.name, parse: gooseDirective, opts: opts}
		s, err := a.read(string(data))
		if err != nil {
			return nil, err
		}
		e.up, e.down, e.noTx = s.up, s.down, s.noTx
		entries = append(entries, e)
	}
	res.Revisions, err = chain("goose", entries)
	return res, err
}

// list returns the numbered .sql and .go files in version order, as goose
// orders them (gooseEntry reads each name); goose refuses two with one
// version, and so does the import.
func (gooseConv) list(fsys fs.FS) ([]gooseFile, error) {
	dirents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("import goose: %w", err)
	}
	var files []gooseFile
	for _, d := range dirents {
		f, ok, err := gooseEntry(d)
		if err != nil {
			return nil, err
		}
		if ok {
			files = append(files, f)
		}
	}
	slices.SortFunc(files, func(a, b gooseFile) int { return cmpInt(a.version, b.version) })
	for i := 1; i < len(files); i++ {
		if files[i].version == files[i-1].version {
			return nil, &SourceError{Tool: "goose", File: files[i].name, Msg: fmt.Sprintf("version %d is also %s's: goose refuses duplicate versions; renumber one", files[i].version, files[i-1].name)}
		}
	}
	return files, nil
}

// gooseEntry reads one directory entry: a migration is a .sql or (not
// test) .go file named <version>_<name> with a positive version. Other
// Go files of the package are not migrations; any other .sql file is
// refused.
func gooseEntry(d fs.DirEntry) (gooseFile, bool, error) {
	name := d.Name()
	ext := path.Ext(name)
	if !gooseCandidate(d, ext) {
		return gooseFile{}, false, nil
	}
	num, title, _ := strings.Cut(strings.TrimSuffix(name, ext), "_")
	v, err := strconv.ParseInt(num, 10, 64)
	switch {
	case (err != nil || v < 1) && ext == ".go":
		return gooseFile{}, false, nil // main.go and other Go files of the package
	case err != nil || v < 1:
		return gooseFile{}, false, &SourceError{Tool: "goose", File: name, Msg: "goose names migrations <version>_<name>.sql with a positive number as version; rename the file or move it out of the directory"}
	}
	return gooseFile{version: v, name: name, title: title}, true, nil
}

// gooseCandidate reports a file that may be a migration: .sql, or .go
// but not a test.
func gooseCandidate(d fs.DirEntry, ext string) bool {
	return !d.IsDir() && !strings.HasSuffix(d.Name(), "_test.go") && (ext == ".sql" || ext == ".go")
}

// gooseDirective reads "-- +goose ..." lines. goose requires the
// annotation at the start of the line.
func gooseDirective(l string) (directive, bool, string) {
	rest, ok := strings.CutPrefix(strings.TrimRight(l, " \t"), "-- +goose ")
	if !ok {
		return directive{}, false, ""
	}
	switch strings.ToUpper(strings.TrimSpace(rest)) {
	case "UP":
		return directive{kind: dirUp}, true, ""
	case "DOWN":
		return directive{kind: dirDown}, true, ""
	case "STATEMENTBEGIN":
		return directive{kind: dirBegin}, true, ""
	case "STATEMENTEND":
		return directive{kind: dirEnd}, true, ""
	case "NO TRANSACTION":
		return directive{kind: dirNoTx}, true, ""
	case "ENVSUB ON":
		return directive{kind: dirEnvOn}, true, ""
	case "ENVSUB OFF":
		return directive{kind: dirEnvOff}, true, ""
	}
	return directive{}, false, fmt.Sprintf("unknown goose annotation %q: goose knows Up, Down, StatementBegin, StatementEnd, NO TRANSACTION, ENVSUB ON and ENVSUB OFF", strings.TrimSpace(rest))
}

func cmpInt[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// anyFileContains reports whether a .sql file in the root of fsys holds s.
func anyFileContains(fsys fs.FS, s string) bool {
	names, err := sqlFiles(fsys)
	if err != nil {
		return false
	}
	for _, n := range names {
		if data, err := fs.ReadFile(fsys, n); err == nil && strings.Contains(string(data), s) {
			return true
		}
	}
	return false
}
