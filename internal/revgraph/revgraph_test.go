package revgraph

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func rev(id, msg string, parents ...string) *script.Revision {
	return &script.Revision{ID: id, Message: msg, Revises: parents}
}

// sample has a branch point, a labelled branch, a merge, a second head and
// a Depends-On edge, and a message that needs escaping in every format.
func sample(t *testing.T) *revision.Graph {
	t.Helper()
	cc := rev("cc0000000001", `report "totals" <q1> & #1`, "aa0000000001")
	cc.Branches = []string{"reporting"}
	ee := rev("ee0000000001", "backfill", "dd0000000001")
	ee.DependsOn = []string{"ff0000000001"}
	g, err := revision.New([]*script.Revision{
		rev("aa0000000001", "create users"),
		rev("bb0000000001", "add email", "aa0000000001"),
		cc,
		rev("dd0000000001", "merge", "bb0000000001", "cc0000000001"),
		ee,
		rev("ff0000000001", "audit table", "aa0000000001"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGolden(t *testing.T) {
	g := sample(t)
	since, err := g.History("dd0000000001", "")
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]Options{
		"full":    {},
		"applied": {Database: true, Applied: []string{"aa0000000001", "bb0000000001", "cc0000000001"}, Current: []string{"bb0000000001", "cc0000000001"}},
		"since":   {Only: since},
	}
	for name, opts := range views {
		v := Build(g, opts)
		for ext, draw := range map[string]func(io.Writer, *View) error{"mmd": Mermaid, "dot": DOT} {
			var b bytes.Buffer
			if err := draw(&b, v); err != nil {
				t.Fatal(err)
			}
			golden(t, name+"."+ext, b.Bytes())
		}
	}
}

func TestBuildMarks(t *testing.T) {
	g := sample(t)
	branch, err := g.Branch("reporting")
	if err != nil {
		t.Fatal(err)
	}
	v := Build(g, Options{Only: branch})
	var got []string
	for _, n := range v.Nodes {
		got = append(got, fmt.Sprintf("%s%v", n.ID, n.marks()))
	}
	// The branch is cc (its label) and its descendants; aa is the parent
	// outside it, bb the merge's other parent, ff ee's dependency.
	if len(got) == 0 || got[0] != "aa0000000001[(not in this part)]" {
		t.Fatalf("nodes %v, want aa0000000001, outside the part, first", got)
	}
	seen := map[string]bool{}
	for _, n := range v.Nodes {
		seen[n.ID] = true
		if n.ID == "dd0000000001" && (!n.Merge || n.Ghost) {
			t.Errorf("dd: %+v, want a merge in the part", n)
		}
		if n.ID == "ff0000000001" && !n.Ghost {
			t.Errorf("ff: %+v, want a ghost (the dependency of ee)", n)
		}
		if n.ID == "cc0000000001" && n.Head {
			t.Errorf("cc has a child: not a head")
		}
	}
	for _, id := range []string{"bb0000000001", "cc0000000001", "dd0000000001", "ff0000000001"} {
		if !seen[id] {
			t.Errorf("%s is not drawn; nodes %v", id, got)
		}
	}
}

// checkSVG parses the drawing with encoding/xml and checks that every
// revision has its group and its id in a text.
func checkSVG(t *testing.T, data []byte, ids []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	groups := map[string]bool{}
	texts := map[string]bool{}
	var inText bool
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "text" {
				inText = true
			}
			for _, a := range el.Attr {
				if el.Name.Local == "g" && a.Name.Local == "id" {
					groups[strings.TrimPrefix(a.Value, "rev-")] = true
				}
			}
		case xml.EndElement:
			if el.Name.Local == "text" {
				inText = false
			}
		case xml.CharData:
			if inText {
				texts[strings.TrimSpace(string(el))] = true
			}
		}
	}
	for _, id := range ids {
		if !groups[id] || !texts[id] {
			t.Errorf("revision %s: group %v, text %v", id, groups[id], texts[id])
		}
	}
}

func TestSVGWellFormed(t *testing.T) {
	g := sample(t)
	var b bytes.Buffer
	if err := SVG(&b, Build(g, Options{Database: true, Applied: []string{"aa0000000001"}, Current: []string{"aa0000000001"}})); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range g.Revisions() {
		ids = append(ids, r.ID)
	}
	checkSVG(t, b.Bytes(), ids)
	if !strings.Contains(b.String(), "report &#34;totals&#34; &lt;q1&gt; &amp; #1") {
		t.Errorf("message not escaped:\n%s", b.String())
	}
	if !strings.Contains(b.String(), `class="dep"`) {
		t.Errorf("no dashed Depends-On edge")
	}
}

// big is a 500-revision history as teams make it: mostly a line, with
// short feature branches merged back and a few Depends-On edges.
func big(t testing.TB, n int) *revision.Graph {
	var revs []*script.Revision
	id := func(i int) string { return fmt.Sprintf("r%011d", i) }
	prev := ""
	for i := 0; i < n; i++ {
		var r *script.Revision
		switch {
		case prev == "":
			r = rev(id(i), "initial schema")
		case i%25 == 3 && i+2 < n:
			// A branch of two revisions beside the main line, merged at i+2.
			r = rev(id(i), fmt.Sprintf("feature %d: add table", i), prev)
			side := rev(id(i+1), fmt.Sprintf("hotfix %d on the main line", i+1), prev)
			merge := rev(id(i+2), "merge feature and hotfix", id(i), id(i+1))
			revs = append(revs, r, side, merge)
			prev, i = merge.ID, i+2
			continue
		default:
			r = rev(id(i), fmt.Sprintf("change %d: alter column of a table with a fairly long message", i), prev)
		}
		if i%40 == 17 {
			r.DependsOn = []string{id(i - 10)}
		}
		revs = append(revs, r)
		prev = r.ID
	}
	g, err := revision.New(revs)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSVGLarge draws 500 revisions: the drawing stays a few lanes wide
// (readable), well-formed, and names every revision. RETORT_GRAPH_SVG=FILE
// keeps the drawing, to look at in a browser.
func TestSVGLarge(t *testing.T) {
	g := big(t, 500)
	var applied []string
	for _, r := range g.Revisions()[:300] {
		applied = append(applied, r.ID)
	}
	v := Build(g, Options{Database: true, Applied: applied, Current: applied[len(applied)-1:]})
	if l := place(v); l.lanes > 3 {
		t.Errorf("%d lanes for a history with two-revision branches: want at most 3", l.lanes)
	}
	var b bytes.Buffer
	if err := SVG(&b, v); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range g.Revisions() {
		ids = append(ids, r.ID)
	}
	checkSVG(t, b.Bytes(), ids)
	if f := os.Getenv("RETORT_GRAPH_SVG"); f != "" {
		if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLayoutLanes pins the lane rules: a branch point closes its second
// child's lane, a merge opens one for its second parent.
func TestLayoutLanes(t *testing.T) {
	l := place(Build(sample(t), Options{}))
	got := fmt.Sprint(l.lane["ee0000000001"], l.lane["dd0000000001"], l.lane["bb0000000001"], l.lane["cc0000000001"], l.lane["ff0000000001"], l.lane["aa0000000001"])
	// Rows, newest first: ee (a head, lane 0; it depends on ff, so it
	// comes after it), ff (head, lane 1, a line to aa), dd (lane 0, opens
	// lane 2 for cc), cc (lane 2, straight down to aa), bb, aa (lane 0,
	// where the three lines meet).
	if got != "0 0 0 2 1 0" {
		t.Errorf("lanes ee dd bb cc ff aa = %s", got)
	}
}
