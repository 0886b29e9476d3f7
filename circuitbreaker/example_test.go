package circuitbreaker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
)

var errUnavailable = errors.New("unavailable")

func ExampleBreaker() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	cfg := circuitbreaker.DefaultConfig()
	cfg.Name = "inventory"
	cfg.ConsecutiveFailures = 3
	cfg.OpenDuration = 10 * time.Second
	cfg.Clock = clk
	b, err := circuitbreaker.New(cfg)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	failing := func(context.Context) error { return errUnavailable }

	for range 3 {
		_ = b.Execute(ctx, failing)
	}
	err = b.Execute(ctx, failing)
	fmt.Println(b.State(), errors.Is(err, circuitbreaker.ErrOpen), errors.Is(err, resilience.ErrRejected))
	fmt.Println("retry after", b.RemainingOpen())

	clk.Advance(10 * time.Second)
	err = b.Execute(ctx, func(context.Context) error { return nil }) // the probe
	fmt.Println(err, b.State())
	// Output:
	// open true true
	// retry after 10s
	// <nil> closed
}

func ExampleBreaker_Acquire() {
	b, _ := circuitbreaker.New(circuitbreaker.Config{
		ConsecutiveFailures: 1,
		Clock:               clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
	})
	// The two-step API suits streams and proxies, where no function wraps
	// the call.
	permit, err := b.Acquire(context.Background())
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	permit.Done(errUnavailable) // report the outcome exactly once

	if _, err := b.Acquire(context.Background()); err != nil {
		fmt.Println("rejected:", err)
	}
	// Output:
	// rejected: circuitbreaker: open: resilience: call rejected
}

func ExampleDo() {
	b, _ := circuitbreaker.New(circuitbreaker.DefaultConfig())
	price, err := circuitbreaker.Do(context.Background(), b, func(context.Context) (float64, error) {
		return 9.99, nil
	})
	fmt.Println(price, err)
	// Output: 9.99 <nil>
}

func ExampleNew_adaptive() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	b, _ := circuitbreaker.New(circuitbreaker.Config{
		Mode:         circuitbreaker.ModeAdaptive,
		AdaptiveK:    2,
		MinimumCalls: 10,
		Clock:        clk,
		Random:       func() float64 { return 0.5 }, // deterministic for the example
	})
	ctx := context.Background()
	// 20 requests, of which 4 were accepted: the dependency serves 20%.
	for i := range 20 {
		var err error
		if i >= 4 {
			err = errUnavailable
		}
		_ = b.Execute(ctx, func(context.Context) error { return err })
	}
	m := b.Metrics()
	// (requests − K·accepts) / (requests + 1) = (20 − 8) / 21
	fmt.Printf("reject probability %.3f\n", m.RejectProbability)
	err := b.Execute(ctx, func(context.Context) error { return nil })
	fmt.Println(errors.Is(err, circuitbreaker.ErrOpen), b.State())
	// Output:
	// reject probability 0.571
	// true closed
}

func ExampleConfig_Validate() {
	cfg := circuitbreaker.DefaultConfig()
	cfg.FailureRateThreshold = 150
	fmt.Println(cfg.Validate())
	// Output: circuitbreaker: FailureRateThreshold 150 must be in (0, 100] or 0 (off)
}

func ExampleBreaker_Metrics() {
	b, _ := circuitbreaker.New(circuitbreaker.Config{
		Name:                 "search",
		FailureRateThreshold: 50,
		MinimumCalls:         10,
		Clock:                clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
	})
	ctx := context.Background()
	for i := range 8 {
		_ = b.Execute(ctx, func(context.Context) error {
			if i%4 == 0 {
				return errUnavailable
			}
			return nil
		})
	}
	m := b.Metrics()
	fmt.Printf("%s %s calls=%d failures=%d rate=%.0f%%\n", m.Name, m.State, m.Calls, m.Failures, m.FailureRate)
	// Output: search closed calls=8 failures=2 rate=25%
}

func ExampleBreaker_ForceOpen() {
	b, _ := circuitbreaker.New(circuitbreaker.DefaultConfig())
	b.ForceOpen() // e.g. during a maintenance window
	_, err := b.Acquire(context.Background())
	fmt.Println(b.State(), errors.Is(err, circuitbreaker.ErrOpen))
	b.Reset()
	fmt.Println(b.State())
	// Output:
	// forced_open true
	// closed
}
