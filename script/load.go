package script

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
	revs := make([]*Revision, 0, len(entries))
	byID := make(map[string]string, len(entries))
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") || e.IsDir() {
			continue
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
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load revision %s: %w", name, err)
		}
		r, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		if prev, ok := byID[r.ID]; ok {
			return nil, &DuplicateIDError{ID: r.ID, Paths: [2]string{prev, name}}
		}
		byID[r.ID] = name
		revs = append(revs, r)
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
