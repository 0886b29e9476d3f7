package stats_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/stats"
)

func ExampleRegistry_Listener() {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	reg, _ := stats.NewRegistry(stats.Config{Clock: clk})

	br, _ := circuitbreaker.New(circuitbreaker.Config{
		Name:                "db",
		ConsecutiveFailures: 3,
		OpenDuration:        time.Minute,
		Clock:               clk,
		Listener:            reg.Listener("circuitbreaker", "db"),
	})
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))

	ctx := context.Background()
	for i := range 10 {
		p, err := br.Acquire(ctx)
		if err != nil {
			continue // rejected while open
		}
		clk.Advance(20 * time.Millisecond) // the call takes 20ms
		if i >= 5 {
			err = errors.New("down")
		}
		p.Done(err)
	}
	clk.Advance(time.Second)

	for _, s := range reg.Snapshot() {
		fmt.Println(s.Policy, s.Name, s.State)
		fmt.Println("counts:", s.Counts)
		fmt.Printf("failures per second over 10s: %.1f\n", s.Rate10s["failure"])
		fmt.Println("p99 latency:", s.Latency.P99.Round(time.Millisecond))
	}
	// Output:
	// circuitbreaker db open
	// counts: map[failure:3 rejected:2 state_change:1 success:5]
	// failures per second over 10s: 2.6
	// p99 latency: 20ms
}

func ExampleHistogram() {
	var h stats.Histogram
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	s := h.Snapshot()
	for _, q := range []float64{0.5, 0.99} {
		d := s.Quantile(q)
		fmt.Printf("p%v within 1%% of exact: %v\n", q*100, d >= time.Duration(q*990)*time.Millisecond && d <= time.Duration(q*1010)*time.Millisecond)
	}
	fmt.Println("max:", s.Max())
	// Output:
	// p50 within 1% of exact: true
	// p99 within 1% of exact: true
	// max: 1s
}

func ExampleInstance_Record() {
	reg, _ := stats.NewRegistry(stats.Config{Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	in := reg.Instance("httpx", "frontend")
	in.Record(resilience.EventSuccess, 3*time.Millisecond)
	in.Record(resilience.EventRejected, 0)
	s := in.Snapshot()
	fmt.Println(s.Counts, s.Latency.Count)
	// Output: map[rejected:1 success:1] 1
}
