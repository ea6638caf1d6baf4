// Package lazyre compiles a regular expression on its first use instead
// of at program start. A package-level regexp.MustCompile runs in every
// process that links the package, whatever command it runs: retort's
// short commands ("current") paid for the import converters' and the
// differ's expressions.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call (panicking,
// as regexp.MustCompile does, on a bad expression) and returns the same
// *regexp.Regexp on every call.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
