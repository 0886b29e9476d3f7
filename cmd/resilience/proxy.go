package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/proxy"
)

// runValidate checks a configuration file: every problem with its
// file:line:col and exit code 1, or "ok" and 0.
func runValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: resilience validate FILE")
		return 2
	}
	if _, err := config.Load(args[0]); err != nil {
		var errs *config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs.List {
				fmt.Fprintln(stderr, e.Error())
			}
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

// runProxy serves the configuration file until ctx is done. SIGHUP (or a
// send on reload, for tests) and changes of the file reload it; an invalid
// file is reported and the configuration in force keeps serving. started,
// when non-nil, receives the running proxy.
func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer, started chan<- *proxy.Proxy) int {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (required)")
	drain := fs.Duration("drain", proxy.DefaultDrainTimeout, "how long shutdown waits for requests in flight")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *path == "" {
		fmt.Fprintln(stderr, "resilience proxy: --config is required")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	mem := newMemoryLimiter(log)
	defer mem.close()
	var p *proxy.Proxy
	ready := make(chan struct{})
	w, err := config.NewWatcher(config.WatcherConfig{
		Path: *path,
		OnChange: func(u config.Update) {
			<-ready
			if p == nil {
				return
			}
			if err := p.Apply(u.Config); err != nil {
				log.Error("reload rejected; the previous configuration stays in force", "err", err)
				return
			}
			mem.set(u.Config.Process)
			log.Info("configuration reloaded", "version", u.Version)
		},
		OnError: func(err error) {
			log.Error("invalid configuration; the previous one stays in force", "err", err)
		},
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer w.Close()
	cfg, _ := w.Current()
	mem.set(cfg.Process)
	p, err = proxy.New(cfg, proxy.Options{Logger: log, DrainTimeout: *drain})
	close(ready)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "resilience proxy: listening on %s, admin on %s\n", p.Addr(), p.AdminAddr())
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	p.Start()
	if started != nil {
		started <- p
	}
	for {
		select {
		case <-hup:
			_ = w.Reload()
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), *drain+time.Second)
			defer cancel()
			if err := p.Shutdown(sctx); err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			return 0
		}
	}
}
