// Command mysqlflush measures what a per-statement progress record costs
// on a MySQL/MariaDB server: a round trip (SELECT 1), an autocommitted
// one-row UPDATE (the record: a commit, so a redo-log flush), and a small
// CREATE TABLE with and without that UPDATE before it, sent as two
// packets or as one multi-statement packet. It is how BENCHMARKS.md's
// issue 14 section tells the record's flush from its round trip.
//
//	mysqlflush [-n 200] [-rounds 3] 'user@tcp(127.0.0.1:3306)/'
//
// It creates a database named retort_mysqlflush_<pid> and drops it.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	n := flag.Int("n", 200, "statements per measurement")
	rounds := flag.Int("rounds", 3, "rounds of every measurement, in turn")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: mysqlflush [-n 200] [-rounds 3] 'user@tcp(host:port)/'")
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), *n, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "mysqlflush:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn string, n, rounds int) error {
	db, err := sql.Open("mysql", dsn+"?multiStatements=true")
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	name := fmt.Sprintf("retort_mysqlflush_%d", os.Getpid())
	for _, q := range []string{"CREATE DATABASE " + name, "USE " + name, "CREATE TABLE r (id INT PRIMARY KEY, v INT)", "INSERT INTO r VALUES (1, 0)"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	defer c.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE "+name)
	const update = "UPDATE r SET v = v + 1 WHERE id = 1"
	create := func(i int) string { return fmt.Sprintf("CREATE TABLE t%d (id INT PRIMARY KEY, name VARCHAR(80))", i) }
	drop := func(i int) string { return fmt.Sprintf("DROP TABLE t%d", i) }
	cases := []struct {
		name  string
		stmts func(i int) []string
	}{
		{"SELECT 1 (a round trip)", func(int) []string { return []string{"SELECT 1"} }},
		{"UPDATE, autocommitted (a record)", func(int) []string { return []string{update} }},
		{"CREATE TABLE; DROP TABLE", func(i int) []string { return []string{create(i), drop(i)} }},
		{"UPDATE; CREATE TABLE; DROP TABLE", func(i int) []string { return []string{update, create(i), drop(i)} }},
		{"UPDATE + CREATE TABLE in one packet; DROP", func(i int) []string { return []string{update + "; " + create(i), drop(i)} }},
	}
	for range rounds {
		for _, cs := range cases {
			start := time.Now()
			for i := range n {
				for _, q := range cs.stmts(i) {
					if _, err := c.ExecContext(ctx, q); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
				}
			}
			fmt.Printf("%-45s %.3f ms each\n", cs.name, float64(time.Since(start).Microseconds())/1000/float64(n))
		}
	}
	return nil
}
