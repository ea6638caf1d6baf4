//go:build linux || darwin

package script

import "golang.org/x/sys/unix"

// stampsKept reports whether this system gives file stamps (stat's
// change time, inode and device) that the files cache can rely on.
const stampsKept = true

// fstatStamp is the stamp of the open file fd, and whether it is a
// directory.
func fstatStamp(fd int) (fileStamp, bool, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fileStamp{}, false, err
	}
	return stampOf(&st), st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}

func stampOf(st *unix.Stat_t) fileStamp {
	return fileStamp{
		size:  st.Size,
		mtime: st.Mtim.Nano(),
		ctime: st.Ctim.Nano(),
		ino:   uint64(st.Ino), //nolint:unconvert // not uint64 everywhere
		dev:   uint64(st.Dev), //nolint:unconvert // not uint64 everywhere
	}
}

// statDir stats the files of one directory through a descriptor of it,
// so that each stat resolves one name instead of the whole path. The
// zero value is closed.
type statDir struct {
	fd   int
	open bool
}

func openStatDir(dir string) (statDir, error) {
	for {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		return statDir{fd: fd, open: err == nil}, err
	}
}

// stat is the stamp of the file name, following symbolic links as
// opening it does.
func (d statDir) stat(name string) (fileStamp, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(d.fd, name, &st, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fileStamp{}, err
		}
		return stampOf(&st), nil
	}
}

func (d statDir) close() {
	if d.open {
		unix.Close(d.fd)
	}
}
