package discovery_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

func newTestCache(t *testing.T, src discovery.Source, mod func(*discovery.CacheConfig)) (*discovery.Cache, *clock.Manual, *recorder) {
	t.Helper()
	m := clock.NewManual(t0)
	rec := &recorder{}
	cfg := discovery.CacheConfig{Source: src, Timeout: 2 * time.Second, RetryInterval: time.Second, Clock: m, Listener: rec}
	if mod != nil {
		mod(&cfg)
	}
	c, err := discovery.NewCache(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, m, rec
}

func TestCacheServesLastKnownGood(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1), inst("b", 2)}, nil)
	c, m, rec := newTestCache(t, src, nil)

	if stale, age := c.Stale("api"); stale || age != 0 {
		t.Fatalf("Stale before any lookup = %v, %v want false, 0", stale, age)
	}
	got, err := c.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a b]" {
		t.Fatalf("Lookup = %s, %v", ids(got), err)
	}
	if stale, age := c.Stale("api"); stale || age != 0 {
		t.Fatalf("Stale after success = %v, %v want false, 0", stale, age)
	}

	src.answer(nil, errDown)
	m.Advance(5 * time.Second)
	got, err = c.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a b]" {
		t.Fatalf("Lookup while the source is down = %s, %v want the last good [a b]", ids(got), err)
	}
	if stale, age := c.Stale("api"); !stale || age != 5*time.Second {
		t.Fatalf("Stale while down = %v, %v want true, 5s", stale, age)
	}
	if e, ok := rec.last(resilience.EventFallback); !ok || !errors.Is(e.Err, errDown) || e.Delay != 5*time.Second {
		t.Fatalf("EventFallback = %+v, %v want Err errDown, Delay 5s", e, ok)
	}
	if e, ok := rec.last(resilience.EventStateChange); !ok || e.From != "fresh" || e.To != "stale" {
		t.Fatalf("EventStateChange = %+v want fresh -> stale", e)
	}
	calls := src.callCount()
	// Within RetryInterval the stale set is served without asking.
	m.Advance(500 * time.Millisecond)
	if got, err := c.Lookup(ctx, "api"); err != nil || ids(got) != "[a b]" || src.callCount() != calls {
		t.Fatalf("Lookup within RetryInterval = %s, %v, %d calls want [a b] from cache, %d calls", ids(got), err, src.callCount(), calls)
	}
	// After it, the source is asked again; still down, still served.
	m.Advance(500 * time.Millisecond)
	if got, err := c.Lookup(ctx, "api"); err != nil || ids(got) != "[a b]" || src.callCount() != calls+1 {
		t.Fatalf("Lookup after RetryInterval = %s, %v, %d calls want [a b], %d calls", ids(got), err, src.callCount(), calls+1)
	}
	s := c.Stats("api")
	if !s.Stale || s.Failures != 2 || s.StaleServed != 3 || s.Asks != 3 || s.Hits != 1 || !errors.Is(s.Err, errDown) || s.Instances != 2 {
		t.Fatalf("Stats = %+v", s)
	}

	// Recovery.
	m.Advance(time.Second)
	src.answer([]discovery.Instance{inst("c", 3)}, nil)
	if got, err := c.Lookup(ctx, "api"); err != nil || ids(got) != "[c]" {
		t.Fatalf("Lookup after recovery = %s, %v want [c]", ids(got), err)
	}
	if stale, _ := c.Stale("api"); stale {
		t.Fatal("still stale after recovery")
	}
	if e, _ := rec.last(resilience.EventStateChange); e.From != "stale" || e.To != "fresh" {
		t.Fatalf("last EventStateChange = %+v want stale -> fresh", e)
	}
}

func TestCacheNoGoodSet(t *testing.T) {
	src := &fakeSource{}
	src.answer(nil, errDown)
	c, m, _ := newTestCache(t, src, nil)
	_, err := c.Lookup(context.Background(), "api")
	if !errors.Is(err, errDown) || !strings.Contains(err.Error(), `no good set of "api"`) {
		t.Fatalf("Lookup with nothing known = %v want errDown", err)
	}
	// Within RetryInterval the failure is served without asking again.
	if _, err := c.Lookup(context.Background(), "api"); !errors.Is(err, errDown) || src.callCount() != 1 {
		t.Fatalf("second Lookup = %v after %d calls want errDown after 1", err, src.callCount())
	}
	if stale, age := c.Stale("api"); !stale || age != 0 {
		t.Fatalf("Stale = %v, %v want true, 0 (never answered)", stale, age)
	}
	m.Advance(time.Second)
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	if got, err := c.Lookup(context.Background(), "api"); err != nil || ids(got) != "[a]" {
		t.Fatalf("Lookup after RetryInterval = %s, %v", ids(got), err)
	}
}

func TestCacheTimeout(t *testing.T) {
	tests := []struct {
		name      string
		ignoreCtx bool
	}{
		{"source-honours-ctx", false},
		{"source-ignores-ctx", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeSource{release: make(chan struct{})}
			defer close(src.release)
			src.answer([]discovery.Instance{inst("a", 1)}, nil)
			c, m, _ := newTestCache(t, src, nil)
			if _, err := c.Lookup(context.Background(), "api"); err != nil {
				t.Fatal(err)
			}
			src.mu.Lock()
			src.block, src.ignoreCtx = true, tt.ignoreCtx
			src.mu.Unlock()

			m.Advance(time.Minute)
			done := make(chan error, 1)
			var got []discovery.Instance
			go func() {
				var err error
				got, err = c.Lookup(context.Background(), "api")
				done <- err
			}()
			m.WaitForTimers(1)
			m.Advance(2 * time.Second)
			if err := <-done; err != nil || ids(got) != "[a]" {
				t.Fatalf("Lookup of a hung source = %s, %v want the last good [a]", ids(got), err)
			}
			s := c.Stats("api")
			if !s.Stale || !errors.Is(s.Err, discovery.ErrTimeout) || s.Age != time.Minute+2*time.Second {
				t.Fatalf("Stats = %+v want stale with ErrTimeout, Age 1m2s", s)
			}
			// A service with no good set gets ErrTimeout.
			go func() {
				_, err := c.Lookup(context.Background(), "db")
				done <- err
			}()
			m.WaitForTimers(1)
			m.Advance(2 * time.Second)
			if err := <-done; !errors.Is(err, discovery.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Lookup(db) of a hung source = %v want ErrTimeout", err)
			}
		})
	}
}

func TestCacheTTLAndMaxStale(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	c, m, _ := newTestCache(t, src, func(cfg *discovery.CacheConfig) {
		cfg.TTL = 10 * time.Second
		cfg.MaxStale = 30 * time.Second
	})
	c.Lookup(ctx, "api")
	src.answer([]discovery.Instance{inst("b", 2)}, nil)
	m.Advance(9 * time.Second)
	if got, _ := c.Lookup(ctx, "api"); ids(got) != "[a]" || src.callCount() != 1 {
		t.Fatalf("Lookup within TTL = %s after %d calls want [a] after 1", ids(got), src.callCount())
	}
	m.Advance(time.Second)
	if got, _ := c.Lookup(ctx, "api"); ids(got) != "[b]" || src.callCount() != 2 {
		t.Fatalf("Lookup at TTL = %s after %d calls want [b] after 2", ids(got), src.callCount())
	}
	src.answer(nil, errDown)
	m.Advance(20 * time.Second)
	if got, err := c.Lookup(ctx, "api"); err != nil || ids(got) != "[b]" {
		t.Fatalf("Lookup 20s stale = %s, %v want [b]", ids(got), err)
	}
	m.Advance(11 * time.Second)
	if _, err := c.Lookup(ctx, "api"); !errors.Is(err, errDown) {
		t.Fatalf("Lookup 31s stale with MaxStale 30s = %v want errDown", err)
	}
	m.Advance(100 * time.Millisecond) // within RetryInterval: the failure again
	if _, err := c.Lookup(ctx, "api"); !errors.Is(err, errDown) {
		t.Fatalf("Lookup within RetryInterval past MaxStale = %v want errDown", err)
	}
}

func TestCacheKeepOnEmpty(t *testing.T) {
	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	c, m, _ := newTestCache(t, src, func(cfg *discovery.CacheConfig) { cfg.KeepOnEmpty = true })
	c.Lookup(context.Background(), "api")
	src.answer(nil, nil)
	m.Advance(time.Second)
	got, err := c.Lookup(context.Background(), "api")
	if err != nil || ids(got) != "[a]" {
		t.Fatalf("Lookup of an empty answer with KeepOnEmpty = %s, %v want [a]", ids(got), err)
	}
	if s := c.Stats("api"); !s.Stale || !errors.Is(s.Err, discovery.ErrNoInstances) {
		t.Fatalf("Stats = %+v want stale with ErrNoInstances", s)
	}
	// Without it an empty answer is the truth.
	c2, _, _ := newTestCache(t, src, nil)
	if got, err := c2.Lookup(context.Background(), "api"); err != nil || len(got) != 0 {
		t.Fatalf("Lookup of an empty answer = %s, %v want empty", ids(got), err)
	}
}

func TestCacheCallerCancel(t *testing.T) {
	src := &fakeSource{block: true}
	c, m, _ := newTestCache(t, src, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Lookup(ctx, "api"); done <- err }()
	m.WaitForTimers(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Lookup cancelled by the caller = %v want context.Canceled", err)
	}
	if stale, _ := c.Stale("api"); stale {
		t.Fatal("a caller's cancellation made the service stale")
	}
}

func TestCacheCoalescesLookups(t *testing.T) {
	src := &fakeSource{block: true, ignoreCtx: true, release: make(chan struct{}), started: make(chan struct{}, 1)}
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	// With a TTL, a Lookup either shares the leader's call or, arriving
	// after it, hits the fresh answer: the source is asked exactly once.
	c, _, _ := newTestCache(t, src, func(cfg *discovery.CacheConfig) { cfg.TTL = time.Minute })
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := c.Lookup(context.Background(), "api")
		errs <- err
	}()
	<-src.started // the leader is in the source
	for range n - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Lookup(context.Background(), "api")
			if err == nil && ids(got) != "[a]" {
				err = errors.New("wrong set " + ids(got))
			}
			errs <- err
		}()
	}
	close(src.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if calls := src.callCount(); calls != 1 {
		t.Fatalf("source calls = %d want 1", calls)
	}
	if s := c.Stats("api"); s.Asks != 1 {
		t.Fatalf("Asks = %d want 1", s.Asks)
	}
}

func TestCacheConfigValidate(t *testing.T) {
	src := &fakeSource{}
	tests := []struct {
		name     string
		cfg      discovery.CacheConfig
		contains string
	}{
		{"no-source", discovery.CacheConfig{}, "Source is nil"},
		{"timeout", discovery.CacheConfig{Source: src, Timeout: -1}, "Timeout -1ns"},
		{"ttl", discovery.CacheConfig{Source: src, TTL: -1}, "TTL -1ns"},
		{"retry", discovery.CacheConfig{Source: src, RetryInterval: -1}, "RetryInterval -1ns"},
		{"max-stale", discovery.CacheConfig{Source: src, MaxStale: -1}, "MaxStale -1ns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := discovery.NewCache(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("NewCache() = %v want an error saying %q", err, tt.contains)
			}
		})
	}
	if c := discovery.LastKnownGood(src); c == nil {
		t.Fatal("LastKnownGood returned nil")
	}
}
