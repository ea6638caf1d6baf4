package script

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fieldsOnly compares what a file says, not where it came from.
var fieldsOnly = cmp.Options{
	cmpopts.IgnoreFields(Revision{}, "Path", "Checksum"),
	cmpopts.IgnoreFields(Section{}, "Line"),
	cmpopts.EquateEmpty(),
}

func TestParseDesignExample(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/student.sql")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse("versions/9f02447faa7d_create_student_table.sql", data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := &Revision{
		ID:       "9f02447faa7d",
		Message:  "create student table",
		Created:  time.Date(2026, 11, 21, 19, 5, 2, 0, time.UTC),
		Path:     "versions/9f02447faa7d_create_student_table.sql",
		Checksum: hex.EncodeToString(sum[:]),
		Up: Section{
			SQL:     "CREATE TABLE students (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(80) NOT NULL\n);\n",
			Line:    8,
			Present: true,
		},
		Down: Section{SQL: "DROP TABLE students;\n", Line: 14, Present: true},
	}
	if diff := cmp.Diff(want, r, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	// Format writes the design's canonical file byte for byte.
	if got := Format(r); !bytes.Equal(got, data) {
		t.Errorf("Format:\n%s\nwant:\n%s", got, data)
	}
	if got, want := FileName(r), "9f02447faa7d_create_student_table.sql"; got != want {
		t.Errorf("FileName = %q, want %q", got, want)
	}
}

func TestParseAllKeys(t *testing.T) {
	t.Parallel()
	src := "-- merge heads\n" +
		"--\n" +
		"-- Revision: m1\n" +
		"-- Revises: a, b\n" +
		"-- Branch: accounts, shop-cart\n" +
		"-- Depends-On: x9\n" +
		"-- Transaction: none\n" +
		"-- Created: 2026-01-02 03:04:05 UTC\n" +
		"\n" +
		"-- a note after the header\n" +
		"-- +upgrade\n" +
		"CREATE INDEX CONCURRENTLY i ON t (c);\n" +
		"\n" +
		"-- +downgrade irreversible\n"
	r, err := Parse("m1.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Revision{
		ID:            "m1",
		Revises:       []string{"a", "b"},
		Message:       "merge heads",
		Branches:      []string{"accounts", "shop-cart"},
		DependsOn:     []string{"x9"},
		NoTransaction: true,
		Created:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Up:            Section{SQL: "CREATE INDEX CONCURRENTLY i ON t (c);\n", Line: 12, Present: true},
		Down:          Section{Line: 15, Present: true, Irreversible: true},
	}
	if diff := cmp.Diff(want, r, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Revision{}, "Path", "Checksum")); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	// Format writes the keys in canonical order; re-parsing gives r back.
	again, err := Parse("m1.sql", Format(r))
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, Format(r))
	}
	if diff := cmp.Diff(r, again, fieldsOnly); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestParseNoDowngrade(t *testing.T) {
	t.Parallel()
	r, err := Parse("x.sql", []byte("-- m\n-- Revision: x\n-- +upgrade\nSELECT 1;"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Down.Present || r.Up.SQL != "SELECT 1;\n" || r.Up.Line != 4 {
		t.Errorf("got Up %+v Down %+v", r.Up, r.Down)
	}
	if got := string(Format(r)); strings.Contains(got, "+downgrade") {
		t.Errorf("Format wrote a downgrade section that was not there:\n%s", got)
	}
}

func TestParseCRLF(t *testing.T) {
	t.Parallel()
	lf, err := os.ReadFile("testdata/student.sql")
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	cr := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r"))
	want, err := Parse("a.sql", lf)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"CRLF": crlf, "CR": cr} {
		got, err := Parse("a.sql", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s differs from LF (-LF +%s):\n%s", name, name, diff)
		}
		if c := Checksum(data); c != want.Checksum {
			t.Errorf("Checksum(%s) = %s, want %s", name, c, want.Checksum)
		}
	}
	// A byte order mark is skipped (and is part of the checksum).
	withBOM, err := Parse("a.sql", append([]byte("\xef\xbb\xbf"), lf...))
	if err != nil {
		t.Fatalf("BOM: %v", err)
	}
	if diff := cmp.Diff(want, withBOM, cmpopts.IgnoreFields(Revision{}, "Checksum")); diff != "" || withBOM.Checksum == want.Checksum {
		t.Errorf("BOM (-LF +BOM):\n%s", diff)
	}
	// Any other change changes the checksum.
	edited, _ := Parse("a.sql", bytes.Replace(lf, []byte("80"), []byte("81"), 1))
	if edited.Checksum == want.Checksum {
		t.Error("an edit kept the checksum")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const head = "-- m\n-- Revision: abc\n"
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", `f.sql:1: missing header: a revision file starts with a comment block: "-- message", "--", "-- Revision: <id>", then "-- +upgrade" and the SQL`},
		{"sql first", "CREATE TABLE t (a int);\n", `f.sql:1: missing header: a revision file starts with a comment block: "-- message", "--", "-- Revision: <id>", then "-- +upgrade" and the SQL`},
		{"marker first", "-- +upgrade\n", `f.sql:1: missing header: a revision file starts with a comment block: "-- message", "--", "-- Revision: <id>", then "-- +upgrade" and the SQL`},
		{"no revision", "-- m\n--\n-- Revises:\n-- +upgrade\n", `f.sql:1: header has no "Revision" line: add "-- Revision: <id>"`},
		{"revision as message", "-- Revision: abc\n-- +upgrade\n", `f.sql:1: header has no "Revision" line: add "-- Revision: <id>" below the message line (the first line is always the message)`},
		{"unknown key", "-- m\n-- Revision: abc\n-- Revision ID: abc\n", `f.sql:3: unknown header key "Revision ID": the keys are Revision, Revises, Branch, Depends-On, Replaces, Transaction, Created`},
		{"lower-case key", "-- m\n-- revision: abc\n", `f.sql:2: unknown header key "revision": the keys are Revision, Revises, Branch, Depends-On, Replaces, Transaction, Created`},
		{"free text", "-- m\n-- Revision: abc\n-- adds the table\n", `f.sql:3: header line "adds the table" is not "Key: value" (keys: Revision, Revises, Branch, Depends-On, Replaces, Transaction, Created); put free-text notes after the header, below a blank line`},
		{"dup key", head + "-- Revises: a\n-- Revises: b\n", `f.sql:4: header key "Revises" given twice (first on line 3); keep one`},
		{"empty id", "-- m\n-- Revision:\n", `f.sql:2: empty Revision: give the revision id, e.g. "-- Revision: 9f02447faa7d"`},
		{"bad id", "-- m\n-- Revision: ab-c\n", `f.sql:2: Revision "ab-c": ids use only letters, digits and '_'`},
		{"long id", "-- m\n-- Revision: " + strings.Repeat("a", 65) + "\n", `f.sql:2: Revision "` + strings.Repeat("a", 65) + `": longer than 64 bytes`},
		{"reserved id", "-- m\n-- Revision: head\n", `f.sql:2: Revision "head": "head" is a reserved target name`},
		{"bad revises", head + "-- Revises: a b\n", `f.sql:3: Revises item "a b": ids use only letters, digits and '_'`},
		{"empty item", head + "-- Revises: a,,b\n", `f.sql:3: Revises "a,,b" has an empty item: separate items with single commas`},
		{"repeat item", head + "-- Depends-On: a, a\n", `f.sql:3: Depends-On lists "a" twice: keep one`},
		{"bad label", head + "-- Branch: heads\n", `f.sql:3: Branch item "heads": "heads" is a reserved target name`},
		{"bad label chars", head + "-- Branch: a@b\n", `f.sql:3: Branch item "a@b": branch labels use only letters, digits, '_' and '-'`},
		{"transaction", head + "-- Transaction: off\n", `f.sql:3: Transaction "off": the only value is "none" (run without a transaction); remove the line to run in one`},
		{"created", head + "-- Created: 2026-11-21T19:05:02Z\n", `f.sql:3: Created "2026-11-21T19:05:02Z": want a UTC time like "2026-11-21 19:05:02 UTC"`},
		{"created fraction", head + "-- Created: 2026-11-21 19:05:02.5 UTC\n", `f.sql:3: Created "2026-11-21 19:05:02.5 UTC": want a UTC time like "2026-11-21 19:05:02 UTC"`},
		{"no upgrade", head + "\nSELECT 1;\n", `f.sql:4: SQL before the "-- +upgrade" marker: put the upgrade statements after a line "-- +upgrade"`},
		{"no upgrade at all", head + "\n-- just a comment\n", `f.sql:4: no "-- +upgrade" section: every revision needs one; add a line "-- +upgrade" followed by the SQL`},
		{"downgrade first", head + "-- +downgrade\nDROP TABLE t;\n-- +upgrade\n", `f.sql:3: "-- +downgrade" before "-- +upgrade": the upgrade section comes first`},
		{"case marker", head + "\n-- +Upgrade\n", `f.sql:4: malformed section marker "-- +Upgrade": write "-- +upgrade", "-- +downgrade", "-- +downgrade none" or "-- +downgrade irreversible" exactly, on a line of its own`},
		{"glued marker", head + "-- +upgrade\nSELECT 1;\n--+downgrade\n", `f.sql:5: malformed section marker "--+downgrade": write "-- +upgrade", "-- +downgrade", "-- +downgrade none" or "-- +downgrade irreversible" exactly, on a line of its own`},
		{"marker typo", head + "-- +upgrade\n-- +downgrade irreversable\n", `f.sql:4: malformed section marker "-- +downgrade irreversable": write "-- +upgrade", "-- +downgrade", "-- +downgrade none" or "-- +downgrade irreversible" exactly, on a line of its own`},
		{"two upgrades", head + "-- +upgrade\n-- +upgrade\n", `f.sql:4: second "-- +upgrade" marker: a revision has one upgrade section`},
		{"two downgrades", head + "-- +upgrade\n-- +downgrade\n-- +downgrade\n", `f.sql:5: second "-- +downgrade" marker: a revision has one downgrade section`},
		{"upgrade after downgrade", head + "-- +upgrade\n-- +downgrade\n-- +upgrade\n", `f.sql:5: "-- +upgrade" after "-- +downgrade": the upgrade section comes first, once`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse("f.sql", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", r)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestMarkerInsideSQLComment(t *testing.T) {
	t.Parallel()
	// Comments that merely mention a marker are SQL.
	src := "-- m\n-- Revision: abc\n-- +upgrade\n-- + upgrade is the marker above\nSELECT 1; -- +upgrade\n"
	r, err := Parse("f.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := "-- + upgrade is the marker above\nSELECT 1; -- +upgrade\n"; r.Up.SQL != want {
		t.Errorf("Up.SQL = %q, want %q", r.Up.SQL, want)
	}
}

func TestSectionLines(t *testing.T) {
	t.Parallel()
	src := "-- m\n-- Revision: abc\n\n-- +upgrade\n\nCREATE TABLE t (a int);\n\n\n-- +downgrade\nDROP TABLE t;\n\n"
	r, err := Parse("f.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if r.Up.Line != 5 || r.Up.SQL != "\nCREATE TABLE t (a int);\n" {
		t.Errorf("Up = %+v", r.Up)
	}
	// "CREATE" is line 2 of Up.SQL and line 6 of the file.
	if got := r.Up.Line + 2 - 1; got != 6 {
		t.Errorf("CREATE at line %d, want 6", got)
	}
	if r.Down.Line != 10 || r.Down.SQL != "DROP TABLE t;\n" {
		t.Errorf("Down = %+v", r.Down)
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	revs := []*Revision{
		{ID: "a1", Message: "first", Up: Section{SQL: "CREATE TABLE a (x int);", Present: true}, Down: Section{SQL: "DROP TABLE a;", Present: true}},
		{ID: "b2", Revises: []string{"a1", "z9"}, Message: "", Branches: []string{"x"}, DependsOn: []string{"q"},
			NoTransaction: true, Created: time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC),
			Up: Section{Present: true}, Down: Section{Present: true, Irreversible: true}},
		{ID: "c3", Message: "no down", Up: Section{SQL: "\n\nSELECT 1;\n\n\n", Present: true}},
	}
	for _, r := range revs {
		text := Format(r)
		got, err := Parse(FileName(r), text)
		if err != nil {
			t.Fatalf("Parse(Format(%s)): %v\n%s", r.ID, err, text)
		}
		want := *r
		want.Up.SQL = sectionText([]byte(r.Up.SQL))
		want.Down.SQL = sectionText([]byte(r.Down.SQL))
		if diff := cmp.Diff(&want, got, fieldsOnly); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s\n%s", r.ID, diff, text)
		}
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ msg, want string }{
		{"create student table", "create_student_table"},
		{"Add  User.email (unique)!", "add_user_email_unique"},
		{"", ""},
		{"!!!", ""},
		{"éèa b", "a_b"},
		{"v2 of 3rd table", "v2_of_3rd_table"},
		// 40 bytes exactly: kept whole.
		{"aaaaaaaaa bbbbbbbbb ccccccccc dddddddddd", "aaaaaaaaa_bbbbbbbbb_ccccccccc_dddddddddd"},
		// Cut at 40 falls inside "eeeee": that word is dropped.
		{"aaaaaaaaa bbbbbbbbb ccccccccc ddddddd eeeee", "aaaaaaaaa_bbbbbbbbb_ccccccccc_ddddddd"},
		// The cut falls right after a word: it is kept.
		{"aaaaaaaaa bbbbbbbbb ccccccccc dddddddddd eeee", "aaaaaaaaa_bbbbbbbbb_ccccccccc_dddddddddd"},
		// One word longer than 40 is cut at 40.
		{strings.Repeat("x", 50), strings.Repeat("x", 40)},
	}
	for _, tt := range tests {
		if got := Slug(tt.msg); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
	if got := FileName(&Revision{ID: "abc"}); got != "abc_.sql" {
		t.Errorf("FileName with empty message = %q, want abc_.sql", got)
	}
}

func TestNewID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id, err := NewID()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(id) {
			t.Fatalf("NewID() = %q, want 12 lower-case hex digits", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func revFile(id, revises, msg string) *fstest.MapFile {
	return &fstest.MapFile{Data: fmt.Appendf(nil, "-- %s\n--\n-- Revision: %s\n-- Revises: %s\n\n-- +upgrade\nSELECT 1;\n\n-- +downgrade\nSELECT 2;\n", msg, id, revises)}
}

func TestLoadDir(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"b2_second.sql":      revFile("b2", "a1", "second"),
		"a1_first.sql":       revFile("a1", "", "first"),
		"README.md":          {Data: []byte("not a revision")},
		"notes.sql.bak":      {Data: []byte("-- junk")},
		"sub/c3_nested.sql":  revFile("c3", "b2", "nested, ignored"),
		"dir.sql/inside.sql": revFile("d4", "", "a directory named .sql"),
	}
	revs, err := LoadDir(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range revs {
		got = append(got, r.Path+"="+r.ID)
	}
	want := []string{"a1_first.sql=a1", "b2_second.sql=b2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadDir (-want +got):\n%s", diff)
	}

	fsys["c9_again.sql"] = revFile("a1", "", "same id")
	_, err = LoadDir(fsys)
	var dup *DuplicateIDError
	if !errors.As(err, &dup) {
		t.Fatalf("duplicate id: got %v, want *DuplicateIDError", err)
	}
	const wantDup = `revision a1 is declared by two files, a1_first.sql and c9_again.sql: every revision needs its own id; give one of them a new id ("retort revision" makes one) and fix the Revises lines that name it`
	if err.Error() != wantDup {
		t.Errorf("error\n got: %s\nwant: %s", err, wantDup)
	}

	delete(fsys, "c9_again.sql")
	fsys["c0_bad.sql"] = &fstest.MapFile{Data: []byte("-- bad\n-- Revision: c0\n-- Revises: a1\n-- Oops: x\n")}
	_, err = LoadDir(fsys)
	const wantParse = `c0_bad.sql:4: unknown header key "Oops": the keys are Revision, Revises, Branch, Depends-On, Replaces, Transaction, Created`
	if err == nil || err.Error() != wantParse {
		t.Errorf("parse error\n got: %v\nwant: %s", err, wantParse)
	}
}

func TestLoadDirOS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, f := range map[string]*fstest.MapFile{"a1_first.sql": revFile("a1", "", "first"), "b2_second.sql": revFile("b2", "a1", "second")} {
		if err := os.WriteFile(dir+"/"+name, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	revs, err := LoadDir(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].ID != "a1" || revs[1].ID != "b2" || revs[1].Revises[0] != "a1" {
		t.Errorf("LoadDir(os.DirFS) = %v", revs)
	}
	if _, err := LoadDir(os.DirFS(dir + "/missing")); err == nil || !strings.HasPrefix(err.Error(), "load revisions: ") {
		t.Errorf("missing dir: got %v", err)
	}
}

// GenerateDir returns n revision files in a MapFS: a linear chain.
func generateDir(n int) fstest.MapFS {
	fsys := make(fstest.MapFS, n)
	prev := ""
	for i := range n {
		id := fmt.Sprintf("%012x", i+1)
		fsys[fmt.Sprintf("%s_step_%d.sql", id, i)] = &fstest.MapFile{Data: fmt.Appendf(nil,
			"-- step %d\n--\n-- Revision: %s\n-- Revises: %s\n-- Created: 2026-11-21 19:05:02 UTC\n\n-- +upgrade\nCREATE TABLE t%d (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(80) NOT NULL\n);\n\n-- +downgrade\nDROP TABLE t%d;\n",
			i, id, prev, i, i)}
		prev = id
	}
	return fsys
}

func BenchmarkLoadDir(b *testing.B) {
	fsys := generateDir(10000)
	b.ReportAllocs()
	for b.Loop() {
		revs, err := LoadDir(fsys)
		if err != nil || len(revs) != 10000 {
			b.Fatal(err, len(revs))
		}
	}
}

func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/student.sql"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("-- m\n-- Revision: a\n-- Revises: b, c\n-- Branch: x\n-- Depends-On: d\n-- Transaction: none\n-- +upgrade\nSELECT 1;\n-- +downgrade irreversible\n"))
	f.Add([]byte("--\r\n-- Revision: a\r\n-- +upgrade\r\n\r\n"))
	f.Add([]byte("-- squashed\n-- Revision: s\n-- Revises: p\n-- Replaces: a, b,c\n-- +upgrade\nCREATE TABLE t (id int);\n-- +downgrade\nDROP TABLE t;\n"))
	f.Add([]byte("-- m\n-- Revision: a\n-- +upgrade\nINSERT INTO t VALUES (1);\n-- +downgrade none\n-- nothing to revert\n"))
	f.Add([]byte("-- -- m\n--Revision:a\n\n-- c\n-- +upgrade\n-- +downgrade\n  \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("f.sql", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		text := Format(r)
		again, err := Parse("f.sql", text)
		if err != nil {
			t.Fatalf("re-parse of Format: %v\ninput %q\nformatted %q", err, data, text)
		}
		if diff := cmp.Diff(r, again, fieldsOnly); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s\ninput %q\nformatted %q", diff, data, text)
		}
		if !bytes.Equal(Format(again), text) {
			t.Fatalf("Format is not stable for %q", data)
		}
	})
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := &Revision{ID: "9f02447faa7d", Message: "Create student table", Created: time.Date(2026, 11, 21, 19, 5, 2, 0, time.UTC),
		Up: Section{SQL: "CREATE TABLE s (id int);\n", Present: true}, Down: Section{SQL: "DROP TABLE s;\n", Present: true}}
	path, err := Write(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + "/9f02447faa7d_create_student_table.sql"; path != want {
		t.Errorf("path = %s, want %s", path, want)
	}
	revs, err := LoadDir(os.DirFS(dir))
	if err != nil || len(revs) != 1 {
		t.Fatalf("LoadDir after Write: %v, %d revisions", err, len(revs))
	}
	if diff := cmp.Diff(r, revs[0], cmpopts.EquateEmpty(), cmpopts.IgnoreFields(Section{}, "Line")); diff != "" {
		t.Errorf("written revision (-want +got):\n%s", diff)
	}
	// A second write of the same revision does not overwrite.
	if _, err := Write(dir, r); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Write: %v, want fs.ErrExist", err)
	}
	if _, err := Write(dir, &Revision{ID: "a-b"}); err == nil || err.Error() != `write revision: revision id "a-b": ids use only letters, digits and '_'` {
		t.Errorf("bad id: %v", err)
	}
}

// TestParseDowngradeNone reads "-- +downgrade none", a downgrade with
// nothing to revert on purpose, and writes it back.
func TestParseDowngradeNone(t *testing.T) {
	src := "-- fill\n-- Revision: f1\n-- Revises:\n\n-- +upgrade\nINSERT INTO t VALUES (1);\n\n-- +downgrade none\n"
	r, err := Parse("f1.sql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Section{Line: 9, Present: true, None: true}); r.Down != want {
		t.Errorf("Down = %+v, want %+v", r.Down, want)
	}
	if got := string(Format(r)); !strings.Contains(got, "\n-- +downgrade none\n") {
		t.Errorf("Format lost the marker:\n%s", got)
	}
	if _, err := Parse("f1.sql", []byte(strings.Replace(src, "none", "nothing", 1))); err == nil || !strings.Contains(err.Error(), `"-- +downgrade none"`) {
		t.Errorf("a misspelt marker: %v; want the error to name -- +downgrade none", err)
	}
}

// TestParseUTF16 refuses UTF-16 files as not UTF-8 instead of reporting a
// missing header.
func TestParseUTF16(t *testing.T) {
	utf16le := func(s string) []byte {
		out := []byte{0xff, 0xfe}
		for _, c := range []byte(s) {
			out = append(out, c, 0)
		}
		return out
	}
	src := "-- m\n-- Revision: a\n-- +upgrade\nSELECT 1;\n"
	for name, data := range map[string][]byte{
		"le bom": utf16le(src),
		"be bom": append([]byte{0xfe, 0xff}, 0, '-'),
		"no bom": utf16le(src)[2:],
	} {
		_, err := Parse("f.sql", data)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 1 || !strings.Contains(err.Error(), "not UTF-8: retort reads revision files as UTF-8; save it as UTF-8") {
			t.Errorf("%s: %v; want a ParseError at line 1 saying it is not UTF-8", name, err)
		}
	}
}

// TestLoadDirInvalidUTF8Name refuses a revision file whose name is not
// valid UTF-8, naming it with its bytes escaped.
func TestLoadDirInvalidUTF8Name(t *testing.T) {
	dir := t.TempDir()
	name := "0002_caf\xe9.sql"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("-- m\n-- Revision: a\n-- +upgrade\n"), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	_, err := LoadDir(DirFS(dir))
	if err == nil || !strings.Contains(err.Error(), `the file name "0002_caf\xe9.sql" is not valid UTF-8`) || !strings.Contains(err.Error(), "rename it") {
		t.Errorf("LoadDir: %v; want the name, escaped, and what to do", err)
	}
}
