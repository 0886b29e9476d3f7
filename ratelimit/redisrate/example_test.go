package redisrate_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/redisrate"
)

// unreachable is a Redis URL where nothing listens, so that these examples
// show the behaviour without Redis and their output is exact. With a real
// Redis, the same calls are decided there, for every instance together.
const unreachable = "redis://127.0.0.1:1/0"

func Example() {
	lim, err := redisrate.NewFromURL(unreachable, redisrate.Config{
		Rate: 10, Burst: 4, // per key, across every instance
		ExpectedInstances: 2, // without Redis, each instance allows 5/s, burst 2
		Clock:             clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Listener: resilience.ListenerFunc(func(e resilience.Event) {
			if e.Kind == resilience.EventStateChange {
				fmt.Printf("%s -> %s: %s\n", e.From, e.To, e.Detail)
			}
		}),
	})
	if err != nil {
		panic(err)
	}
	defer lim.Close()
	for range 3 {
		info, err := lim.Allow(context.Background(), "user-1")
		fmt.Println(info.Allowed, info.Remaining, err)
	}
	// Output:
	// redis -> fallback: redis unavailable: local fallback
	// true 1 <nil>
	// true 0 <nil>
	// false 0 <nil>
}

func ExampleLimiter_Guard() {
	lim, err := redisrate.NewFromURL(unreachable, redisrate.Config{Rate: 100, OnFailure: redisrate.FailClosed})
	if err != nil {
		panic(err)
	}
	defer lim.Close()
	_, err = lim.Guard("tenant-7").Acquire(context.Background())
	fmt.Println(errors.Is(err, redisrate.ErrUnavailable), errors.Is(err, resilience.ErrRejected),
		errors.Is(err, ratelimit.ErrLimited))
	// Output: true true false
}

func ExampleConfig_Validate() {
	cfg := redisrate.DefaultConfig(100)
	cfg.Lease = 500
	fmt.Println(cfg.Validate())
	_, err := redisrate.NewFromURL("redis://:hunter2@localhost:6379/zero", cfg)
	fmt.Println(err)
	// Output:
	// redisrate: Lease 500 must be <= the burst 100
	// redisrate: URL "redis://:xxxxx@localhost:6379/zero" is invalid: redis: invalid database number: "zero"
}
