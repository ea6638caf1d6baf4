package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
)

// cmdMkDBs makes N more databases of the scenario's dialect, dropped when
// the scenario ends, and sets $DB1 ... $DBN to their URLs (SQLite: the
// empty files t1.db ... in the scenario's directory):
//
//	mkdbs 5
func cmdMkDBs(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: mkdbs N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	dialect := ts.Getenv("DIALECT")
	for i := 1; i <= n; i++ {
		if dialect == "sqlite" {
			// An empty file is an empty database, as a new tenant's is.
			name := fmt.Sprintf("t%d.db", i)
			ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), name), nil, 0o644))
			ts.Setenv(fmt.Sprintf("DB%d", i), "sqlite:"+name)
			continue
		}
		db, drop, err := testdb.Create(dialect, fmt.Sprintf("%s_f%d", filepath.Base(ts.Getenv("WORK")), i), "")
		ts.Check(err)
		ts.Defer(drop)
		ts.Setenv(fmt.Sprintf("DB%d", i), db.URL)
	}
}

// cmdSQLOn runs statements on the database whose URL is in the environment
// variable VAR (a relative SQLite path is in the scenario's directory), and
// prints the rows of the last, one a line, columns separated by '|':
//
//	sqlon DB3 'CREATE TABLE t (id int)'
func cmdSQLOn(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sqlon VAR QUERY")
	}
	u := ts.Getenv(args[0])
	if rest, ok := strings.CutPrefix(u, "sqlite:"); ok && !filepath.IsAbs(rest) {
		u = "sqlite:" + filepath.Join(ts.Getenv("WORK"), rest)
	}
	_, _, db, err := dialects.Open(context.Background(), u)
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(args[1])
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("sqlon: %v", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	ts.Check(err)
	var out strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		for i, v := range vals {
			if i > 0 {
				out.WriteByte('|')
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			fmt.Fprint(&out, v)
		}
		out.WriteByte('\n')
	}
	ts.Check(rows.Err())
	if neg {
		ts.Fatalf("sqlon: query succeeded unexpectedly")
	}
	fmt.Fprint(ts.Stdout(), out.String())
}
