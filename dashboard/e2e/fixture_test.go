package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/dashboard"
	"github.com/resilience-go/resilience/stats"
)

// fixture is a dashboard served on loopback, showing a real breaker and
// bulkhead in front of a tiny upstream that traffic runs against.
type fixture struct {
	url     string
	failing atomic.Bool
	breaker *circuitbreaker.Breaker
}

func (f *fixture) setFailing(on bool) { f.failing.Store(on) }

func (f *fixture) breakerState() string { return f.breaker.State().String() }

// newFixture starts the upstream, the dashboard and the traffic; the test's
// cleanup stops them all.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.failing.Load() {
			http.Error(w, "upstream failing", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	}))
	t.Cleanup(upstream.Close)

	reg, err := stats.NewRegistry(stats.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctl := dashboard.NewRegistry()
	d, err := dashboard.New(dashboard.Config{
		Registry: reg,
		Controls: ctl,
		Interval: 100 * time.Millisecond, // fills the sparklines within the test
		Title:    "resilience dashboard (browser test)",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })

	f.breaker, err = circuitbreaker.New(circuitbreaker.Config{
		Name:                "upstream",
		ConsecutiveFailures: 5,
		OpenDuration:        time.Hour, // stays open until the Reset button
		Listener:            resilience.Listeners(reg.Listener("circuitbreaker", "upstream"), d.Listener()),
	})
	if err != nil {
		t.Fatal(err)
	}
	reg.Instance("circuitbreaker", "upstream").SetSource(stats.BreakerSource(f.breaker))
	if err := ctl.AddBreaker(f.breaker); err != nil {
		t.Fatal(err)
	}
	sem, err := bulkhead.New(bulkhead.Config{Name: "upstream", MaxConcurrent: 8, Listener: reg.Listener("bulkhead", "upstream")})
	if err != nil {
		t.Fatal(err)
	}
	reg.Instance("bulkhead", "upstream").SetSource(stats.SemaphoreSource(sem))
	inj, err := chaos.New(chaos.Config{Name: "upstream", Listener: reg.Listener("chaos", "upstream")})
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.AddInjector(inj); err != nil {
		t.Fatal(err)
	}
	pipeline, err := resilience.NewPipeline[*http.Response](sem, f.breaker, inj)
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	f.url = srv.URL

	// Traffic: one call every 10ms until the test ends, bounded to a minute.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 2 * time.Second}
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			// Failures and rejections are what the page shows; the
			// outcome itself does not matter here.
			_, _ = pipeline.Execute(ctx, func(ctx context.Context) (*http.Response, error) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, upstream.URL, nil)
				resp, err := client.Do(req)
				if err != nil {
					return nil, err
				}
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					return resp, fmt.Errorf("upstream: %s", resp.Status)
				}
				return resp, nil
			})
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		client.CloseIdleConnections()
	})
	return f
}
