package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/retortdb/retort/internal/engine"
)

// onlineFlags are migrate's --online options.
type onlineFlags struct {
	on                       bool
	lockTimeout, stmtTimeout time.Duration
	cmd                      *cobra.Command // to tell a given flag from its default
}

func (o *onlineFlags) register(cmd *cobra.Command) {
	o.cmd = cmd
	cmd.Flags().BoolVar(&o.on, "online", false, "(env RETORT_ONLINE, online in retort.toml) write the revision in the forms that keep a live database serving (PostgreSQL: CONCURRENTLY, NOT VALID then VALIDATE, NOT NULL through a validated CHECK, UNIQUE USING INDEX, lock_timeout and statement_timeout set), and verify that form")
	cmd.Flags().DurationVar(&o.lockTimeout, "online-lock-timeout", engine.DefaultOnlineLockTimeout, "(env RETORT_ONLINE_LOCK_TIMEOUT, online_lock_timeout in retort.toml) with --online, how long each statement waits for its lock (lock_timeout, lock_wait_timeout) before upgrade retries it")
	cmd.Flags().DurationVar(&o.stmtTimeout, "online-statement-timeout", engine.DefaultOnlineStatementTimeout, "(env RETORT_ONLINE_STATEMENT_TIMEOUT, online_statement_timeout in retort.toml) with --online on PostgreSQL, the statement_timeout of the statements that hold their lock briefly (0 around CONCURRENTLY and VALIDATE); longer than the lock timeout, or 0 for none")
}

// onlineOptions resolves --online and its timeouts into the options of
// Generate: nil when the revision is not written online.
func (a *app) onlineOptions(o onlineFlags) (*engine.OnlineOptions, error) {
	on, err := a.onlineSetting(o)
	if err != nil || !on {
		return nil, err
	}
	lock, err := o.duration("online-lock-timeout", o.lockTimeout, func() (time.Duration, error) {
		return a.cfg.duration("online_lock_timeout", a.cfg.OnlineLockTimeout, a.cfg.onlineLockFrom)
	})
	if err != nil {
		return nil, err
	}
	stmt, err := o.duration("online-statement-timeout", o.stmtTimeout, func() (time.Duration, error) {
		return a.cfg.duration("online_statement_timeout", a.cfg.OnlineStatementTimeout, a.cfg.onlineStmtFrom)
	})
	if err != nil {
		return nil, err
	}
	opts := &engine.OnlineOptions{LockTimeout: lock, StatementTimeout: stmt}
	if err := opts.Validate(); err != nil {
		return nil, usagef("%v (set by --online-lock-timeout and --online-statement-timeout, RETORT_ONLINE_LOCK_TIMEOUT and RETORT_ONLINE_STATEMENT_TIMEOUT, or online_lock_timeout and online_statement_timeout in retort.toml)", err)
	}
	return opts, nil
}

// duration is the flag's value when it was given, else the setting's.
func (o onlineFlags) duration(flag string, v time.Duration, setting func() (time.Duration, error)) (time.Duration, error) {
	if o.cmd != nil && o.cmd.Flags().Changed(flag) {
		return v, nil
	}
	return setting()
}

// printOnline says what the online rewrite did.
func (a *app) printOnline(gen *engine.Generated) {
	for _, n := range gen.OnlineNotes {
		a.progressf("Online: %s\n", n)
	}
	if gen.NoTransaction {
		a.progressf("Online: the revision runs statement by statement (Transaction: none); a failure stops at that statement and upgrade resumes there\n")
	}
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
