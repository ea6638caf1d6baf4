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
	revs := make([]*Revision, len(names))
	errs := make([]error, len(names))
	load := func(i int) {
		data, err := fs.ReadFile(fsys, names[i])
		if err != nil {
			errs[i] = fmt.Errorf("load revision %s: %w", names[i], err)
			return
		}
		revs[i], errs[i] = Parse(names[i], data)
	}
	// Reading and parsing are independent per file: spread large
	// directories over the CPUs. Results keep file order, and the first
	// error in file order is the one reported, as if loaded one by one.
	workers := runtime.GOMAXPROCS(0)
	if len(names) < 64 || workers < 2 {
		for i := range names {
			load(i)
		}
	} else {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(names) {
						return
					}
					load(i)
				}
			}()
		}
		wg.Wait()
	}
	byID := make(map[string]string, len(names))
	for i, r := range revs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if prev, ok := byID[r.ID]; ok {
			return nil, &DuplicateIDError{ID: r.ID, Paths: [2]string{prev, names[i]}}
		}
		byID[r.ID] = names[i]
	}
	return revs, nil
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
