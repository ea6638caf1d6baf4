package revgraph

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// SVG geometry, in pixels.
const (
	rowHeight  = 24  // one revision per row
	laneWidth  = 18  // one column per branch line
	marginLeft = 34  // room for the Depends-On arcs left of lane 0
	marginTop  = 44  // the title and legend
	nodeRadius = 5   //
	charWidth  = 7.2 // of the 12px monospace text, for the width
	maxMessage = 90  // characters of a message drawn; the rest is in the tooltip
)

// layout places each revision on a row (newest first, as history lists
// them) and a lane, as "git log --graph" does: a line runs from a revision
// straight down to its first parent, a branch point takes the leftmost of
// the lines that reach it and closes the others, and a merge's further
// parents join a line already running to them or open a lane.
type layout struct {
	row, lane map[string]int
	// via is the lane a Revises edge runs in between its two rows.
	via   map[Edge]int
	lanes int
}

// place lays v out, newest first: each revision takes the lane of the
// lines that run to it (claimLane), then its parents' lines leave it
// (placeParents).
func place(v *View) *layout {
	l := &layout{row: map[string]int{}, lane: map[string]int{}, via: map[Edge]int{}}
	parents := map[string][]string{}
	for _, e := range v.Edges {
		if !e.DependsOn {
			parents[e.To] = append(parents[e.To], e.From)
		}
	}
	var active []string // lane -> the revision the line in it runs to
	for i := range v.Nodes {
		n := v.Nodes[len(v.Nodes)-1-i]
		mine := claimLane(&active, n.ID)
		l.row[n.ID], l.lane[n.ID] = i, mine
		l.placeParents(&active, n.ID, mine, parents[n.ID])
		l.lanes = max(l.lanes, len(active))
	}
	return l
}

// claimLane closes every line that runs to id and returns the leftmost of
// them, or a free lane when none does.
func claimLane(active *[]string, id string) int {
	mine := -1
	for k, want := range *active {
		if want == id {
			if mine < 0 {
				mine = k
			}
			(*active)[k] = ""
		}
	}
	if mine < 0 {
		mine = freeLane(active)
	}
	return mine
}

// placeParents gives each Revises edge of id (in lane mine) its lane: the
// first parent goes straight down, even when another line already runs
// to it (the lines meet at its row, in the leftmost lane); a further
// parent joins a line already running to it, or opens a lane.
func (l *layout) placeParents(active *[]string, id string, mine int, parents []string) {
	for k, p := range parents {
		e := Edge{From: p, To: id}
		at := indexOf(*active, p)
		switch {
		case k == 0 && (*active)[mine] == "":
			at = mine
		case at >= 0:
			l.via[e] = at
			continue
		default:
			at = freeLane(active)
		}
		(*active)[at] = p
		l.via[e] = at
	}
}

// freeLane returns the first free lane, adding one when none is.
func freeLane(active *[]string) int {
	for k, want := range *active {
		if want == "" {
			return k
		}
	}
	*active = append(*active, "")
	return len(*active) - 1
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

func laneX(lane int) float64 { return float64(marginLeft + lane*laneWidth) }
func rowY(row int) float64   { return float64(marginTop + row*rowHeight + rowHeight/2) }

// svgStyle keeps the file self-contained: no fonts or sheets to fetch.
const svgStyle = `
  text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; fill: #222; }
  .title { font-size: 14px; font-weight: bold; }
  .legend { fill: #555; }
  .id { font-weight: bold; fill: #0d47a1; }
  .mark { fill: #6a1b9a; }
  .cur { fill: #1b5e20; font-weight: bold; }
  .ghost text, text.ghost { fill: #888; }
  path.rev { fill: none; stroke: #546e7a; stroke-width: 2; }
  path.dep { fill: none; stroke: #ef6c00; stroke-width: 1.5; stroke-dasharray: 5 4; }
  circle { stroke: #37474f; stroke-width: 2; fill: #90a4ae; }
  circle.pending { fill: #ffffff; }
  circle.applied { fill: #66bb6a; stroke: #2e7d32; }
  circle.current { fill: #1b5e20; stroke: #000; stroke-width: 3; }
  circle.ghost { fill: #ffffff; stroke: #aaa; stroke-dasharray: 2 2; }
  rect.current { fill: #e8f5e9; }
  rect.head { fill: #fff8e1; }
`

// SVG writes v as a self-contained SVG drawing: one revision per row,
// newest on top, branch lines in lanes on the left, the id, message and
// marks (labels, head, base, mergepoint, current) on the right; with a
// database, applied revisions filled green and the current ones dark
// with a highlighted row. Each revision is a <g id="rev-ID"> with a
// <title> tooltip holding its full message.
func SVG(w io.Writer, v *View) error {
	l := place(v)
	textX := laneX(l.lanes) + 8
	// Wide enough for the legend line too.
	width := 8 + charWidth*float64(len(legend(v))) + 20
	for _, n := range v.Nodes {
		width = max(width, textX+charWidth*float64(utf8.RuneCountInString(rowText(n)))+20)
	}
	height := float64(marginTop + len(v.Nodes)*rowHeight + 12)
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`+"\n", width, height, width, height)
	fmt.Fprintf(b, "<style>%s</style>\n", svgStyle)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	fmt.Fprintf(b, `<text class="title" x="8" y="18">retort revisions (%d, newest first)</text>`+"\n", len(v.Nodes))
	fmt.Fprintf(b, `<text class="legend" x="8" y="34">%s</text>`+"\n", esc(legend(v)))
	for _, n := range v.Nodes {
		if n.Current || n.Head && !n.Ghost {
			class := "head"
			if n.Current {
				class = "current"
			}
			fmt.Fprintf(b, `<rect class="%s" x="0" y="%.0f" width="%.0f" height="%d"/>`+"\n", class, rowY(l.row[n.ID])-rowHeight/2, width, rowHeight)
		}
	}
	writeEdges(b, v, l)
	for _, n := range v.Nodes {
		writeNode(b, v, l, n, textX)
	}
	fmt.Fprintln(b, "</svg>")
	return b.Flush()
}

func legend(v *View) string {
	s := "solid: Revises, dashed: Depends-On"
	if v.Database {
		s += "; filled green: applied, white: pending, dark: current"
	}
	return s
}

// writeEdges draws each Revises edge down its lane, and each Depends-On
// edge as a dashed arc left of the lanes.
func writeEdges(b *bufio.Writer, v *View, l *layout) {
	arc := 0
	for _, e := range v.Edges {
		from, to := e.To, e.From // drawn from the child down to its parent
		x1, y1 := laneX(l.lane[from]), rowY(l.row[from])
		x2, y2 := laneX(l.lane[to]), rowY(l.row[to])
		if e.DependsOn {
			// Both control points at one x left of lane 0: the arc's
			// leftmost point is a quarter of the way from the lane to
			// it, inside the margin; three depths keep arcs apart.
			c := 2 + float64(arc%3)*8
			arc++
			fmt.Fprintf(b, `<path class="dep" d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f"><title>%s depends on %s</title></path>`+"\n",
				x1, y1, c, y1, c, y2, x2, y2, esc(from), esc(to))
			continue
		}
		xv := laneX(l.via[e])
		half := float64(rowHeight) / 2
		fmt.Fprintf(b, `<path class="rev" d="M%.1f %.1f L%.1f %.1f L%.1f %.1f L%.1f %.1f"/>`+"\n",
			x1, y1, xv, y1+half, xv, y2-half, x2, y2)
	}
}

// rowText is the text drawn right of the lanes.
func rowText(n *Node) string {
	msg := n.Message
	if utf8.RuneCountInString(msg) > maxMessage {
		msg = string([]rune(msg)[:maxMessage-1]) + "…"
	}
	return strings.Join(append([]string{n.ID, msg}, n.marks()...), "  ")
}

// writeNode draws a revision: its circle, in its state's class
// (nodeClass), and its text (writeNodeText), in a group with a tooltip.
func writeNode(b *bufio.Writer, v *View, l *layout, n *Node, textX float64) {
	x, y := laneX(l.lane[n.ID]), rowY(l.row[n.ID])
	r := nodeRadius
	if n.Current || n.Merge {
		r++
	}
	fmt.Fprintf(b, `<g id="rev-%s"><title>%s</title>`, esc(n.ID), esc(strings.TrimSpace(n.ID+" "+n.Message)))
	fmt.Fprintf(b, `<circle class="%s" cx="%.1f" cy="%.1f" r="%d"/>`, nodeClass(v, n), x, y, r)
	writeNodeText(b, n, textX, y)
	fmt.Fprintln(b, "</text></g>")
}

// nodeClass is the class of a revision's circle: ghost, current, applied,
// or pending when the database was read.
func nodeClass(v *View, n *Node) string {
	switch {
	case n.Ghost:
		return "ghost"
	case n.Current:
		return "current"
	case n.Applied:
		return "applied"
	case v.Database:
		return "pending"
	}
	return ""
}

// writeNodeText writes a revision's text at y: its id, its message cut to
// maxMessage characters, and its marks; the caller closes the element.
func writeNodeText(b *bufio.Writer, n *Node, textX, y float64) {
	msg := []rune(n.Message)
	if len(msg) > maxMessage {
		msg = append(msg[:maxMessage-1], '…')
	}
	textClass := ""
	if n.Ghost {
		textClass = ` class="ghost"`
	}
	fmt.Fprintf(b, `<text%s x="%.1f" y="%.1f"><tspan class="id">%s</tspan>  %s`, textClass, textX, y+4, esc(n.ID), esc(string(msg)))
	for _, m := range n.marks() {
		c := "mark"
		if m == "(current)" {
			c = "cur"
		}
		fmt.Fprintf(b, `  <tspan class="%s">%s</tspan>`, c, esc(m))
	}
}

// esc escapes text for XML.
func esc(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s))
	return sb.String()
}
