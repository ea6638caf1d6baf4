package script

import (
	"io/fs"
	"os"
	"path/filepath"
)

// DirFS returns the directory dir as an fs.FS for LoadDir: os.DirFS(dir),
// except that ReadFile reads a whole file in the fewest system calls the
// platform allows. A command such as "retort current" reads every
// revision file of a project, and on Linux os.ReadFile spends about as
// many system calls setting the file up for the network poller (which
// regular files never use) as it does reading it.
func DirFS(dir string) fs.FS {
	return dirFS{FS: os.DirFS(dir), dir: dir}
}

type dirFS struct {
	fs.FS
	dir string
}

// ReadDir implements fs.ReadDirFS.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.FS, name)
}

// Stat implements fs.StatFS.
func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(d.FS, name)
}

// ReadFile implements fs.ReadFileFS.
func (d dirFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	data, err := readFile(filepath.Join(d.dir, filepath.FromSlash(name)))
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			pe.Path = name
		}
		return nil, err
	}
	return data, nil
}
