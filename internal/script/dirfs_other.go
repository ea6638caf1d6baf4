//go:build !unix

package script

import (
	"io"
	"os"
)

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

// readStamped is readFile with a zero stamp: stamps are not kept here.
func readStamped(path string) ([]byte, fileStamp, error) {
	data, err := os.ReadFile(path)
	return data, fileStamp{}, err
}

// openFile opens the file at path for reading.
func openFile(path string) (io.ReadCloser, error) { return os.Open(path) }
