package fulldemo

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

// TestDemoRun runs a shortened demo against its real loopback servers: the
// dashboard must answer while it runs, requests must succeed, and the flaky
// phase must show at the route.
func TestDemoRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real 6s demo")
	}
	var out syncBuffer
	dashStatus := 0
	sum, err := Run(context.Background(), Options{
		Duration: 6 * time.Second, Tick: 500 * time.Millisecond, Out: &out,
		OnStart: func(url string) {
			resp, err := http.Get(url)
			if err != nil {
				t.Errorf("GET %s: %v", url, err)
				return
			}
			resp.Body.Close()
			dashStatus = resp.StatusCode
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if dashStatus != http.StatusOK {
		t.Errorf("GET dashboard = %d want 200", dashStatus)
	}
	if !strings.Contains(text, sum.DashboardURL) || !strings.HasPrefix(sum.DashboardURL, "http://127.0.0.1:") ||
		!strings.HasSuffix(sum.DashboardURL, "/dashboard") {
		t.Errorf("dashboard URL %q not printed:\n%s", sum.DashboardURL, text)
	}
	if sum.Requests == 0 || sum.OK == 0 {
		t.Fatalf("summary %+v: no successful requests\n%s", sum, text)
	}
	if sum.FlakyFailed+sum.FlakyRejected+sum.FlakyFallbacks == 0 {
		t.Errorf("the flaky phase showed no failures, rejections or fallbacks\n%s", text)
	}
	if sum.RouteCounts["failure"]+sum.RouteCounts["rejected"]+sum.RouteCounts["fallback"] == 0 {
		t.Errorf("route counts %v: the proxy saw no trouble\n%s", sum.RouteCounts, text)
	}
	for _, want := range []string{"breaker", "fallbacks", "flaky", "recovered", "summary", "requests"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestDemoStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out syncBuffer
	if _, err := Run(ctx, Options{Duration: time.Hour, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "summary") {
		t.Fatalf("a cancelled demo must still print its summary:\n%s", out.String())
	}
}

func TestScriptPhases(t *testing.T) {
	s := scriptFor(10 * time.Second)
	tests := []struct {
		at   time.Duration
		want Phase
	}{{0, PhaseHealthy}, {2999 * time.Millisecond, PhaseHealthy}, {3 * time.Second, PhaseFlaky}, {5999 * time.Millisecond, PhaseFlaky}, {6 * time.Second, PhaseRecovered}}
	for _, tt := range tests {
		if got := s.phase(tt.at); got != tt.want {
			t.Errorf("phase(%v) = %v want %v", tt.at, got, tt.want)
		}
	}
}

func TestP99NearestRank(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 1}, {2, 2}, {100, 99}, {101, 100}, {1000, 990}}
	for _, tt := range tests {
		var tl tally
		for i := tt.n; i >= 1; i-- {
			tl.latencies = append(tl.latencies, time.Duration(i))
		}
		if got := tl.p99(); got != tt.want {
			t.Errorf("p99 of 1..%d = %v want %v", tt.n, got, tt.want)
		}
	}
}
