// Package demo runs the self-contained demonstration behind
// `resilience demo`: a scripted upstream on loopback that turns flaky and
// slow and then recovers, a load generator calling it through a pipeline
// with a circuit breaker, and a live per-interval timeline in the terminal.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
)

// Options configure a demo run. The zero value runs the default demo.
type Options struct {
	// Duration is how long the demo runs. Zero means 30s.
	Duration time.Duration
	// Tick is the timeline's interval. Zero means 1s.
	Tick time.Duration
	// Workers is the number of concurrent callers. Zero means 8.
	Workers int
	// Pace is the pause between one caller's requests. Zero means 20ms.
	Pace time.Duration
	// Out receives the timeline and the summary. Nil means io.Discard.
	Out io.Writer
}

func (o Options) withDefaults() Options {
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
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
	return o
}

// Summary is what a demo run observed.
type Summary struct {
	Calls, OK, Failed, Rejected int
	// FailureStart and FailureEnd are when the upstream's failing phase
	// began and ended, measured from the start.
	FailureStart, FailureEnd time.Duration
	// Trips are the moments the breaker opened; Recoveries the moments it
	// closed again.
	Trips, Recoveries []time.Duration
	// P99 is the 99th percentile latency of the calls that ran.
	P99 time.Duration
}

// errUpstream is a 5xx answer: the dependency failed.
var errUpstream = errors.New("demo: upstream answered 5xx")

// Run runs the demo until its duration passes or ctx is done, printing the
// timeline to o.Out, and returns the summary (also printed).
func Run(ctx context.Context, o Options) (Summary, error) {
	o = o.withDefaults()
	script := scriptFor(o.Duration)
	up, err := startUpstream(script)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: start upstream: %w", err)
	}
	defer up.Close()

	start := up.start
	var (
		mu      sync.Mutex
		changes []stateChange
	)
	breaker, err := circuitbreaker.New(circuitbreaker.Config{
		Name:                  "upstream",
		FailureRateThreshold:  50,
		SlowCallRateThreshold: 80,
		SlowCallDuration:      script.SlowDelay / 2,
		MinimumCalls:          20,
		WindowType:            circuitbreaker.WindowTime,
		WindowDuration:        max(o.Duration/15, 500*time.Millisecond),
		OpenDuration:          max(o.Duration/30, 100*time.Millisecond),
		MaxOpenDuration:       max(o.Duration/10, 300*time.Millisecond),
		HalfOpenProbes:        3,
		Listener: resilience.ListenerFunc(func(e resilience.Event) {
			if e.Kind != resilience.EventStateChange {
				return
			}
			mu.Lock()
			changes = append(changes, stateChange{at: time.Since(start), from: e.From, to: e.To})
			mu.Unlock()
		}),
	})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: breaker: %w", err)
	}
	pipeline, err := resilience.NewPipeline[int](breaker)
	if err != nil {
		return Summary{}, err
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Workers * 2}}
	defer client.CloseIdleConnections()
	callTimeout := script.SlowDelay * 2
	call := func(ctx context.Context) (int, error) {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, up.URL(), nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			return resp.StatusCode, errUpstream
		}
		return resp.StatusCode, nil
	}

	fmt.Fprintf(o.Out, "resilience demo: upstream %s, %d callers, %v\n", up.URL(), o.Workers, o.Duration)
	fmt.Fprintf(o.Out, "the upstream fails (%.0f%% errors, slow answers) from %v to %v, then recovers\n\n",
		script.ErrorRate*100, script.FailFrom.Round(time.Second/10), script.FailUntil.Round(time.Second/10))

	runCtx, stop := context.WithTimeout(ctx, o.Duration)
	defer stop()
	rec := &recorder{}
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			generateLoad(runCtx, pipeline, call, rec, o.Pace)
		}()
	}

	tl := newTimeline(o.Out)
	ticker := time.NewTicker(o.Tick)
	defer ticker.Stop()
loop:
	for {
		select {
		case <-runCtx.Done():
			break loop
		case now := <-ticker.C:
			tl.row(now.Sub(start), up.phase(now), rec.take(), breaker.State())
		}
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	total := rec.totals()
	sum := Summary{
		Calls: total.Calls, OK: total.OK, Failed: total.Failed, Rejected: total.Rejected,
		FailureStart: script.FailFrom, FailureEnd: script.FailUntil, P99: total.p99(),
	}
	for _, c := range changes {
		switch c.to {
		case circuitbreaker.StateOpen.String():
			if c.from == circuitbreaker.StateClosed.String() {
				sum.Trips = append(sum.Trips, c.at)
			}
		case circuitbreaker.StateClosed.String():
			sum.Recoveries = append(sum.Recoveries, c.at)
		}
	}
	printSummary(o.Out, sum, changes)
	return sum, nil
}

type stateChange struct {
	at       time.Duration
	from, to string
}

// generateLoad calls through the pipeline until ctx is done.
func generateLoad(ctx context.Context, p *resilience.Pipeline[int], call func(context.Context) (int, error), rec *recorder, pace time.Duration) {
	t := time.NewTicker(pace)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		began := time.Now()
		_, err := p.Execute(ctx, call)
		took := time.Since(began)
		switch {
		case err == nil:
			rec.record(outcomeOK, took)
		case errors.Is(err, resilience.ErrRejected):
			rec.record(outcomeRejected, took)
		case ctx.Err() != nil:
			return // the demo ended mid-call: not the upstream's fault
		default:
			rec.record(outcomeFailed, took)
		}
	}
}
