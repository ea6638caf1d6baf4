package cli

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/lint"
	"github.com/retortdb/retort/internal/script"
)

// onlineFlags are migrate's --online options.
type onlineFlags struct {
	on          bool
	lockTimeout time.Duration
	cmd         *cobra.Command // to tell a given --online from its default
}

func (o *onlineFlags) register(cmd *cobra.Command) {
	o.cmd = cmd
	cmd.Flags().BoolVar(&o.on, "online", false, "(env RETORT_ONLINE, online in retort.toml) write the revision in the forms that keep a live database serving (PostgreSQL: CONCURRENTLY, NOT VALID then VALIDATE, NOT NULL through a validated CHECK, UNIQUE USING INDEX, lock_timeout set)")
	cmd.Flags().DurationVar(&o.lockTimeout, "online-lock-timeout", 5*time.Second, "with --online, the lock_timeout every statement runs under")
}

// onlineRevision rewrites a generated revision's sections into their
// online forms, and says what it rewrote.
func (a *app) onlineRevision(o onlineFlags, rev *script.Revision, up, down []string) error {
	on, err := a.onlineSetting(o)
	if err != nil || !on {
		return err
	}
	if o.lockTimeout <= 0 {
		return usagef("--online-lock-timeout must be positive, got %s", o.lockTimeout)
	}
	u, err := a.onlineForm(up, o.lockTimeout, false)
	if err != nil {
		return err
	}
	dn, err := a.onlineForm(down, o.lockTimeout, u.NoTransaction)
	var refused *lint.OnlineRefusedError
	if errors.As(err, &refused) {
		// --online is about the upgrade; a downgrade that cannot run
		// online is kept as generated, and said so.
		a.progressf("Online: the downgrade keeps its generated form: %s cannot run online (%s)\n", firstLine(refused.SQL), refused.Finding.Code)
		dn, err = lint.Online{Statements: down}, nil
	}
	if err != nil {
		return fmt.Errorf("the downgrade: %w", err)
	}
	if dn.NoTransaction && !u.NoTransaction {
		if u, err = a.onlineForm(up, o.lockTimeout, true); err != nil {
			return err
		}
	}
	rev.Up.SQL = script.JoinStatements(u.Statements)
	rev.Down.SQL = script.JoinStatements(dn.Statements)
	rev.NoTransaction = u.NoTransaction
	for _, n := range u.Notes {
		a.progressf("Online: %s\n", n)
	}
	if rev.NoTransaction {
		a.progressf("Online: the revision runs statement by statement (Transaction: none); a failure stops at that statement and upgrade resumes there\n")
	}
	return nil
}

// onlineForm rewrites stmts as the revision after the project's
// revisions (so that tables and column types they created are known).
func (a *app) onlineForm(stmts []string, timeout time.Duration, noTx bool) (lint.Online, error) {
	l, err := a.newLinter("", "")
	if err != nil {
		return lint.Online{}, err
	}
	if a.graph != nil {
		for _, r := range a.graph.Revisions() {
			if _, err := l.Revision(r, false); err != nil {
				return lint.Online{}, err
			}
		}
	}
	return l.Online(stmts, timeout, noTx)
}

// onlineSetting resolves --online: the flag when given, else RETORT_ONLINE,
// else online in retort.toml.
func (a *app) onlineSetting(o onlineFlags) (bool, error) {
	if o.cmd != nil && o.cmd.Flags().Changed("online") {
		return o.on, nil
	}
	if a.cfg.onlineEnv != "" {
		on, err := strconv.ParseBool(a.cfg.onlineEnv)
		if err != nil {
			return false, fmt.Errorf("RETORT_ONLINE %q is not true or false: set it to true or false", a.cfg.onlineEnv)
		}
		return on, nil
	}
	return a.cfg.Online, nil
}
