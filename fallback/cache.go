package fallback

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// ErrCacheMiss is returned by a StaleCache's Step when it holds no usable
// value for the call's key; the chain moves on to its next step.
var ErrCacheMiss = errors.New("fallback: no cached value")

// A StaleCache remembers the latest successful result for each key and
// serves it, degraded, when a later call for that key fails: a stale answer
// beats none. Values are fresh for TTL and servable on failure until
// StaleTTL; at most MaxEntries keys are kept (CLOCK eviction). Ages are
// read from the configured clock.
//
// A pipeline passes no key, so the cache offers three ways in:
//
//   - Execute and Do take the key as an argument: the standalone form,
//     which allocates nothing, and the only one where ServeFresh can skip
//     the call.
//   - The cache is a resilience.Recoverer[R]: put it in a pipeline and
//     bind each call's key to its context with WithKey.
//   - Step returns a chain Step that remembers successes and serves the
//     cached value, also keyed by WithKey, so the cache can sit between
//     other degradations (secondary → stale cache → stub).
//
// Stored values are returned as they are: if R holds pointers, slices or
// maps, callers must not mutate what they get. Concurrent calls for the
// same key are not merged. A StaleCache is safe for concurrent use.
type StaleCache[K comparable, R any] struct {
	name       string
	ttl, stale int64
	serveFresh bool
	when       func(error) bool
	classify   resilience.Classifier
	clk        clock.Clock
	listener   resilience.Listener
	store      *store[K, R]

	hits, served, misses, stores, evictions atomic.Uint64
}

var _ resilience.Recoverer[int] = (*StaleCache[string, int])(nil)

// NewStaleCache returns a StaleCache, or cfg.Validate's error.
func NewStaleCache[K comparable, R any](cfg CacheConfig) (*StaleCache[K, R], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &StaleCache[K, R]{
		name:       cfg.Name,
		ttl:        int64(cfg.ttl()),
		stale:      int64(cfg.staleTTL()),
		serveFresh: cfg.ServeFresh,
		when:       cfg.When,
		classify:   cfg.Classifier,
		clk:        clock.Or(cfg.Clock),
		listener:   cfg.Listener,
	}
	if c.name == "" {
		c.name = "stale-cache"
	}
	if c.when == nil {
		c.when = OnTransient
	}
	if c.classify == nil {
		c.classify = resilience.Classify
	}
	n := cfg.MaxEntries
	if n == 0 {
		n = DefaultMaxEntries
	}
	c.store = newStore[K, R](n)
	return c, nil
}

// Execute calls fn and remembers its result under key when it succeeds.
// When it fails with an error the cache covers (When), the value last
// stored under key, if younger than StaleTTL, is returned with a nil error.
// With ServeFresh, a fresh value is returned without calling fn.
func (c *StaleCache[K, R]) Execute(ctx context.Context, key K, fn func(context.Context) (R, error)) (R, error) {
	r := c.Do(ctx, key, fn)
	return r.Value, r.Err
}

// Do is Execute that also reports whether the value is degraded, that is
// served from the cache in place of a failure. A fresh value served by
// ServeFresh is not degraded. Attempts is 0 when fn was not called.
func (c *StaleCache[K, R]) Do(ctx context.Context, key K, fn func(context.Context) (R, error)) resilience.Result[R] {
	if c.serveFresh {
		if v, _, ok := c.store.get(key, c.clk.Nanotime(), c.ttl); ok {
			c.hits.Add(1)
			return resilience.Result[R]{Value: v}
		}
	}
	r, err := fn(ctx)
	r, err, degraded := c.settle(key, r, err, true)
	return resilience.Result[R]{Value: r, Err: err, Degraded: degraded, Attempts: 1}
}

// settle stores a success or covers a failure for key.
func (c *StaleCache[K, R]) settle(key K, r R, err error, report bool) (R, error, bool) {
	if err == nil {
		c.Put(key, r)
		return r, nil, false
	}
	if c.classify(err) == resilience.OutcomeSuccess || !c.when(err) {
		return r, err, false
	}
	now := c.clk.Nanotime()
	v, stored, ok := c.store.get(key, now, c.stale)
	if !ok {
		c.misses.Add(1)
		return r, err, false
	}
	c.served.Add(1)
	if report && c.listener != nil {
		detail := "stale"
		if now-stored < c.ttl {
			detail = "fresh"
		}
		c.listener.OnEvent(resilience.Event{Kind: resilience.EventFallback, Policy: "fallback", Name: c.name, Err: err, Detail: detail})
	}
	return v, nil, true
}

// Recover implements resilience.Recoverer[R] for calls whose context
// carries a key (WithKey); calls without one pass through untouched.
func (c *StaleCache[K, R]) Recover(ctx context.Context, r R, err error) (R, error, bool) {
	key, ok := c.KeyFromContext(ctx)
	if !ok {
		return r, err, false
	}
	return c.settle(key, r, err, true)
}

// cacheKey is the context key of one cache's keys: each cache has its own,
// so caches never read each other's keys.
type cacheKey[K comparable, R any] struct{ c *StaleCache[K, R] }

// WithKey returns a context that tells the cache, as a pipeline Recoverer
// or a chain Step, which key the call is for. It allocates (the key is
// boxed in the context); Execute and Do do not.
func (c *StaleCache[K, R]) WithKey(ctx context.Context, key K) context.Context {
	return context.WithValue(ctx, cacheKey[K, R]{c}, key)
}

// KeyFromContext returns the key WithKey bound to ctx for this cache.
func (c *StaleCache[K, R]) KeyFromContext(ctx context.Context) (K, bool) {
	k, ok := ctx.Value(cacheKey[K, R]{c}).(K)
	return k, ok
}

// Step returns a chain Step, named after the cache, that remembers every
// successful result passing through the chain and serves the cached value
// for the call's key (bound with WithKey) when the error is one the cache
// covers (When). It fails with ErrCacheMiss when it holds nothing usable.
// The chain, not the cache, reports the EventFallback.
func (c *StaleCache[K, R]) Step() Step[R] {
	return Step[R]{
		Name: c.name,
		When: c.when,
		Handle: func(ctx context.Context, err error) (R, error) {
			key, ok := c.KeyFromContext(ctx)
			if ok {
				if v, err, served := c.settle(key, *new(R), err, false); served {
					return v, err
				}
			}
			var zero R
			return zero, ErrCacheMiss
		},
		Observe: func(ctx context.Context, r R) {
			if key, ok := c.KeyFromContext(ctx); ok {
				c.Put(key, r)
			}
		},
	}
}

// Put stores v under key as fresh, for example to warm the cache.
func (c *StaleCache[K, R]) Put(key K, v R) {
	c.stores.Add(1)
	if c.store.put(key, v, c.clk.Nanotime()) {
		c.evictions.Add(1)
	}
}

// Get returns the value stored under key and its age, if it is younger
// than StaleTTL; fresh reports whether it is younger than TTL.
func (c *StaleCache[K, R]) Get(key K) (v R, age time.Duration, fresh, ok bool) {
	now := c.clk.Nanotime()
	v, stored, ok := c.store.get(key, now, c.stale)
	if !ok {
		return v, 0, false, false
	}
	return v, time.Duration(now - stored), now-stored < c.ttl, true
}

// Delete removes key's value, reporting whether there was one.
func (c *StaleCache[K, R]) Delete(key K) bool { return c.store.remove(key) }

// Len returns the number of keys held (expired values not yet looked up
// included).
func (c *StaleCache[K, R]) Len() int { return c.store.len() }

// CacheStats counts what a StaleCache has done since it was built.
type CacheStats struct {
	// Hits counts fresh values returned by ServeFresh without a call.
	Hits uint64
	// Served counts cached values served in place of a failure.
	Served uint64
	// Misses counts covered failures for which no usable value was held.
	Misses uint64
	// Stores counts values stored.
	Stores uint64
	// Evictions counts keys evicted to make room.
	Evictions uint64
	// Entries is the number of keys held now.
	Entries int
}

// Stats returns the cache's counters.
func (c *StaleCache[K, R]) Stats() CacheStats {
	return CacheStats{
		Hits: c.hits.Load(), Served: c.served.Load(), Misses: c.misses.Load(),
		Stores: c.stores.Load(), Evictions: c.evictions.Load(), Entries: c.Len(),
	}
}
