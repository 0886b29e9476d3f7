package grpcx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/resolver"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// ResolverBuilder is a grpc-go resolver.Builder that finds a service's
// addresses in a discovery.Source. A client dials "<scheme>:///<service>";
// the resolver watches the service and pushes each new instance set to the
// ClientConn as a resolver.State: one endpoint per instance, each with one
// address whose attributes carry the instance (ID, Weight, Zone, Version,
// Health, Metadata; see InstanceFromAddress), so that balancers such as
// the one of NewBalancerBuilder can weigh and route by them.
//
//	b, err := grpcx.NewResolverBuilder("disco", registry)
//	conn, err := grpc.NewClient("disco:///api", grpc.WithResolvers(b), ...)
//
// When the source fails, the resolver keeps the addresses it last pushed
// and watches again after a backoff (ResolverConfig.RetryInitial,
// RetryMax); it reports the error to grpc-go (ResolveNow's callers and
// waiting RPCs see it) only while it has never resolved anything. grpc-go's
// ResolveNow, which it calls when connections fail, watches the source
// anew at once, at most once per MinRefreshInterval. Close stops the
// resolver's goroutine and waits for it.
//
// A ResolverBuilder is safe for concurrent use and may build any number of
// resolvers, one per ClientConn. Pass it to grpc.WithResolvers, or register
// it for every ClientConn with resolver.Register.
type ResolverBuilder struct {
	cfg ResolverConfig
	clk clock.Clock
}

var _ resolver.Builder = (*ResolverBuilder)(nil)

// NewResolverBuilder returns a ResolverBuilder of scheme over src with the
// default settings; see NewResolverBuilderConfig for the others.
func NewResolverBuilder(scheme string, src discovery.Source) (*ResolverBuilder, error) {
	return NewResolverBuilderConfig(ResolverConfig{Scheme: scheme, Source: src})
}

// NewResolverBuilderConfig returns a ResolverBuilder configured by cfg, or
// cfg.Validate's error.
func NewResolverBuilderConfig(cfg ResolverConfig) (*ResolverBuilder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &ResolverBuilder{cfg: cfg, clk: clock.Or(cfg.Clock)}, nil
}

// Scheme returns the configured scheme.
func (b *ResolverBuilder) Scheme() string { return b.cfg.Scheme }

// Build starts a resolver of target's service: the path of
// "<scheme>:///<service>" (or the opaque part of "<scheme>:<service>"). It
// fails when the service name is empty or invalid; the source is first
// asked by the resolver's goroutine, so Build never blocks on it.
func (b *ResolverBuilder) Build(target resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	service := target.Endpoint()
	if err := (discovery.Instance{ID: "x", Service: service, Address: "127.0.0.1", Port: 1}).Validate(); err != nil {
		return nil, fmt.Errorf("grpcx: resolver: target %q: invalid service name: %w", target.String(), err)
	}
	r := &discoResolver{
		b:       b,
		cc:      cc,
		service: service,
		kick:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	go r.run()
	return r, nil
}

// errRefresh is the cause with which ResolveNow interrupts a watch.
var errRefresh = errors.New("grpcx: resolver: refresh requested")

// discoResolver is one ClientConn's resolver. Its goroutine, run, owns the
// watch and everything it pushes; ResolveNow and Close only signal it.
type discoResolver struct {
	b       *ResolverBuilder
	cc      resolver.ClientConn
	service string
	ctx     context.Context
	cancel  context.CancelFunc
	kick    chan struct{} // ResolveNow: cut a retry's wait short
	done    chan struct{} // closed when run returns

	mu        sync.Mutex
	interrupt context.CancelCauseFunc // ends the current Next with errRefresh

	lastKick atomic.Int64 // clock reading of the last honoured ResolveNow, +1

	// Owned by run.
	last     []discovery.Instance
	resolved bool
}

// ResolveNow asks for a refresh: the source is watched anew, whose first
// update is its current set, or, while the source is failing, tried again
// at once. Calls less than MinRefreshInterval after the last honoured one
// are ignored. It never blocks.
func (r *discoResolver) ResolveNow(resolver.ResolveNowOptions) {
	now := r.b.clk.Nanotime()
	last := r.lastKick.Load()
	if last != 0 && now-(last-1) < int64(r.b.cfg.minRefresh()) || !r.lastKick.CompareAndSwap(last, now+1) {
		return
	}
	r.mu.Lock()
	if r.interrupt != nil {
		r.interrupt(errRefresh)
	}
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Close stops the resolver and waits for its goroutine to end.
func (r *discoResolver) Close() {
	r.cancel()
	<-r.done
}

// run watches the source until Close, watching again after each failure
// (after a backoff) or refresh (at once).
func (r *discoResolver) run() {
	defer close(r.done)
	wait := time.Duration(0)
	for {
		err := r.watch()
		if r.ctx.Err() != nil {
			return
		}
		if errors.Is(err, errRefresh) {
			wait = 0
			continue
		}
		r.fail(err)
		wait = min(max(2*wait, r.b.cfg.retryInitial()), r.b.cfg.retryMax())
		if !r.sleep(wait) {
			return
		}
	}
}

// watch follows the source until it fails, a refresh is requested or the
// resolver closes, and returns why.
func (r *discoResolver) watch() error {
	select { // a new watch is the refresh asked for so far
	case <-r.kick:
	default:
	}
	wctx, stop := context.WithCancel(r.ctx)
	defer stop()
	w, err := r.b.cfg.Source.Watch(wctx, r.service)
	if err != nil {
		return err
	}
	defer w.Close()
	nctx, interrupt := context.WithCancelCause(wctx)
	defer interrupt(nil)
	r.mu.Lock()
	r.interrupt = interrupt
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.interrupt = nil
		r.mu.Unlock()
	}()
	for {
		u, err := w.Next(nctx)
		if err != nil {
			if cause := context.Cause(nctx); cause != nil && nctx.Err() != nil {
				return cause
			}
			return err
		}
		r.push(u.Instances)
	}
}

// push sends the state of set to the ClientConn unless it is the set
// pushed last. Its error, from a balancer that rejects the state, is
// ignored: the watch will bring the next set.
func (r *discoResolver) push(set []discovery.Instance) {
	if r.resolved && sameInstances(r.last, set) {
		return
	}
	r.last, r.resolved = set, true
	_ = r.cc.UpdateState(stateOf(set, r.b.cfg.KeepUnhealthy))
}

// fail reports a failure of the source: to the ClientConn when nothing was
// ever resolved, to the Listener always.
func (r *discoResolver) fail(err error) {
	err = fmt.Errorf("grpcx: resolver: watching %q: %w", r.service, err)
	detail := "keeping the last good addresses"
	if !r.resolved {
		detail = "nothing resolved yet"
		r.cc.ReportError(err)
	}
	if l := r.b.cfg.Listener; l != nil {
		l.OnEvent(resilience.Event{Kind: resilience.EventFailure, Policy: "resolver", Name: r.service, Err: err, Detail: detail})
	}
}

// sleep waits for d, a ResolveNow or Close, and reports false on Close.
func (r *discoResolver) sleep(d time.Duration) bool {
	t := r.b.clk.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
	case <-r.kick:
	case <-r.ctx.Done():
		return false
	}
	return true
}

// sameInstances reports whether a and b hold equal instances in the same
// order.
func sameInstances(a, b []discovery.Instance) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}
