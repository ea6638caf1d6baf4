// Command sqlitefloor runs a SQL script on a SQLite database through the
// driver retort uses (modernc.org/sqlite, database/sql, one connection),
// with none of retort's work around it: no version rows, no audit rows, no
// locking pragmas, no cancellation. It measures what the driver alone
// costs against the sqlite3 client, so that scripts/bench-core can tell
// retort's own overhead from the driver's.
//
//	sqlitefloor DB FILE
//
// FILE is split into statements by retort's own splitter (sqlsplit, as for
// a revision file); each runs by itself, in order, as the sqlite3 client
// would run them. The first failure stops it with the statement's number
// and line.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	_ "modernc.org/sqlite"

	"github.com/retortdb/retort/internal/sqlsplit"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sqlitefloor DB FILE")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sqlitefloor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path, file string) error {
	script, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	stmts, err := sqlsplit.Split(string(script), sqlsplit.SQLite)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	for n, st := range stmts {
		if _, err := conn.ExecContext(ctx, st.Text); err != nil {
			return fmt.Errorf("%s:%d: statement %d: %w", file, st.Line, n+1, err)
		}
	}
	return nil
}
