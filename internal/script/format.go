package script

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// Format returns the canonical text of a revision file (DESIGN.md
// section 5). Parse(path, Format(r)) gives back r's fields, apart from Path,
// Checksum and the sections' Line. The downgrade section is written when
// r.Down is Present, irreversible or has SQL.
func Format(r *Revision) []byte {
	var b bytes.Buffer
	b.Grow(256 + len(r.Up.SQL) + len(r.Down.SQL))
	writeHeader(&b, r)
	b.WriteString("\n" + upgradeMarker + "\n")
	writeSQL(&b, r.Up.SQL)
	if r.Down.Present || r.Down.Irreversible || r.Down.None || r.Down.SQL != "" {
		b.WriteByte('\n')
		b.WriteString(downMarker(r.Down) + "\n")
		writeSQL(&b, r.Down.SQL)
	}
	return b.Bytes()
}

// writeHeader writes the message and the header keys, in the canonical
// order; Revision and Revises always, the other keys when set
// (writeOptionalKeys).
func writeHeader(b *bytes.Buffer, r *Revision) {
	if r.Message == "" {
		b.WriteString("--\n")
	} else {
		b.WriteString("-- ")
		b.WriteString(r.Message)
		b.WriteByte('\n')
	}
	b.WriteString("--\n")
	b.WriteString("-- Revision: ")
	b.WriteString(r.ID)
	b.WriteByte('\n')
	b.WriteString("-- Revises:")
	writeList(b, r.Revises)
	writeOptionalKeys(b, r)
}

// writeOptionalKeys writes the header keys a revision may leave out, each
// when it is set.
func writeOptionalKeys(b *bytes.Buffer, r *Revision) {
	for _, l := range []struct {
		key   string
		items []string
	}{{"Branch", r.Branches}, {"Depends-On", r.DependsOn}, {"Replaces", r.Replaces}} {
		if len(l.items) > 0 {
			b.WriteString("-- " + l.key + ":")
			writeList(b, l.items)
		}
	}
	if r.NoTransaction {
		b.WriteString("-- Transaction: none\n")
	}
	if r.Go {
		b.WriteString("-- Go: true\n")
	}
	if r.ImportedFrom != "" {
		b.WriteString("-- Imported-From: " + r.ImportedFrom + "\n")
	}
	if !r.Created.IsZero() {
		b.WriteString("-- Created: " + r.Created.UTC().Format(TimeLayout) + "\n")
	}
}

// downMarker is the marker that opens the downgrade section d.
func downMarker(d Section) string {
	switch {
	case d.Irreversible:
		return irreversibleMarker
	case d.None:
		return noneMarker
	}
	return downgradeMarker
}

func writeList(b *bytes.Buffer, items []string) {
	if len(items) > 0 {
		b.WriteByte(' ')
		b.WriteString(strings.Join(items, ", "))
	}
	b.WriteByte('\n')
}

func writeSQL(b *bytes.Buffer, sql string) {
	sql = strings.TrimRight(sql, " \t\r\n")
	if sql == "" {
		return
	}
	b.WriteString(sql)
	b.WriteByte('\n')
}

// NewID returns a new revision id: 12 lower-case hex digits from
// crypto/rand.
func NewID() (string, error) {
	var buf [6]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", fmt.Errorf("new revision id: %w", err)
	}
	return hex.EncodeToString(buf[:]), nil
}

// maxSlug is the longest slug, as Alembic's truncate_slug_length.
const maxSlug = 40

// Slug returns the file-name part made from a message: its lower-cased
// words (runs of a-z and 0-9) joined by '_' (slugWords), cut to at most
// 40 bytes at a word boundary (a single longer word is cut at 40). An
// empty message, or one without such words, gives "".
func Slug(message string) string {
	s := slugWords(message)
	if len(s) <= maxSlug {
		return s
	}
	if s[maxSlug] == '_' {
		return s[:maxSlug]
	}
	if i := strings.LastIndexByte(s[:maxSlug], '_'); i > 0 {
		return s[:i]
	}
	return s[:maxSlug]
}

// slugWords joins the lower-cased ASCII words of message with '_'.
func slugWords(message string) string {
	var b strings.Builder
	inWord := false
	for i := 0; i < len(message); i++ {
		c, ok := slugChar(message[i])
		if !ok {
			inWord = false
			continue
		}
		if !inWord && b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteByte(c)
		inWord = true
	}
	return b.String()
}

// slugChar is c lower-cased, and whether it is a word character (an
// ASCII letter or digit).
func slugChar(c byte) (byte, bool) {
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	return c, c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// FileName returns the canonical file name of a revision:
// "<id>_<slug of message>.sql" ("<id>_.sql" for an empty slug, as Alembic
// names it).
func FileName(r *Revision) string {
	return r.ID + "_" + Slug(r.Message) + ".sql"
}
