package cli

import (
	"bytes"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/revgraph"
	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

func (a *app) graphCommand() *cobra.Command {
	var format, since, branch, out string
	var indicate bool
	cmd := &cobra.Command{
		Use:   "graph [--format mermaid|dot|svg]",
		Short: "Draw the revision graph as Mermaid, Graphviz DOT or SVG",
		Long: `Draws the revisions, newest on top: id and message, branches and merges,
Depends-On edges dashed, branch labels, heads and bases marked.

--format mermaid (the default) is a flowchart for READMEs and pull requests;
dot is for Graphviz; svg is drawn by retort itself, one revision per row with
the branch lines on the left, and needs nothing else to view.

-i reads the database: applied revisions are filled green and the ones it is
at marked current. --since REV draws REV and what comes after it, --branch
LABEL the revisions of one branch (as LABEL@head sees it); the parents just
outside the part drawn are shown greyed. -o FILE writes to a file.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			draw, ok := map[string]func(*bytes.Buffer, *revgraph.View) error{
				"mermaid": func(b *bytes.Buffer, v *revgraph.View) error { return revgraph.Mermaid(b, v) },
				"dot":     func(b *bytes.Buffer, v *revgraph.View) error { return revgraph.DOT(b, v) },
				"svg":     func(b *bytes.Buffer, v *revgraph.View) error { return revgraph.SVG(b, v) },
			}[format]
			if !ok {
				return usagef("--format: %q is not one of mermaid, dot, svg", format)
			}
			if err := noEmptyFlags(cmd, "since", "branch", "output"); err != nil {
				return err
			}
			s, err := a.open(cmd.Context(), indicate)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			opts := revgraph.Options{Database: indicate}
			if opts.Only, err = graphPart(g, since, branch); err != nil {
				return err
			}
			if indicate {
				st, err := s.m.Status(cmd.Context())
				if err != nil {
					return err
				}
				opts.Current = st.Current
				for _, r := range st.Applied {
					opts.Applied = append(opts.Applied, r.Revision)
				}
			}
			var buf bytes.Buffer
			if err := draw(&buf, revgraph.Build(g, opts)); err != nil {
				return err
			}
			if out == "" {
				_, err := a.stdout.Write(buf.Bytes())
				return err
			}
			if err := os.WriteFile(a.path(out), buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("graph: %w", err)
			}
			a.progressf("Writing %s ... done\n", a.rel(a.path(out)))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "mermaid", "mermaid, dot or svg")
	cmd.Flags().StringVar(&since, "since", "", "draw only `REV` and the revisions after it")
	cmd.Flags().StringVar(&branch, "branch", "", "draw only the revisions of branch `LABEL`")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of standard output")
	cmd.Flags().BoolVarP(&indicate, "indicate-current", "i", false, "read the database: mark applied revisions and the current ones")
	return cmd
}

// graphPart is the revisions --since and --branch select (both: those
// in both), or nil for all.
func graphPart(g *revision.Graph, since, branch string) ([]*script.Revision, error) {
	var part []*script.Revision
	if since != "" {
		revs, err := g.History(since, "")
		if err != nil {
			return nil, fmt.Errorf("--since: %w", err)
		}
		part = revs
	}
	if branch != "" {
		revs, err := g.Branch(branch)
		if err != nil {
			return nil, fmt.Errorf("--branch: %w", err)
		}
		if since != "" {
			revs = slices.DeleteFunc(revs, func(r *script.Revision) bool { return !slices.Contains(part, r) })
		}
		part = revs
	}
	if part != nil && len(part) == 0 {
		return nil, fmt.Errorf("--since %s --branch %s: no revision is in both", since, branch)
	}
	return part, nil
}
