//go:build unix && !linux && !darwin

package script

import (
	"errors"
	"syscall"
)

// stampsKept is false here: the files cache is not used, and every
// command that needs the revisions reads their files.
const stampsKept = false

// fstatStamp gives only the size of the open file fd (for reading it),
// and whether it is a directory.
func fstatStamp(fd int) (fileStamp, bool, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return fileStamp{}, false, err
	}
	return fileStamp{size: st.Size}, st.Mode&syscall.S_IFMT == syscall.S_IFDIR, nil
}

type statDir struct{}

func openStatDir(string) (statDir, error) { return statDir{}, errors.ErrUnsupported }

func (statDir) stat(string) (fileStamp, error) { return fileStamp{}, errors.ErrUnsupported }

func (statDir) close() {}
