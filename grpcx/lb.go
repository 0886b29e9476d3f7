package grpcx

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/resolver"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/discovery"
)

// lbBalancer is one ClientConn's balancer. grpc-go calls its methods, and
// the SubConns' state listeners, one at a time; the goroutines of outlier
// detection and health checks only ask for a new picker (scheduleRegen).
// Everything below mu is guarded by it.
type lbBalancer struct {
	b      *BalancerBuilder
	cc     gbalancer.ClientConn
	target string

	// probeConns maps an endpoint ID to its entry for the health prober,
	// which runs on the balancer's timers: copy on write, under mu.
	probeConns atomic.Pointer[map[string]*scEntry]
	regens     sync.WaitGroup

	mu           sync.Mutex
	closed       bool
	regenPending bool
	cfg          *lbConfig
	bal          *balancer.Balancer
	entries      map[string]*scEntry // by address
	order        []string            // addresses in the resolver's order
	state        connectivity.State  // the state last reported
	resolverErr  error               // the resolver's last error, while nothing is known
}

// scEntry is one address: its SubConn and what the balancer knows of it.
type scEntry struct {
	sc      gbalancer.SubConn
	ep      balancer.Endpoint
	state   connectivity.State
	lastErr error
	health  grpcConn // the SubConn as a ClientConnInterface, for probes
	release func()   // releases health
}

// UpdateClientConnState applies a new configuration and address set.
// SubConns are made for new addresses and shut down for removed ones,
// after a picker without them is in place, so that no call fails.
func (lb *lbBalancer) UpdateClientConnState(s gbalancer.ClientConnState) error {
	cfg, _ := s.BalancerConfig.(*lbConfig)
	if cfg == nil {
		cfg = defaultLBConfig
	}
	eps := endpointsOf(s.ResolverState)
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed {
		return nil
	}
	if err := lb.configureLocked(cfg); err != nil {
		return err
	}
	lb.resolverErr = nil
	if len(eps) == 0 {
		for _, addr := range lb.order {
			lb.removeLocked(addr)
		}
		lb.order = nil
		lb.resolverErr = errors.New("grpcx: resolver produced no addresses")
		lb.regenerateLocked()
		return gbalancer.ErrBadResolverState
	}
	var removed []string
	keep := make(map[string]bool, len(eps))
	order := make([]string, 0, len(eps))
	for _, a := range eps {
		keep[a.ep.ID] = true
		order = append(order, a.ep.ID)
		if e := lb.entries[a.ep.ID]; e != nil {
			e.ep = a.ep
			continue
		}
		lb.addLocked(a)
	}
	for _, addr := range lb.order {
		if !keep[addr] {
			removed = append(removed, addr)
		}
	}
	lb.order = order
	for _, addr := range removed {
		lb.forgetLocked(addr)
	}
	lb.regenerateLocked()
	for _, addr := range removed {
		lb.shutdownLocked(addr)
	}
	return nil
}

// lbAddr is one address to balance over: the resolver's address, to
// connect to, and the balancer endpoint it stands for.
type lbAddr struct {
	addr resolver.Address
	ep   balancer.Endpoint
}

// endpointsOf returns one address per distinct address of st, the first
// of each resolver endpoint, with the weight, zone and metadata of the
// discovery instance it carries, if any.
func endpointsOf(st resolver.State) []lbAddr {
	var out []lbAddr
	seen := map[string]bool{}
	add := func(a resolver.Address, inst discovery.Instance, ok bool) {
		if a.Addr == "" || seen[a.Addr] {
			return
		}
		seen[a.Addr] = true
		ep := balancer.Endpoint{ID: a.Addr, Addr: a.Addr}
		if ok {
			ep.Weight, ep.Zone, ep.Metadata = inst.Weight, inst.Zone, inst.Metadata
		}
		out = append(out, lbAddr{addr: a, ep: ep})
	}
	if len(st.Endpoints) > 0 {
		for _, e := range st.Endpoints {
			if len(e.Addresses) == 0 {
				continue
			}
			inst, ok := InstanceFromEndpoint(e)
			add(e.Addresses[0], inst, ok)
		}
		return out
	}
	for _, a := range st.Addresses {
		inst, ok := InstanceFromAddress(a)
		add(a, inst, ok)
	}
	return out
}

// configureLocked makes the picking balancer.Balancer for cfg, unless it
// already has that configuration. A new one starts without the state of
// the old (latencies, ejections, health).
func (lb *lbBalancer) configureLocked(cfg *lbConfig) error {
	if lb.bal != nil && lb.cfg.json == cfg.json {
		return nil
	}
	bcfg := cfg.cfg
	bcfg.Name = lb.target
	bcfg.Clock = lb.b.cfg.Clock
	bcfg.Classifier = lb.b.cfg.Classifier
	if bcfg.Classifier == nil {
		bcfg.Classifier = classifyDone
	}
	bcfg.Listener = resilience.ListenerFunc(lb.onEvent)
	if cfg.bc.HealthCheck != nil {
		bcfg.HealthCheck.Prober = lb.b.cfg.Prober
		if bcfg.HealthCheck.Prober == nil {
			bcfg.HealthCheck.Prober = &subConnProber{lb: lb, service: cfg.bc.HealthCheck.ServiceName}
		}
	}
	bal, err := balancer.New(bcfg)
	if err != nil {
		return fmt.Errorf("grpcx: balancer config: %w", err)
	}
	if old := lb.bal; old != nil {
		// Close waits for probes in progress, whose events take mu.
		lb.regens.Add(1)
		go func() {
			defer lb.regens.Done()
			old.Close()
		}()
	}
	lb.bal, lb.cfg = bal, cfg
	return nil
}

// ResolverError keeps the current SubConns and picker, and fails calls
// with err only while no address is known.
func (lb *lbBalancer) ResolverError(err error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed || len(lb.entries) > 0 {
		return
	}
	lb.resolverErr = err
	lb.regenerateLocked()
}

// UpdateSubConnState is not used: each SubConn has a StateListener.
func (lb *lbBalancer) UpdateSubConnState(gbalancer.SubConn, gbalancer.SubConnState) {}

// ExitIdle connects the idle SubConns.
func (lb *lbBalancer) ExitIdle() {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for _, e := range lb.entries {
		if e.state == connectivity.Idle {
			e.sc.Connect()
		}
	}
}

// Close shuts every SubConn down, stops outlier detection and health
// checks, and waits for the goroutines it started.
func (lb *lbBalancer) Close() {
	lb.mu.Lock()
	if lb.closed {
		lb.mu.Unlock()
		return
	}
	lb.closed = true
	for addr := range lb.entries {
		lb.removeLocked(addr)
	}
	bal := lb.bal
	lb.mu.Unlock()
	if bal != nil {
		bal.Close()
	}
	lb.regens.Wait()
}

// onEvent forwards the balancer's events to the builder's Listener and
// asks for a new picker when an endpoint was ejected, came back or changed
// health, so that calls waiting for a picker (wait-for-ready calls) pick
// again.
func (lb *lbBalancer) onEvent(ev resilience.Event) {
	if l := lb.b.cfg.Listener; l != nil {
		l.OnEvent(ev)
	}
	if ev.Kind == resilience.EventStateChange {
		lb.scheduleRegen()
	}
}

// scheduleRegen publishes a new picker from a goroutine of its own: the
// event may come from within a pick's Done, inside grpc-go.
func (lb *lbBalancer) scheduleRegen() {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed || lb.regenPending {
		return
	}
	lb.regenPending = true
	lb.regens.Add(1)
	go func() {
		defer lb.regens.Done()
		lb.mu.Lock()
		defer lb.mu.Unlock()
		lb.regenPending = false
		if !lb.closed {
			lb.regenerateLocked()
		}
	}()
}
