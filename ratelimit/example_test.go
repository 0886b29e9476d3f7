package ratelimit_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit"
)

var t0 = time.Now()

func ExampleLimiter() {
	clk := clock.NewManual(t0)
	lim, err := ratelimit.New(ratelimit.Config{Rate: 2, Burst: 3, Clock: clk})
	if err != nil {
		panic(err)
	}
	for range 4 {
		fmt.Print(lim.Allow(), " ")
	}
	clk.Advance(500 * time.Millisecond) // one event's worth at 2/s
	fmt.Println(lim.Allow(), lim.Allow())
	// Output: true true true false true false
}

func ExampleLimiter_Wait() {
	clk := clock.NewManual(time.Now())
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1, Per: time.Minute, Burst: 1, Clock: clk})
	lim.Allow()
	go func() {
		clk.WaitForTimers(1) // Wait is sleeping on the clock
		clk.Advance(time.Minute)
	}()
	start := clk.Now()
	err := lim.Wait(context.Background())
	fmt.Println(err, clk.Now().Sub(start))

	// A wait beyond the context's deadline fails at once.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(30*time.Second))
	defer cancel()
	err = lim.Wait(ctx)
	fmt.Println(errors.Is(err, ratelimit.ErrLimited), errors.Is(err, context.DeadlineExceeded))
	// Output:
	// <nil> 1m0s
	// true true
}

func ExampleLimiter_Reserve() {
	clk := clock.NewManual(t0)
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 4, Burst: 1, Clock: clk})
	for range 3 {
		r := lim.Reserve()
		fmt.Print(r.Delay(), " ")
	}
	fmt.Println(lim.ReserveN(2).OK()) // more than the burst: never
	// Output: 0s 250ms 500ms false
}

func ExampleLimiter_AllowInfo() {
	clk := clock.NewManual(t0)
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 100, Per: time.Minute, Clock: clk})
	lim.AllowN(99)
	for range 2 {
		info := lim.AllowInfo()
		fmt.Printf("allowed=%v RateLimit-Policy: \"default\";q=%d;w=%d\n", info.Allowed, info.Limit, info.WindowSeconds())
		fmt.Printf("RateLimit: \"default\";r=%d;t=%d\n", info.Remaining, info.ResetSeconds())
		if !info.Allowed {
			fmt.Printf("Retry-After: %d\n", info.RetryAfterSeconds())
		}
	}
	// Output:
	// allowed=true RateLimit-Policy: "default";q=100;w=60
	// RateLimit: "default";r=0;t=60
	// allowed=false RateLimit-Policy: "default";q=100;w=60
	// RateLimit: "default";r=0;t=60
	// Retry-After: 1
}

func ExampleLimiter_SetLimit() {
	clk := clock.NewManual(t0)
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 10, Burst: 10, Clock: clk})
	lim.AllowN(6)
	// A bigger burst keeps the 4 events left; the rest accrue at 100/s.
	_ = lim.SetLimit(100, 50)
	fmt.Println(lim.Info().Remaining)
	clk.Advance(100 * time.Millisecond)
	fmt.Println(lim.Info().Remaining)
	// Output:
	// 4
	// 14
}

func ExampleLimiter_warmUp() {
	clk := clock.NewManual(t0)
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 100, Burst: 1, WarmUp: 4 * time.Second, ColdFactor: 2, Clock: clk})
	// Saturating traffic, checked every 100µs: the rate climbs from 50/s
	// to 100/s over 4s, so second k admits about 50 + 50·(k+0.5)/4.
	for second := range 6 {
		n := 0
		for range 10_000 {
			for lim.Allow() {
				n++
			}
			clk.Advance(100 * time.Microsecond)
		}
		fmt.Printf("second %d: %d events\n", second, n)
	}
	// Output:
	// second 0: 56 events
	// second 1: 69 events
	// second 2: 81 events
	// second 3: 93 events
	// second 4: 100 events
	// second 5: 100 events
}

func ExampleLimiter_shadow() {
	clk := clock.NewManual(t0)
	listener := resilience.ListenerFunc(func(e resilience.Event) {
		fmt.Println("event:", e.Kind, e.Name, "retry in", e.Delay)
	})
	lim, _ := ratelimit.New(ratelimit.Config{Name: "api", Rate: 1, Burst: 1, Shadow: true, Listener: listener, Clock: clk})
	fmt.Println(lim.Allow())
	fmt.Println(lim.Allow()) // would have been refused, but goes through
	// Output:
	// true
	// event: shadow_rejected api retry in 1s
	// true
}

func ExampleSlidingWindow() {
	clk := clock.NewManual(t0)
	w, _ := ratelimit.NewSlidingWindow(ratelimit.WindowConfig{Limit: 10, Window: time.Minute, Clock: clk})
	fmt.Println(w.AllowN(10), w.Allow())
	clk.Advance(90 * time.Second) // half into the next window: 10·0.5 still counts
	info := w.AllowInfoN(5)
	fmt.Println(info.Allowed, info.Remaining)
	// Output:
	// true false
	// true 0
}

func ExampleKeyed() {
	clk := clock.NewManual(t0)
	k, _ := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: 1, Burst: 2, MaxKeys: 10_000, Clock: clk})
	fmt.Println(k.Allow("10.0.0.1"), k.Allow("10.0.0.1"), k.Allow("10.0.0.1"))
	fmt.Println(k.Allow("10.0.0.2"))

	// As a Guard, Acquire takes the key from the context.
	ctx := ratelimit.WithKey(context.Background(), "10.0.0.1")
	_, err := k.Acquire(ctx)
	fmt.Println(errors.Is(err, ratelimit.ErrLimited), errors.Is(err, resilience.ErrRejected), k.Len())
	// Output:
	// true true false
	// true
	// true true 2
}
