package fallback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/fallback"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func newCache(t testing.TB, cfg fallback.CacheConfig) *fallback.StaleCache[string, string] {
	t.Helper()
	c, err := fallback.NewStaleCache[string, string](cfg)
	if err != nil {
		t.Fatalf("NewStaleCache(%+v) = %v", cfg, err)
	}
	return c
}

func ok(v string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return v, nil }
}

func TestStaleCacheLifecycle(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	c := newCache(t, fallback.CacheConfig{TTL: time.Second, StaleTTL: 10 * time.Second, Clock: clk, Listener: rec})
	ctx := context.Background()
	steps := []struct {
		name     string
		advance  time.Duration
		fn       func(context.Context) (string, error)
		want     string
		err      error
		degraded bool
	}{
		{"miss-before-any-success", 0, failing(errUnavailable), "partial", errUnavailable, false},
		{"success-stored", 0, ok("v1"), "v1", nil, false},
		{"failure-served-fresh", 500 * time.Millisecond, failing(errUnavailable), "v1", nil, true},
		{"failure-served-stale", time.Second, failing(context.DeadlineExceeded), "v1", nil, true},
		{"business-error-not-covered", 0, failing(errValidation), "partial", errValidation, false},
		{"refreshed", time.Second, ok("v2"), "v2", nil, false},
		{"served-refreshed", 9 * time.Second, failing(errUnavailable), "v2", nil, true},
		{"too-old", time.Second, failing(errUnavailable), "partial", errUnavailable, false},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		res := c.Do(ctx, "user:1", s.fn)
		if res.Value != s.want || !errors.Is(res.Err, s.err) || (s.err == nil && res.Err != nil) || res.Degraded != s.degraded {
			t.Fatalf("%s: Do() = %+v want %q, %v, degraded %v", s.name, res, s.want, s.err, s.degraded)
		}
	}
	if got := rec.summary(); got != "fallback:fresh fallback:stale fallback:stale" {
		t.Errorf("events = %q", got)
	}
	want := fallback.CacheStats{Served: 3, Misses: 2, Stores: 2, Entries: 0}
	if st := c.Stats(); st != want {
		t.Errorf("Stats() = %+v want %+v", st, want)
	}
}

func TestStaleCacheServeFresh(t *testing.T) {
	clk := clock.NewManual(t0)
	c := newCache(t, fallback.CacheConfig{TTL: time.Second, ServeFresh: true, Clock: clk})
	calls := 0
	fn := func(context.Context) (string, error) { calls++; return fmt.Sprint("v", calls), nil }
	ctx := context.Background()
	if v, _ := c.Execute(ctx, "k", fn); v != "v1" || calls != 1 {
		t.Fatalf("first Execute() = %q after %d calls want v1, 1", v, calls)
	}
	clk.Advance(999 * time.Millisecond)
	res := c.Do(ctx, "k", fn)
	if res.Value != "v1" || calls != 1 || res.Degraded || res.Attempts != 0 {
		t.Fatalf("fresh Do() = %+v after %d calls want v1 from cache, not degraded", res, calls)
	}
	clk.Advance(time.Millisecond)
	if v, _ := c.Execute(ctx, "k", fn); v != "v2" || calls != 2 {
		t.Fatalf("Execute() after TTL = %q after %d calls want v2, 2", v, calls)
	}
	if st := c.Stats(); st.Hits != 1 {
		t.Errorf("Stats().Hits = %d want 1", st.Hits)
	}
	// Default StaleTTL is ten times TTL.
	clk.Advance(9*time.Second + 999*time.Millisecond)
	if v, age, fresh, found := c.Get("k"); !found || v != "v2" || fresh || age != 9*time.Second+999*time.Millisecond {
		t.Errorf("Get(k) = %q, %v, %v, %v want v2, stale, 9.999s", v, age, fresh, found)
	}
	clk.Advance(time.Millisecond)
	if _, _, _, found := c.Get("k"); found {
		t.Errorf("Get(k) found a value older than the default StaleTTL")
	}
}

// TestStaleCacheClockEviction checks the CLOCK order: with every reference
// bit set the oldest key goes; a key read since the last sweep survives.
func TestStaleCacheClockEviction(t *testing.T) {
	c := newCache(t, fallback.CacheConfig{MaxEntries: 3, Clock: clock.NewManual(t0)})
	for _, k := range []string{"a", "b", "c", "d"} {
		c.Put(k, k)
	}
	if _, _, _, found := c.Get("b"); !found {
		t.Fatal("Get(b) missing after one eviction")
	}
	c.Put("e", "e")
	var kept []string
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		if _, _, _, found := c.Get(k); found {
			kept = append(kept, k)
		}
	}
	if strings.Join(kept, "") != "bde" || c.Len() != 3 {
		t.Errorf("kept %v (Len %d) want [b d e]", kept, c.Len())
	}
	if st := c.Stats(); st.Evictions != 2 || st.Stores != 5 {
		t.Errorf("Stats() = %+v want 2 evictions, 5 stores", st)
	}
	if !c.Delete("b") || c.Delete("b") || c.Len() != 2 {
		t.Errorf("Delete(b) twice: want true then false, Len 2; Len %d", c.Len())
	}
	c.Put("f", "f") // reuses the deleted slot, no eviction
	if st := c.Stats(); st.Evictions != 2 || c.Len() != 3 {
		t.Errorf("after Put(f): %+v want no new eviction and 3 entries", st)
	}
}

func TestStaleCacheRecoverer(t *testing.T) {
	clk := clock.NewManual(t0)
	c := newCache(t, fallback.CacheConfig{Clock: clk})
	p, err := resilience.NewPipeline[string](c)
	if err != nil {
		t.Fatalf("NewPipeline(cache) = %v", err)
	}
	ctx := c.WithKey(context.Background(), "user:7")
	if res := p.Do(ctx, ok("alice")); res.Value != "alice" || res.Degraded {
		t.Fatalf("Do(success) = %+v", res)
	}
	if res := p.Do(ctx, failing(errUnavailable)); res.Value != "alice" || !res.Degraded || res.Err != nil {
		t.Errorf("Do(failure) = %+v want stale alice, degraded", res)
	}
	if res := p.Do(context.Background(), failing(errUnavailable)); res.Degraded || !errors.Is(res.Err, errUnavailable) {
		t.Errorf("Do(failure, no key) = %+v want the failure unchanged", res)
	}
	other := newCache(t, fallback.CacheConfig{Clock: clk})
	if _, found := other.KeyFromContext(ctx); found {
		t.Errorf("another cache read this cache's key")
	}
}

func TestStaleCacheAsChainStep(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	cache := newCache(t, fallback.CacheConfig{Name: "profile-cache", Clock: clk})
	chain, err := fallback.New(fallback.Config{Listener: rec},
		step("replica", nil, "", errStepDown),
		cache.Step(),
		fallback.Stub("stub", "anonymous"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := resilience.NewPipeline[string](chain)
	ctx := cache.WithKey(context.Background(), "user:7")
	p.Do(ctx, ok("alice"))
	clk.Advance(time.Minute) // stale, not yet expired
	if res := p.Do(ctx, failing(errUnavailable)); res.Value != "alice" || !res.Degraded {
		t.Errorf("Do(failure) = %+v want stale alice from the cache step", res)
	}
	miss := cache.WithKey(context.Background(), "user:8")
	if res := p.Do(miss, failing(errUnavailable)); res.Value != "anonymous" || !res.Degraded {
		t.Errorf("Do(failure, unknown key) = %+v want the stub", res)
	}
	want := "failure:replica fallback:profile-cache failure:replica failure:profile-cache fallback:stub"
	if got := rec.summary(); got != want {
		t.Errorf("events = %q want %q", got, want)
	}
	var stepErr error
	for _, e := range rec.events {
		if e.Kind == resilience.EventFailure && e.Detail == "profile-cache" {
			stepErr = e.Err
		}
	}
	if !errors.Is(stepErr, fallback.ErrCacheMiss) {
		t.Errorf("cache step failure = %v want ErrCacheMiss", stepErr)
	}
}

func TestCacheConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   fallback.CacheConfig
		field string
	}{
		{"zero", fallback.CacheConfig{}, ""},
		{"defaults", fallback.DefaultCacheConfig(), ""},
		{"stale-equals-ttl", fallback.CacheConfig{TTL: time.Second, StaleTTL: time.Second}, ""},
		{"huge-ttl-default-stale", fallback.CacheConfig{TTL: 1 << 62}, ""},
		{"negative-entries", fallback.CacheConfig{MaxEntries: -1}, "MaxEntries"},
		{"too-many-entries", fallback.CacheConfig{MaxEntries: 1<<30 + 1}, "MaxEntries"},
		{"negative-ttl", fallback.CacheConfig{TTL: -1}, "TTL"},
		{"negative-stale", fallback.CacheConfig{StaleTTL: -1}, "StaleTTL"},
		{"stale-below-ttl", fallback.CacheConfig{TTL: time.Minute, StaleTTL: time.Second}, "StaleTTL"},
		{"stale-below-default-ttl", fallback.CacheConfig{StaleTTL: time.Second}, "StaleTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "fallback: "+tt.field+" ") {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.field)
			}
			if _, nerr := fallback.NewStaleCache[string, int](tt.cfg); nerr == nil {
				t.Fatalf("NewStaleCache() = nil error want %v", err)
			}
		})
	}
}

func TestStaleCacheZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not measured under -race")
	}
	c := newCache(t, fallback.CacheConfig{Clock: clock.NewManual(t0)})
	ctx := context.Background()
	c.Put("k", "v")
	okFn, failFn := ok("v"), failing(errUnavailable)
	if n := testing.AllocsPerRun(100, func() { c.Do(ctx, "k", okFn) }); n != 0 {
		t.Errorf("Do(success) allocates %v times want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { c.Do(ctx, "k", failFn) }); n != 0 {
		t.Errorf("Do(served) allocates %v times want 0", n)
	}
}

// TestStaleCacheHammer stores and serves from many goroutines over more
// keys than the cache holds.
func TestStaleCacheHammer(t *testing.T) {
	c := newCache(t, fallback.CacheConfig{MaxEntries: 16})
	const goroutines, each = 10, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				key := fmt.Sprint((g*7 + i) % 40)
				if i%3 == 0 {
					res := c.Do(context.Background(), key, failing(errUnavailable))
					if res.Degraded && res.Value != key {
						t.Errorf("Do(%s) served %q, another key's value", key, res.Value)
						return
					}
					continue
				}
				c.Do(context.Background(), key, ok(key))
			}
		}()
	}
	wg.Wait()
	st := c.Stats()
	if st.Entries > 16 || st.Entries == 0 || st.Served+st.Misses != goroutines*((each+2)/3) {
		t.Errorf("Stats() = %+v want 1..16 entries and every failure served or missed", st)
	}
}
