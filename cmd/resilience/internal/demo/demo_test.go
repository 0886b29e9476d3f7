package demo

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the demo's writer and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// get returns the status of GET url, or the error.
func get(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestDemoTripsAndRecovers runs a 12s demo against its real loopback
// servers: the dashboard and /metrics must answer while it runs, the
// breaker must open during the outage and close again after it, and
// fallbacks must answer meanwhile. The assertions are about what happened
// and in which order, not about timings, so a loaded machine passes too.
func TestDemoTripsAndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real 12s demo")
	}
	var out syncBuffer
	var dashStatus, metricsStatus int
	var dashErr, metricsErr error
	sum, err := Run(context.Background(), Options{
		Duration: 12 * time.Second, Tick: 500 * time.Millisecond, Out: &out,
		OnStart: func(url string) {
			dashStatus, dashErr = get(url)
			metricsStatus, metricsErr = get(strings.TrimSuffix(url, "/dashboard") + "/metrics")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if testing.Verbose() {
		t.Log(text)
	}
	if dashErr != nil || dashStatus != http.StatusOK {
		t.Errorf("GET %s = %d, %v; want 200", sum.DashboardURL, dashStatus, dashErr)
	}
	if metricsErr != nil || metricsStatus != http.StatusOK {
		t.Errorf("GET %s = %d, %v; want 200", sum.MetricsURL, metricsStatus, metricsErr)
	}
	for _, u := range []string{sum.DashboardURL, sum.MetricsURL} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.Contains(text, u) {
			t.Errorf("URL %q not on loopback or not printed:\n%s", u, text)
		}
	}
	if sum.Requests == 0 || sum.OK == 0 {
		t.Fatalf("summary %+v: no successful requests\n%s", sum, text)
	}
	if len(sum.Trips) == 0 || sum.Trips[0] < sum.Script.OutageFrom {
		t.Fatalf("trips %v; want one after the outage began at %v\n%s", sum.Trips, sum.Script.OutageFrom, text)
	}
	if !slicesAnyAfter(sum.Recoveries, sum.Trips[0]) {
		t.Fatalf("recoveries %v; want one after the trip at %v\n%s", sum.Recoveries, sum.Trips[0], text)
	}
	if last := lastState(sum.Changes); last != "closed" {
		t.Errorf("breaker %s at the end; want closed\n%s", last, text)
	}
	if sum.Fallbacks == 0 || sum.ByPhase[PhaseOutage].Fallbacks == 0 {
		t.Errorf("fallbacks %d, %d in the outage; want some\n%s", sum.Fallbacks, sum.ByPhase[PhaseOutage].Fallbacks, text)
	}
	if sum.FallbackKinds["stale"] == 0 || sum.FallbackKinds["static"] == 0 {
		t.Errorf("fallbacks by kind %v; want the stale cache for repeated paths and the static answer for new ones\n%s", sum.FallbackKinds, text)
	}
	if sum.BreakerRefused == 0 || sum.RouteCounts["fallback"] == 0 {
		t.Errorf("breaker refused %d, route fallbacks %d; want both > 0\n%s", sum.BreakerRefused, sum.RouteCounts["fallback"], text)
	}
	if sum.ByPhase[PhaseHealthy].OK == 0 || sum.ByPhase[PhaseRecovered].OK == 0 {
		t.Errorf("by phase %+v: want successes before and after the outage\n%s", sum.ByPhase, text)
	}
	for _, want := range []string{"dashboard", "metrics", "breaker", "fallbacks", "outage", "recovered",
		"summary", "requests", "rejected", "p99 latency", "tripped      at", "recovered    at", "breaker tripped", "breaker closed again"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func slicesAnyAfter(ds []time.Duration, t time.Duration) bool {
	for _, d := range ds {
		if d > t {
			return true
		}
	}
	return false
}

func TestDemoStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out syncBuffer
	sum, err := Run(ctx, Options{Duration: time.Hour, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"summary", "requests", sum.DashboardURL, sum.MetricsURL} {
		if !strings.Contains(text, want) {
			t.Errorf("a cancelled demo must still print %q:\n%s", want, text)
		}
	}
}
