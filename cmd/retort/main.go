// Command retort is version control for database schemas: it applies,
// reverts, records and autogenerates migrations on SQLite, PostgreSQL and
// MySQL/MariaDB.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/retortdb/retort/cli"
)

func main() {
	// Ctrl-C and SIGTERM cancel the context: retort stops between
	// statements, rolls back an open transaction, drops its scratch
	// databases, says where it stopped and exits non-zero. A second signal
	// kills it at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
