package adaptive_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

func ExampleLimiter() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	lim, err := adaptive.New(adaptive.Config{
		Algorithm:    adaptive.AlgorithmAIMD,
		InitialLimit: 4,
		Window:       10 * time.Millisecond,
		MinSamples:   4,
		Clock:        clk,
	})
	if err != nil {
		panic(err)
	}
	ctx := adaptive.WithPriority(context.Background(), adaptive.PriorityCritical)
	var permits []resilience.Permit
	for {
		p, err := lim.Acquire(ctx)
		if err != nil {
			fmt.Println(err, errors.Is(err, resilience.ErrRejected))
			break
		}
		permits = append(permits, p)
	}
	fmt.Println("admitted:", len(permits), "limit:", lim.Limit())

	// The calls succeed in 10ms while the limit held callers back: AIMD
	// adds one.
	clk.Advance(10 * time.Millisecond)
	for _, p := range permits {
		p.Done(nil)
	}
	fmt.Println("limit:", lim.Limit())
	// Output:
	// adaptive: concurrency limit exceeded: resilience: call rejected true
	// admitted: 4 limit: 4
	// limit: 5
}

func ExampleLimiter_timeouts() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	lim, _ := adaptive.New(adaptive.Config{
		Algorithm: adaptive.AlgorithmAIMD, InitialLimit: 10, Window: 10 * time.Millisecond, MinSamples: 1, Clock: clk,
	})
	p, _ := lim.Acquire(context.Background())
	clk.Advance(time.Second)
	p.Done(context.DeadlineExceeded) // a timeout is a drop: back off by 0.9
	fmt.Println("limit:", lim.Limit())
	// Output:
	// limit: 9
}

func ExampleShedder() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	shed, _ := adaptive.NewShedder(adaptive.ShedderConfig{
		TargetLatency: 50 * time.Millisecond,
		Window:        100 * time.Millisecond,
		MinSamples:    1,
		Clock:         clk,
	})
	// 100 calls complete in 100ms: 1000 calls/s. Admitting more than
	// 1000/s × 50ms = 50 at once would make new calls wait longer.
	for range 100 {
		p, _ := shed.AcquirePriority(adaptive.PriorityCritical)
		clk.Advance(time.Millisecond)
		p.Done(nil)
	}
	st := shed.Stats()
	fmt.Printf("throughput %.0f/s, limit %d\n", st.Throughput, st.Limit)
	// Output:
	// throughput 1000/s, limit 50
}

func ExampleParsePriority() {
	// An HTTP adapter reads the caller's priority from a header.
	for _, h := range []string{"critical", "SHEDDABLE", "bogus"} {
		p, err := adaptive.ParsePriority(h)
		fmt.Println(p, err != nil)
	}
	// Output:
	// critical false
	// sheddable false
	// normal true
}

func ExampleWithPriority() {
	lim, _ := adaptive.New(adaptive.Config{InitialLimit: 10})
	ctx := adaptive.WithPriority(context.Background(), adaptive.PrioritySheddable)
	fmt.Println(adaptive.PriorityFromContext(ctx), "may use", lim.Allowance(adaptive.PriorityFromContext(ctx)), "of", lim.Limit())
	// Output:
	// sheddable may use 5 of 10
}
