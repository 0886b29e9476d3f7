package discovery_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// The lookups a client may make per request allocate nothing.
func TestLookupAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	mem := discovery.NewMemory()
	defer mem.Close()
	mem.Register(ctx, inst("a", 1))
	mem.Register(ctx, inst("b", 2))

	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	m := clock.NewManual(t0)
	fresh, _ := discovery.NewCache(discovery.CacheConfig{Source: src, TTL: time.Minute, Clock: m})
	fresh.Lookup(ctx, "api")
	stale, _ := discovery.NewCache(discovery.CacheConfig{Source: src, RetryInterval: time.Minute, Clock: m})
	stale.Lookup(ctx, "api")
	src.answer(nil, errDown)
	stale.Lookup(ctx, "api") // now serving the last known good set
	feed := discovery.NewFeed("api")
	feed.Publish([]discovery.Instance{inst("a", 1)})
	seeds, _ := discovery.Static("api", "10.0.0.1:80")

	tests := []struct {
		name string
		f    func()
	}{
		{"Memory.Lookup", func() { mem.Lookup(ctx, "api") }},
		{"Cache.Lookup/fresh", func() { fresh.Lookup(ctx, "api") }},
		{"Cache.Lookup/stale", func() { stale.Lookup(ctx, "api") }},
		{"Feed.Snapshot", func() { feed.Snapshot() }},
		{"StaticSource.Lookup", func() { seeds.Lookup(ctx, "api") }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.f); n != 0 {
			t.Errorf("%s allocates %v times per call want 0", tt.name, n)
		}
	}
	if calls := src.callCount(); calls != 3 {
		t.Fatalf("source calls = %d want 3 (the cached lookups must not ask)", calls)
	}
}

func BenchmarkCacheLookupFresh(b *testing.B) {
	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1), inst("b", 2)}, nil)
	c, _ := discovery.NewCache(discovery.CacheConfig{Source: src, TTL: time.Hour})
	ctx := context.Background()
	c.Lookup(ctx, "api")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Lookup(ctx, "api")
		}
	})
}

func BenchmarkMemoryLookup(b *testing.B) {
	m := discovery.NewMemory()
	ctx := context.Background()
	m.Register(ctx, inst("a", 1))
	b.ReportAllocs()
	for b.Loop() {
		m.Lookup(ctx, "api")
	}
}

func BenchmarkFeedPublishWatch(b *testing.B) {
	f := discovery.NewFeed("api")
	w := f.Watch(context.Background())
	defer w.Close()
	sets := [2][]discovery.Instance{{inst("a", 1)}, {inst("a", 1), inst("b", 2)}}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.Publish(sets[i&1])
		w.Next(ctx)
		i++
	}
}
