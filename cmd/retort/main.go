// Command retort is version control for database schemas: it applies,
// reverts, records and autogenerates migrations on SQLite, PostgreSQL and
// MySQL/MariaDB.
package main

import (
	"io"
	"log"
	"os"

	"github.com/go-sql-driver/mysql"

	"github.com/retortdb/retort/cli"
)

func main() {
	// The MySQL driver logs connection trouble on its own (for example
	// "packets.go:58 unexpected EOF") besides returning the error that
	// retort reports with what to do next: keep stderr to retort's words.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	// Ctrl-C and SIGTERM stop retort between statements; it exits 130 or
	// 143 (see cli.Main).
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
