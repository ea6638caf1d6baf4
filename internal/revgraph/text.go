package revgraph

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Mermaid writes v as a Mermaid flowchart, for READMEs and pull requests
// (GitHub and GitLab render it): bottom to top, so that the newest
// revisions are on top; Depends-On edges dotted; heads, bases, ghosts,
// applied and current revisions in classes of their own
// (writeMermaidClasses).
func Mermaid(w io.Writer, v *View) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "flowchart BT")
	for _, n := range v.Nodes {
		fmt.Fprintf(b, "  r_%s[\"%s\"]\n", n.ID, mermaidLabel(n))
	}
	for _, e := range v.Edges {
		arrow := "-->"
		if e.DependsOn {
			arrow = "-. depends on .->"
		}
		fmt.Fprintf(b, "  r_%s %s r_%s\n", e.From, arrow, e.To)
	}
	writeMermaidClasses(b, v)
	return b.Flush()
}

// mermaidLabel is a node's label: its id, message (not for a ghost) and
// marks, one a line.
func mermaidLabel(n *Node) string {
	label := n.ID
	if n.Message != "" && !n.Ghost {
		label += "<br/>" + mermaidText(n.Message)
	}
	if m := n.marks(); len(m) > 0 {
		label += "<br/>" + mermaidText(strings.Join(m, " "))
	}
	return label
}

// mermaidClasses are the node classes Mermaid draws, in the order they
// are written (a later class's style wins), with who is in each.
var mermaidClasses = []struct {
	name, style string
	has         func(v *View, n *Node) bool
}{
	{"head", "stroke-width:3px", func(_ *View, n *Node) bool { return n.Head && !n.Ghost }},
	{"base", "stroke:#1565c0,stroke-width:2px", func(_ *View, n *Node) bool { return n.Base && !n.Ghost }},
	{"ghost", "fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#777", func(_ *View, n *Node) bool { return n.Ghost }},
	{"pending", "fill:#ffffff,stroke:#888", func(v *View, n *Node) bool { return v.Database && !n.Applied && !n.Ghost }},
	{"applied", "fill:#c8e6c9,stroke:#2e7d32", func(_ *View, n *Node) bool { return n.Applied && !n.Current }},
	{"current", "fill:#2e7d32,stroke:#1b5e20,color:#ffffff,stroke-width:3px", func(_ *View, n *Node) bool { return n.Current }},
}

// writeMermaidClasses writes each class that has nodes, and its nodes.
func writeMermaidClasses(b *bufio.Writer, v *View) {
	for _, c := range mermaidClasses {
		var ids []string
		for _, n := range v.Nodes {
			if c.has(v, n) {
				ids = append(ids, "r_"+n.ID)
			}
		}
		if len(ids) == 0 {
			continue
		}
		fmt.Fprintf(b, "  classDef %s %s\n", c.name, c.style)
		fmt.Fprintf(b, "  class %s %s\n", strings.Join(ids, ","), c.name)
	}
}

// mermaidText escapes text for a quoted Mermaid label with its entity
// codes, so that quotes, brackets and markup in a message stay text.
func mermaidText(s string) string {
	return strings.NewReplacer(
		"#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;",
		"`", "#96;", "\n", " ",
	).Replace(s)
}

// DOT writes v as a Graphviz digraph (rankdir BT: the newest revisions
// on top), for "dot -Tsvg" and other Graphviz tools.
func DOT(w io.Writer, v *View) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "digraph revisions {")
	fmt.Fprintln(b, "  rankdir=BT;")
	fmt.Fprintln(b, `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica"];`)
	for _, n := range v.Nodes {
		label := n.ID
		if n.Message != "" && !n.Ghost {
			label += "\n" + n.Message
		}
		if m := n.marks(); len(m) > 0 {
			label += "\n" + strings.Join(m, " ")
		}
		attrs := []string{"label=" + dotQuote(label)}
		attrs = append(attrs, dotStyle(v, n)...)
		fmt.Fprintf(b, "  %s [%s];\n", dotQuote(n.ID), strings.Join(attrs, ", "))
	}
	for _, e := range v.Edges {
		attr := ""
		if e.DependsOn {
			attr = ` [style=dashed, label="depends on"]`
		}
		fmt.Fprintf(b, "  %s -> %s%s;\n", dotQuote(e.From), dotQuote(e.To), attr)
	}
	fmt.Fprintln(b, "}")
	return b.Flush()
}

// dotStyle is a node's attributes beyond its label.
func dotStyle(v *View, n *Node) []string {
	var a []string
	switch {
	case n.Ghost:
		a = append(a, `style="rounded,dashed,filled"`, `fillcolor="#f4f4f4"`, `fontcolor="#777777"`)
	case n.Current:
		a = append(a, `fillcolor="#2e7d32"`, `fontcolor="#ffffff"`)
	case n.Applied:
		a = append(a, `fillcolor="#c8e6c9"`)
	}
	if n.Head && !n.Ghost || n.Current {
		a = append(a, "penwidth=2.5")
	}
	return a
}

// dotQuote is s as a DOT quoted string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
