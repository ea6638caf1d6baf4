package importer

import (
	"fmt"
	"io/fs"
	"math/big"
	"slices"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// flywayConv reads a Flyway SQL migration directory: V<version>__<desc>.sql
// versioned migrations in Flyway's version order, U<version>__<desc>.sql
// undo migrations as their downgrades, and R__<desc>.sql repeatable ones,
// refused unless Options.RepeatableAsRevisions.
type flywayConv struct{}

func (flywayConv) Name() string { return "flyway" }

func (flywayConv) Detect(fsys fs.FS) bool {
	names, _ := sqlFiles(fsys)
	for _, n := range names {
		if strings.HasPrefix(n, "V") && strings.Contains(n, "__") {
			return true
		}
	}
	return false
}

// flywayFile is one versioned (or repeatable) migration.
type flywayFile struct {
	parts      []*big.Int // version, dot- or underscore-separated numbers
	version    string     // as written, separators normalised to '.'
	desc, file string
	undo       string
}

// Read sorts the directory's files into versioned, undo and repeatable
// migrations (flywayFiles), pairs each undo with its version
// (flywayPairUndo), and refuses repeatable ones unless asked to append
// them.
func (c flywayConv) Read(fsys fs.FS, opts Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import flyway: %w", err)
	}
	versioned, repeatable, undo, err := flywayFiles(names)
	if err != nil {
		return nil, err
	}
	if err := flywayPairUndo(versioned, undo); err != nil {
		return nil, err
	}
	if len(repeatable) > 0 && !opts.RepeatableAsRevisions {
		return nil, &SourceError{Tool: "flyway", File: repeatable[0].file, Msg: "a repeatable migration: Flyway re-runs it whenever it changes, which retort's revisions never do; rerun with --repeatable-as-revisions to append each as a revision after the versioned ones (edit it later by writing a new revision), or move it out of the directory"}
	}
	entries, err := c.entries(fsys, versioned, repeatable)
	if err != nil {
		return nil, err
	}
	revs, err := chain("flyway", entries)
	if err != nil {
		return nil, err
	}
	return &Result{Revisions: revs}, nil
}

// flywayFiles reads the file names: the versioned migrations in
// Flyway's version order, the repeatable ones, and the undo ones by
// normalised version. A name Flyway would not read is refused.
func flywayFiles(names []string) (versioned, repeatable []*flywayFile, undo map[string]string, err error) {
	undo = map[string]string{}
	for _, name := range names {
		prefix, rest := name[:1], strings.TrimSuffix(name[1:], ".sql")
		ver, desc, ok := strings.Cut(rest, "__")
		switch {
		case !ok || !strings.Contains("VUR", prefix):
			return nil, nil, nil, &SourceError{Tool: "flyway", File: name, Msg: "Flyway names SQL migrations V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql; rename the file or move it out of the directory"}
		case prefix == "R" && ver != "":
			return nil, nil, nil, &SourceError{Tool: "flyway", File: name, Msg: "a repeatable migration has no version: R__<description>.sql"}
		case prefix == "R":
			repeatable = append(repeatable, &flywayFile{desc: words(desc), file: name})
			continue
		}
		parts, norm, err := flywayVersion(ver)
		if err != nil {
			return nil, nil, nil, &SourceError{Tool: "flyway", File: name, Msg: err.Error()}
		}
		if prefix == "U" {
			undo[norm] = name
			continue
		}
		versioned = append(versioned, &flywayFile{parts: parts, version: norm, desc: words(desc), file: name})
	}
	slices.SortFunc(versioned, func(a, b *flywayFile) int { return cmpVersion(a.parts, b.parts) })
	return versioned, repeatable, undo, nil
}

// flywayPairUndo refuses two versioned migrations with one version, gives
// each its undo migration, and refuses an undo migration left without
// one.
func flywayPairUndo(versioned []*flywayFile, undo map[string]string) error {
	for i := 1; i < len(versioned); i++ {
		if cmpVersion(versioned[i].parts, versioned[i-1].parts) == 0 {
			return &SourceError{Tool: "flyway", File: versioned[i].file, Msg: fmt.Sprintf("version %s is also %s's: Flyway refuses two migrations with one version", versioned[i].version, versioned[i-1].file)}
		}
	}
	for _, v := range versioned {
		v.undo = undo[v.version]
		delete(undo, v.version)
	}
	for _, u := range undo {
		return &SourceError{Tool: "flyway", File: u, Msg: "an undo migration without the versioned migration of its version: add the V file or remove this one"}
	}
	return nil
}

func (c flywayConv) entries(fsys fs.FS, versioned, repeatable []*flywayFile) ([]entry, error) {
	var entries []entry
	for _, v := range versioned {
		e := entry{version: v.version, file: v.file, message: v.desc}
		up, line, err := flywayRead(fsys, v.file)
		if err != nil {
			return nil, err
		}
		e.up = script.Section{SQL: up, Line: line, Present: true}
		e.down = irreversible()
		if v.undo != "" {
			down, line, err := flywayRead(fsys, v.undo)
			if err != nil {
				return nil, err
			}
			e.down = section(down, line)
			e.file += ", " + v.undo
		}
		if e.noTx, err = flywayNoTx(fsys, v.file); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	// Flyway applies repeatable migrations after the versioned ones, in
	// the order of their description.
	slices.SortStableFunc(repeatable, func(a, b *flywayFile) int { return strings.Compare(a.desc, b.desc) })
	for _, r := range repeatable {
		up, line, err := flywayRead(fsys, r.file)
		if err != nil {
			return nil, err
		}
		e := entry{version: "R_" + script.Slug(r.desc), file: r.file, message: r.desc,
			up: script.Section{SQL: up, Line: line, Present: true}, down: irreversible()}
		entries = append(entries, e)
	}
	return entries, nil
}

// flywayRead reads a migration, refusing Flyway placeholders: Flyway
// replaces ${name} at run time, a revision file cannot.
func flywayRead(fsys fs.FS, name string) (string, int, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", 0, fmt.Errorf("import flyway: %w", err)
	}
	for i, l := range lines(string(data)) {
		if strings.Contains(l, "${") {
			return "", 0, &SourceError{Tool: "flyway", File: name, Line: i + 1, Msg: "a Flyway placeholder (${...}): Flyway replaces it when it runs, a revision file cannot; write the value into the SQL, then import again"}
		}
	}
	return string(data), 1, nil
}

// flywayNoTx reads the script configuration file <name>.conf next to a
// migration: executeInTransaction=false runs it outside a transaction.
func flywayNoTx(fsys fs.FS, name string) (bool, error) {
	data, err := fs.ReadFile(fsys, name+".conf")
	if err != nil {
		return false, nil
	}
	for i, l := range lines(string(data)) {
		k, v, ok := strings.Cut(l, "=")
		switch {
		case !ok || strings.HasPrefix(strings.TrimSpace(l), "#"):
			continue
		case strings.TrimSpace(k) == "executeInTransaction":
			return strings.TrimSpace(v) == "false", nil
		default:
			return false, &SourceError{Tool: "flyway", File: name + ".conf", Line: i + 1, Msg: fmt.Sprintf("script setting %q: retort converts only executeInTransaction", strings.TrimSpace(k))}
		}
	}
	return false, nil
}

// flywayVersion parses a version: numbers separated by '.' or '_'
// (Flyway reads "1_1" as "1.1").
func flywayVersion(s string) ([]*big.Int, string, error) {
	if s == "" {
		return nil, "", fmt.Errorf("empty version: V<version>__<description>.sql")
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '_' })
	parts := make([]*big.Int, 0, len(fields))
	for _, f := range fields {
		n, ok := new(big.Int).SetString(f, 10)
		if !ok {
			return nil, "", fmt.Errorf("version %q: Flyway versions are numbers separated by dots or underscores", s)
		}
		parts = append(parts, n)
	}
	return parts, strings.Join(fields, "."), nil
}

// cmpVersion compares versions part by part as numbers (1.10 after 1.9);
// missing trailing parts count as zero (1 equals 1.0).
func cmpVersion(a, b []*big.Int) int {
	zero := new(big.Int)
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := zero, zero
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := x.Cmp(y); c != 0 {
			return c
		}
	}
	return 0
}
