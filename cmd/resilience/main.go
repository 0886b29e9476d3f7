// Command resilience runs the resilience-go demo and the sidecar proxy.
//
//	resilience demo [--duration 30s] [--workers 8] [--proxy]
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

	"github.com/resilience-go/resilience/cmd/resilience/internal/fulldemo"
	"github.com/resilience-go/resilience/internal/demo"
)

const usage = `usage: resilience <command> [flags]

commands:
  demo      run a self-contained demonstration on this machine (no set-up)
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
	duration := fs.Duration("duration", 30*time.Second, "how long the demo runs")
	workers := fs.Int("workers", 8, "concurrent callers")
	viaProxy := fs.Bool("proxy", false, "run three upstreams behind the sidecar proxy, with the live dashboard")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *duration <= 0 || *workers <= 0 {
		fmt.Fprintln(stderr, "resilience demo: --duration and --workers must be positive")
		return 2
	}
	if !*viaProxy {
		// The library demo: a breaker tripping and recovering in front of a
		// failing upstream.
		if _, err := demo.Run(ctx, demo.Options{Duration: *duration, Workers: *workers, Out: stdout}); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if _, err := fulldemo.Run(ctx, fulldemo.Options{Duration: *duration, Workers: *workers, Out: stdout, Log: stderr}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
