package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
)

func ejected(b *balancer.Balancer) []string {
	return ids(b.Stats(), func(s balancer.EndpointStats) bool { return s.Ejected })
}

func TestConsecutiveFailuresEject(t *testing.T) {
	clk := manual()
	cfg := balancer.Config{Clock: clk, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 3, MaxEjectionPercent: 100}}
	b := mustNew(t, cfg, endpoints(4))
	failOn(t, b, "e1", 2)
	// A success in between resets the count.
	for pickID(t, b, "") != "e1" {
	}
	failOn(t, b, "e1", 2)
	if got := ejected(b); got != nil {
		t.Fatalf("ejected %v after 2+success+2 failures want none", got)
	}
	failOn(t, b, "e1", 1)
	if got := ejected(b); !slices.Equal(got, []string{"e1"}) {
		t.Fatalf("ejected %v after 3 failures in a row want [e1]", got)
	}
	for range 100 {
		if id := pickID(t, b, ""); id == "e1" {
			t.Fatal("ejected e1 was picked")
		}
	}
}

func TestEjectionTimeGrowsAndDecays(t *testing.T) {
	clk := manual()
	cfg := balancer.Config{Clock: clk, Outlier: balancer.OutlierConfig{
		ConsecutiveFailures: 1, Interval: 10 * time.Second, BaseEjectionTime: 30 * time.Second,
		MaxEjectionTime: 100 * time.Second, MaxEjectionPercent: 100,
	}}
	b := mustNew(t, cfg, endpoints(2))
	elapsed := time.Duration(0)
	// Each row: eject at once, then the ejection must last exactly want,
	// reviewed every 10s.
	for i, want := range []time.Duration{30 * time.Second, 60 * time.Second, 90 * time.Second, 100 * time.Second, 100 * time.Second} {
		failOn(t, b, "e0", 1)
		if got := ejected(b); !slices.Equal(got, []string{"e0"}) {
			t.Fatalf("ejection %d: ejected %v want [e0]", i+1, got)
		}
		start := elapsed
		for slices.Equal(ejected(b), []string{"e0"}) {
			clk.Advance(10 * time.Second)
			elapsed += 10 * time.Second
		}
		if got := elapsed - start; got != want {
			t.Fatalf("ejection %d lasted %v want %v", i+1, got, want)
		}
		if got := b.Stats()[0].Ejections; got != min(i+1, 5) {
			t.Fatalf("ejection %d: multiplier %d want %d", i+1, got, i+1)
		}
	}
	// Every interval in decays the multiplier by one.
	clk.Advance(30 * time.Second)
	if got := b.Stats()[0].Ejections; got != 2 {
		t.Fatalf("after 3 clean intervals multiplier %d want 5-3 = 2", got)
	}
	clk.Advance(time.Minute)
	failOn(t, b, "e0", 1)
	clk.Advance(20 * time.Second)
	if got := ejected(b); len(got) != 1 {
		t.Fatal("a fresh ejection ended before 30s")
	}
	clk.Advance(10 * time.Second)
	if got := ejected(b); len(got) != 0 {
		t.Fatalf("after the multiplier decayed to 0 the ejection lasted beyond 30s: %v", got)
	}
}

func TestMaxEjectionPercent(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		percent float64
		failing int
		want    int
	}{
		{"20-of-10", 10, 20, 5, 2},
		{"default-10-of-10", 10, 0, 5, 1},
		{"at-least-one", 3, 10, 3, 1},
		{"all", 4, 100, 4, 4},
		{"half-of-5-rounds-down", 5, 50, 5, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := manual()
			cfg := balancer.Config{Clock: clk, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 2, MaxEjectionPercent: tt.percent}}
			b := mustNew(t, cfg, endpoints(tt.n))
			for i := range tt.failing {
				failOn(t, b, fmt.Sprintf("e%d", i), 2)
			}
			if got := len(ejected(b)); got != tt.want {
				t.Fatalf("%d endpoints ejected want %d (%v%% of %d)", got, tt.want, tt.percent, tt.n)
			}
		})
	}
}

func TestSuccessRateOutliers(t *testing.T) {
	tests := []struct {
		name     string
		calls    []int // per endpoint
		failures []int // per endpoint
		minHosts int
		wantOut  []string
	}{
		{"one-outlier", rep(10, 200), append(rep(9, 2), 100), 0, []string{"e9"}},
		{"no-outlier", rep(10, 200), rep(10, 4), 0, nil},
		{"outlier-below-volume", append(rep(9, 200), 99), append(rep(9, 2), 90), 0, nil},
		{"too-few-hosts", append(rep(3, 200), 0, 0, 0, 0, 0, 0, 200), append(rep(9, 2), 100), 0, nil},
		{"min-hosts-lowered", append(rep(3, 200), 0, 0, 0, 0, 0, 0, 200), append(rep(9, 2), 100), 4, []string{"e9"}},
		{"two-outliers", rep(10, 200), append(rep(8, 0), 150, 160), 0, []string{"e8", "e9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := manual()
			cfg := balancer.Config{Clock: clk, Outlier: balancer.OutlierConfig{
				SuccessRateStdevFactor: 1, SuccessRateMinimumHosts: tt.minHosts, Interval: 10 * time.Second, MaxEjectionPercent: 100,
			}}
			b := mustNew(t, cfg, endpoints(10))
			// Round robin visits every endpoint once per round.
			ctx := context.Background()
			for round := range 200 {
				for range 10 {
					p := pick(t, b, ctx, "")
					var i int
					fmt.Sscanf(p.ID(), "e%d", &i)
					var err error
					if round < tt.calls[i] && round < tt.failures[i] {
						err = errBoom
					}
					if round < tt.calls[i] {
						p.Done(err, 0)
					} else {
						p.Done(resilience.MarkIgnored(errBoom), 0)
					}
				}
			}
			clk.Advance(10 * time.Second)
			if got := ejected(b); !slices.Equal(got, tt.wantOut) {
				t.Fatalf("ejected %v want %v", got, tt.wantOut)
			}
			// Counts restart every interval: nothing new is ejected.
			clk.Advance(10 * time.Second)
			if got := ejected(b); !slices.Equal(got, tt.wantOut) {
				t.Fatalf("second interval: ejected %v want %v", got, tt.wantOut)
			}
		})
	}
}

func rep(n, v int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestNoEndpointAndPanicMode(t *testing.T) {
	for _, panicMode := range []bool{false, true} {
		t.Run(fmt.Sprint("panic=", panicMode), func(t *testing.T) {
			clk := manual()
			var mu sync.Mutex
			var events []resilience.Event
			cfg := balancer.Config{Clock: clk, PanicMode: panicMode, Name: "users",
				Outlier: balancer.OutlierConfig{ConsecutiveFailures: 1, MaxEjectionPercent: 100},
				Listener: resilience.ListenerFunc(func(e resilience.Event) {
					mu.Lock()
					events = append(events, e)
					mu.Unlock()
				}),
			}
			b := mustNew(t, cfg, endpoints(2))
			failOn(t, b, "e0", 1)
			failOn(t, b, "e1", 1)
			p, err := b.Pick(context.Background(), "")
			if panicMode {
				if err != nil || p.ID() == "" {
					t.Fatalf("panic mode: Pick() = %q, %v want an endpoint", p.ID(), err)
				}
				p.Done(nil, 0)
			} else if !errors.Is(err, balancer.ErrNoEndpoint) || !errors.Is(err, resilience.ErrRejected) || p.ID() != "" {
				t.Fatalf("Pick() = %q, %v want ErrNoEndpoint matching ErrRejected", p.ID(), err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(events) < 2 {
				t.Fatalf("events %v want two ejections", events)
			}
			e := events[0]
			want := resilience.Event{Kind: resilience.EventStateChange, Policy: "balancer", Name: "users", From: "available", To: "ejected", Detail: "e0: consecutive failures"}
			if e != want {
				t.Fatalf("first event %+v want %+v", e, want)
			}
			if !panicMode && events[len(events)-1].Kind != resilience.EventRejected {
				t.Fatalf("last event %+v want EventRejected", events[len(events)-1])
			}
		})
	}
	b := mustNew(t, balancer.Config{}, nil)
	if _, err := b.Pick(context.Background(), ""); !errors.Is(err, balancer.ErrNoEndpoint) {
		t.Fatalf("Pick() on an empty set = %v want ErrNoEndpoint", err)
	}
}

func TestIgnoredOutcomesDoNotCount(t *testing.T) {
	b := mustNew(t, balancer.Config{Outlier: balancer.OutlierConfig{ConsecutiveFailures: 2, MaxEjectionPercent: 100}, Clock: manual()}, endpoints(1))
	for range 10 {
		p := pick(t, b, context.Background(), "")
		p.Done(context.Canceled, 0)
	}
	if got := ejected(b); got != nil {
		t.Fatalf("cancelled calls ejected %v", got)
	}
	custom := mustNew(t, balancer.Config{Classifier: func(error) resilience.Outcome { return resilience.OutcomeFailure },
		Outlier: balancer.OutlierConfig{ConsecutiveFailures: 2}, Clock: manual()}, endpoints(1))
	for range 2 {
		pick(t, custom, context.Background(), "").Done(nil, 0)
	}
	if got := ejected(custom); len(got) != 1 {
		t.Fatalf("a classifier failing every call ejected %v want [e0]", got)
	}
}
