package script

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// DuplicateIDError reports two revision files with one revision id.
type DuplicateIDError struct {
	// ID is the revision id both files declare.
	ID string
	// Paths are the two files, in file-name order.
	Paths [2]string
}

// Error names the id and both files.
func (e *DuplicateIDError) Error() string {
	return fmt.Sprintf("revision %s is declared by two files, %s and %s: every revision needs its own id; give one of them a new id (\"retort revision\" makes one) and fix the Revises lines that name it",
		e.ID, e.Paths[0], e.Paths[1])
}

// LoadDir parses every "*.sql" file in the root of fsys, in file-name
// order; other files and directories are ignored. Pass
// fs.Sub(os.DirFS(dir), "versions") or a sub-tree of an embed.FS. Each
// Revision's Path is its file name within fsys. Parse errors are
// *ParseError values naming the file; two files with one id is a
// *DuplicateIDError.
func LoadDir(fsys fs.FS) ([]*Revision, error) {
	return loadDir(fsys, func(name string) (*Revision, error) {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load revision %s: %w", name, err)
		}
		return Parse(name, data)
	})
}

// LoadHeaders is LoadDir for commands that need the graph and not the
// SQL (current): each file is read only up to its "-- +upgrade" line
// (one read of a few kilobytes for most files) and only its header is
// parsed. The revisions have HeaderOnly set: no sections, no checksum.
// A file whose sections are malformed loads here and fails in LoadDir.
func LoadHeaders(fsys fs.FS) ([]*Revision, error) {
	return loadDir(fsys, func(name string) (*Revision, error) {
		data, err := readHead(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load revision %s: %w", name, err)
		}
		return ParseHeader(name, data)
	})
}

// loadDir lists the revision files of fsys and loads each with load.
func loadDir(fsys fs.FS, load func(name string) (*Revision, error)) ([]*Revision, error) {
	names, err := revisionFiles(fsys)
	if err != nil {
		return nil, err
	}
	revs := make([]*Revision, len(names))
	errs := make([]error, len(names))
	eachFile(len(names), spreadReads, func(i int) { revs[i], errs[i] = load(names[i]) })
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := checkUnique(names, revs); err != nil {
		return nil, err
	}
	return revs, nil
}

// Below these many files, eachFile works alone: waking more threads
// costs more than it saves. A read and parse of a revision file takes
// tens of microseconds, a stat and a header parse (a hit of the files
// cache) a few.
const (
	spreadReads = 64
	spreadHits  = 512
)

// eachFile runs one(i) for every i below n. The files are independent:
// from spread files on, they are spread over the CPUs. The callers keep
// results in file order and report the first error in file order, as if
// the files were loaded one by one.
func eachFile(n, spread int, one func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < spread || workers < 2 {
		for i := range n {
			one(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				one(i)
			}
		}()
	}
	wg.Wait()
}

// checkUnique reports the first revision id, in file order, that two of
// the files names (loaded as revs) declare.
func checkUnique(names []string, revs []*Revision) error {
	byID := make(map[string]string, len(names))
	for i, r := range revs {
		if prev, ok := byID[r.ID]; ok {
			return &DuplicateIDError{ID: r.ID, Paths: [2]string{prev, names[i]}}
		}
		byID[r.ID] = names[i]
	}
	return nil
}

// revisionFiles lists the "*.sql" files in the root of fsys, in name
// order.
func revisionFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("load revisions: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") || e.IsDir() {
			continue
		}
		if !utf8.ValidString(name) {
			// Refused, not skipped: a skipped revision file would make a
			// plan go past a revision, or drop one from the graph.
			return nil, fmt.Errorf("load revisions: the file name %q is not valid UTF-8 (the \\x escapes are its bytes): retort cannot open it by that name; rename it, e.g. to <revision>_<slug>.sql (the header, not the name, says which revision it is)", name)
		}
		if !e.Type().IsRegular() {
			// A symlink or other entry: follow it through Stat.
			info, err := fs.Stat(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("load revision %s: %w", name, err)
			}
			if info.IsDir() {
				continue
			}
		}
		names = append(names, name)
	}
	return names, nil
}

// Write creates the file of r in dir, named FileName(r), with Format(r)
// as its content, and returns its path. It never overwrites: an existing
// file is an error. On success r.Path is set to the file name and
// r.Checksum to the file's checksum.
func Write(dir string, r *Revision) (string, error) {
	if err := CheckID(r.ID); err != nil {
		return "", fmt.Errorf("write revision: %w", err)
	}
	name := FileName(r)
	full := filepath.Join(dir, name)
	data := Format(r)
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("write revision %s: %w", r.ID, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(full)
		return "", fmt.Errorf("write revision %s: %w", r.ID, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(full)
		return "", fmt.Errorf("write revision %s: %w", r.ID, err)
	}
	r.Path = name
	r.Checksum = Checksum(data)
	return full, nil
}
