package discovery

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Cache wraps a Source and serves its last known good set of each service
// when the source fails, so that an outage of the registry or of DNS never
// empties a client's view of its dependencies.
//
// Each Lookup asks the source, bounded by Timeout (the source's call is
// abandoned at the limit, so even a source that ignores its context cannot
// hang the caller), unless a good answer younger than TTL is at hand. When
// the source fails or times out, the last good set is served instead and
// the service turns stale: Stale reports it with the time since the source
// last answered. For RetryInterval after a failure the stale set is served
// without asking again; then the next Lookup tries the source, and a good
// answer makes the service fresh again. A service the source never
// answered for has no good set: its Lookup returns the error. Concurrent
// Lookups of one service share one call to the source.
//
// Watch wraps the source's watcher the same way: it publishes the last good
// set while the source cannot be watched, and watches again every
// RetryInterval until it can.
//
// Make one with NewCache or LastKnownGood. A Cache is safe for concurrent
// use; most callers want Lookup. A Lookup served from the cache (within
// TTL, or stale within RetryInterval) reads the clock once and allocates
// nothing.
type Cache struct {
	cfg CacheConfig
	clk clock.Clock

	mu      sync.RWMutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	// guarded by Cache.mu
	set     []Instance
	known   bool  // set is a good answer of the source
	okNano  int64 // Nanotime of the last good answer
	okAt    time.Time
	stale   bool  // the source's last answer was a failure
	retryAt int64 // Nanotime before which a stale entry is served without asking
	err     error // the last failure
	call    *cacheCall

	hits, asks, failures, served atomic.Uint64
}

type cacheCall struct {
	done  chan struct{}
	set   []Instance
	err   error
	again bool // the caller's own context ended: followers ask themselves
}

// CacheStats describes one service in a Cache.
type CacheStats struct {
	// Stale is true while the source's last answer for the service was a
	// failure: the set served is the last known good one, if any.
	Stale bool
	// Age is the time since the source last answered with a good set; zero
	// if it never did.
	Age time.Duration
	// LastSuccess is when the source last answered with a good set, on the
	// cache's clock; zero if it never did.
	LastSuccess time.Time
	// Err is the source's last failure while Stale, nil otherwise.
	Err error
	// Instances is the size of the set that would be served.
	Instances int
	// Hits counts Lookups served without asking the source; Asks, calls to
	// the source; Failures, the calls that failed; StaleServed, the
	// Lookups answered with a last-known-good set.
	Hits, Asks, Failures, StaleServed uint64
}

var _ Source = (*Cache)(nil)

// LastKnownGood returns a Cache of src with the default configuration.
func LastKnownGood(src Source) *Cache {
	c, err := NewCache(CacheConfig{Source: src})
	if err != nil {
		panic(err) // unreachable: only a nil src is invalid, and NewCache reports it
	}
	return c
}

// NewCache returns a Cache configured by cfg, or cfg's error.
func NewCache(cfg CacheConfig) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Cache{cfg: cfg, clk: cfg.Clock, entries: map[string]*cacheEntry{}}, nil
}

// Lookup returns service's instances: the source's answer, or the last known
// good set when the source fails (then Stale reports true). It returns an
// error only when there is no good set to serve, or when ctx ends first.
func (c *Cache) Lookup(ctx context.Context, service string) ([]Instance, error) {
	for {
		now := c.clk.Nanotime()
		c.mu.RLock()
		e := c.entries[service]
		if e != nil {
			if set, err, ok := c.cachedLocked(e, now); ok {
				stale, cause, age := e.stale, e.err, time.Duration(now-e.okNano)
				c.mu.RUnlock()
				e.hits.Add(1)
				if err != nil {
					return nil, fmt.Errorf("discovery: cache: no good set of %s to serve: %w", strconv.Quote(service), err)
				}
				if stale {
					e.served.Add(1)
					if c.cfg.Listener != nil {
						c.emit(resilience.Event{Kind: resilience.EventFallback, Err: cause, Delay: age,
							Detail: "discovery cache: served the last known good set of " + service})
					}
				}
				return set, nil
			}
			if call := e.call; call != nil {
				c.mu.RUnlock()
				select {
				case <-call.done:
				case <-ctx.Done():
					return nil, context.Cause(ctx)
				}
				if !call.again {
					return call.set, call.err
				}
				continue
			}
		}
		c.mu.RUnlock()
		if set, err, ok := c.lead(ctx, service); ok {
			return set, err
		}
	}
}

// cachedLocked returns what a Lookup at now serves without asking the
// source, if anything.
func (c *Cache) cachedLocked(e *cacheEntry, now int64) ([]Instance, error, bool) {
	switch {
	case !e.stale && e.known && c.cfg.TTL > 0 && now-e.okNano < int64(c.cfg.TTL):
		return e.set, nil, true
	case e.stale && now < e.retryAt:
		if c.servableLocked(e, now) {
			return e.set, nil, true
		}
		return nil, e.err, true
	}
	return nil, nil, false
}

func (c *Cache) servableLocked(e *cacheEntry, now int64) bool {
	return e.known && (c.cfg.MaxStale == 0 || now-e.okNano <= int64(c.cfg.MaxStale))
}

// lead asks the source on behalf of every concurrent Lookup of service. ok
// is false when another Lookup became the leader first.
func (c *Cache) lead(ctx context.Context, service string) (set []Instance, err error, ok bool) {
	c.mu.Lock()
	e := c.entries[service]
	if e == nil {
		e = &cacheEntry{}
		c.entries[service] = e
	}
	if e.call != nil {
		c.mu.Unlock()
		return nil, nil, false
	}
	call := &cacheCall{done: make(chan struct{})}
	e.call = call
	c.mu.Unlock()

	defer func() {
		c.mu.Lock()
		e.call = nil
		c.mu.Unlock()
		call.set, call.err = set, err
		close(call.done)
	}()
	e.asks.Add(1)
	set, err = bounded(ctx, c.clk, c.cfg.Timeout, true, func(ctx context.Context) ([]Instance, error) {
		return c.cfg.Source.Lookup(ctx, service)
	})
	if err != nil && ctx.Err() != nil {
		call.again = true // the caller gave up; that says nothing about the source
		return nil, err, true
	}
	set, err = c.record(service, e, set, err)
	return set, err, true
}

// record stores an answer of the source (err nil) or a failure, and returns
// what the caller gets: the answer, the last known good set, or an error.
func (c *Cache) record(service string, e *cacheEntry, set []Instance, err error) ([]Instance, error) {
	if err == ErrTimeout {
		err = fmt.Errorf("discovery: cache: source gave no answer for %s within %v: %w", strconv.Quote(service), c.cfg.Timeout, ErrTimeout)
	}
	now := c.clk.Nanotime()
	c.mu.Lock()
	if err == nil && c.cfg.KeepOnEmpty && len(set) == 0 && len(e.set) > 0 {
		err = fmt.Errorf("discovery: cache: source answered an empty set for %s: %w", strconv.Quote(service), ErrNoInstances)
	}
	wasStale := e.stale
	if err == nil {
		e.set, e.known, e.okNano, e.okAt = set, true, now, c.clk.Now()
		e.stale, e.err = false, nil
		c.mu.Unlock()
		if wasStale {
			c.emit(resilience.Event{Kind: resilience.EventStateChange, From: "stale", To: "fresh", Detail: "discovery cache: " + service})
		}
		return set, nil
	}
	e.failures.Add(1)
	e.stale, e.err, e.retryAt = true, err, now+int64(c.cfg.RetryInterval)
	servable := c.servableLocked(e, now)
	lkg, age := e.set, time.Duration(now-e.okNano)
	c.mu.Unlock()
	if !wasStale {
		c.emit(resilience.Event{Kind: resilience.EventStateChange, From: "fresh", To: "stale", Err: err, Detail: "discovery cache: " + service})
	}
	if !servable {
		return nil, fmt.Errorf("discovery: cache: no good set of %s to serve: %w", strconv.Quote(service), err)
	}
	e.served.Add(1)
	c.emit(resilience.Event{Kind: resilience.EventFallback, Err: err, Delay: age,
		Detail: "discovery cache: served the last known good set of " + service})
	return lkg, nil
}

func (c *Cache) emit(ev resilience.Event) {
	if c.cfg.Listener != nil {
		ev.Policy, ev.Name = "discovery", c.cfg.Name
		c.cfg.Listener.OnEvent(ev)
	}
}

// Stale reports whether service is stale, that is whether the source's last
// answer for it was a failure (the set served is then the last known good
// one), and the time since the source last answered with a good set (zero
// if it never did). A service never looked up is not stale.
func (c *Cache) Stale(service string) (bool, time.Duration) {
	s := c.Stats(service)
	return s.Stale, s.Age
}

// Stats describes service; the zero CacheStats for a service never looked
// up.
func (c *Cache) Stats(service string) CacheStats {
	now := c.clk.Nanotime()
	c.mu.RLock()
	defer c.mu.RUnlock()
	e := c.entries[service]
	if e == nil {
		return CacheStats{}
	}
	s := CacheStats{
		Stale: e.stale, Err: e.err, Instances: len(e.set), LastSuccess: e.okAt,
		Hits: e.hits.Load(), Asks: e.asks.Load(), Failures: e.failures.Load(), StaleServed: e.served.Load(),
	}
	if e.known {
		s.Age = time.Duration(now - e.okNano)
	}
	return s
}
