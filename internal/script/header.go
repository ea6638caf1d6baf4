package script

import (
	"bytes"
	"io"
	"io/fs"
	"path/filepath"
)

// ParseHeader parses the header of a revision file from data, which may
// be the file's beginning only (readHead): the sections are not read and
// no checksum is computed, and the Revision has HeaderOnly set. Errors are
// Parse's for the header.
func ParseHeader(path string, data []byte) (*Revision, error) {
	if what := notUTF8(data); what != "" {
		return nil, &ParseError{Path: path, Line: 1, Msg: what + ", not UTF-8: retort reads revision files as UTF-8; save it as UTF-8 (most editors have an encoding setting when saving)"}
	}
	p := parser{path: path, data: bytes.TrimPrefix(normalizeNewlines(data), bom)}
	r := &Revision{}
	if err := p.header(r); err != nil {
		return nil, err
	}
	r.Path = path
	r.HeaderOnly = true
	return r, nil
}

// headChunk is how much of a revision file readHead reads at a time: the
// header of a file retort writes is a few hundred bytes.
const headChunk = 4096

// readHead returns the beginning of the file name in fsys up to and
// including the first complete line that ends its header (a line that is
// not a "--" comment, or a section marker), or the whole file.
func readHead(fsys fs.FS, name string) ([]byte, error) {
	d, ok := fsys.(dirFS)
	if !ok {
		return fs.ReadFile(fsys, name)
	}
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := openFile(filepath.Join(d.dir, filepath.FromSlash(name)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var data []byte
	for {
		data = append(data, make([]byte, headChunk)...)
		n, err := io.ReadFull(f, data[len(data)-headChunk:])
		data = data[:len(data)-headChunk+n]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return data, nil
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if end := headerEnd(data); end >= 0 {
			return data[:end], nil
		}
	}
}

// headerEnd is the offset just after the first complete line of data
// that ends a header, or -1.
func headerEnd(data []byte) int {
	pos := 0
	for {
		nl := bytes.IndexByte(data[pos:], '\n')
		if nl < 0 {
			return -1
		}
		t := bytes.TrimSpace(data[pos : pos+nl])
		pos += nl + 1
		if !bytes.HasPrefix(t, dashes) || marker(t) != 0 {
			return pos
		}
	}
}
