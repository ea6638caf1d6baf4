package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
)

// completeTargets completes a revision argument or flag in the shell:
// head, heads and base, the revision ids (described by their messages)
// and LABEL@head for each branch label; never file names. It reads the
// revision files as the command would, without the database; when they
// cannot be read, it offers the keywords alone.
func (a *app) completeTargets(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	out := filterPrefix(toComplete, []cobra.Completion{
		cobra.CompletionWithDesc("head", "the newest revision"),
		cobra.CompletionWithDesc("heads", "every head"),
		cobra.CompletionWithDesc("base", "before the first revision"),
	})
	// Cobra runs no PersistentPreRunE while completing: read the
	// configuration here.
	if err := a.setup(cmd); err != nil {
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	s, err := a.open(ctx, false)
	if err != nil {
		return out, cobra.ShellCompDirectiveNoFileComp
	}
	defer s.close()
	var revs []cobra.Completion
	for _, r := range s.m.Graph().Revisions() {
		revs = append(revs, cobra.CompletionWithDesc(r.ID, r.Message))
		for _, l := range r.Branches {
			revs = append(revs, cobra.CompletionWithDesc(l+"@head", "the head of branch "+l))
		}
	}
	return append(out, filterPrefix(toComplete, revs)...), cobra.ShellCompDirectiveNoFileComp
}

// filterPrefix keeps the completions that start with prefix.
func filterPrefix(prefix string, cs []cobra.Completion) []cobra.Completion {
	var out []cobra.Completion
	for _, c := range cs {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// completeTargetFlags registers completeTargets for cmd's positional
// arguments and for the named flags that take a revision.
func (a *app) completeTargetFlags(cmd *cobra.Command, flags ...string) *cobra.Command {
	cmd.ValidArgsFunction = a.completeTargets
	for _, f := range flags {
		_ = cmd.RegisterFlagCompletionFunc(f, a.completeTargets)
	}
	return cmd
}
