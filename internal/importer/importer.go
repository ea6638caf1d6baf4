// Package importer converts another migration tool's migrations into
// retort revisions: goose, golang-migrate, dbmate, Flyway, sql-migrate,
// Atlas and Alembic (from its offline SQL). Each converter follows the
// layout its tool documents (docs/import.md cites the pages) and refuses,
// with the file and line, what it cannot convert faithfully.
package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// Converter reads one tool's migration directory.
type Converter interface {
	// Name is the tool's name as given to "retort import TOOL".
	Name() string
	// Detect reports whether fsys looks like this tool's directory.
	Detect(fsys fs.FS) bool
	// Read converts every migration in the root of fsys, in the tool's
	// order. Each revision has its id, parents, message, ImportedFrom and
	// sections set; Path is the source file.
	Read(fsys fs.FS, opts Options) (*Result, error)
}

// Options are the choices a user makes for what a converter refuses by
// default.
type Options struct {
	// Envsub expands goose's ENVSUB ON regions from Getenv.
	Envsub bool
	// Getenv looks up environment variables for Envsub.
	Getenv func(string) string
	// RepeatableAsRevisions appends Flyway's R__ scripts as revisions
	// after the versioned ones.
	RepeatableAsRevisions bool
}

// Result is a converted directory.
type Result struct {
	// Revisions in the source's order; parents point at earlier ones.
	Revisions []*script.Revision
	// GoMigrations lists migrations written in Go (goose) that could not
	// be converted: each has a placeholder revision among Revisions.
	GoMigrations []string
}

// SourceError is a file the converter refuses.
type SourceError struct {
	// Tool is the converter's name.
	Tool string
	// File is the path within the source directory; Line is 1-based, 0
	// when the whole file is meant.
	File string
	Line int
	// Msg says what is wrong and what to do.
	Msg string
}

// Error returns "tool: file:line: msg".
func (e *SourceError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("import %s: %s:%d: %s", e.Tool, e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("import %s: %s: %s", e.Tool, e.File, e.Msg)
}

// Converters returns every converter, in the order Detect tries them.
func Converters() []Converter {
	return []Converter{atlasConv{}, flywayConv{}, gooseConv{}, sqlMigrateConv{}, dbmateConv{}, golangMigrateConv{}, alembicConv{}}
}

// Lookup returns the converter named name.
func Lookup(name string) (Converter, error) {
	var names []string
	for _, c := range Converters() {
		if c.Name() == name {
			return c, nil
		}
		names = append(names, c.Name())
	}
	return nil, fmt.Errorf("unknown tool %q: retort imports from %s", name, strings.Join(names, ", "))
}

// entry is one migration of a linear tool before it becomes a revision.
type entry struct {
	version string // the tool's version, used for the id
	file    string // source file, for Imported-From and errors
	message string
	up      script.Section
	down    script.Section
	noTx    bool
	goStub  bool
}

// chain turns entries, already in the tool's order, into a linear history.
func chain(tool string, entries []entry) ([]*script.Revision, error) {
	revs := make([]*script.Revision, 0, len(entries))
	seen := map[string]string{}
	parent := ""
	for _, e := range entries {
		id := deriveID(tool, e.version)
		if prev, ok := seen[id]; ok {
			return nil, &SourceError{Tool: tool, File: e.file, Msg: fmt.Sprintf("version %s gives revision id %s, as %s does: %s allows one migration per version; renumber one of them", e.version, id, prev, tool)}
		}
		seen[id] = e.file
		r := &script.Revision{
			ID:            id,
			Message:       e.message,
			NoTransaction: e.noTx,
			Go:            e.goStub,
			Path:          upFile(e.file),
			ImportedFrom:  tool + " " + e.file,
			Up:            e.up,
			Down:          e.down,
		}
		if parent != "" {
			r.Revises = []string{parent}
		}
		parent = id
		revs = append(revs, r)
	}
	return revs, validate(tool, revs)
}

// validate checks that each converted revision makes a revision file
// retort reads back (a source with NUL bytes, say, does not).
func validate(tool string, revs []*script.Revision) error {
	for _, r := range revs {
		if _, err := script.Parse(script.FileName(r), script.Format(r)); err != nil {
			var pe *script.ParseError
			msg := err.Error()
			if errors.As(err, &pe) {
				msg = pe.Msg
			}
			return &SourceError{Tool: tool, File: r.Path, Msg: "cannot convert: " + msg}
		}
	}
	return nil
}

// deriveID keeps version as the revision id when retort accepts it; else
// it replaces what ids do not allow by '_' (Flyway's 1.10 becomes 1_10),
// and when that is still not an id, derives one from a hash of version.
func deriveID(tool, version string) string {
	if script.CheckID(version) == nil {
		return version
	}
	if id := idChars(version); script.CheckID(id) == nil {
		return id
	}
	sum := sha256.Sum256([]byte(tool + "\x00" + version))
	return tool + "_" + hex.EncodeToString(sum[:6])
}

// idChars replaces every byte of version other than an ASCII letter,
// digit or '_' by '_'.
func idChars(version string) string {
	b := []byte(version)
	for i, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// sqlFiles lists the names of the regular "*.sql" files in the root of
// fsys, sorted.
func sqlFiles(fsys fs.FS) ([]string, error) {
	return filesWith(fsys, ".sql")
}

func filesWith(fsys fs.FS, suffix string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), suffix) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// words turns a file name's title into a message: "add_users" gives
// "add users".
func words(title string) string {
	return strings.TrimSpace(strings.NewReplacer("_", " ", "-", " ").Replace(title))
}

// lines splits text into lines without their "\n" (and "\r").
func lines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	ls := strings.Split(text, "\n")
	if len(ls) > 0 && ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// irreversible is the downgrade of a migration the tool gives none.
func irreversible() script.Section {
	return script.Section{Present: true, Irreversible: true}
}

// section makes a present section from SQL text, marking an empty one as
// "none" (the author gave the direction and left it empty on purpose).
func section(sql string, line int) script.Section {
	s := script.Section{SQL: sql, Line: line, Present: true}
	if strings.TrimSpace(stripComments(sql)) == "" {
		s.None = true
	}
	return s
}

// stripComments drops whole-line "--" comments, to tell an empty section
// from one with SQL.
func stripComments(sql string) string {
	var b strings.Builder
	for _, l := range lines(sql) {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// upFile is the first of a comma list of files: the one with the upgrade.
func upFile(files string) string {
	f, _, _ := strings.Cut(files, ", ")
	return f
}
