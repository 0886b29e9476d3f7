package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
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

// Endpoints come from service discovery: unhealthy instances are left out
// and the Version goes into Metadata, where routing rules select it.
func ExampleFromInstances() {
	ctx := context.Background()
	reg := discovery.NewMemory()
	defer reg.Close()
	for i, version := range []string{"v1", "v1", "v2"} {
		_ = reg.Register(ctx, discovery.Instance{
			ID: fmt.Sprintf("api-%d", i), Service: "api", Address: fmt.Sprintf("10.0.0.%d", i+1), Port: 8080, Version: version,
		})
	}
	_ = reg.SetHealth("api-1", discovery.Unhealthy)
	instances, _ := reg.Lookup(ctx, "api")
	for _, e := range balancer.FromInstances(instances) {
		fmt.Println(e.ID, e.Addr, e.Metadata)
	}
	// Output:
	// api-0 10.0.0.1:8080 map[version:v1]
	// api-2 10.0.0.3:8080 map[version:v2]
}

// Follow applies every set a discovery watcher delivers. A program runs it
// in a goroutine until it shuts down; here the registry is closed first,
// so Follow applies the current set and returns.
func ExampleFollow() {
	ctx := context.Background()
	reg := discovery.NewMemory()
	_ = reg.Register(ctx, discovery.Instance{ID: "api-0", Service: "api", Address: "10.0.0.1", Port: 8080, Version: "v1"})
	_ = reg.Register(ctx, discovery.Instance{ID: "api-1", Service: "api", Address: "10.0.0.2", Port: 8080, Version: "v2"})
	b, _ := balancer.New(balancer.Config{DefaultSubset: map[string]string{balancer.VersionKey: "v1"}})
	defer b.Close()
	w, _ := reg.Watch(ctx, "api")
	defer w.Close()

	reg.Close()
	err := balancer.Follow(ctx, b, w)
	fmt.Println("Follow:", err)
	fmt.Println("endpoints:", len(b.Stats()))
	p, _ := b.Pick(ctx, "")
	fmt.Println("stable traffic goes to", p.ID())
	p.Done(nil, 0)
	// Output:
	// Follow: discovery: closed
	// endpoints: 2
	// stable traffic goes to api-0
}

// Round robin counts nothing per call unless Stats must report the calls
// in flight: TrackInFlight turns the counts on.
func ExampleConfig_trackInFlight() {
	for _, track := range []bool{false, true} {
		b, _ := balancer.New(balancer.Config{TrackInFlight: track})
		_ = b.Update([]balancer.Endpoint{{ID: "a", Addr: "10.0.0.1:80"}})
		p, _ := b.Pick(context.Background(), "")
		fmt.Printf("TrackInFlight %v: InFlight %d\n", track, b.Stats()[0].InFlight)
		p.Done(nil, 0)
		b.Close()
	}
	// Output:
	// TrackInFlight false: InFlight -1
	// TrackInFlight true: InFlight 1
}
