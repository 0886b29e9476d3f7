package httpx

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
)

// destination is one key's pipeline.
type destination struct {
	key       string
	policies  []resilience.Policy // as built, for RoundTripper.Policies
	pipe      *resilience.Pipeline[*http.Response]
	needsCall bool          // the pipeline has wrapped scopes or repeaters
	used      atomic.Uint64 // the epoch of its last use
}

// destinations maps keys to pipelines, built on first use, with at most
// max of them: a new key beyond that evicts the least recently used one.
//
// Recency is counted in epochs, not read from a clock: the epoch advances
// each time a destination is added, and a request stamps its destination
// with the current epoch when it holds an older one. A lookup of a known
// key takes no lock and, while no destination is added, writes nothing, so
// concurrent requests to one destination do not contend. Eviction removes
// a destination unused for the most epochs (ties broken arbitrarily).
type destinations struct {
	m     sync.Map // string → *destination
	epoch atomic.Uint64
	mu    sync.Mutex
	n     int // entries in m, under mu
	max   int
	build func(key string) ([]resilience.Policy, error)
}

func (ds *destinations) init(max int, build func(string) ([]resilience.Policy, error)) {
	ds.max, ds.build = max, build
}

func (ds *destinations) lookup(key string) (*destination, bool) {
	v, ok := ds.m.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*destination), true
}

// get returns key's destination, building it on first use. The factory
// runs without the lock held; if two requests race to build one key, one
// result is kept.
func (ds *destinations) get(key string) (*destination, error) {
	if d, ok := ds.lookup(key); ok {
		if e := ds.epoch.Load(); d.used.Load() != e {
			d.used.Store(e)
		}
		return d, nil
	}
	ps, err := ds.build(key)
	if err != nil {
		return nil, fmt.Errorf("httpx: policies for %q: %w", key, err)
	}
	adapted, needsCall := adapt(ps)
	pipe, err := resilience.NewPipeline[*http.Response](adapted...)
	if err != nil {
		return nil, fmt.Errorf("httpx: policies for %q: %w", key, err)
	}
	d := &destination{key: key, policies: ps, pipe: pipe, needsCall: needsCall}

	ds.mu.Lock()
	defer ds.mu.Unlock()
	d.used.Store(ds.epoch.Load())
	if v, loaded := ds.m.LoadOrStore(key, d); loaded {
		return v.(*destination), nil
	}
	ds.epoch.Add(1)
	ds.n++
	for ds.n > ds.max {
		ds.evictLocked(key)
	}
	return d, nil
}

// evictLocked removes the least recently used destination other than keep.
func (ds *destinations) evictLocked(keep string) {
	var victim *destination
	ds.m.Range(func(_, v any) bool {
		d := v.(*destination)
		if d.key != keep && (victim == nil || d.used.Load() < victim.used.Load()) {
			victim = d
		}
		return true
	})
	if victim == nil {
		ds.n = ds.max // only keep is left; cannot happen with max >= 1
		return
	}
	ds.m.Delete(victim.key)
	ds.n--
}

func (ds *destinations) len() int {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.n
}

func contextWithCall(ctx context.Context, c *call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}
