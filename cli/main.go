// Package cli is retort's command line: cobra commands, configuration and
// output. It is thin: it parses flags, calls the library and prints.
// Command mounts the whole CLI into an application as "myapp db ...".
package cli

import (
	"context"
	"io"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

var _ = toml.Unmarshal
var _ = term.IsTerminal

// Main runs the retort command line with args and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := &cobra.Command{Use: "retort"}
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(ctx); err != nil {
		return 1
	}
	return 0
}
