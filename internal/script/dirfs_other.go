//go:build !unix

package script

import (
	"io"
	"os"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// openFile opens the file at path for reading.
func openFile(path string) (io.ReadCloser, error) { return os.Open(path) }
