// Command retort is version control for database schemas: it applies,
// reverts, records and autogenerates migrations on SQLite, PostgreSQL and
// MySQL/MariaDB.
package main

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/cli"
)

func main() {
	// The MySQL driver logs connection trouble on its own (for example
	// "packets.go:58 unexpected EOF") besides returning the error that
	// retort reports with what to do next: keep stderr to retort's words.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
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
