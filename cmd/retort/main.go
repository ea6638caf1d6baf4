// Command retort is version control for database schemas: it applies,
// reverts, records and autogenerates migrations on SQLite, PostgreSQL and
// MySQL/MariaDB.
package main

import (
	"context"
	"os"

	"github.com/retortdb/retort/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
