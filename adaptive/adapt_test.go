package adaptive_test

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

// TestLimiterFollowsTheServer changes the simulated server under steady
// overload and checks that every algorithm follows: capacity halves, then
// doubles, then each call gets slower without any queueing (which only the
// periodic baseline probe can tell from queueing).
func TestLimiterFollowsTheServer(t *testing.T) {
	phases := []struct {
		name     string
		capacity float64
		service  time.Duration
		run      time.Duration
		want     float64 // expected allowance at capacity, before tolerance
	}{
		{"capacity-halves", 25, simService, 20 * time.Second, 25},
		{"capacity-quadruples", 100, simService, 20 * time.Second, 100},
		{"service-slows", 100, 2 * simService, 30 * time.Second, 100},
	}
	algorithms := []struct {
		name string
		cfg  adaptive.Config
	}{
		{"gradient", adaptive.Config{Algorithm: adaptive.AlgorithmGradient, Gradient: adaptive.GradientConfig{Tolerance: 1.1}}},
		{"vegas", adaptive.Config{Algorithm: adaptive.AlgorithmVegas}},
	}
	for _, alg := range algorithms {
		t.Run(alg.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			cfg := alg.cfg
			cfg.Clock = clk
			cfg.MaxLimit = 1000
			lim, err := adaptive.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			load := &simClass{name: "load", rate: 4 * simMaxRate}
			sim := newSimulation(clk, lim, load)
			sim.limitOf = func() int { return lim.Allowance(adaptive.PriorityNormal) }
			sim.run(10 * time.Second)
			for _, ph := range phases {
				sim.server.capacity = ph.capacity
				sim.server.service = float64(ph.service)
				load.rate = 2 * ph.capacity * float64(time.Second/ph.service)
				sim.measuring = false
				sim.run(ph.run - 5*time.Second)
				sim.measure()
				sim.limits = nil
				sim.run(5 * time.Second)
				median := medianInt(sim.limits)
				p99 := percentile(load.lat, 0.99)
				t.Logf("%s/%s: median allowance %d (capacity %.0f), p99 latency %v, baseline %v",
					alg.name, ph.name, median, ph.want, p99, lim.Stats().Baseline)
				if lo, hi := 0.75*ph.want, 1.25*ph.want; float64(median) < lo || float64(median) > hi {
					t.Errorf("%s: median allowance = %d want within [%.0f, %.0f]", ph.name, median, lo, hi)
				}
				if maxLat := 2 * ph.service; p99 > maxLat {
					t.Errorf("%s: p99 latency = %v want <= %v", ph.name, p99, maxLat)
				}
			}
		})
	}
}
