//go:build !unix

package script

import "errors"

// stampsKept is false here: the files cache is not used, and every
// command that needs the revisions reads their files.
const stampsKept = false

type statDir struct{}

func openStatDir(string) (statDir, error) { return statDir{}, errors.ErrUnsupported }

func (statDir) stat(string) (fileStamp, error) { return fileStamp{}, errors.ErrUnsupported }

func (statDir) close() {}

func fstatStamp(int) (fileStamp, bool, error) { return fileStamp{}, false, errors.ErrUnsupported }
