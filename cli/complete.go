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
//
// A range (FROM:TO, for upgrade --sql, downgrade --sql, history -r and
// squash) completes its end after the last colon, the start kept.
func (a *app) completeTargets(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if i := strings.LastIndexByte(toComplete, ':'); i >= 0 {
		out, dir := a.completeTargets(cmd, args, toComplete[i+1:])
		for k := range out {
			out[k] = toComplete[:i+1] + out[k]
		}
		return out, dir
	}
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

// completeTargetFlagsOnly registers completeTargets for the named flags
// of a command whose positional arguments are not revisions (or that has
// none: it then offers nothing, not file names).
func (a *app) completeTargetFlagsOnly(cmd *cobra.Command, flags ...string) *cobra.Command {
	if cmd.ValidArgsFunction == nil {
		cmd.ValidArgsFunction = cobra.NoFileCompletions
	}
	for _, f := range flags {
		_ = cmd.RegisterFlagCompletionFunc(f, a.completeTargets)
	}
	return cmd
}
