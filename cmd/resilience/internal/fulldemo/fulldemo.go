package fulldemo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/proxy"
	"github.com/resilience-go/resilience/stats"
)

// Options configure a demo run. The zero value runs the default demo.
type Options struct {
	// Duration is how long the demo runs. Zero means 60s.
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
		o.Duration = 60 * time.Second
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

// StateChange is a change of the route's breaker state, as sampled.
type StateChange struct {
	At       time.Duration
	From, To string
}

// Summary is what a demo run observed. Times are measured from the start
// of the load.
type Summary struct {
	// DashboardURL is the admin server's dashboard.
	DashboardURL string
	// Route is the name of the demo route.
	Route string
	// Requests counts the load generator's requests by the proxy's answer.
	Requests, OK, Failed, Rejected, Fallbacks int
	// FlakyFrom and FlakyUntil bound the flaky upstream's bad phase.
	FlakyFrom, FlakyUntil time.Duration
	// FlakyFailed, FlakyRejected and FlakyFallbacks count the answers of
	// that kind during the flaky phase.
	FlakyFailed, FlakyRejected, FlakyFallbacks int
	// RouteCounts are the route's event counts in the proxy's registry at
	// the end ("success", "failure", "rejected", "fallback", ...).
	RouteCounts map[string]uint64
	// Changes are the breaker's state changes; Trips the moments it
	// opened from closed; Recoveries the moments it closed again.
	Changes           []StateChange
	Trips, Recoveries []time.Duration
	// P99 is the 99th percentile latency seen by the load generator.
	P99 time.Duration
}

// routeName is the demo configuration's only route (config.DemoYAML).
const routeName = "demo"

// fallbackBody is the demo configuration's static fallback body.
const fallbackBody = "demo upstreams unavailable"

// Run runs the demo until its duration passes or ctx is done, printing the
// timeline and the summary to o.Out, and returns the summary.
func Run(ctx context.Context, o Options) (Summary, error) {
	o = o.withDefaults()
	script := scriptFor(o.Duration)
	ups, err := startUpstreams(3, script)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: start upstreams: %w", err)
	}
	defer ups.close()

	cfg, err := config.Demo(config.DemoParams{Listen: "127.0.0.1:0", Admin: "127.0.0.1:0", Upstreams: ups.addrs})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: config: %w", err)
	}
	// With outlier detection and retries the proxy hides one flaky upstream
	// of three completely (ejected after five failures, or retried on a
	// healthy one), so the demo turns both off: the failures then reach
	// the breaker and the fallback, and the timeline shows them.
	for i := range cfg.Clusters {
		cfg.Clusters[i].OutlierDetection = nil
	}
	for i := range cfg.Routes {
		cfg.Routes[i].Policies.Retry = nil
	}
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
		DashboardURL: "http://" + p.AdminAddr() + "/dashboard",
		Route:        routeName,
		FlakyFrom:    script.FlakyFrom,
		FlakyUntil:   script.FlakyUntil,
	}
	fmt.Fprintf(o.Out, "resilience demo: proxy on http://%s -> upstreams %s\n", p.Addr(), strings.Join(ups.addrs, ", "))
	fmt.Fprintf(o.Out, "dashboard: %s   (metrics: http://%s/metrics)\n", sum.DashboardURL, p.AdminAddr())
	fmt.Fprintf(o.Out, "upstream-1 turns flaky (%.0f%% 503s, %.0f%% answers %v slow) from %.1fs to %.1fs, then recovers; %d callers, %v\n\n",
		script.ErrorRate*100, script.SlowRate*100, script.SlowDelay, script.FlakyFrom.Seconds(), script.FlakyUntil.Seconds(), o.Workers, o.Duration)
	if o.OnStart != nil {
		o.OnStart(sum.DashboardURL)
	}

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: o.Workers * 2},
		Timeout:   5 * time.Second,
	}
	defer client.CloseIdleConnections()
	target := "http://" + p.Addr() + "/"

	runCtx, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	start := time.Now()
	ups.flaky.Enable() // the schedule counts from here
	phase := func() Phase { return script.phase(time.Since(start)) }
	rec := &recorder{}
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			generateLoad(runCtx, client, target, rec, o.Pace, phase)
		}()
	}

	reg := p.Registry()
	state := breakerState(reg)
	tl := newTimeline(o.Out)
	ticker := time.NewTicker(o.Tick)
	defer ticker.Stop()
	sample := time.NewTicker(50 * time.Millisecond) // catches short open spells
	defer sample.Stop()
loop:
	for {
		select {
		case <-runCtx.Done():
			break loop
		case <-sample.C:
			state = sum.observe(time.Since(start), state, breakerState(reg))
		case now := <-ticker.C:
			at := now.Sub(start)
			state = sum.observe(at, state, breakerState(reg))
			tl.row(at, script.phase(at), rec.take(), state)
		}
	}
	wg.Wait()
	ups.flaky.Disable()

	total, flaky := rec.totals()
	sum.Requests, sum.OK, sum.Failed, sum.Rejected, sum.Fallbacks = total.Calls, total.OK, total.Failed, total.Rejected, total.Fallbacks
	sum.FlakyFailed, sum.FlakyRejected, sum.FlakyFallbacks = flaky.Failed, flaky.Rejected, flaky.Fallbacks
	sum.P99 = total.p99()
	sum.RouteCounts = map[string]uint64{}
	if in := instance(reg, "route", routeName); in != nil {
		sum.RouteCounts = in.Counts
	}
	printSummary(o.Out, sum)
	return sum, nil
}

// observe records a change of the breaker state from prev to cur at at,
// and returns cur.
func (s *Summary) observe(at time.Duration, prev, cur string) string {
	if cur == prev || cur == "" {
		return prev
	}
	s.Changes = append(s.Changes, StateChange{At: at, From: prev, To: cur})
	switch {
	case cur == "open" && prev == "closed":
		s.Trips = append(s.Trips, at)
	case cur == "closed" && prev != "":
		s.Recoveries = append(s.Recoveries, at)
	}
	return cur
}

// breakerState reads the route's breaker state from the registry.
func breakerState(reg *stats.Registry) string {
	if in := instance(reg, "circuitbreaker", routeName); in != nil {
		return in.State
	}
	return ""
}

func instance(reg *stats.Registry, policy, name string) *stats.InstanceSnapshot {
	for _, in := range reg.Instances() {
		if in.Policy() == policy && in.Name() == name {
			s := in.Snapshot()
			return &s
		}
	}
	return nil
}

// generateLoad sends GETs through the proxy until ctx is done.
func generateLoad(ctx context.Context, c *http.Client, url string, rec *recorder, pace time.Duration, phase func() Phase) {
	t := time.NewTicker(pace)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		began := time.Now()
		o, err := call(ctx, c, url)
		if err != nil && ctx.Err() != nil {
			return // the demo ended mid-call: not the proxy's fault
		}
		rec.record(o, time.Since(began), phase())
	}
}

// call makes one request and classifies the proxy's answer.
func call(ctx context.Context, c *http.Client, url string) (outcome, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return outcomeFailed, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return outcomeFailed, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil && !errors.Is(err, io.EOF) {
		return outcomeFailed, err
	}
	switch {
	case resp.StatusCode < 400:
		return outcomeOK, nil
	case strings.HasPrefix(string(body), fallbackBody):
		return outcomeFallback, nil
	case resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), "rejected"):
		return outcomeRejected, nil
	}
	return outcomeFailed, nil
}
