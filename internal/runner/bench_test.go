package runner_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/runner"
	"github.com/retortdb/retort/internal/testdb"
)

// BenchmarkApplyChain200 applies 200 revisions (CREATE TABLE, CREATE
// INDEX, INSERT each) to a fresh database per iteration, per dialect.
//
// The "nosync" variants turn off the commit flush (SQLite
// synchronous=off, PostgreSQL synchronous_commit=off), which otherwise
// dominates and varies with the disk; the "client" variants run the same
// statements, one transaction per revision, through the database's own
// command-line client (sqlite3, psql) for comparison. retort's overhead is
// runner/nosync against client/nosync.
func BenchmarkApplyChain200(b *testing.B) {
	chain := chainN(200)
	for _, name := range testdb.Dialects {
		for _, nosync := range []bool{false, true} {
			if nosync && name == "mysql" {
				continue
			}
			suffix := ""
			if nosync {
				suffix = "/nosync"
			}
			b.Run(name+"/runner"+suffix, func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					tdb := testdb.New(b, name)
					u := tdb.URL
					if nosync {
						u = withParam(u, name)
					}
					d, db := openURL(b, u)
					r := runner.New(db, d, runner.Options{})
					b.StartTimer()
					res, err := r.Run(context.Background(), upgradeAll(chain))
					if err != nil {
						b.Fatal(err)
					}
					if len(res.Steps) != 200 {
						b.Fatalf("%d steps", len(res.Steps))
					}
				}
			})
			if name == "mysql" {
				continue
			}
			b.Run(name+"/client"+suffix, func(b *testing.B) {
				tool := map[string]string{"sqlite": "sqlite3", "postgres": "psql"}[name]
				if _, err := exec.LookPath(tool); err != nil {
					b.Skipf("%s not installed", tool)
				}
				var script strings.Builder
				if nosync && name == "sqlite" {
					script.WriteString("PRAGMA synchronous = OFF;\n")
				}
				begin := "BEGIN;\n"
				if name == "sqlite" {
					begin = "BEGIN IMMEDIATE;\n"
				}
				for _, r := range chain {
					script.WriteString(begin + r.Up.SQL + "COMMIT;\n")
				}
				for b.Loop() {
					b.StopTimer()
					tdb := testdb.New(b, name)
					var cmd *exec.Cmd
					if name == "sqlite" {
						cmd = exec.Command("sqlite3", tdb.Name)
					} else {
						cmd = exec.Command("psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", tdb.URL)
						if nosync {
							cmd.Env = append(os.Environ(), "PGOPTIONS=-c synchronous_commit=off")
						}
					}
					cmd.Stdin = strings.NewReader(script.String())
					b.StartTimer()
					if out, err := cmd.CombinedOutput(); err != nil {
						b.Fatalf("%s: %v\n%s", tool, err, out)
					}
				}
			})
		}
	}
}

// withParam turns the commit flush off through the URL.
func withParam(raw, name string) string {
	if name == "sqlite" {
		return raw + "?_pragma=synchronous(off)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}
