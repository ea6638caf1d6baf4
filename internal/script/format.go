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
	writeList(&b, r.Revises)
	if len(r.Branches) > 0 {
		b.WriteString("-- Branch:")
		writeList(&b, r.Branches)
	}
	if len(r.DependsOn) > 0 {
		b.WriteString("-- Depends-On:")
		writeList(&b, r.DependsOn)
	}
	if len(r.Replaces) > 0 {
		b.WriteString("-- Replaces:")
		writeList(&b, r.Replaces)
	}
	if r.NoTransaction {
		b.WriteString("-- Transaction: none\n")
	}
	if r.Go {
		b.WriteString("-- Go: true\n")
	}
	if r.ImportedFrom != "" {
		b.WriteString("-- Imported-From: ")
		b.WriteString(r.ImportedFrom)
		b.WriteByte('\n')
	}
	if !r.Created.IsZero() {
		b.WriteString("-- Created: ")
		b.WriteString(r.Created.UTC().Format(TimeLayout))
		b.WriteByte('\n')
	}
	b.WriteString("\n" + upgradeMarker + "\n")
	writeSQL(&b, r.Up.SQL)
	if r.Down.Present || r.Down.Irreversible || r.Down.None || r.Down.SQL != "" {
		b.WriteByte('\n')
		switch {
		case r.Down.Irreversible:
			b.WriteString(irreversibleMarker + "\n")
		case r.Down.None:
			b.WriteString(noneMarker + "\n")
		default:
			b.WriteString(downgradeMarker + "\n")
		}
		writeSQL(&b, r.Down.SQL)
	}
	return b.Bytes()
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
// words (runs of a-z and 0-9) joined by '_', cut to at most 40 bytes at a
// word boundary (a single longer word is cut at 40). An empty message, or
// one without such words, gives "".
func Slug(message string) string {
	var b strings.Builder
	inWord := false
	for i := 0; i < len(message); i++ {
		c := message[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if !inWord && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteByte(c)
			inWord = true
			continue
		}
		inWord = false
	}
	s := b.String()
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

// FileName returns the canonical file name of a revision:
// "<id>_<slug of message>.sql" ("<id>_.sql" for an empty slug, as Alembic
// names it).
func FileName(r *Revision) string {
	return r.ID + "_" + Slug(r.Message) + ".sql"
}
