package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/proxy"
)

// Options configure a demo run. The zero value runs the default demo.
type Options struct {
	// Duration is how long the demo runs; the scenario's phases are
	// fractions of it. Zero means 60s.
	Duration time.Duration
	// Tick is the timeline's interval. Zero means 1s.
	Tick time.Duration
	// Workers is the number of concurrent callers. Zero means 8.
	Workers int
	// Pace is the pause between one caller's requests. Zero means 20ms.
	Pace time.Duration
	// Out receives the timeline and the summary. Nil means io.Discard.
	Out io.Writer
	// Log receives the proxy's warnings and errors. Nil means io.Discard.
	Log io.Writer
	// OnStart, when non-nil, is called with the dashboard URL once the
	// proxy serves, before the load starts (tests use it).
	OnStart func(dashboardURL string)
}

func (o Options) withDefaults() Options {
	if o.Duration <= 0 {
		o.Duration = fullDuration
	}
	if o.Tick <= 0 {
		o.Tick = time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Pace <= 0 {
		o.Pace = 20 * time.Millisecond
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return o
}

// routeName is the demo configuration's only route (config.DemoYAML).
const routeName = "demo"

// sampleEvery is how often the breaker state is read: well under the
// shortest open spell of a scaled-down demo.
const sampleEvery = 20 * time.Millisecond

// Run runs the demo until its duration passes or ctx is done, printing the
// timeline and the summary to o.Out, and returns the summary.
func Run(ctx context.Context, o Options) (Summary, error) {
	o = o.withDefaults()
	script := scriptFor(o.Duration)
	ups, err := startUpstreams(script)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: start upstreams: %w", err)
	}
	defer ups.close()

	cfg, err := config.Demo(config.DemoParams{Listen: "127.0.0.1:0", Admin: "127.0.0.1:0", Upstreams: ups.addrs})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: config: %w", err)
	}
	tune(cfg, o.Duration)
	log := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := proxy.New(cfg, proxy.Options{Logger: log, DrainTimeout: 2 * time.Second})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: proxy: %w", err)
	}
	p.Start()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = p.Shutdown(sctx)
	}()

	sum := Summary{
		ProxyURL:     "http://" + p.Addr(),
		DashboardURL: "http://" + p.AdminAddr() + "/dashboard",
		MetricsURL:   "http://" + p.AdminAddr() + "/metrics",
		Route:        routeName,
		Script:       script,
	}
	printIntro(o, sum, ups.addrs)
	if o.OnStart != nil {
		o.OnStart(sum.DashboardURL)
	}

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: o.Workers * 2},
		Timeout:   5 * time.Second,
	}
	defer client.CloseIdleConnections()

	runCtx, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	start := time.Now()
	ups.enable() // the script counts from here
	phase := func() Phase { return script.phase(time.Since(start)) }
	rec := &recorder{}
	var wg sync.WaitGroup
	for w := range o.Workers {
		wg.Go(func() { generateLoad(runCtx, client, sum.ProxyURL, w, rec, o.Pace, phase) })
	}

	reg := p.Registry()
	bw := newBreakerWatch(reg.Instance("circuitbreaker", routeName))
	var ew ejectWatch
	tl := newTimeline(o.Out)
	ticker := time.NewTicker(o.Tick)
	defer ticker.Stop()
	sample := time.NewTicker(sampleEvery)
	defer sample.Stop()
	shown := 0 // breaker changes already noted in the timeline
loop:
	for {
		select {
		case <-runCtx.Done():
			break loop
		case <-sample.C:
			bw.sample(time.Since(start))
		case now := <-ticker.C:
			at := now.Sub(start)
			bw.sample(at)
			arrived, upFailed := ups.take()
			notes := ew.update(at, o.Tick, arrived)
			for _, c := range bw.changes[shown:] {
				notes = append(notes, changeNote(c))
			}
			shown = len(bw.changes)
			tl.row(at, script.phase(at), rec.take(), arrived, upFailed, bw.state, notes)
		}
	}
	sum.Elapsed = time.Since(start)
	wg.Wait()
	bw.sample(sum.Elapsed)

	total, byPhase := rec.totals()
	sum.Counts = countsOf(total)
	for i, t := range byPhase {
		sum.ByPhase[i] = countsOf(t)
	}
	sum.RejectedBy, sum.FallbackKinds = total.RejectedBy, total.FallbackKinds
	sum.P99 = total.p99()
	sum.Ejections = ew.ejections
	sum.Changes = bw.changes
	sum.Trips, sum.Recoveries = trips(bw.changes)
	sum.RouteCounts = reg.Instance("route", routeName).Snapshot().Counts
	sum.BreakerRefused = reg.Instance("circuitbreaker", routeName).Snapshot().Counts["rejected"]
	printSummary(o.Out, sum)
	return sum, nil
}

// printIntro prints where everything listens and the scenario to come.
func printIntro(o Options, s Summary, addrs []string) {
	sc, out := s.Script, o.Out
	fmt.Fprintf(out, "resilience demo: %d callers -> proxy %s -> upstreams %s, for %v\n",
		o.Workers, s.ProxyURL, strings.Join(addrs, ", "), o.Duration)
	fmt.Fprintf(out, "  dashboard  %s\n", s.DashboardURL)
	fmt.Fprintf(out, "  metrics    %s\n", s.MetricsURL)
	fmt.Fprintf(out, "scenario (Ctrl-C ends it early, with the summary):\n")
	fmt.Fprintf(out, "  %6.1fs  healthy    every upstream answers quickly\n", 0.0)
	fmt.Fprintf(out, "  %6.1fs  flaky      upstream-1 fails %.0f%% of requests (503), %.0f%% %v late: outlier detection ejects it, retries hide it\n",
		sc.FlakyFrom.Seconds(), sc.Flaky.ErrorRate*100, sc.Flaky.SlowRate*100, sc.Flaky.SlowDelay)
	fmt.Fprintf(out, "  %6.1fs  outage     every upstream fails (503, %.0f%% %v late): the breaker opens, the stale cache or a static 503 answers\n",
		sc.OutageFrom.Seconds(), sc.Outage.SlowRate*100, sc.Outage.SlowDelay)
	fmt.Fprintf(out, "  %6.1fs  recovered  the upstreams heal: half-open probes succeed and the breaker closes\n\n",
		sc.RecoverAt.Seconds())
}
