// Command prof runs the retort CLI in-process, N times, under a CPU profile,
// so that bench/run's slow rows can be explained with pprof without
// changing the retort binary:
//
//	go run ./bench/prof -cpuprofile cpu.out -n 200 -- -C DIR --database URL current
//	go tool pprof -top -cum cpu.out
//
// -memprofile FILE writes the allocations of all runs (go tool pprof
// -sample_index=alloc_space), and the report gives the bytes and objects
// allocated per run.
//
// -prepare CMD runs the shell command CMD before each run (a fresh database,
// say: "rm -f x.db", or a copy of one at head to repeat a downgrade). It
// runs in another process, so its CPU time is not in the profile, and it
// is not in the reported average either.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/retortdb/retort/cli"
)

func main() {
	cpu := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	mem := flag.String("memprofile", "", "write an allocation profile to `file`")
	n := flag.Int("n", 1, "run the command `n` times")
	prepare := flag.String("prepare", "", "run this shell `command` before each run")
	flag.Parse()
	if *mem != "" {
		runtime.MemProfileRate = 512
	}
	if err := run(*cpu, *n, *prepare, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "prof:", err)
		os.Exit(1)
	}
	if *mem != "" {
		if err := writeHeapProfile(*mem); err != nil {
			fmt.Fprintln(os.Stderr, "prof:", err)
			os.Exit(1)
		}
	}
}

// writeHeapProfile writes the allocation profile to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	return nil
}

func run(cpu string, n int, prepare string, args []string) error {
	if n < 1 {
		return fmt.Errorf("-n %d: need at least one run", n)
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return fmt.Errorf("create profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var total time.Duration
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range n {
		if prepare != "" {
			cmd := exec.Command("sh", "-c", prepare)
			cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("run %d: prepare: %w", i+1, err)
			}
		}
		start := time.Now()
		if code := cli.Run(context.Background(), args, cli.Env{Stdout: io.Discard, Stderr: os.Stderr}); code != 0 {
			return fmt.Errorf("run %d: retort exited %d", i+1, code)
		}
		total += time.Since(start)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	fmt.Fprintf(os.Stderr, "prof: %d run(s), %v each on average, %d kB in %d objects allocated per run\n",
		n, total/time.Duration(n), (after.TotalAlloc-before.TotalAlloc)/uint64(n)/1024, (after.Mallocs-before.Mallocs)/uint64(n))
	return nil
}
