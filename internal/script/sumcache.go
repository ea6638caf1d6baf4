package script

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// sumVerdictMagic opens a sum verdict record; the number is its format.
const sumVerdictMagic = "retort-sum-verdict/1"

// CheckSumFile reads the sum file at path (shown as shown in errors) and
// checks revs against it, as ParseSum and Sum.Check do. A missing file is
// an error wrapping fs.ErrNotExist.
//
// With verdictPath set, a check that passed is remembered there: the sum
// file's stamp (size, times, inode, device) and a digest of what revs
// declare (id, parents, checksum). A later call that finds the same stamp,
// settled as the files cache requires (see fileStamp.settledAt), and the
// same digest needs neither to read nor to parse the file: its answer
// would be the same. Anything else, or a record that cannot be read, is a
// full check. Parsing and comparing a 2,000-revision sum file costs a
// millisecond or more of every command, and `current` is meant to be as
// quick as the database's own client.
func CheckSumFile(path, shown, verdictPath string, revs []*Revision) error {
	return checkSumFile(path, shown, verdictPath, revs, time.Now(), nil)
}

// checkSumFile is CheckSumFile at time now, calling parsed (when set)
// whenever it parses the file: the tests' view. A verdict that matches
// skips the check; otherwise the file is checked in full (checkSumData),
// and a pass is remembered once the file's stamp has settled.
func checkSumFile(path, shown, verdictPath string, revs []*Revision, now time.Time, parsed func()) error {
	t0 := now.UnixNano()
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", shown, err)
	}
	defer f.Close()
	st, stamped := sumStamp(f)
	remember := stamped && verdictPath != ""
	digest := revsDigest(revs)
	if remember && readSumVerdict(verdictPath) == sumVerdict(st, digest) {
		return nil
	}
	if err := checkSumData(f, shown, revs, parsed); err != nil {
		return err
	}
	if remember && st.settledAt(t0) {
		// The verdict only saves time: a failed write means a full check
		// next time.
		_ = writeSumVerdict(verdictPath, sumVerdict(st, digest))
	}
	return nil
}

// checkSumData reads the open sum file, parses it (telling parsed, when
// set) and checks revs against it.
func checkSumData(f io.Reader, shown string, revs []*Revision, parsed func()) error {
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", shown, err)
	}
	if parsed != nil {
		parsed()
	}
	s, err := ParseSum(shown, data)
	if err != nil {
		return err
	}
	return s.Check(shown, revs)
}

// sumStamp is the stamp of the open sum file, when this system keeps
// stamps the verdict can rely on.
func sumStamp(f *os.File) (fileStamp, bool) {
	if !stampsKept {
		return fileStamp{}, false
	}
	st, dir, err := fstatStamp(int(f.Fd()))
	return st, err == nil && !dir
}

// revsDigest is a hex SHA-256 over what each revision declares to the sum
// check, in order.
func revsDigest(revs []*Revision) string {
	h := sha256.New()
	var b []byte
	for _, r := range revs {
		b = append(b[:0], r.ID...)
		b = append(b, ' ')
		b = append(b, strings.Join(r.Revises, ",")...)
		b = append(b, ' ')
		b = append(b, r.Checksum...)
		b = append(b, '\n')
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sumVerdict is the record of a passed check: the file's stamp and the
// digest of the revisions it was checked against.
func sumVerdict(st fileStamp, digest string) string {
	return fmt.Sprintf("%s %d %d %d %d %d %s\n", sumVerdictMagic, st.size, st.mtime, st.ctime, st.ino, st.dev, digest)
}

// readSumVerdict returns the record at path, "" when there is none.
func readSumVerdict(path string) string {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), sumVerdictMagic+" ") {
		return ""
	}
	return string(data)
}

// writeSumVerdict replaces the record at path with v.
func writeSumVerdict(path, v string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return replaceFile(path, []byte(v), 0o644)
}
