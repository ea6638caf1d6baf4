package importer

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io/fs"
	"strings"

	"github.com/retortdb/retort/internal/lazyre"
	"github.com/retortdb/retort/internal/script"
)

// atlasConv reads an Atlas versioned migration directory: *.sql files
// named <version>_<name>.sql, applied in file-name order, and the
// atlas.sum integrity file, which must match them. Atlas migrations have
// no down files: each downgrade is irreversible.
type atlasConv struct{}

func (atlasConv) Name() string { return "atlas" }

func (atlasConv) Detect(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "atlas.sum")
	return err == nil
}

func (c atlasConv) Read(fsys fs.FS, _ Options) (*Result, error) {
	names, err := sqlFiles(fsys)
	if err != nil {
		return nil, fmt.Errorf("import atlas: %w", err)
	}
	files := make([][]byte, len(names))
	for i, n := range names {
		if files[i], err = fs.ReadFile(fsys, n); err != nil {
			return nil, fmt.Errorf("import atlas: %w", err)
		}
	}
	if err := checkAtlasSum(fsys, names, files); err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(names))
	for i, name := range names {
		version, title, _ := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		e := entry{version: version, file: name, message: words(title), down: irreversible()}
		e.up = script.Section{SQL: string(files[i]), Line: 1, Present: true}
		if e.noTx, err = atlasDirectives(name, string(files[i])); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	revs, err := chain("atlas", entries)
	if err != nil {
		return nil, err
	}
	return &Result{Revisions: revs}, nil
}

var atlasDirective = lazyre.New(`^--\s*atlas:(\w+)(?:\s+(.*))?$`)

// atlasDirectives reads the "-- atlas:" directives: txmode none runs the
// file outside a transaction; a custom delimiter is refused.
func atlasDirectives(name, text string) (noTx bool, err error) {
	for i, l := range lines(text) {
		m := atlasDirective().FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			continue
		}
		switch arg := strings.TrimSpace(m[2]); m[1] {
		case "txmode":
			noTx = arg == "none"
		case "delimiter":
			return false, &SourceError{Tool: "atlas", File: name, Line: i + 1, Msg: "atlas:delimiter: retort splits statements itself (quotes, dollar quotes, BEGIN...END bodies, MySQL DELIMITER lines); replace the directive by a DELIMITER line (MySQL) or plain ';' and regenerate atlas.sum with atlas migrate hash"}
		case "sum":
		default:
			return false, &SourceError{Tool: "atlas", File: name, Line: i + 1, Msg: fmt.Sprintf("atlas:%s: retort converts only atlas:txmode", m[1])}
		}
	}
	return noTx, nil
}

// checkAtlasSum verifies atlas.sum as Atlas does: each file's line holds
// the base64 SHA-256 of every file name and content up to and including
// it, and the first line ("h1:...") the SHA-256 of all those lines. The
// file is read and its own sum checked by readAtlasSum, the directory's
// sums computed by atlasFileSums, and the two compared by
// compareAtlasSums.
func checkAtlasSum(fsys fs.FS, names []string, files [][]byte) error {
	data, err := fs.ReadFile(fsys, "atlas.sum")
	if err != nil {
		return &SourceError{Tool: "atlas", File: "atlas.sum", Msg: "no atlas.sum: Atlas refuses a directory without its integrity file; run \"atlas migrate hash\" and import again"}
	}
	want, err := readAtlasSum(string(data))
	if err != nil {
		return err
	}
	return compareAtlasSums(atlasFileSums(names, files), want)
}

// atlasSumLine is one file's line of atlas.sum: its name and hash.
type atlasSumLine struct{ n, h string }

// readAtlasSum reads atlas.sum's file lines and checks them against its
// first line.
func readAtlasSum(data string) ([]atlasSumLine, error) {
	var want []atlasSumLine
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Scan()
	total := strings.TrimPrefix(sc.Text(), "h1:")
	for ln := 2; sc.Scan(); ln++ {
		n, h, ok := strings.Cut(sc.Text(), "h1:")
		if !ok {
			return nil, &SourceError{Tool: "atlas", File: "atlas.sum", Line: ln, Msg: "not \"<file> h1:<hash>\""}
		}
		want = append(want, atlasSumLine{strings.TrimSpace(n), h})
	}
	sum := sha256.New()
	for _, l := range want {
		sum.Write([]byte(l.n + l.h))
	}
	if base64.StdEncoding.EncodeToString(sum.Sum(nil)) != total {
		return nil, &SourceError{Tool: "atlas", File: "atlas.sum", Line: 1, Msg: "the sum of the file lines does not match: atlas.sum was edited by hand; run \"atlas migrate hash\" (after checking the migrations) and import again"}
	}
	return want, nil
}

// atlasFileSums computes the lines atlas.sum should hold for the files:
// a running hash of names and contents, without the contents (nor a line)
// of a file that says atlas:sum ignore on its first line, the only one
// Atlas reads its directives from.
func atlasFileSums(names []string, files [][]byte) []atlasSumLine {
	h := sha256.New()
	var got []atlasSumLine
	for i, n := range names {
		h.Write([]byte(n))
		if first, _, _ := strings.Cut(string(files[i]), "\n"); strings.Contains(first, "atlas:sum ignore") {
			continue
		}
		h.Write(files[i])
		got = append(got, atlasSumLine{n, base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	return got
}

// compareAtlasSums reports the first difference between the directory's
// sums and atlas.sum's: a file added, a file gone, or a file changed.
func compareAtlasSums(got, want []atlasSumLine) error {
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(want):
			return &SourceError{Tool: "atlas", File: got[i].n, Msg: "checksum mismatch: the file is not in atlas.sum (added after the last \"atlas migrate hash\"); check it and run atlas migrate hash, then import again"}
		case i >= len(got):
			return &SourceError{Tool: "atlas", File: "atlas.sum", Line: i + 2, Msg: fmt.Sprintf("checksum mismatch: %s is in atlas.sum but not in the directory", want[i].n)}
		case got[i] != want[i]:
			return &SourceError{Tool: "atlas", File: got[i].n, Msg: fmt.Sprintf("checksum mismatch with atlas.sum line %d: the file changed (or an earlier one did) since the last \"atlas migrate hash\"; Atlas refuses to run this directory, so retort does not import it", i+2)}
		}
	}
	return nil
}
