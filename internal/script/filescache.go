package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The files cache lets "retort current", "heads" and "history" know the
// revision files of a versions directory without opening them. It lives
// on the machine, outside the project (one file per versions directory
// under the user's cache directory), and holds, for every revision file
// that parsed, the stamp stat gave when it was read, its checksum, its
// header text and which sections it has: everything those commands show,
// nothing of its SQL.
//
// A later load trusts an entry only when stat finds the same stamp (size,
// modification and change time in nanoseconds, inode, device) and the
// entry was settled when it was written (fileStamp.settledAt; the cache
// keeps no other entries): the file has not changed since it
// was read. Every other file, and every file the directory lists that the
// cache does not, is read and parsed as LoadDir would. A file the cache
// lists that the directory does not is simply gone from the result. So a
// load through the cache returns what reading every file would have, and
// checking retort.sum against it refuses exactly what it would refuse.
// The rule is git's for its index ("racy git"), with the change time,
// which no user call can set, instead of the modification time.

// filesCacheMagic opens a cache file; its number is the format's version:
// change it whenever what an entry holds or means changes.
const filesCacheMagic = "retort files cache 1\n"

// Section flags of a cache entry.
const (
	flagUp = 1 << iota
	flagDown
	flagIrreversible
	flagNone
)

// cacheEntry is what the files cache keeps of one revision file.
type cacheEntry struct {
	name     string // the file's name in the directory
	stamp    fileStamp
	flags    byte
	checksum string
	// header is the file's beginning up to the line that ends its header
	// (headerEnd): parsed again with ParseHeader on a hit, so that an
	// entry always means what the header means to this retort.
	header []byte
}

// newEntry is the entry of the file name, read at stamp st, whose content
// data parsed as r.
func newEntry(name string, r *Revision, data []byte, st fileStamp) cacheEntry {
	e := cacheEntry{name: name, stamp: st, checksum: r.Checksum, header: headerOf(data)}
	e.flags = flagIf(r.Up.Present, flagUp) | flagIf(r.Down.Present, flagDown) |
		flagIf(r.Down.Irreversible, flagIrreversible) | flagIf(r.Down.None, flagNone)
	return e
}

// headerOf is data up to the line that ends its header, or all of it.
func headerOf(data []byte) []byte {
	if end := headerEnd(data); end >= 0 {
		return data[:end]
	}
	return data
}

func flagIf(b bool, f byte) byte {
	if b {
		return f
	}
	return 0
}

// revision is the entry as its file's revision: its header parsed, its
// checksum and sections' presence, no SQL (HeaderOnly).
func (e cacheEntry) revision() (*Revision, error) {
	r, err := ParseHeader(e.name, e.header)
	if err != nil {
		return nil, err
	}
	r.Checksum = e.checksum
	r.Up.Present = e.flags&flagUp != 0
	r.Down = Section{Present: e.flags&flagDown != 0, Irreversible: e.flags&flagIrreversible != 0, None: e.flags&flagNone != 0}
	return r, nil
}

// FilesCacheFile is the cache file of the versions directory dir in the
// cache directory cacheDir (retort's, under os.UserCacheDir).
func FilesCacheFile(cacheDir, dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	h := sha256.Sum256([]byte(dir))
	return filepath.Join(cacheDir, "files", hex.EncodeToString(h[:16]))
}

// cacheEntries are a directory's entries in name order.
type cacheEntries []cacheEntry

// find returns the entry of the file name.
func (c cacheEntries) find(name string) (cacheEntry, bool) {
	i, ok := slices.BinarySearchFunc(c, name, func(e cacheEntry, n string) int { return strings.Compare(e.name, n) })
	if !ok {
		return cacheEntry{}, false
	}
	return c[i], true
}

// encodeCache is the cache file of dir's entries (in name order): the
// magic line, the directory, the entries, and the first bytes of a
// SHA-256 of all that (a damaged file is not read as a cache).
func encodeCache(dir string, entries cacheEntries) []byte {
	b := []byte(filesCacheMagic)
	b = appendBytes(b, []byte(dir))
	b = binary.AppendUvarint(b, uint64(len(entries)))
	for _, e := range entries {
		b = appendBytes(b, []byte(e.name))
		for _, v := range []int64{e.stamp.size, e.stamp.mtime, e.stamp.ctime} {
			b = binary.AppendVarint(b, v)
		}
		b = binary.AppendUvarint(b, e.stamp.ino)
		b = binary.AppendUvarint(b, e.stamp.dev)
		b = append(b, e.flags)
		b = appendBytes(b, []byte(e.checksum))
		b = appendBytes(b, e.header)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:cacheSumLen]...)
}

// cacheSumLen is how many bytes of the SHA-256 end a cache file.
const cacheSumLen = 8

func appendBytes(b, s []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// errBadCache reports a cache file that is damaged or of another format
// or directory: it is not used, as if there were none.
var errBadCache = errors.New("not a files cache of this directory")

// decodeCache reads a cache file of dir written by encodeCache: its
// frame is checked by cacheBody, then the entries are read, in strictly
// increasing name order, with nothing left over.
func decodeCache(dir string, data []byte) (cacheEntries, error) {
	d, ok := cacheBody(dir, data)
	if !ok {
		return nil, errBadCache
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return nil, errBadCache
	}
	entries := make(cacheEntries, 0, n)
	for range n {
		e := d.entry()
		if len(entries) > 0 && e.name <= entries[len(entries)-1].name {
			return nil, errBadCache
		}
		entries = append(entries, e)
	}
	if d.bad || len(d.b) != 0 {
		return nil, errBadCache
	}
	return entries, nil
}

// cacheBody checks a cache file's magic, its trailing SHA-256 and the
// directory it names, and returns a decoder at its entry count.
func cacheBody(dir string, data []byte) (*decoder, bool) {
	if len(data) < len(filesCacheMagic)+cacheSumLen || !bytes.HasPrefix(data, []byte(filesCacheMagic)) {
		return nil, false
	}
	body := data[:len(data)-cacheSumLen]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:cacheSumLen], data[len(body):]) {
		return nil, false
	}
	d := &decoder{b: body[len(filesCacheMagic):]}
	return d, string(d.bytes()) == dir
}

// decoder reads encodeCache's fields; a short or malformed field sets
// bad and reads as zero from then on.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) entry() cacheEntry {
	var e cacheEntry
	e.name = string(d.bytes())
	e.stamp.size, e.stamp.mtime, e.stamp.ctime = d.varint(), d.varint(), d.varint()
	e.stamp.ino, e.stamp.dev = d.uvarint(), d.uvarint()
	e.flags = d.byte()
	e.checksum = string(d.bytes())
	e.header = d.bytes()
	return e
}

// skip drops the n bytes a field took; n <= 0 is a malformed field.
func (d *decoder) skip(n int) {
	if n <= 0 {
		d.bad, d.b = true, nil
		return
	}
	d.b = d.b[n:]
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	d.skip(n)
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	d.skip(n)
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad, d.b = true, nil
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

// readCache returns the entries of dir's cache file at path; none when
// there is no usable file.
func readCache(path, dir string) cacheEntries {
	data, err := readFile(path)
	if err != nil {
		return nil
	}
	entries, err := decodeCache(dir, data)
	if err != nil {
		return nil
	}
	return entries
}

// writeCache replaces the cache file at path (a temporary file renamed
// over it, so that a reader never sees half of it). The cache only saves
// time: the caller ignores a failure, and the next load reads the files.
func writeCache(path, dir string, entries cacheEntries) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := replaceFile(path, encodeCache(dir, entries), 0o644); err != nil {
		return fmt.Errorf("write files cache: %w", err)
	}
	return nil
}
