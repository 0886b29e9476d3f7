package balancer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/resilience-go/resilience/balancer"
)

// TestInFlightTracking checks what Stats reports in every mode: the
// policies that read in-flight counts always keep them, the others only
// with TrackInFlight, and outlier detection records outcomes either way.
func TestInFlightTracking(t *testing.T) {
	tests := []struct {
		policy    balancer.Policy
		unbounded bool // RingHash.Unbounded
		track     bool // TrackInFlight
		counts    bool
	}{
		{balancer.PolicyRoundRobin, false, false, false},
		{balancer.PolicyRoundRobin, false, true, true},
		{balancer.PolicyRandom, false, false, false},
		{balancer.PolicyRandom, false, true, true},
		{balancer.PolicyWeightedRoundRobin, false, false, false},
		{balancer.PolicyWeightedRoundRobin, false, true, true},
		{balancer.PolicyRingHash, true, false, false},
		{balancer.PolicyRingHash, true, true, true},
		{balancer.PolicyRingHash, false, false, true},
		{balancer.PolicyLeastRequest, false, false, true},
		{balancer.PolicyPeakEWMA, false, false, true},
	}
	for _, tt := range tests {
		for _, outlier := range []bool{false, true} {
			name := fmt.Sprintf("%s/unbounded=%v/track=%v/outlier=%v", tt.policy, tt.unbounded, tt.track, outlier)
			t.Run(name, func(t *testing.T) {
				cfg := balancer.Config{
					Policy: tt.policy, TrackInFlight: tt.track, Clock: manual(),
					RingHash: balancer.RingHashConfig{Unbounded: tt.unbounded},
				}
				if outlier {
					cfg.Outlier = balancer.OutlierConfig{ConsecutiveFailures: 3, MaxEjectionPercent: 100}
				}
				b := mustNew(t, cfg, endpoints(1))
				inflight := func() int64 { return b.Stats()[0].InFlight }
				held := make([]balancer.Pick, 3)
				for i := range held {
					held[i] = pick(t, b, context.Background(), "k")
				}
				want := int64(3)
				if !tt.counts {
					want = -1
				}
				if got := inflight(); got != want {
					t.Fatalf("InFlight with 3 picks held = %d want %d", got, want)
				}
				for _, p := range held {
					p.Done(errBoom, 0)
				}
				if want > 0 {
					want = 0
				}
				if got := inflight(); got != want {
					t.Fatalf("InFlight after Done = %d want %d", got, want)
				}
				// Three failures in a row eject the endpoint exactly when
				// outlier detection is on, counted in flight or not.
				if got := b.Stats()[0].Ejected; got != outlier {
					t.Fatalf("Ejected after 3 failures = %v want %v", got, outlier)
				}
			})
		}
	}
}

// TestPickCancel checks that a cancelled pick gives its in-flight count
// back and records neither an outcome nor a latency.
func TestPickCancel(t *testing.T) {
	for _, policy := range []balancer.Policy{balancer.PolicyLeastRequest, balancer.PolicyPeakEWMA} {
		t.Run(string(policy), func(t *testing.T) {
			b, err := balancer.New(balancer.Config{
				Policy: policy, Clock: manual(),
				Outlier: balancer.OutlierConfig{ConsecutiveFailures: 1},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Update([]balancer.Endpoint{{ID: "a", Addr: "10.0.0.1:80"}}); err != nil {
				t.Fatal(err)
			}
			p, err := b.Pick(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Stats()[0].InFlight; got != 1 {
				t.Fatalf("InFlight after Pick = %d want 1", got)
			}
			p.Cancel()
			s := b.Stats()[0]
			if s.InFlight != 0 || s.Ejected || s.Latency != 0 {
				t.Errorf("after Cancel: InFlight %d, Ejected %v, Latency %v; want 0, false, 0", s.InFlight, s.Ejected, s.Latency)
			}
		})
	}
}
