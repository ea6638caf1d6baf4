package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// SumFile is the name of the integrity file, kept next to versions/.
const SumFile = "retort.sum"

// sumMagic opens the first line of a sum file; the number is the format's
// version.
const sumMagic = "retort.sum/1"

// SumEntry is one revision's line in a sum file.
type SumEntry struct {
	// ID is the revision id.
	ID string
	// Revises are the revision's parents, in header order.
	Revises []string
	// Checksum is the revision file's checksum (see Checksum).
	Checksum string
}

// Sum is the content of a sum file: one entry per revision and a hash
// over all entries.
//
// The layout follows Atlas's atlas.sum (a hash over every line on the
// first line, then one line per migration file): any two changes of the
// revision set made apart change the first line differently, so git
// reports a merge conflict in the file instead of merging two new
// revisions silently. On top of that the entries are ordered parents
// first, each revision directly after the subtree that precedes it (a
// depth-first walk of the Revises edges), so two branches that each add
// a revision on the same parent also insert their lines at the same
// place.
type Sum struct {
	// Hash is the hex SHA-256 over the entry lines as written.
	Hash string
	// Entries are in file order.
	Entries []SumEntry
}

// NewSum is the sum of revs, in the order described on Sum.
func NewSum(revs []*Revision) *Sum {
	s := &Sum{Entries: make([]SumEntry, 0, len(revs))}
	for _, r := range sumOrder(revs) {
		s.Entries = append(s.Entries, SumEntry{ID: r.ID, Revises: slices.Clone(r.Revises), Checksum: r.Checksum})
	}
	s.Hash = hashEntries(s.Entries)
	return s
}

// sumOrder walks revs depth first from the bases: a revision comes
// right after its parent's earlier children's subtrees, and a merge after
// its last parent. Children are taken in the order of revs (file-name
// order). Revisions left over by a cycle or an unknown parent (errors the
// graph reports later) follow in the order of revs, so that the sum is
// still deterministic.
func sumOrder(revs []*Revision) []*Revision {
	children, pending := sumGraph(revs)
	var stack []int
	for i := len(revs) - 1; i >= 0; i-- {
		if pending[i] == 0 {
			stack = append(stack, i)
		}
	}
	out := make([]*Revision, 0, len(revs))
	done := make([]bool, len(revs))
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, revs[i])
		done[i] = true
		// Pushed in reverse, so that the first child is walked first.
		for k := len(children[i]) - 1; k >= 0; k-- {
			c := children[i][k]
			if pending[c]--; pending[c] == 0 {
				stack = append(stack, c)
			}
		}
	}
	for i, r := range revs {
		if !done[i] {
			out = append(out, r)
		}
	}
	return out
}

// sumGraph indexes revs' edges: each revision's children (by index, in
// the order of revs) and how many of its parents are among revs.
func sumGraph(revs []*Revision) (children [][]int, pending []int) {
	index := make(map[string]int, len(revs))
	for i, r := range revs {
		index[r.ID] = i
	}
	children = make([][]int, len(revs))
	pending = make([]int, len(revs))
	for i, r := range revs {
		for _, p := range r.Revises {
			if j, ok := index[p]; ok {
				children[j] = append(children[j], i)
				pending[i]++
			}
		}
	}
	return children, pending
}

// line is an entry as written: "ID PARENTS CHECKSUM", PARENTS being "-"
// for a base and a comma list otherwise.
func (e SumEntry) line() string { return string(e.appendLine(nil)) }

// appendLine appends line() to b.
func (e SumEntry) appendLine(b []byte) []byte {
	b = append(append(b, e.ID...), ' ')
	if len(e.Revises) == 0 {
		b = append(b, '-')
	}
	for i, p := range e.Revises {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	return append(append(b, ' '), e.Checksum...)
}

func hashEntries(entries []SumEntry) string {
	h := sha256.New()
	var b []byte
	for _, e := range entries {
		b = e.appendLine(b[:0])
		b = append(b, '\n')
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Format is the file's content.
func (s *Sum) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", sumMagic, s.Hash)
	for _, e := range s.Entries {
		b.WriteString(e.line())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// SumParseError reports a sum file that retort cannot read.
type SumParseError struct {
	// Path is the sum file, as shown to the user.
	Path string
	// Line is the 1-based line.
	Line int
	// Msg says what is wrong.
	Msg string
	// Conflict is set when the file holds git's merge conflict markers.
	Conflict bool
}

// Error names the file and line and says how to rebuild the file.
func (e *SumParseError) Error() string {
	if e.Conflict {
		return fmt.Sprintf("%s:%d: git merge conflict markers: the merged branches both changed the revisions (two branches that each added a revision on the same parent make two heads). Keep the revision files of both branches, run `retort sum --write` to rebuild %s from them, then `retort heads`; with two heads, join them with `retort merge -m MESSAGE heads`",
			e.Path, e.Line, e.Path)
	}
	return fmt.Sprintf("%s:%d: %s: rebuild it from the revision files with `retort sum --write` (after reviewing them)", e.Path, e.Line, e.Msg)
}

// ParseSum reads a sum file's content. path names the file in errors,
// which are *SumParseError values. Merge conflict markers are refused
// first (conflictLine), then the first line and each entry (sumEntry).
func ParseSum(path string, data []byte) (*Sum, error) {
	lines := strings.Split(strings.TrimSuffix(string(normalizeNewlines(data)), "\n"), "\n")
	if n := conflictLine(lines); n > 0 {
		return nil, &SumParseError{Path: path, Line: n, Conflict: true}
	}
	magic, hash, ok := strings.Cut(lines[0], " ")
	if !ok || magic != sumMagic || !isHex64(hash) {
		return nil, &SumParseError{Path: path, Line: 1, Msg: fmt.Sprintf("the first line is not %q followed by a SHA-256", sumMagic)}
	}
	s := &Sum{Hash: hash, Entries: make([]SumEntry, 0, len(lines)-1)}
	seen := make(map[string]int, len(lines)-1)
	for i, l := range lines[1:] {
		n := i + 2
		e, ok := sumEntry(l)
		if !ok {
			return nil, &SumParseError{Path: path, Line: n, Msg: "expected \"REVISION PARENTS CHECKSUM\""}
		}
		if prev, dup := seen[e.ID]; dup {
			return nil, &SumParseError{Path: path, Line: n, Msg: fmt.Sprintf("revision %s is listed twice (also on line %d)", e.ID, prev)}
		}
		seen[e.ID] = n
		s.Entries = append(s.Entries, e)
	}
	return s, nil
}

// conflictLine is the 1-based line of the first git merge conflict
// marker, 0 when there is none.
func conflictLine(lines []string) int {
	for i, l := range lines {
		for _, m := range []string{"<<<<<<<", "=======", ">>>>>>>", "|||||||"} {
			if strings.HasPrefix(l, m) {
				return i + 1
			}
		}
	}
	return 0
}

// sumEntry reads "ID PARENTS CHECKSUM"; ok is false when l is not one.
func sumEntry(l string) (SumEntry, bool) {
	f, ok := fields3(l)
	if !ok || CheckID(f[0]) != nil || !isHex64(f[2]) {
		return SumEntry{}, false
	}
	e := SumEntry{ID: f[0], Checksum: f[2]}
	if f[1] != "-" {
		e.Revises = strings.Split(f[1], ",")
	}
	return e, true
}

// fields3 splits l as strings.Fields does, when it has three fields.
func fields3(l string) (f [3]string, ok bool) {
	n := 0
	for w := range strings.FieldsSeq(l) {
		if n < 3 {
			f[n] = w
		}
		n++
	}
	return f, n == 3
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// SumMismatchError reports revision files that changed without retort:
// added, edited or removed since the sum file was written, or a sum file
// whose hash does not match its own lines (edited by hand, or a merge
// conflict resolved by picking one side).
type SumMismatchError struct {
	// Path is the sum file, as shown to the user.
	Path string
	// Added are files of revisions the sum file does not list.
	Added []string
	// Edited are files whose revision's checksum or parents differ from
	// the sum file's.
	Edited []string
	// Removed are revisions the sum file lists that no file declares.
	Removed []string
	// HashMismatch is set when the file's hash does not match its lines.
	HashMismatch bool
}

// Error lists every difference and the way out.
func (e *SumMismatchError) Error() string {
	var parts []string
	for _, p := range e.Added {
		parts = append(parts, fmt.Sprintf("%s was added without retort", p))
	}
	for _, p := range e.Edited {
		parts = append(parts, fmt.Sprintf("%s was edited after %s was written", p, filepath.Base(e.Path)))
	}
	for _, id := range e.Removed {
		parts = append(parts, fmt.Sprintf("revision %s was removed (%s lists it, no file declares it)", id, filepath.Base(e.Path)))
	}
	if e.HashMismatch {
		parts = append(parts, fmt.Sprintf("%s itself was edited by hand (its hash does not match its lines)", e.Path))
	}
	return fmt.Sprintf("%s does not match the revision files: %s. Review the change, then record it with `retort sum --write` (or skip this check once with --no-sum-check)",
		e.Path, strings.Join(parts, "; "))
}

// Check compares the sum with revs, whose Path names their files in the
// error. It returns nil or a *SumMismatchError. Every revision's checksum
// is compared: one loaded by LoadHeaders, which has none, counts as
// edited (load through LoadHeadersCached instead, which has them).
func (s *Sum) Check(path string, revs []*Revision) error {
	e := &SumMismatchError{Path: path, HashMismatch: hashEntries(s.Entries) != s.Hash}
	have := s.compare(e, revs)
	for i, en := range s.Entries {
		if !have[i] {
			e.Removed = append(e.Removed, en.ID)
		}
	}
	if len(e.Added)+len(e.Edited)+len(e.Removed) == 0 && !e.HashMismatch {
		return nil
	}
	return e
}

// compare adds to e the revisions of revs the sum does not list (Added)
// or lists otherwise (Edited), and returns which entries revs has.
func (s *Sum) compare(e *SumMismatchError, revs []*Revision) (have []bool) {
	listed := make(map[string]int, len(s.Entries))
	for i, en := range s.Entries {
		listed[en.ID] = i
	}
	have = make([]bool, len(s.Entries))
	for _, r := range revs {
		i, ok := listed[r.ID]
		switch {
		case !ok:
			e.Added = append(e.Added, r.Path)
			continue
		case s.Entries[i].Checksum != r.Checksum || !slices.Equal(s.Entries[i].Revises, r.Revises):
			e.Edited = append(e.Edited, r.Path)
		}
		have[i] = true
	}
	return have
}

// WriteSum writes the sum of revs to path, replacing the file at once
// (a temporary file renamed over it), so that a reader never sees half
// of it.
func WriteSum(path string, revs []*Revision) error {
	if err := replaceFile(path, NewSum(revs).Format(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
