package script

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sumRev(id string, parents ...string) *Revision {
	return &Revision{ID: id, Revises: parents, Path: id + "_x.sql", Checksum: Checksum([]byte(id + strings.Join(parents, ",")))}
}

func entryIDs(s *Sum) string {
	var ids []string
	for _, e := range s.Entries {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, " ")
}

func TestSumOrderParentsFirstDepthFirst(t *testing.T) {
	// File order is by id; the sum puts each subtree after its parent.
	revs := []*Revision{
		sumRev("a"), sumRev("b", "a"), sumRev("c", "a"), sumRev("d", "b"), sumRev("m", "d", "c"), sumRev("z"),
	}
	if got, want := entryIDs(NewSum(revs)), "a b d c m z"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
	// A child listed before its parent in file order still follows it.
	revs = []*Revision{sumRev("a", "b"), sumRev("b")}
	if got, want := entryIDs(NewSum(revs)), "b a"; got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}

// Two branches that each add a revision on the same head insert their
// line at the same place and change the first line: git cannot merge
// them without a conflict.
func TestSumSameParentEditsSameLines(t *testing.T) {
	base := []*Revision{sumRev("a"), sumRev("b", "a")}
	ours := strings.Split(string(NewSum(append(base[:2:2], sumRev("c", "b"))).Format()), "\n")
	theirs := strings.Split(string(NewSum(append(base[:2:2], sumRev("d", "b"))).Format()), "\n")
	orig := strings.Split(string(NewSum(base).Format()), "\n")
	if ours[0] == orig[0] || theirs[0] == orig[0] || ours[0] == theirs[0] {
		t.Fatalf("first lines do not all differ: %q %q %q", orig[0], ours[0], theirs[0])
	}
	if len(ours) != len(theirs) || ours[3] == theirs[3] || !strings.HasPrefix(ours[3], "c ") || !strings.HasPrefix(theirs[3], "d ") {
		t.Fatalf("new lines not at the same place:\n%s\n--\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
}

func TestSumRoundTripAndCheck(t *testing.T) {
	revs := []*Revision{sumRev("a"), sumRev("b", "a"), sumRev("c", "b")}
	data := NewSum(revs).Format()
	s, err := ParseSum("migrations/retort.sum", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check("migrations/retort.sum", revs); err != nil {
		t.Fatalf("unchanged revisions: %v", err)
	}
	edited := *revs[1]
	edited.Checksum = Checksum([]byte("other"))
	changed := []*Revision{revs[0], &edited, sumRev("d", "c")}
	err = s.Check("migrations/retort.sum", changed)
	var me *SumMismatchError
	if !errors.As(err, &me) {
		t.Fatalf("got %v, want *SumMismatchError", err)
	}
	if strings.Join(me.Added, ",") != "d_x.sql" || strings.Join(me.Edited, ",") != "b_x.sql" || strings.Join(me.Removed, ",") != "c" || me.HashMismatch {
		t.Fatalf("mismatch %+v", me)
	}
	for _, want := range []string{"d_x.sql was added without retort", "b_x.sql was edited", "revision c was removed", "retort sum --write"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// Parents changed with the same checksum (cannot happen through a
	// file, but the sum says what it recorded) is an edit too.
	moved := *revs[2]
	moved.Revises = []string{"a"}
	if err := s.Check("x", []*Revision{revs[0], revs[1], &moved}); !errors.As(err, &me) || len(me.Edited) != 1 {
		t.Fatalf("moved parent: %v", err)
	}
}

func TestSumHandEdited(t *testing.T) {
	revs := []*Revision{sumRev("a"), sumRev("b", "a")}
	data := string(NewSum(revs).Format())
	// A line dropped by hand: the hash no longer matches the lines.
	lines := strings.Split(data, "\n")
	hand := strings.Join(append(lines[:2:2], lines[3:]...), "\n")
	s, err := ParseSum("retort.sum", []byte(hand))
	if err != nil {
		t.Fatal(err)
	}
	err = s.Check("retort.sum", revs[:1])
	var me *SumMismatchError
	if !errors.As(err, &me) || !me.HashMismatch {
		t.Fatalf("got %v, want a hash mismatch", err)
	}
}

func TestParseSumErrors(t *testing.T) {
	good := string(NewSum([]*Revision{sumRev("a")}).Format())
	for _, tc := range []struct {
		name, data, want string
		line             int
		conflict         bool
	}{
		{"empty", "", "first line", 1, false},
		{"magic", "atlas " + strings.Repeat("0", 64) + "\n", "first line", 1, false},
		{"fields", good + "b a\n", "expected", 3, false},
		{"checksum", good + "b a xyz\n", "expected", 3, false},
		{"duplicate", good + strings.SplitN(good, "\n", 3)[1] + "\n", "listed twice", 3, false},
		{"conflict", "<<<<<<< HEAD\n" + good + "=======\n" + good + ">>>>>>> other\n", "merge conflict", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSum("migrations/retort.sum", []byte(tc.data))
			var pe *SumParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *SumParseError", err)
			}
			if pe.Line != tc.line || pe.Conflict != tc.conflict || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "migrations/retort.sum:") {
				t.Fatalf("got %+v: %v", pe, err)
			}
		})
	}
}

func TestWriteSum(t *testing.T) {
	path := filepath.Join(t.TempDir(), SumFile)
	revs := []*Revision{sumRev("a"), sumRev("b", "a")}
	if err := WriteSum(path, revs); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The hash is SHA-256 over the lines below it, computed here apart
	// from the code under test.
	body := "a - " + revs[0].Checksum + "\nb a " + revs[1].Checksum + "\n"
	sum := sha256.Sum256([]byte(body))
	want := "retort.sum/1 " + hex.EncodeToString(sum[:]) + "\n" + body
	if string(data) != want {
		t.Fatalf("file\n%s\nwant\n%s", data, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left %d files behind", len(entries))
	}
}
