package adaptive_test

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

// TestOverloadLatencyBounded runs the simulated server at twice its
// capacity for 10s with and without a guard. Without one, the backlog and
// so the latency grow without bound; with the Limiter (each algorithm) or
// the Shedder, latency stays flat.
func TestOverloadLatencyBounded(t *testing.T) {
	type result struct{ early, late time.Duration }
	run := func(t *testing.T, guard func(clk *clock.Manual) resilience.Guard) result {
		clk := clock.NewManual(t0)
		var g resilience.Guard
		if guard != nil {
			g = guard(clk)
		}
		load := &simClass{name: "load", rate: 2 * simMaxRate}
		sim := newSimulation(clk, g, load)
		sim.run(4 * time.Second)
		sim.measure()
		sim.run(time.Second)
		early := percentile(load.lat, 0.99)
		sim.run(4 * time.Second)
		sim.measure()
		sim.run(time.Second)
		return result{early, percentile(load.lat, 0.99)}
	}
	unlimited := run(t, nil)
	t.Logf("no guard: p99 latency %v at 5s, %v at 10s", unlimited.early, unlimited.late)
	if unlimited.late < 2*unlimited.early || unlimited.late < 100*simService {
		t.Fatalf("without a guard the p99 latency went %v -> %v; the simulation should overload", unlimited.early, unlimited.late)
	}
	guards := []struct {
		name   string
		guard  func(clk *clock.Manual) resilience.Guard
		maxP99 time.Duration
	}{
		{"gradient", limiter(adaptive.Config{Gradient: adaptive.GradientConfig{Tolerance: 1.1}}), 2 * simService},
		{"gradient-default", limiter(adaptive.Config{}), 2 * simService},
		{"vegas", limiter(adaptive.Config{Algorithm: adaptive.AlgorithmVegas}), 2 * simService},
		{"aimd", limiter(adaptive.Config{Algorithm: adaptive.AlgorithmAIMD, AIMD: adaptive.AIMDConfig{Timeout: 12 * time.Millisecond}}), 2 * simService},
		{"shedder", shedder(adaptive.ShedderConfig{TargetLatency: 3 * simService}), 4 * simService},
	}
	for _, g := range guards {
		t.Run(g.name, func(t *testing.T) {
			r := run(t, g.guard)
			t.Logf("%s: p99 latency %v at 5s, %v at 10s (no guard: %v)", g.name, r.early, r.late, unlimited.late)
			if r.late > g.maxP99 || r.early > g.maxP99 {
				t.Errorf("p99 latency = %v at 5s, %v at 10s want <= %v", r.early, r.late, g.maxP99)
			}
		})
	}
}

func limiter(cfg adaptive.Config) func(*clock.Manual) resilience.Guard {
	return func(clk *clock.Manual) resilience.Guard {
		cfg.Clock = clk
		l, err := adaptive.New(cfg)
		if err != nil {
			panic(err)
		}
		return l
	}
}

func shedder(cfg adaptive.ShedderConfig) func(*clock.Manual) resilience.Guard {
	return func(clk *clock.Manual) resilience.Guard {
		cfg.Clock = clk
		s, err := adaptive.NewShedder(cfg)
		if err != nil {
			panic(err)
		}
		return s
	}
}

// TestShedderTracksThroughput checks the Shedder's estimate of the server's
// throughput and the limit it derives, Throughput × TargetLatency, under
// overload.
func TestShedderTracksThroughput(t *testing.T) {
	for _, target := range []time.Duration{2 * simService, 3 * simService, 5 * simService} {
		t.Run(target.String(), func(t *testing.T) {
			clk := clock.NewManual(t0)
			s, err := adaptive.NewShedder(adaptive.ShedderConfig{TargetLatency: target, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			load := &simClass{name: "load", rate: 2 * simMaxRate}
			sim := newSimulation(clk, s, load)
			sim.limitOf = s.Limit
			sim.run(5 * time.Second)
			sim.measure()
			sim.run(5 * time.Second)
			st := s.Stats()
			wantLimit := simMaxRate * target.Seconds()
			median := medianInt(sim.limits)
			p99 := percentile(load.lat, 0.99)
			t.Logf("target %v: throughput %.0f/s (server %.0f/s), median limit %d (want %.0f), p99 latency %v, shed %.0f%%",
				target, st.Throughput, simMaxRate, median, wantLimit, p99, 100*load.rejectedShare())
			if st.Throughput < 0.75*simMaxRate || st.Throughput > 1.25*simMaxRate {
				t.Errorf("Throughput = %.0f/s want %.0f ±25%%", st.Throughput, simMaxRate)
			}
			if float64(median) < 0.75*wantLimit || float64(median) > 1.25*wantLimit {
				t.Errorf("median limit = %d want %.0f ±25%%", median, wantLimit)
			}
			if p99 > target*5/4 {
				t.Errorf("p99 latency = %v want <= 1.25 × TargetLatency %v", p99, target)
			}
		})
	}
}

// TestPrioritySheddingUnderOverload sends critical traffic at 40% of the
// server's throughput and sheddable traffic at 120%. With priorities the
// critical calls all get through at normal latency while the sheddable ones
// absorb the shedding; with every call at the same priority, critical calls
// are refused as often as the rest.
func TestPrioritySheddingUnderOverload(t *testing.T) {
	guards := []struct {
		name  string
		guard func(clk *clock.Manual) resilience.Guard
	}{
		{"gradient", limiter(adaptive.Config{Gradient: adaptive.GradientConfig{Tolerance: 1.1}})},
		{"vegas", limiter(adaptive.Config{Algorithm: adaptive.AlgorithmVegas})},
		{"aimd", limiter(adaptive.Config{Algorithm: adaptive.AlgorithmAIMD, AIMD: adaptive.AIMDConfig{Timeout: 12 * time.Millisecond}})},
		{"shedder", shedder(adaptive.ShedderConfig{TargetLatency: 3 * simService})},
	}
	for _, g := range guards {
		t.Run(g.name, func(t *testing.T) {
			for _, prioritized := range []bool{true, false} {
				clk := clock.NewManual(t0)
				critical := &simClass{name: "critical", rate: 0.4 * simMaxRate}
				sheddable := &simClass{name: "sheddable", rate: 1.2 * simMaxRate}
				if prioritized {
					critical.ctx = adaptive.WithPriority(t.Context(), adaptive.PriorityCritical)
					sheddable.ctx = adaptive.WithPriority(t.Context(), adaptive.PrioritySheddable)
				}
				sim := newSimulation(clk, g.guard(clk), critical, sheddable)
				sim.run(10 * time.Second)
				sim.measure()
				sim.run(10 * time.Second)
				p99c, p99s := percentile(critical.lat, 0.99), percentile(sheddable.lat, 0.99)
				t.Logf("%s prioritized=%v: critical refused %.2f%% p99 %v; sheddable refused %.1f%% p99 %v",
					g.name, prioritized, 100*critical.rejectedShare(), p99c, 100*sheddable.rejectedShare(), p99s)
				if !prioritized {
					if critical.rejectedShare() < 0.2 {
						t.Errorf("without priorities, critical refused %.1f%% want >= 20%%: the overload should hit everyone", 100*critical.rejectedShare())
					}
					continue
				}
				if critical.rejectedShare() > 0.01 {
					t.Errorf("critical calls refused %.2f%% want <= 1%%", 100*critical.rejectedShare())
				}
				if sheddable.rejectedShare() < 0.4 {
					t.Errorf("sheddable calls refused %.1f%% want >= 40%%", 100*sheddable.rejectedShare())
				}
				if served := float64(critical.done+sheddable.done) / 10; served < 0.8*simMaxRate {
					t.Errorf("served %.0f calls/s want >= 80%% of the server's %.0f/s", served, simMaxRate)
				}
				if p99c > 2*simService {
					t.Errorf("critical p99 latency = %v want <= %v", p99c, 2*simService)
				}
			}
		})
	}
}
