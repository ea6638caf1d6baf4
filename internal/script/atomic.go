package script

import (
	"os"
	"path/filepath"
)

// replaceFile writes data to path through a temporary file in the same
// directory renamed over it, so that a reader sees the old content or the
// new, never half of it. perm is the file's mode (CreateTemp makes 0600).
func replaceFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
