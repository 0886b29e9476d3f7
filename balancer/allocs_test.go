package balancer_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

func TestPickDoneAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	rules := []balancer.Rule{
		{Name: "beta", Priority: 2, Match: []balancer.Match{{Header: "x-group", Regexp: "^beta$"}}, Subset: map[string]string{"v": "1"}},
		{Name: "canary", Priority: 1, Percent: 5, Subset: map[string]string{"v": "1"}},
	}
	eps := endpoints(100)
	for i := range eps {
		eps[i].Weight = i%4 + 1
		eps[i].Zone = "a"
		eps[i].Metadata = map[string]string{"v": "1"}
	}
	ctx := balancer.WithHeaders(balancer.WithKey(context.Background(), "user-7"), balancer.MapHeaders{"x-group": "alpha"})
	tests := []struct {
		name string
		cfg  balancer.Config
		key  string
	}{
		{"round-robin", balancer.Config{}, ""},
		{"round-robin-tracked", balancer.Config{TrackInFlight: true}, ""},
		{"round-robin-outlier", balancer.Config{Outlier: balancer.DefaultOutlierConfig()}, ""},
		{"ring-hash-unbounded", balancer.Config{Policy: balancer.PolicyRingHash, RingHash: balancer.RingHashConfig{Unbounded: true}}, "user-42"},
		{"random", balancer.Config{Policy: balancer.PolicyRandom}, ""},
		{"random-seeded", balancer.Config{Policy: balancer.PolicyRandom, Seed: 1}, ""},
		{"weighted-round-robin", balancer.Config{Policy: balancer.PolicyWeightedRoundRobin}, ""},
		{"least-request", balancer.Config{Policy: balancer.PolicyLeastRequest}, ""},
		{"peak-ewma", balancer.Config{Policy: balancer.PolicyPeakEWMA}, ""},
		{"ring-hash", balancer.Config{Policy: balancer.PolicyRingHash}, "user-42"},
		{"ring-hash-key-from-context", balancer.Config{Policy: balancer.PolicyRingHash}, ""},
		{"rules-and-zone", balancer.Config{Rules: rules, Zone: balancer.ZoneConfig{Local: "a"}}, "user-1"},
		{"outlier-detection", balancer.DefaultConfig(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustNew(t, tt.cfg, eps)
			got := testing.AllocsPerRun(1000, func() {
				p, _ := b.Pick(ctx, tt.key)
				p.Done(nil, time.Millisecond)
				p, _ = b.Pick(ctx, tt.key)
				p.Done(errBoom, time.Millisecond)
			})
			if got != 0 {
				t.Errorf("Pick+Done allocates %v times want 0", got)
			}
		})
	}
	t.Run("no-endpoint", func(t *testing.T) {
		b := mustNew(t, balancer.Config{}, nil)
		if got := testing.AllocsPerRun(1000, func() { _, _ = b.Pick(ctx, "") }); got != 0 {
			t.Errorf("a refused Pick allocates %v times want 0", got)
		}
	})
}
