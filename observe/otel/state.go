package otel

import (
	"context"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"weak"

	"go.opentelemetry.io/otel/attribute"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
)

// EventStateChange: a guard with states (a circuit breaker, or a guard
// implementing StateReporter) changed state. Attributes: resilience.policy,
// resilience.name, resilience.from, resilience.to (state names, e.g.
// "closed", "open", "half_open").
const EventStateChange = "resilience.state_change"

// A StateReporter is a guard with named states. Trace reports changes of
// StateString as resilience.state_change span events, as it does for a
// *circuitbreaker.Breaker, which needs no such method. StateString must be
// safe for concurrent use and cheap: it is called after every Acquire and
// Release.
type StateReporter interface {
	StateString() string
}

// stateGuard traces a guard with states. Besides rejections, it reports the
// state changes its calls see: after each Acquire and each Release it reads
// the state and, when it differs from the state last seen by any call, adds
// EventStateChange to the call's span. To see the Release, it hands out
// permits of its own, and the pipeline releases them with the call's
// context through ReleaseContext.
type stateGuard struct {
	tracedGuard
	read  func() string
	track *stateTracker
	// innerCR is the inner guard if it is a ContextReleaser, else nil.
	innerCR resilience.ContextReleaser
	// comparable: the inner guard's dynamic type is comparable, so owns
	// can compare permits without panicking.
	comparable bool
}

var _ resilience.ContextReleaser = (*stateGuard)(nil)

// traceState wraps g if it has states, or returns nil.
func traceState(g resilience.Guard, id identity) *stateGuard {
	sg := &stateGuard{tracedGuard: tracedGuard{inner: g, id: id}, comparable: reflect.TypeOf(g).Comparable()}
	sg.innerCR, _ = g.(resilience.ContextReleaser)
	switch v := g.(type) {
	case *circuitbreaker.Breaker:
		sg.read = func() string { return v.State().String() }
		sg.track = breakerTracker(v)
	case StateReporter:
		sg.read = v.StateString
		sg.track = &stateTracker{}
	default:
		return nil
	}
	sg.track.init(sg.read)
	return sg
}

func (g *stateGuard) Acquire(ctx context.Context) (resilience.Permit, error) {
	p, err := g.inner.Acquire(ctx)
	// Acquire applies due transitions, open to half-open for a breaker.
	g.track.observe(ctx, g.id, g.read)
	if err != nil {
		g.id.add(ctx, EventRejected, errAttr(err))
		return p, err
	}
	if g.owns(p) {
		return resilience.NewPermit(g, p.Token(), p.Start()), nil
	}
	// A zero permit (nothing to release) or another guard's: its Done
	// goes where it always went, unobserved.
	return p, nil
}

// owns reports whether p was granted by the inner guard itself, so that
// ReleaseContext can rebuild it from its token and start.
func (g *stateGuard) owns(p resilience.Permit) bool {
	return g.comparable && p == resilience.NewPermit(g.inner, p.Token(), p.Start())
}

// Release is ReleaseContext without a span: it is called when a permit is
// released with Done rather than DoneContext.
func (g *stateGuard) Release(p resilience.Permit, err error) {
	g.ReleaseContext(context.Background(), p, err)
}

// ReleaseContext releases the inner guard's permit and reports, on ctx's
// span, the state change the outcome caused.
func (g *stateGuard) ReleaseContext(ctx context.Context, p resilience.Permit, err error) {
	inner := resilience.NewPermit(g.inner, p.Token(), p.Start())
	if g.innerCR != nil {
		g.innerCR.ReleaseContext(ctx, inner, err)
	} else {
		g.inner.Release(inner, err)
	}
	g.track.observe(ctx, g.id, g.read)
}

// A stateTracker remembers the state a guard was last seen in by any call
// through a traced wrapper, so that each change is reported once, on the
// span of the call that saw it first: normally the call that caused it.
type stateTracker struct {
	last  atomic.Pointer[string]
	mu    sync.Mutex         // serializes changes of last
	names map[string]*string // interned state names: a change allocates nothing
}

// maxInterned bounds names, for a StateReporter with unbounded state names.
const maxInterned = 64

// init records the current state, once.
func (t *stateTracker) init(read func() string) {
	t.mu.Lock()
	if t.last.Load() == nil {
		t.last.Store(t.intern(read()))
	}
	t.mu.Unlock()
}

// observe reads the state and, if it changed since last seen, records it
// and adds EventStateChange to ctx's span (if it is recording).
func (t *stateTracker) observe(ctx context.Context, id identity, read func() string) {
	if read() == *t.last.Load() {
		return
	}
	// Read again under the lock, so that changes are recorded in the order
	// they happened and from is the state they left.
	t.mu.Lock()
	to, from := read(), *t.last.Load()
	if to == from {
		t.mu.Unlock()
		return
	}
	t.last.Store(t.intern(to))
	t.mu.Unlock()
	id.add(ctx, EventStateChange, attribute.String("resilience.from", from), attribute.String("resilience.to", to))
}

// intern returns a shared pointer to s; the caller holds t.mu.
func (t *stateTracker) intern(s string) *string {
	if p, ok := t.names[s]; ok {
		return p
	}
	v := s // only a new name escapes
	p := &v
	if len(t.names) < maxInterned {
		if t.names == nil {
			t.names = make(map[string]*string)
		}
		t.names[s] = p
	}
	return p
}

// breakerTrackers holds one stateTracker per traced breaker, so that
// pipelines sharing a breaker report each change once. Keys are weak: an
// entry goes when its breaker is collected.
var breakerTrackers sync.Map // weak.Pointer[circuitbreaker.Breaker] → *stateTracker

func breakerTracker(b *circuitbreaker.Breaker) *stateTracker {
	key := weak.Make(b)
	if t, ok := breakerTrackers.Load(key); ok {
		return t.(*stateTracker)
	}
	t, loaded := breakerTrackers.LoadOrStore(key, &stateTracker{})
	if !loaded {
		runtime.AddCleanup(b, func(k weak.Pointer[circuitbreaker.Breaker]) { breakerTrackers.Delete(k) }, key)
	}
	return t.(*stateTracker)
}
