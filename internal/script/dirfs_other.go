//go:build !unix

package script

import "os"

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }
