// Package cli is retort's command line: cobra commands, configuration and
// output. It is thin: it parses flags, calls the library and prints.
// Command mounts the whole CLI into an application as "myapp db ...".
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/spf13/cobra"
)

// Version is retort's version, printed by --version and written to the
// audit log.
const Version = "0.1.0"

// Exit codes, as DESIGN.md section 7 gives them.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitDifferences = 3
)

// usageError marks an error in how the command was called (exit 2).
type usageError struct {
	err error
	// cmd is the command path to point --help at, when known where the
	// error is made (argument checks run before the command's setup).
	cmd string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitError carries an exit code other than 1 (for example 3 from check).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// Env is what a command run sees of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads environment variables; nil means os.Getenv.
	Getenv func(string) string
	// Dir is the working directory; "" means the process's.
	Dir string
	// catchSignals, set by Main, starts turning SIGINT and SIGTERM into
	// the run's cancellation; a command that may leave something to
	// undo calls it before it starts (see noCleanup).
	catchSignals func()
}

// Main is the retort process's whole main (cmd/retort:
// os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))): it runs
// the command line with args and returns the exit code. SIGINT
// (Ctrl-C) and SIGTERM cancel the run's context: retort stops between
// statements, rolls back an open transaction, drops its scratch databases
// and says where it stopped; a second signal kills it at once. A run that
// a signal stopped exits 128+N, as a shell reports a process the signal
// ended: 130 for SIGINT, 143 for SIGTERM.
//
// Run is the same command line in-process, with a context and an Env of
// the caller's (tests, tools); Command mounts it into an application.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sc := newSignalCatcher()
	defer sc.stop()
	env := Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, catchSignals: sc.arm}
	code := Run(sc.ctx, args, env)
	sc.stop()
	if code == ExitOK {
		return code
	}
	if n, ok := sc.caught(); ok {
		return 128 + n
	}
	return code
}

// signalCatcher turns the first SIGINT or SIGTERM into the cancellation
// of ctx, once armed; a second signal then has its default effect (it
// kills the process). Arming costs a run a few hundred microseconds (the
// runtime starts a thread to receive signals), which is a tenth of
// "retort current": the commands that only read (noCleanup) leave it
// unarmed, and a signal ends them as it ends any program.
type signalCatcher struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	once   sync.Once
	ch     chan os.Signal
	got    atomic.Int32 // the signal's number, 0 for none
}

func newSignalCatcher() *signalCatcher {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &signalCatcher{ctx: ctx, cancel: cancel, ch: make(chan os.Signal, 1)}
}

// arm starts catching the signals.
func (s *signalCatcher) arm() {
	s.once.Do(func() {
		signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
		go s.wait()
	})
}

func (s *signalCatcher) wait() {
	select {
	case sig := <-s.ch:
		// Stop listening first, so that a second signal kills (Stop
		// returns once a signal in delivery has reached s.ch).
		signal.Stop(s.ch)
		if n, ok := sig.(syscall.Signal); ok {
			s.got.Store(int32(n))
		}
		// The cause reads as os/signal.NotifyContext's.
		s.cancel(errors.New(sig.String() + " signal received"))
	case <-s.ctx.Done():
	}
}

// stop stops catching; the run is over.
func (s *signalCatcher) stop() {
	signal.Stop(s.ch)
	s.cancel(context.Canceled)
}

// caught returns the number of the signal that cancelled the run.
func (s *signalCatcher) caught() (int, bool) {
	n := s.got.Load()
	return int(n), n != 0
}

// Run runs the command line in env and returns the exit code; ctx's
// cancellation stops the run as a signal does under Main.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			fmt.Fprintf(env.Stderr, "error: cannot read the working directory: %v\n", err)
			return ExitFailed
		}
		env.Dir = wd
	}
	a := newApp(env)
	root := a.rootCommand("retort")
	root.SetArgs(relativeTargets(args))
	err := root.ExecuteContext(ctx)
	return a.finish(err)
}

// finish prints err (with every known secret masked) and maps it to an exit
// code.
func (a *app) finish(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(a.stderr, "error: %s\n", a.mask(ee.err.Error()))
		}
		return ee.code
	}
	msg := a.mask(err.Error())
	fmt.Fprintf(a.stderr, "error: %s\n", strings.TrimRight(msg, "\n"))
	var ue *usageError
	if errors.As(err, &ue) {
		path := a.cmdPath
		if ue.cmd != "" {
			path = ue.cmd
		}
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", path)
		return ExitUsage
	}
	return ExitFailed
}

// newRootCommand builds the cobra tree; name is "retort" standalone or "db"
// when mounted.
func (a *app) rootCommand(name string) *cobra.Command {
	root := &cobra.Command{
		Use:           name,
		Short:         "Version control for database schemas",
		Long:          "retort applies, reverts, records and autogenerates database migrations on SQLite, PostgreSQL and MySQL/MariaDB.",
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Args and RunE make an unknown command a usage error (exit 2):
		// without them cobra reports it as a plain error.
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		a.cmdPath = cmd.CommandPath()
		if cmd == root {
			return nil // help only: no configuration needed
		}
		return a.setup(cmd)
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("retort {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		a.cmdPath = c.CommandPath()
		return &usageError{err: err, cmd: c.CommandPath()}
	})
	a.cmdPath = name
	a.root = root
	root.SuggestionsMinimumDistance = 2
	root.SetHelpCommand(helpCommand(root))
	a.globalFlags(root)
	for _, c := range a.commands() {
		root.AddCommand(c)
	}
	return root
}

// unknownCommand refuses arguments to the root command: they name a
// command that does not exist.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
	}
	return &usageError{err: errors.New(msg), cmd: cmd.CommandPath()}
}

// helpCommand is cobra's "help [command]", except that an unknown topic
// is a usage error (exit 2), not help printed with exit 0.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return &usageError{err: fmt.Errorf("no help topic %q: see %q for the commands", strings.Join(args, " "), root.CommandPath()+" help"), cmd: root.CommandPath()}
			}
			return cmd.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// relativeTargets lets "downgrade -2" mean the target -2, as in Alembic,
// instead of an unknown flag: arguments of the form -N move behind "--".
func relativeTargets(args []string) []string {
	var plain, neg []string
	for i, arg := range args {
		if arg == "--" {
			plain = append(plain, args[i:]...)
			break
		}
		if isNegNumber(arg) {
			neg = append(neg, arg)
			continue
		}
		plain = append(plain, arg)
	}
	if len(neg) == 0 {
		return args
	}
	if !slices.Contains(plain, "--") {
		plain = append(plain, "--")
	}
	return append(plain, neg...)
}

func isNegNumber(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
