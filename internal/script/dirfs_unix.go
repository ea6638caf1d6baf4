//go:build unix

package script

import (
	"io"
	"io/fs"
	"syscall"
)

// readFile reads the regular file at path with open, fstat, read and
// close, and nothing else.
func readFile(path string) ([]byte, error) {
	data, _, err := readStamped(path)
	return data, err
}

// readStamped is readFile that also returns the stamp fstat gave before
// the file was read (only its size where stamps are not kept).
func readStamped(path string) ([]byte, fileStamp, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, fileStamp{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	st, isDir, err := fstatStamp(fd)
	if err != nil {
		return nil, fileStamp{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if isDir {
		return nil, fileStamp{}, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	// One byte more than the size, so that a file that is exactly as
	// long as fstat says is known complete after a single short read.
	size := int(st.size) + 1
	if size < 512 {
		size = 512
	}
	data := make([]byte, 0, size)
	for {
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, fileStamp{}, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return data, st, nil
		}
		data = data[:len(data)+n]
		if len(data) < cap(data) && int64(len(data)) >= st.size {
			// Short, with all fstat promised: the end of the file.
			return data, st, nil
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// rawFile is a file read with plain read system calls (see readFile).
type rawFile int

func (f rawFile) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(f), b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f rawFile) Close() error { return syscall.Close(int(f)) }

// openFile opens the file at path for reading with one open system call.
func openFile(path string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return rawFile(fd), nil
	}
}
