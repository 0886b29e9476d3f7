package stats_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/stats"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSources(t *testing.T) {
	reg, clk := newRegistry(t)
	ctx := context.Background()

	br := must(circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 2, OpenDuration: time.Minute, Clock: clk,
		Listener: reg.Listener("circuitbreaker", "db"),
	}))
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
	for range 2 {
		p, _ := br.Acquire(ctx)
		p.Done(errors.New("down"))
	}
	_, _ = br.Acquire(ctx) // rejected

	sem := must(bulkhead.New(bulkhead.Config{Name: "pool", MaxConcurrent: 4, Clock: clk}))
	reg.Instance("bulkhead", "pool").SetSource(stats.SemaphoreSource(sem))
	p1, _ := sem.Acquire(ctx)
	p2, _ := sem.Acquire(ctx)
	defer p1.Done(nil)
	defer p2.Done(nil)

	lim := must(ratelimit.New(ratelimit.Config{Name: "api", Rate: 10, Burst: 10, Clock: clk}))
	reg.Instance("ratelimit", "api").SetSource(stats.LimiterSource(lim))
	for range 4 {
		lim.Allow()
	}
	unlimited := must(ratelimit.New(ratelimit.Config{Unlimited: true, Clock: clk}))
	reg.Instance("ratelimit", "unlimited").SetSource(stats.LimiterSource(unlimited))

	al := must(adaptive.New(adaptive.Config{Name: "ad", InitialLimit: 20, MinLimit: 1, MaxLimit: 100, Clock: clk}))
	reg.Instance("adaptive", "ad").SetSource(stats.AdaptiveSource(al))
	ap, _ := al.Acquire(ctx)
	defer ap.Done(nil)

	sh := must(adaptive.NewShedder(adaptive.ShedderConfig{Name: "sh", TargetLatency: time.Second, InitialLimit: 70, MinLimit: 1, MaxLimit: 100, Clock: clk}))
	reg.Instance("shedder", "sh").SetSource(stats.ShedderSource(sh))

	rp := must(retry.New(retry.Config{Name: "r", Clock: clk}))
	reg.Instance("retry", "r").SetSource(stats.RetrySource(rp))

	byName := map[string]stats.InstanceSnapshot{}
	for _, s := range reg.Snapshot() {
		byName[s.Policy+"/"+s.Name] = s
	}
	tests := []struct {
		instance, gauge string
		want            float64
	}{
		{"circuitbreaker/db", "failure_ratio", 0}, // the window clears on opening
		{"circuitbreaker/db", "remaining_open_seconds", 60},
		{"bulkhead/pool", "in_flight", 2},
		{"bulkhead/pool", "max_concurrent", 4},
		{"bulkhead/pool", "waiting", 0},
		{"ratelimit/api", "limit", 10},
		{"ratelimit/api", "remaining", 6},
		{"ratelimit/api", "utilization", 0.4},
		{"adaptive/ad", "limit", 20},
		{"adaptive/ad", "in_flight", 1},
		{"shedder/sh", "limit", 70},
		{"retry/r", "attempt_latency_seconds", 0},
	}
	for _, tt := range tests {
		got, ok := byName[tt.instance].Gauges.Values[tt.gauge]
		if !ok || !approx(got, tt.want) {
			t.Errorf("%s gauge %s = %v (present %v) want %v", tt.instance, tt.gauge, got, ok, tt.want)
		}
	}
	cb := byName["circuitbreaker/db"]
	if cb.State != "open" || len(cb.Gauges.States) != 6 {
		t.Errorf("breaker State = %q, States = %v want open of 6", cb.State, cb.Gauges.States)
	}
	if cb.Counts["failure"] != 2 || cb.Counts["rejected"] != 1 || cb.Counts["state_change"] != 1 {
		t.Errorf("breaker Counts = %v want 2 failures, 1 rejected, 1 state_change", cb.Counts)
	}
	if g := byName["ratelimit/unlimited"].Gauges; g.Values != nil {
		t.Errorf("unlimited limiter gauges = %v want none", g.Values)
	}
}
