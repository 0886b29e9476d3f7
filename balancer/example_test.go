package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
)

func ExampleBalancer() {
	b, err := balancer.New(balancer.Config{Policy: balancer.PolicyWeightedRoundRobin})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	_ = b.Update([]balancer.Endpoint{
		{ID: "a", Addr: "10.0.0.1:8080", Weight: 5},
		{ID: "b", Addr: "10.0.0.2:8080", Weight: 1},
		{ID: "c", Addr: "10.0.0.3:8080", Weight: 1},
	})
	for range 7 {
		p, err := b.Pick(context.Background(), "")
		if err != nil {
			panic(err)
		}
		fmt.Print(p.ID(), " ")
		p.Done(nil, 3*time.Millisecond) // the call's error and latency
	}
	fmt.Println()
	// Output:
	// a a b a c a a
}

// A canary takes 10% of the users, always the same ones; the rest stay on
// the stable version.
func ExampleRule_canary() {
	b, _ := balancer.New(balancer.Config{
		Rules: []balancer.Rule{{
			Name: "v2-canary", Percent: 10, Subset: map[string]string{"version": "v2"},
		}},
		DefaultSubset: map[string]string{"version": "v1"},
	})
	defer b.Close()
	_ = b.Update([]balancer.Endpoint{
		{ID: "stable", Addr: "10.0.0.1:80", Metadata: map[string]string{"version": "v1"}},
		{ID: "canary", Addr: "10.0.0.2:80", Metadata: map[string]string{"version": "v2"}},
	})
	counts := map[string]int{}
	for i := range 10000 {
		p, _ := b.Pick(context.Background(), fmt.Sprintf("user-%d", i))
		counts[p.ID()]++
		p.Done(nil, 0)
	}
	fmt.Println("canary share about 10%:", counts["canary"] > 900 && counts["canary"] < 1100)
	// Output:
	// canary share about 10%: true
}

// Requests with a header go to a subset.
func ExampleWithHeaders() {
	b, _ := balancer.New(balancer.Config{
		Rules: []balancer.Rule{{
			Match:  []balancer.Match{{Header: "x-tenant", Equals: "acme"}},
			Subset: map[string]string{"pool": "dedicated"},
		}},
		DefaultSubset: map[string]string{"pool": "shared"},
	})
	defer b.Close()
	_ = b.Update([]balancer.Endpoint{
		{ID: "shared-1", Addr: "10.0.0.1:80", Metadata: map[string]string{"pool": "shared"}},
		{ID: "acme-1", Addr: "10.0.1.1:80", Metadata: map[string]string{"pool": "dedicated"}},
	})
	for _, tenant := range []string{"acme", "globex"} {
		ctx := balancer.WithHeaders(context.Background(), balancer.MapHeaders{"x-tenant": tenant})
		p, _ := b.Pick(ctx, "")
		fmt.Println(tenant, "->", p.ID())
		p.Done(nil, 0)
	}
	// Output:
	// acme -> acme-1
	// globex -> shared-1
}

// Passive outlier detection ejects an endpoint that fails calls in a row,
// for BaseEjectionTime times its ejection count.
func ExampleOutlierConfig() {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b, _ := balancer.New(balancer.Config{
		Clock: clk,
		Outlier: balancer.OutlierConfig{
			ConsecutiveFailures: 2, Interval: 10 * time.Second, BaseEjectionTime: 30 * time.Second,
			MaxEjectionPercent: 100,
		},
	})
	defer b.Close()
	_ = b.Update([]balancer.Endpoint{{ID: "a", Addr: "10.0.0.1:80"}})
	for range 2 {
		p, _ := b.Pick(context.Background(), "")
		p.Done(errors.New("connection refused"), 0)
	}
	_, err := b.Pick(context.Background(), "")
	fmt.Println(err, errors.Is(err, resilience.ErrRejected))
	clk.Advance(30 * time.Second)
	p, err := b.Pick(context.Background(), "")
	fmt.Println(p.ID(), err)
	// Output:
	// balancer: no endpoint available: resilience: call rejected true
	// a <nil>
}
