// Command resilience runs the resilience-go demo and the sidecar proxy.
//
//	resilience demo [--duration 60s] [--workers 8]
//	resilience proxy --config FILE
//	resilience validate FILE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/resilience-go/resilience/cmd/resilience/internal/demo"
)

const usage = `usage: resilience <command> [flags]

commands:
  demo      run the self-contained demonstration on this machine, no set-up:
            three upstreams on loopback behind the proxy, under load; one
            turns flaky, then all fail and recover; a live timeline, the
            dashboard URL, and a summary at the end (or on Ctrl-C)
  proxy     run the sidecar proxy: proxy --config FILE (SIGHUP reloads)
  validate  check a configuration file: validate FILE

run "resilience <command> -h" for a command's flags
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "proxy":
		return runProxy(ctx, args[1:], stdout, stderr, nil)
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "resilience: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 60*time.Second, "how long the demo runs; the scenario's phases scale with it")
	workers := fs.Int("workers", 8, "concurrent callers")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "resilience demo: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *duration <= 0 || *workers <= 0 {
		fmt.Fprintln(stderr, "resilience demo: --duration and --workers must be positive")
		return 2
	}
	if _, err := demo.Run(ctx, demo.Options{Duration: *duration, Workers: *workers, Out: stdout, Log: stderr}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
