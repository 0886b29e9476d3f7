package balancer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Picker is what transports need from a balancer: an endpoint for each
// call, and the call's outcome afterwards through Pick.Done.
type Picker interface {
	Pick(ctx context.Context, key string) (Pick, error)
}

var _ Picker = (*Balancer)(nil)

// Balancer spreads calls over a set of endpoints. It routes each call to a
// subset (rules, zone preference), leaves out the endpoints that outlier
// detection ejected or health checks found unhealthy, and picks one with
// its Policy.
//
// Pick is lock-free: every change (Update, an ejection, a health
// transition) builds an immutable snapshot and publishes it through an
// atomic pointer, so a change never makes a Pick wait. Most callers want
// Pick, then Pick.Done with the call's error and latency.
//
// A Balancer is safe for simultaneous use by multiple goroutines. Close it
// when done if it runs outlier detection or health checks: they use
// timers. The zero Balancer is not usable; create one with New.
type Balancer struct {
	cfg         Config
	clk         clock.Clock
	classify    resilience.Classifier
	listener    resilience.Listener
	algo        algo
	track       track // what every pick's Done does
	seed        uint64
	tau         float64 // PeakEWMA decay in nanoseconds
	consecLimit int64
	routes      []route    // compiled rules, highest priority first
	selectors   []selector // per group: rule subsets, then DefaultSubset
	counters    []*padded  // per group: round-robin positions; counters[0] is &next0
	totals      []*padded  // per group: in-flight calls, for bounded loads
	seq         padded     // the seeded random source's counter
	next0       padded     // group 0's round-robin position, inline for Pick's fast path
	snap        atomic.Pointer[snapshot]
	prober      Prober
	closing     context.Context // done once Close is called: ends probes and Follow
	closeNow    context.CancelFunc
	probes      sync.WaitGroup

	mu         sync.Mutex
	conns      []*conn // in Update order
	byID       map[string]*conn
	closed     bool
	sweepTimer clock.Timer
}

// padded is an atomic counter alone on its cache line.
type padded struct {
	_ [56]byte
	n atomic.Int64
	_ [56]byte
}

// snapshot is what Pick reads: one picker per group, nil where the group
// has no endpoint to offer.
type snapshot struct {
	groups []*picker
	// rr is groups[0] when the balancer has no rules and picks round
	// robin, nil otherwise: Pick's fast path.
	rr *picker
}

// New returns a Balancer with no endpoints; add them with Update. It
// returns the error of cfg.Validate.
func New(cfg Config) (*Balancer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Balancer{
		cfg:         cfg,
		clk:         clock.Or(cfg.Clock),
		classify:    cfg.Classifier,
		listener:    cfg.Listener,
		algo:        algoOf(cfg.Policy),
		seed:        cfg.Seed,
		tau:         float64(cfg.PeakEWMA.decay()),
		consecLimit: int64(cfg.Outlier.ConsecutiveFailures),
		byID:        map[string]*conn{},
	}
	if b.classify == nil {
		b.classify = resilience.Classify
	}
	b.track = tracking(cfg)
	b.routes, b.selectors = compileRules(cfg.Rules, cfg.DefaultSubset)
	for g := range b.selectors {
		next := new(padded)
		if g == 0 {
			next = &b.next0
		}
		b.counters = append(b.counters, next)
		b.totals = append(b.totals, new(padded))
	}
	b.prober = cfg.HealthCheck.prober()
	b.closing, b.closeNow = context.WithCancel(context.Background())
	b.snap.Store(&snapshot{groups: make([]*picker, len(b.selectors))})
	if cfg.Outlier.enabled() {
		b.sweepTimer = b.clk.AfterFunc(cfg.Outlier.interval(), b.sweep)
	}
	return b, nil
}

// Pick chooses an endpoint for one call. key identifies what the call is
// about (a user or session ID): percentage rules and PolicyRingHash hash
// it, so the same key gets the same answer; empty means the key set with
// WithKey, if any. Header rules match the Headers set with WithHeaders.
//
// Call Done on the result exactly once when the call has finished. Pick
// fails with ErrNoEndpoint, which matches resilience.ErrRejected, when no
// endpoint may serve the call. It does not allocate.
func (b *Balancer) Pick(ctx context.Context, key string) (Pick, error) {
	// Round robin without rules, the default, takes a short path: one
	// atomic add and an index, as grpc's round_robin picker.
	if p := b.snap.Load().rr; p != nil {
		// Read the picker before the atomic add: on x86 a locked add is a
		// fence, and loads issued after it would wait for it.
		conns, m, n, tr := p.conns, p.nmod, p.n, p.track
		c := conns[fastmod(uint32(b.next0.n.Add(1)-1), m, n)]
		if tr&trackInflight != 0 {
			c.inflight.Add(1)
		}
		return Pick{c: c, track: tr}, nil
	}
	return b.pick(ctx, key)
}

// pick is Pick for every other case.
func (b *Balancer) pick(ctx context.Context, key string) (Pick, error) {
	s := b.snap.Load()
	var p *picker
	if len(b.routes) == 0 {
		p = s.groups[0]
	} else {
		p = b.route(ctx, key, s)
	}
	if p == nil {
		if b.listener != nil {
			b.listener.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "balancer", Name: b.cfg.Name, Err: ErrNoEndpoint})
		}
		return Pick{}, ErrNoEndpoint
	}
	return p.pick(ctx, key)
}

// Update replaces the endpoint set. Endpoints are matched to the current
// ones by ID (Addr when ID is empty): one that stays keeps its in-flight
// count, latency estimate, ejection and health state. New endpoints start
// healthy. Picks in progress are not disturbed. It returns an error, and
// changes nothing, when an endpoint is invalid or an ID repeats.
func (b *Balancer) Update(endpoints []Endpoint) error {
	seen := make(map[string]bool, len(endpoints))
	for i, e := range endpoints {
		if err := e.validate(i); err != nil {
			return err
		}
		if seen[e.key()] {
			return fmt.Errorf("balancer: endpoints[%d]: ID %q repeats", i, e.key())
		}
		seen[e.key()] = true
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	conns := make([]*conn, 0, len(endpoints))
	byID := make(map[string]*conn, len(endpoints))
	for _, e := range endpoints {
		e = e.clone()
		old := b.byID[e.ID]
		c := old
		if old == nil || !same(old.ep, e) {
			c = &conn{ep: e, weight: int64(e.weight()), b: b}
			if old != nil {
				c.inherit(old)
				b.stopProbeLocked(old)
				old.removed = true
			}
			b.startProbeLocked(c)
		}
		conns = append(conns, c)
		byID[e.ID] = c
	}
	for id, old := range b.byID {
		if byID[id] == nil {
			b.stopProbeLocked(old)
			old.removed = true
		}
	}
	b.conns, b.byID = conns, byID
	b.rebuildLocked()
	b.mu.Unlock()
	return nil
}

// Close stops outlier detection and health checking and waits for probes
// in progress. Picks keep working on the last endpoint set; Update fails
// with ErrClosed. Close is idempotent.
func (b *Balancer) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	if b.sweepTimer != nil {
		b.sweepTimer.Stop()
	}
	for _, c := range b.conns {
		b.stopProbeLocked(c)
	}
	b.mu.Unlock()
	b.closeNow()
	b.probes.Wait()
}

// rand64 returns a random number from the runtime's per-thread source, or
// from the seeded sequence when Config.Seed is set.
func (b *Balancer) rand64() uint64 {
	if b.seed == 0 {
		return rand.Uint64()
	}
	return mix64(b.seed + uint64(b.seq.n.Add(1))*golden)
}

// emit reports events collected under the lock, after it is released.
func (b *Balancer) emit(events []resilience.Event) {
	if b.listener == nil {
		return
	}
	for _, e := range events {
		b.listener.OnEvent(e)
	}
}

// transition returns the event for c moving from state from to its
// current state, for reason.
func (b *Balancer) transition(c *conn, from, reason string) resilience.Event {
	return resilience.Event{
		Kind: resilience.EventStateChange, Policy: "balancer", Name: b.cfg.Name,
		From: from, To: c.state(), Detail: c.ep.ID + ": " + reason,
	}
}
