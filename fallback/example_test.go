package fallback_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/fallback"
)

// A chain degrades from the primary to a replica to a stub, and never
// hides a validation error.
func ExampleChain() {
	replica := fallback.Step[string]{
		Name: "replica",
		Handle: func(ctx context.Context, err error) (string, error) {
			return "", errors.New("replica down too")
		},
	}
	chain, _ := fallback.New(fallback.Config{
		Listener: resilience.ListenerFunc(func(e resilience.Event) { fmt.Println("event:", e.Kind, e.Detail) }),
	}, replica, fallback.Stub("stub", "default recommendations"))

	unavailable := func(context.Context) (string, error) { return "", context.DeadlineExceeded }
	res := chain.Do(context.Background(), unavailable)
	fmt.Printf("%q degraded=%v err=%v\n", res.Value, res.Degraded, res.Err)

	invalid := func(context.Context) (string, error) { return "", errors.New("user id must be numeric") }
	res = chain.Do(context.Background(), invalid)
	fmt.Printf("%q degraded=%v err=%v\n", res.Value, res.Degraded, res.Err)
	// Output:
	// event: failure replica
	// event: fallback stub
	// "default recommendations" degraded=true err=<nil>
	// "" degraded=false err=user id must be numeric
}

// A stale cache serves the last good answer while the dependency is down,
// until the answer is older than StaleTTL.
func ExampleStaleCache() {
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	cache, _ := fallback.NewStaleCache[string, int](fallback.CacheConfig{TTL: time.Second, StaleTTL: time.Minute, Clock: clk})
	price := func(v int, err error) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { return v, err }
	}
	down := fmt.Errorf("pricing: %w", resilience.ErrRejected) // e.g. its breaker is open
	ctx := context.Background()

	fmt.Println(cache.Do(ctx, "sku-1", price(42, nil)))
	clk.Advance(30 * time.Second)
	fmt.Println(cache.Do(ctx, "sku-1", price(0, down)))
	clk.Advance(30 * time.Second)
	fmt.Println(cache.Do(ctx, "sku-1", price(0, down)))
	// Output:
	// {42 <nil> false 1}
	// {42 <nil> true 1}
	// {0 pricing: resilience: call rejected false 1}
}

// In a pipeline, the cache learns each call's key from its context.
func ExampleStaleCache_WithKey() {
	cache, _ := fallback.NewStaleCache[int, string](fallback.CacheConfig{})
	p, _ := resilience.NewPipeline[string](cache)
	ctx := cache.WithKey(context.Background(), 7)

	p.Do(ctx, func(context.Context) (string, error) { return "alice", nil })
	res := p.Do(ctx, func(context.Context) (string, error) { return "", context.DeadlineExceeded })
	fmt.Println(res.Value, res.Degraded)
	// Output:
	// alice true
}
