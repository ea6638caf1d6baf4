package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TimeLayout is the layout of the "Created:" header value.
const TimeLayout = "2006-01-02 15:04:05 UTC"

// MaxIDLen is the longest revision id accepted, in bytes: the width of the
// version table's revision column.
const MaxIDLen = 64

// Marker lines that open the sections, matched exactly after trimming.
const (
	upgradeMarker      = "-- +upgrade"
	downgradeMarker    = "-- +downgrade"
	irreversibleMarker = "-- +downgrade irreversible"
	noneMarker         = "-- +downgrade none"
)

// Header keys.
const (
	keyRevision    = "Revision"
	keyRevises     = "Revises"
	keyBranch      = "Branch"
	keyDependsOn   = "Depends-On"
	keyTransaction = "Transaction"
	keyCreated     = "Created"
	keyGo          = "Go"
	keyImported    = "Imported-From"
	keyReplaces    = "Replaces"
)

// keys lists the header keys; Revision first.
var keys = [...]string{keyRevision, keyRevises, keyBranch, keyDependsOn, keyTransaction, keyCreated, keyGo, keyImported, keyReplaces}

const knownKeys = "Revision, Revises, Branch, Depends-On, Replaces, Transaction, Created"

// ParseError reports a malformed revision file.
type ParseError struct {
	// Path is the file's path as given to Parse.
	Path string
	// Line is the 1-based line of the problem.
	Line int
	// Msg says what is wrong and what to do.
	Msg string
}

// Error returns "path:line: msg".
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

// Parse reads a revision file. path is used in errors and kept in the
// result's Path. See DESIGN.md section 5 for the format. CRLF and CR line
// endings and a leading UTF-8 byte order mark are accepted; a UTF-16 file
// (or one with NUL bytes, which no SQL text has) is refused as not UTF-8.
func Parse(path string, data []byte) (*Revision, error) {
	if what := notUTF8(data); what != "" {
		return nil, &ParseError{Path: path, Line: 1, Msg: what + ", not UTF-8: retort reads revision files as UTF-8; save it as UTF-8 (most editors have an encoding setting when saving)"}
	}
	data = normalizeNewlines(data)
	sum := sha256.Sum256(data)
	p := parser{path: path, data: bytes.TrimPrefix(data, bom)}
	r, err := p.parse()
	if err != nil {
		return nil, err
	}
	r.Path = path
	r.Checksum = hex.EncodeToString(sum[:])
	return r, nil
}

// Checksum returns the hex SHA-256 of data with CRLF and CR line endings
// normalised to LF, as stored in Revision.Checksum.
func Checksum(data []byte) string {
	sum := sha256.Sum256(normalizeNewlines(data))
	return hex.EncodeToString(sum[:])
}

// normalizeNewlines turns CRLF and lone CR into LF. It returns data itself
// when there is no CR.
func normalizeNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\r' {
			out = append(out, '\n')
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

type parser struct {
	path string
	data []byte
	pos  int // offset of the next line
	line int // number of the last line returned by next
}

// next returns the next line, trimmed of surrounding white space, and its
// start offset.
func (p *parser) next() (line []byte, start int, ok bool) {
	if p.pos >= len(p.data) {
		return nil, 0, false
	}
	start = p.pos
	rest := p.data[p.pos:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		p.pos = len(p.data)
		line = rest
	} else {
		p.pos += i + 1
		line = rest[:i]
	}
	p.line++
	return bytes.TrimSpace(line), start, true
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{Path: p.path, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// marker classifies a trimmed line: 0 not a marker, 1 upgrade, 2 downgrade,
// 3 downgrade irreversible, 4 downgrade none, -1 a line that looks like a
// marker but is not one exactly (nearMarker).
func marker(trimmed []byte) int {
	switch string(trimmed) {
	case upgradeMarker:
		return 1
	case downgradeMarker:
		return 2
	case irreversibleMarker:
		return 3
	case noneMarker:
		return 4
	}
	if nearMarker(trimmed) {
		return -1
	}
	return 0
}

// nearMarker reports a comment "-- +upgrade..." or "-- +downgrade..."
// (any case, any spacing after the dashes) that is no exact marker: a
// typo that would otherwise make the section SQL silently.
func nearMarker(trimmed []byte) bool {
	if !bytes.HasPrefix(trimmed, dashes) {
		return false
	}
	rest := bytes.TrimSpace(trimmed[2:])
	if len(rest) < 2 || rest[0] != '+' {
		return false
	}
	word := rest[1:]
	return hasPrefixFold(word, "upgrade") || hasPrefixFold(word, "downgrade")
}

func hasPrefixFold(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(string(s[:len(prefix)]), prefix)
}

var dashes = []byte("--")

// notUTF8 describes data when it is UTF-16 (by its byte order mark, or by
// NUL bytes, which UTF-16 text without one has in every ASCII
// character), "" otherwise. Other invalid UTF-8 is left to the lexer:
// an old Latin-1 comment runs as it always did.
func notUTF8(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return "the file is UTF-16 (little-endian, by its byte order mark)"
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return "the file is UTF-16 (big-endian, by its byte order mark)"
	case bytes.IndexByte(data, 0) >= 0:
		return "the file has NUL bytes: it is binary or UTF-16"
	}
	return ""
}

// bom is the UTF-8 byte order mark some editors write at the start of a
// file; Parse skips it.
var bom = []byte("\xef\xbb\xbf")

const markerHelp = `write "-- +upgrade", "-- +downgrade", "-- +downgrade none" or "-- +downgrade irreversible" exactly, on a line of its own`

// parse reads a revision file in its three parts: the header, then
// blank lines and comments up to "-- +upgrade" (preamble), the upgrade
// section up to the downgrade marker if any (upgrade), and the
// downgrade section (downgrade). Each marker is allowed once, in that
// order.
func (p *parser) parse() (*Revision, error) {
	r := &Revision{}
	if err := p.header(r); err != nil {
		return nil, err
	}
	upLine, err := p.preamble()
	if err != nil {
		return nil, err
	}
	r.Up = Section{Line: upLine + 1, Present: true}
	down, err := p.upgrade(r)
	if err == nil && down {
		err = p.downgrade(r)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// preamble reads the lines between the header and "-- +upgrade" (blank
// lines and comments only) and returns the marker's line.
func (p *parser) preamble() (int, error) {
	for {
		t, _, ok := p.next()
		if !ok {
			return 0, p.errorf(p.line, "no %q section: every revision needs one; add a line %q followed by the SQL", upgradeMarker, upgradeMarker)
		}
		switch marker(t) {
		case 0:
			if len(t) == 0 || bytes.HasPrefix(t, dashes) {
				continue
			}
			return 0, p.errorf(p.line, "SQL before the %q marker: put the upgrade statements after a line %q", upgradeMarker, upgradeMarker)
		case -1:
			return 0, p.errorf(p.line, "malformed section marker %q: %s", t, markerHelp)
		case 1:
			return p.line, nil
		default:
			return 0, p.errorf(p.line, "%q before %q: the upgrade section comes first", t, upgradeMarker)
		}
	}
}

// upgrade reads the upgrade section into r.Up. At a downgrade marker it
// opens r.Down and reports down; at the end of the file r has no
// downgrade section.
func (p *parser) upgrade(r *Revision) (down bool, err error) {
	upStart := p.pos
	for {
		t, start, ok := p.next()
		if !ok {
			r.Up.SQL = sectionText(p.data[upStart:])
			return false, nil
		}
		switch m := marker(t); m {
		case 0:
			continue
		case -1:
			return false, p.errorf(p.line, "malformed section marker %q: %s", t, markerHelp)
		case 1:
			return false, p.errorf(p.line, "second %q marker: a revision has one upgrade section", upgradeMarker)
		default:
			r.Up.SQL = sectionText(p.data[upStart:start])
			r.Down = Section{Line: p.line + 1, Present: true, Irreversible: m == 3, None: m == 4}
			return true, nil
		}
	}
}

// downgrade reads the downgrade section, to the end of the file, into
// r.Down.SQL.
func (p *parser) downgrade(r *Revision) error {
	downStart := p.pos
	for {
		t, _, ok := p.next()
		if !ok {
			break
		}
		switch marker(t) {
		case 0:
			continue
		case -1:
			return p.errorf(p.line, "malformed section marker %q: %s", t, markerHelp)
		case 1:
			return p.errorf(p.line, "%q after %q: the upgrade section comes first, once", t, downgradeMarker)
		default:
			return p.errorf(p.line, "second %q marker: a revision has one downgrade section", downgradeMarker)
		}
	}
	r.Down.SQL = sectionText(p.data[downStart:])
	return nil
}

// sectionText returns a section's text with trailing blank space removed
// and a final newline when it is not empty.
func sectionText(b []byte) string {
	b = bytes.TrimRight(b, " \t\n")
	if len(b) == 0 {
		return ""
	}
	var s strings.Builder
	s.Grow(len(b) + 1)
	s.Write(b)
	s.WriteByte('\n')
	return s.String()
}

// header reads the leading block of "--" lines: the message, then
// "Key: value" lines (headerLine), each key once, Revision required.
func (p *parser) header(r *Revision) error {
	t, _, ok := p.next()
	if !ok || !bytes.HasPrefix(t, dashes) || marker(t) != 0 {
		return p.errorf(1, "missing header: a revision file starts with a comment block: %q, %q, %q, then %q and the SQL", "-- message", "--", "-- Revision: <id>", upgradeMarker)
	}
	r.Message = string(bytes.TrimSpace(t[2:]))
	var seen [len(keys)]int // line of each key, 0 when not seen
	for {
		body, ok := p.nextHeaderLine()
		if !ok {
			break
		}
		if err := p.headerLine(r, body, &seen); err != nil {
			return err
		}
	}
	if seen[0] == 0 {
		hint := ""
		if strings.HasPrefix(r.Message, keyRevision+":") {
			hint = " below the message line (the first line is always the message)"
		}
		return p.errorf(1, "header has no %q line: add \"-- Revision: <id>\"%s", keyRevision, hint)
	}
	return nil
}

// nextHeaderLine returns the text after "--" of the next header line;
// ok is false at the end of the header, where the parser is left at the
// line that ended it.
func (p *parser) nextHeaderLine() (body []byte, ok bool) {
	save, saveLine := p.pos, p.line
	t, _, ok := p.next()
	if !ok {
		return nil, false
	}
	if !bytes.HasPrefix(t, dashes) || marker(t) != 0 {
		p.pos, p.line = save, saveLine
		return nil, false
	}
	return bytes.TrimSpace(t[2:]), true
}

// headerLine reads one "Key: value" header line (an empty one is
// allowed): a known key, not seen before (seen holds each key's line).
func (p *parser) headerLine(r *Revision, body []byte, seen *[len(keys)]int) error {
	if len(body) == 0 {
		return nil
	}
	colon := bytes.IndexByte(body, ':')
	if colon < 0 {
		return p.errorf(p.line, "header line %q is not \"Key: value\" (keys: %s); put free-text notes after the header, below a blank line", body, knownKeys)
	}
	keyB := bytes.TrimSpace(body[:colon])
	k := slices.Index(keys[:], string(keyB))
	if k < 0 {
		return p.errorf(p.line, "unknown header key %q: the keys are %s", keyB, knownKeys)
	}
	if prev := seen[k]; prev != 0 {
		return p.errorf(p.line, "header key %q given twice (first on line %d); keep one", keys[k], prev)
	}
	seen[k] = p.line
	return p.headerValue(r, keys[k], string(bytes.TrimSpace(body[colon+1:])))
}

// headerValue sets the field of one header key, by the key; each value
// is checked by its own function.
func (p *parser) headerValue(r *Revision, key, value string) error {
	switch key {
	case keyRevision:
		return p.revisionValue(r, value)
	case keyRevises, keyDependsOn, keyReplaces, keyBranch:
		return p.listValue(r, key, value)
	case keyTransaction:
		return p.transactionValue(r, value)
	case keyCreated:
		return p.createdValue(r, value)
	case keyGo:
		return p.goValue(r, value)
	case keyImported:
		return p.importedValue(r, value)
	}
	return p.errorf(p.line, "unknown header key %q: the keys are %s", key, knownKeys)
}

// revisionValue sets the revision id, which must be a valid one.
func (p *parser) revisionValue(r *Revision, value string) error {
	if value == "" {
		return p.errorf(p.line, "empty Revision: give the revision id, e.g. \"-- Revision: 9f02447faa7d\"")
	}
	if msg := checkID(value); msg != "" {
		return p.errorf(p.line, "Revision %q: %s", value, msg)
	}
	r.ID = value
	return nil
}

// transactionValue reads Transaction, whose only value is none.
func (p *parser) transactionValue(r *Revision, value string) error {
	if value != "none" {
		return p.errorf(p.line, "Transaction %q: the only value is \"none\" (run without a transaction); remove the line to run in one", value)
	}
	r.NoTransaction = true
	return nil
}

// createdValue reads Created, a UTC time in TimeLayout exactly (it must
// format back to itself).
func (p *parser) createdValue(r *Revision, value string) error {
	t, err := time.Parse(TimeLayout, value)
	var buf [len(TimeLayout) + 8]byte
	if err != nil || string(t.AppendFormat(buf[:0], TimeLayout)) != value {
		return p.errorf(p.line, "Created %q: want a UTC time like \"2026-11-21 19:05:02 UTC\"", value)
	}
	r.Created = t
	return nil
}

// goValue reads Go, whose only value is true.
func (p *parser) goValue(r *Revision, value string) error {
	if value != "true" {
		return p.errorf(p.line, "Go %q: the only value is \"true\" (the revision is written in Go, in the application)", value)
	}
	r.Go = true
	return nil
}

// importedValue reads Imported-From, which must not be empty.
func (p *parser) importedValue(r *Revision, value string) error {
	if value == "" {
		return p.errorf(p.line, "empty Imported-From: it names the tool and file the revision was converted from (retort import writes it); remove the line or give both")
	}
	r.ImportedFrom = value
	return nil
}

// listValue sets the field of a header key whose value is a list: ids
// for Revises, Depends-On and Replaces, labels for Branch.
func (p *parser) listValue(r *Revision, key, value string) error {
	check, field := checkID, &r.Revises
	switch key {
	case keyDependsOn:
		field = &r.DependsOn
	case keyReplaces:
		field = &r.Replaces
	case keyBranch:
		check, field = checkLabel, &r.Branches
	}
	items, err := p.list(key, value, check)
	if err != nil {
		return err
	}
	*field = items
	return nil
}

// list splits a comma list, checking each item and rejecting empty items
// and repeats.
func (p *parser) list(key, value string, check func(string) string) ([]string, error) {
	if value == "" {
		return nil, nil
	}
	var out []string
	for item := range strings.SplitSeq(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, p.errorf(p.line, "%s %q has an empty item: separate items with single commas", key, value)
		}
		if msg := check(item); msg != "" {
			return nil, p.errorf(p.line, "%s item %q: %s", key, item, msg)
		}
		for _, o := range out {
			if o == item {
				return nil, p.errorf(p.line, "%s lists %q twice: keep one", key, item)
			}
		}
		out = append(out, item)
	}
	return out, nil
}

// CheckID reports what is wrong with a revision id, or nil: ids use
// letters, digits and '_', are at most MaxIDLen bytes, and are not
// "head", "heads", "base" or "current".
func CheckID(id string) error {
	if id == "" {
		return fmt.Errorf("empty revision id")
	}
	if msg := checkID(id); msg != "" {
		return fmt.Errorf("revision id %q: %s", id, msg)
	}
	return nil
}

func checkID(id string) string {
	if len(id) > MaxIDLen {
		return fmt.Sprintf("longer than %d bytes", MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isIDByte(id[i]) {
			return "ids use only letters, digits and '_'"
		}
	}
	if reserved(id) {
		return fmt.Sprintf("%q is a reserved target name", id)
	}
	return ""
}

// reserved reports the words that targets use, which cannot be revision
// ids or branch labels.
func reserved(s string) bool {
	switch s {
	case "head", "heads", "base", "current":
		return true
	}
	return false
}

func isIDByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// CheckLabel reports what is wrong with a branch label, or nil: labels use
// letters, digits, '_' and '-', are at most MaxIDLen bytes, and are not
// "head", "heads", "base" or "current".
func CheckLabel(label string) error {
	if msg := checkLabel(label); msg != "" {
		return fmt.Errorf("branch label %q: %s", label, msg)
	}
	return nil
}

func checkLabel(label string) string {
	if label == "" {
		return "empty branch label"
	}
	if len(label) > MaxIDLen {
		return fmt.Sprintf("longer than %d bytes", MaxIDLen)
	}
	for i := 0; i < len(label); i++ {
		if c := label[i]; !isIDByte(c) && c != '-' {
			return "branch labels use only letters, digits, '_' and '-'"
		}
	}
	if reserved(label) {
		return fmt.Sprintf("%q is a reserved target name", label)
	}
	return ""
}
