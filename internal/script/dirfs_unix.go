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
// the file was read (only its size where stamps are not kept). It opens
// (openFD), stats, and reads to the end (readFD).
func readStamped(path string) ([]byte, fileStamp, error) {
	fd, err := openFD(path)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer syscall.Close(fd)
	st, isDir, err := fstatStamp(fd)
	if err != nil {
		return nil, fileStamp{}, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if isDir {
		return nil, fileStamp{}, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	data, err := readFD(fd, st.size)
	if err != nil {
		return nil, fileStamp{}, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, st, nil
}

// openFD opens the file at path for reading, again when a signal
// interrupts the call.
func openFD(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// readFD reads fd to its end, size being what fstat said: the buffer has
// one byte more, so that a file exactly that long is known complete
// after a single short read.
func readFD(fd int, size int64) ([]byte, error) {
	data := make([]byte, 0, max(int(size)+1, 512))
	for {
		n, err := syscall.Read(fd, data[len(data):cap(data)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
		if len(data) < cap(data) && int64(len(data)) >= size {
			// Short, with all fstat promised: the end of the file.
			return data, nil
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
	fd, err := openFD(path)
	if err != nil {
		return nil, err
	}
	return rawFile(fd), nil
}
