package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/revision"
	"github.com/retortdb/retort/internal/script"
)

func (a *app) commands() []*cobra.Command {
	return []*cobra.Command{
		a.initCommand(),
		a.completeTargetFlags(a.revisionCommand(), "head", "depends-on"),
		a.migrateCommand(),
		a.completeTargetFlags(a.withFleet(a.upgradeCommand(), fleetUpgrade)),
		a.completeTargetFlags(a.withFleet(a.downgradeCommand(), fleetDowngrade)),
		a.withFleet(a.currentCommand(), fleetCurrent),
		a.withFleet(a.statusCommand(), fleetStatus),
		a.completeTargetFlagsOnly(a.historyCommand(), "rev-range"),
		a.headsCommand(),
		a.branchesCommand(),
		a.completeTargetFlags(a.showCommand()),
		a.completeTargetFlags(a.stampCommand()),
		a.completeTargetFlags(a.mergeCommand()),
		a.completeTargetFlagsOnly(a.withFleet(a.verifyCommand(), fleetVerify), "accept"),
		a.completeTargetFlags(a.resolveCommand()),
		a.checkCommand(),
		a.driftCommand(),
		a.inspectCommand(),
		a.importCommand(),
		a.adoptCommand(),
		a.baselineCommand(),
		a.sumCommand(),
		a.completeTargetFlags(a.graphCommand(), "since"),
		a.testCommand(),
		a.completeTargetFlags(a.lintCommand(), "since"),
		a.completeTargetFlags(a.squashCommand()),
	}
}

func (a *app) revisionCommand() *cobra.Command {
	var msg, revID, head, branch string
	var dependsOn []string
	var goRev bool
	cmd := &cobra.Command{
		Use:   "revision -m MESSAGE",
		Short: "Create an empty revision file to write by hand",
		Long: `Creates <dir>/versions/<rev>_<slug>.sql with the header filled in and empty
-- +upgrade and -- +downgrade sections, revising the current head, and prints
its path.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noEmptyFlags(cmd, "head", "depends-on"); err != nil {
				return err
			}
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			var parents []string
			switch head {
			case "base":
			case "", "head":
				heads := g.Heads()
				if len(heads) > 1 {
					return &revisionHeadsError{revision.MultipleHeadsError{Heads: ids(heads)}, a.self()}
				}
				if len(heads) == 1 {
					parents = []string{heads[0].ID}
				}
			default:
				r, err := resolveRev(g, head)
				if err != nil {
					return fmt.Errorf("--head: %w", err)
				}
				parents = []string{r.ID}
			}
			var deps []string
			for _, d := range dependsOn {
				r, err := resolveRev(g, d)
				if err != nil {
					return fmt.Errorf("--depends-on: %w", err)
				}
				deps = append(deps, r.ID)
			}
			var branches []string
			if branch != "" {
				if err := script.CheckLabel(branch); err != nil {
					return usagef("--branch: %v", err)
				}
				if g.ByLabel(branch) != nil {
					return fmt.Errorf("--branch: label %q is already used by revision %s", branch, g.ByLabel(branch).ID)
				}
				branches = []string{branch}
			}
			r := &script.Revision{
				ID: revID, Message: msg, Revises: parents, DependsOn: deps, Branches: branches,
				Up: script.Section{Present: true}, Down: script.Section{Present: true}, Go: goRev,
			}
			if err := a.writeRevision(g, r); err != nil {
				return err
			}
			if goRev {
				a.outf("%s", goSkeleton(r))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&goRev, "go", false, "a Go revision: write its placeholder file (header only, \"Go: true\") and print the retort.GoRevision to register in the application")
	cmd.Flags().StringVarP(&msg, "message", "m", "", "the revision's message (its first header line and file name)")
	cmd.Flags().StringVar(&revID, "rev-id", "", "use this revision id instead of a random one")
	cmd.Flags().StringVar(&head, "head", "", "the revision to revise (default: the single head; with several heads, name one, or join them with merge first; 'base' starts a new root)")
	cmd.Flags().StringVar(&branch, "branch", "", "a branch label for the new revision")
	cmd.Flags().StringSliceVar(&dependsOn, "depends-on", nil, "revisions this one depends on without revising them")
	return cmd
}

// revisionHeadsError is "revision" without --head where the graph has
// several heads: it says how to choose one, or to merge them, in the
// words of this command rather than of a target.
type revisionHeadsError struct {
	revision.MultipleHeadsError
	self string // a.self()
}

func (e *revisionHeadsError) Error() string {
	return fmt.Sprintf("there are %d heads, %s: say which one the new revision revises with --head (a revision id or LABEL@head), or join them first with \"%s merge -m MESSAGE heads\"",
		len(e.Heads), andList(e.Heads), e.self)
}

// andList writes ids as "a, b and c".
func andList(ids []string) string {
	if len(ids) <= 1 {
		return strings.Join(ids, "")
	}
	return strings.Join(ids[:len(ids)-1], ", ") + " and " + ids[len(ids)-1]
}

// Unwrap gives the graph's error, for errors.As and errors.Is.
func (e *revisionHeadsError) Unwrap() error { return &e.MultipleHeadsError }

// writeRevision assigns an id when none is set, writes the file and prints
// its path.
func (a *app) writeRevision(g *revision.Graph, r *script.Revision) error {
	if r.ID == "" {
		id, err := script.NewID()
		if err != nil {
			return err
		}
		r.ID = id
	} else {
		if err := script.CheckID(r.ID); err != nil {
			return usagef("--rev-id: %v", err)
		}
		if g.Get(r.ID) != nil {
			return fmt.Errorf("--rev-id: revision %s already exists (%s)", r.ID, g.Get(r.ID).Path)
		}
	}
	r.Created = time.Now().UTC().Truncate(time.Second)
	path := filepath.Join(a.versionsDir(), script.FileName(r))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write revision: %w", err)
	}
	if _, err := f.Write(script.Format(r)); err != nil {
		f.Close()
		return fmt.Errorf("write revision %s: %w", a.rel(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write revision %s: %w", a.rel(path), err)
	}
	a.outf("Generating %s ... done\n", a.rel(path))
	return a.updateSum()
}

func ids(revs []*script.Revision) []string {
	out := make([]string, len(revs))
	for i, r := range revs {
		out[i] = r.ID
	}
	return out
}

// resolveRev resolves an id, prefix or a single-revision target such as
// "head" or "LABEL@head".
func resolveRev(g *revision.Graph, s string) (*script.Revision, error) {
	if r, err := g.Resolve(s); err == nil {
		return r, nil
	} else if strings.ContainsAny(s, "@+-") || s == "head" {
		t, terr := revision.ParseTarget(s)
		if terr != nil {
			return nil, terr
		}
		p, perr := g.Upgrade(nil, t)
		if perr != nil {
			return nil, perr
		}
		if n := len(p.Steps); n > 0 {
			return p.Steps[n-1].Revision, nil
		}
		return nil, err
	} else {
		return nil, err
	}
}

func (a *app) mergeCommand() *cobra.Command {
	var msg, revID, branch string
	cmd := &cobra.Command{
		Use:   "merge -m MESSAGE REV...",
		Short: "Create a revision that joins two or more heads",
		Long:  "Creates a revision whose Revises names every REV ('heads' names every head), joining the branches. It has no SQL of its own unless you add some.",
		Args:  targetArgs(1, -1, `the revisions to join (for example: {cmd} -m "merge" heads)`),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			seen := map[string]bool{}
			var parents []string
			for _, arg := range args {
				var revs []*script.Revision
				if arg == "heads" {
					revs = g.Heads()
				} else {
					r, err := resolveRev(g, arg)
					if err != nil {
						return err
					}
					revs = []*script.Revision{r}
				}
				for _, r := range revs {
					if !seen[r.ID] {
						seen[r.ID] = true
						parents = append(parents, r.ID)
					}
				}
			}
			if len(parents) < 2 {
				return fmt.Errorf("merge needs at least two distinct revisions to join, got %s", joinIDs(parents))
			}
			var branches []string
			if branch != "" {
				branches = []string{branch}
			}
			return a.writeRevision(g, &script.Revision{
				ID: revID, Message: msg, Revises: parents, Branches: branches,
				Up: script.Section{Present: true}, Down: script.Section{Present: true},
			})
		},
	}
	cmd.Flags().StringVarP(&msg, "message", "m", "", "the merge revision's message")
	cmd.Flags().StringVar(&revID, "rev-id", "", "use this revision id instead of a random one")
	cmd.Flags().StringVar(&branch, "branch", "", "a branch label for the merge revision")
	return cmd
}

func (a *app) historyCommand() *cobra.Command {
	var rng string
	var verbose, asJSON, indicate bool
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List revisions, newest first, with their messages",
		Long: `Lists the revisions, newest first, as "parent -> rev (tags), message".

-r A:B limits the list to a range: base, head, heads, revision ids and
prefixes, REV+N and REV-N, LABEL@head; and, reading the database, current
(the revision(s) it is at), -N at the start (N below current) and +N at
the end (N above current), as in "history -r -2:" or "history -r current:".
-i marks the revisions the database is at with (current).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := noEmptyFlags(cmd, "rev-range"); err != nil {
				return err
			}
			from, to := "", ""
			if rng != "" {
				f, t, ok := strings.Cut(rng, ":")
				if !ok {
					return usagef("-r takes a range A:B (either end may be empty), got %q", rng)
				}
				from, to = f, t
			}
			needDB := indicate || fromCurrent(from) || fromCurrent(to)
			a.reads = readHeaders // messages and header fields, no SQL
			s, err := a.open(cmd.Context(), needDB)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			var cur []string
			if needDB {
				if cur, err = s.m.Current(cmd.Context()); err != nil {
					return err
				}
			}
			revs, err := historyRange(g, cur, from, to)
			if err != nil {
				return err
			}
			mark := func(r *script.Revision) string { return "" }
			if indicate {
				mark = func(r *script.Revision) string {
					if slices.Contains(cur, r.ID) {
						return " (current)"
					}
					return ""
				}
			}
			if asJSON {
				out := make([]revJSON, len(revs))
				for i, r := range revs {
					out[i] = toJSON(g, r)
					out[i].Current = indicate && mark(r) != ""
				}
				return a.writeJSON(out)
			}
			for _, r := range revs {
				if verbose {
					a.outf("%s\n", strings.Replace(verboseRev(g, r), "\n", mark(r)+"\n", 1))
					continue
				}
				a.outf("%s\n", historyLine(g, r, mark(r)))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&rng, "rev-range", "r", "", "limit to a range A:B (base, head, ids, prefixes, current, -N:, :+N; either end may be empty)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every header field and the file")
	cmd.Flags().BoolVarP(&indicate, "indicate-current", "i", false, "mark the revisions the database is at with (current)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// fromCurrent reports whether an end of a history range is read from the
// database: "current", or steps from it ("-N", "+N").
func fromCurrent(end string) bool {
	if end == "current" {
		return true
	}
	t, err := revision.ParseTarget(end)
	return err == nil && t.Kind == revision.TargetRelative && t.Label == ""
}

// historyRange is g.History with the ends that name the database's state
// (cur) replaced: "current" by the current revision(s), "-N" and "+N" by
// steps from the current revision. Several current revisions give the
// union of their ranges, in history order.
func historyRange(g *revision.Graph, cur []string, from, to string) ([]*script.Revision, error) {
	froms, err := currentEnd(cur, from, "")
	if err != nil {
		return nil, err
	}
	tos, err := currentEnd(cur, to, "base")
	if err != nil {
		return nil, err
	}
	if len(froms) == 1 && len(tos) == 1 {
		return g.History(froms[0], tos[0])
	}
	in := map[string]bool{}
	for _, f := range froms {
		for _, t := range tos {
			revs, err := g.History(f, t)
			if err != nil {
				return nil, err
			}
			for _, r := range revs {
				in[r.ID] = true
			}
		}
	}
	all, err := g.History("", "")
	if err != nil {
		return nil, err
	}
	var out []*script.Revision
	for _, r := range all {
		if in[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// currentEnd resolves one end of a history range against the current
// revisions cur; atBase is the end that "current" means at base ("" for
// the start: everything; "base" for the end: nothing).
func currentEnd(cur []string, end, atBase string) ([]string, error) {
	if !fromCurrent(end) {
		return []string{end}, nil
	}
	if end == "current" {
		if len(cur) == 0 {
			return []string{atBase}, nil
		}
		return cur, nil
	}
	switch len(cur) {
	case 0:
		return nil, fmt.Errorf("history range end %q counts from the current revision, but the database is at base: use base or a revision id", end)
	case 1:
		return []string{cur[0] + end}, nil
	}
	return nil, fmt.Errorf("history range end %q counts from the current revision, but the database is at %s: write REV%s with one of them", end, andList(cur), end)
}

// historyLine is Alembic's "parent -> rev (head), message", with mark
// (" (current)" or "") after the tags.
func historyLine(g *revision.Graph, r *script.Revision, mark string) string {
	return fmt.Sprintf("%s -> %s%s%s, %s", orBase(graphParents(g, r)), r.ID, tags(g, r), mark, r.Message)
}

// graphParents are r's parents in the graph: its Revises, where a
// squashed revision stands for the last revision it replaces.
func graphParents(g *revision.Graph, r *script.Revision) []string {
	if p := g.Parents(r.ID); p != nil {
		return p
	}
	return r.Revises
}

// replacesTag names what a squashed revision replaces: its ids, or the
// first and the last of a long range.
func replacesTag(ids []string) string {
	if len(ids) <= 3 {
		return "replaces " + joinIDs(ids)
	}
	return fmt.Sprintf("replaces %d: %s .. %s", len(ids), ids[0], ids[len(ids)-1])
}

// tags marks heads, branch points, merges, labels and Go revisions.
func tags(g *revision.Graph, r *script.Revision) string {
	var t []string
	switch {
	case r.Go && r.GoFuncs == nil:
		t = append(t, "go, in the application")
	case r.Go:
		t = append(t, "go")
	}
	switch by := g.ReplacedBy(r.ID); {
	case by != nil:
		t = append(t, "squashed into "+by.ID)
	case len(g.Children(r.ID)) == 0:
		t = append(t, "head")
	case len(g.Children(r.ID)) > 1:
		t = append(t, "branchpoint")
	}
	if len(graphParents(g, r)) > 1 {
		t = append(t, "mergepoint")
	}
	if len(r.Replaces) > 0 {
		t = append(t, replacesTag(r.Replaces))
	}
	s := ""
	if len(r.Branches) > 0 {
		s += " (" + strings.Join(r.Branches, ", ") + ")"
	}
	if len(t) > 0 {
		s += " (" + strings.Join(t, ") (") + ")"
	}
	return s
}

func verboseRev(g *revision.Graph, r *script.Revision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Rev: %s%s\n", r.ID, tags(g, r))
	switch parents := graphParents(g, r); len(parents) {
	case 0:
		b.WriteString("Parent: <base>\n")
	case 1:
		fmt.Fprintf(&b, "Parent: %s\n", parents[0])
	default:
		fmt.Fprintf(&b, "Merges: %s\n", joinIDs(parents))
	}
	if len(r.Replaces) > 0 {
		kept := "their files are deleted"
		if g.Originals(r.ID) != nil {
			kept = "their files are kept for the databases part-way through them"
		}
		fmt.Fprintf(&b, "Replaces: %s (%s)\n", joinIDs(r.Replaces), kept)
	}
	if kids := g.Children(r.ID); len(kids) > 1 {
		fmt.Fprintf(&b, "Branches into: %s\n", joinIDs(ids(kids)))
	}
	if len(r.Branches) > 0 {
		fmt.Fprintf(&b, "Branch names: %s\n", strings.Join(r.Branches, ", "))
	}
	if len(r.DependsOn) > 0 {
		fmt.Fprintf(&b, "Also depends on: %s\n", joinIDs(r.DependsOn))
	}
	if r.NoTransaction {
		b.WriteString("Transaction: none\n")
	}
	fmt.Fprintf(&b, "Path: %s\n", r.Path)
	if !r.Created.IsZero() {
		fmt.Fprintf(&b, "Created: %s\n", r.Created.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	fmt.Fprintf(&b, "\n    %s\n", r.Message)
	return b.String()
}

// revJSON is a revision as --json prints it.
type revJSON struct {
	Revision     string   `json:"revision"`
	Message      string   `json:"message"`
	Revises      []string `json:"revises"`
	DependsOn    []string `json:"depends_on,omitempty"`
	Branches     []string `json:"branches,omitempty"`
	Path         string   `json:"path"`
	Created      string   `json:"created,omitempty"`
	Head         bool     `json:"head"`
	Transaction  bool     `json:"transaction"`
	Checksum     string   `json:"checksum"`
	Reversible   bool     `json:"reversible"`
	Upgrade      string   `json:"upgrade,omitempty"`
	Downgrade    string   `json:"downgrade,omitempty"`
	Irreversible bool     `json:"irreversible,omitempty"`
	Go           bool     `json:"go,omitempty"`
	// Replaces are the revisions a squashed revision replaces.
	Replaces []string `json:"replaces,omitempty"`
	// Current is set by history -i for the revisions the database is at.
	Current bool `json:"current,omitempty"`
}

func toJSON(g *revision.Graph, r *script.Revision) revJSON {
	j := revJSON{
		Revision: r.ID, Message: r.Message, Revises: r.Revises, DependsOn: r.DependsOn,
		Branches: r.Branches, Path: r.Path, Head: len(g.Children(r.ID)) == 0 && g.ReplacedBy(r.ID) == nil,
		Transaction: !r.NoTransaction, Checksum: r.Checksum,
		Reversible: r.Down.Present && !r.Down.Irreversible, Irreversible: r.Down.Irreversible,
		Go: r.Go, Replaces: r.Replaces,
	}
	if j.Revises == nil {
		j.Revises = []string{}
	}
	if !r.Created.IsZero() {
		j.Created = r.Created.UTC().Format(time.RFC3339)
	}
	return j
}

// showJSON is a revision as show --json prints it: the SQL that the text
// form prints is always there, "" for an empty section, and
// downgrade_section says whether the file has one ("present", "absent",
// "irreversible"), as the text form does.
type showJSON struct {
	revJSON
	Upgrade          string `json:"upgrade"`
	Downgrade        string `json:"downgrade"`
	DowngradeSection string `json:"downgrade_section"`
}

func toShowJSON(g *revision.Graph, r *script.Revision) showJSON {
	j := showJSON{revJSON: toJSON(g, r), Upgrade: strings.TrimSpace(r.Up.SQL), Downgrade: strings.TrimSpace(r.Down.SQL)}
	switch {
	case r.Down.Irreversible:
		j.DowngradeSection = "irreversible"
	case r.Down.Present:
		j.DowngradeSection = "present"
	default:
		j.DowngradeSection = "absent"
	}
	return j
}

func (a *app) headsCommand() *cobra.Command {
	var verbose, asJSON bool
	cmd := &cobra.Command{
		Use:   "heads",
		Short: "Show the heads of the revision graph",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.reads = readHeaders // header fields, no SQL
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			heads := g.Heads()
			if asJSON {
				out := make([]revJSON, len(heads))
				for i, r := range heads {
					out[i] = toJSON(g, r)
				}
				return a.writeJSON(out)
			}
			for _, r := range heads {
				if verbose {
					a.outf("%s\n", verboseRev(g, r))
				} else {
					a.outf("%s%s\n", r.ID, tags(g, r))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every header field")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) branchesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "branches",
		Short: "Show the branch points of the revision graph",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			type branchJSON struct {
				Revision string   `json:"revision"`
				Message  string   `json:"message"`
				Children []string `json:"children"`
			}
			var out []branchJSON
			for _, r := range g.BranchPoints() {
				out = append(out, branchJSON{r.ID, r.Message, ids(g.Children(r.ID))})
			}
			if asJSON {
				if out == nil {
					out = []branchJSON{}
				}
				return a.writeJSON(out)
			}
			for _, b := range out {
				r := g.Get(b.Revision)
				a.outf("%s%s, %s\n", r.ID, tags(g, r), r.Message)
				for _, c := range g.Children(r.ID) {
					a.outf("    -> %s%s, %s\n", c.ID, tags(g, c), c.Message)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) showCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show REV",
		Short: "Show one revision: its header and its SQL",
		Args:  targetArgs(1, 1, "one revision (an id, a unique prefix, head or LABEL@head)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.close()
			g := s.m.Graph()
			r, err := resolveRev(g, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(toShowJSON(g, r))
			}
			a.outf("%s", verboseRev(g, r))
			a.outf("\n-- +upgrade\n%s\n", strings.TrimSpace(r.Up.SQL))
			switch {
			case r.Down.Irreversible:
				a.outf("\n-- +downgrade irreversible\n")
			case r.Down.None:
				a.outf("\n-- +downgrade none\n")
			case r.Down.Present:
				a.outf("\n-- +downgrade\n%s\n", strings.TrimSpace(r.Down.SQL))
			default:
				a.outf("\n(no -- +downgrade section)\n")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
