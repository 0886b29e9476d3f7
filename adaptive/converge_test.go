package adaptive_test

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

// TestLimiterConvergesToCapacity overloads the simulated server (capacity
// 50 calls, 10ms each, so 5000 calls/s at most) with 10000 calls/s for 20s
// and checks, over the last 10s, that the concurrency each algorithm allows
// (Allowance(PriorityNormal): 90% of Limit with the default shares) settles
// within ±25% of the capacity, or of what its configuration documents; that
// the server stays busy; and that the latency of admitted calls stays
// bounded.
func TestLimiterConvergesToCapacity(t *testing.T) {
	tests := []struct {
		name    string
		cfg     adaptive.Config
		timeout time.Duration // client timeout
		want    float64       // limit the documentation predicts
	}{
		{
			// Tolerance 1.1 on a noiseless server: ≈ 1.1×C + QueueSize.
			name: "gradient",
			cfg:  adaptive.Config{Algorithm: adaptive.AlgorithmGradient, Gradient: adaptive.GradientConfig{Tolerance: 1.1}},
			want: simCapacity,
		},
		{
			// The default Tolerance 1.5 accepts 50% more latency:
			// ≈ 1.5×C + 4.
			name: "gradient-default",
			cfg:  adaptive.Config{},
			want: 1.5*simCapacity + 4,
		},
		{
			// Queue of Alpha..Beta × log10(limit): C + 5..10.
			name: "vegas",
			cfg:  adaptive.Config{Algorithm: adaptive.AlgorithmVegas},
			want: simCapacity,
		},
		{
			// Calls slower than 1.2×Service count as drops: the
			// allowance saws between 0.9 and 1 × 1.2C.
			name: "aimd-latency",
			cfg:  adaptive.Config{Algorithm: adaptive.AlgorithmAIMD, AIMD: adaptive.AIMDConfig{Timeout: 12 * time.Millisecond}},
			want: simCapacity,
		},
		{
			// The client gives up after 12ms: context.DeadlineExceeded
			// is a drop.
			name:    "aimd-client-timeouts",
			cfg:     adaptive.Config{Algorithm: adaptive.AlgorithmAIMD},
			timeout: 12 * time.Millisecond,
			want:    simCapacity,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			cfg := tt.cfg
			cfg.Clock = clk
			lim, err := adaptive.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			load := &simClass{name: "load", rate: 2 * simMaxRate}
			sim := newSimulation(clk, lim, load)
			sim.timeout = tt.timeout
			sim.limitOf = func() int { return lim.Allowance(adaptive.PriorityNormal) }
			sim.run(10 * time.Second)
			sim.measure()
			const measured = 10 * time.Second
			sim.run(measured)

			median := medianInt(sim.limits)
			p99 := percentile(load.lat, 0.99)
			throughput := float64(load.done) / measured.Seconds()
			st := lim.Stats()
			t.Logf("%s: median allowance %d (want %.0f ±25%%; Limit %d), min %d max %d, p99 latency %v, throughput %.0f/s of %.0f, baseline %v, rejected %.0f%%, timed out %d",
				tt.name, median, tt.want, lim.Limit(), slicesMin(sim.limits), slicesMax(sim.limits), p99, throughput, simMaxRate, st.Baseline, 100*load.rejectedShare(), load.timedOut)
			if lo, hi := 0.75*tt.want, 1.25*tt.want; float64(median) < lo || float64(median) > hi {
				t.Errorf("median allowance = %d want within [%.0f, %.0f]", median, lo, hi)
			}
			if throughput < 0.8*simMaxRate {
				t.Errorf("throughput = %.0f/s want >= 80%% of the server's %.0f/s", throughput, simMaxRate)
			}
			if maxLat := time.Duration(2 * tt.want / simCapacity * float64(simService)); p99 > maxLat {
				t.Errorf("p99 latency = %v want <= %v", p99, maxLat)
			}
		})
	}
}

func slicesMin(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func slicesMax(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
