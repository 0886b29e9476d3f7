package grpcx

import (
	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/resolver"
)

// addLocked makes and connects the SubConn of a.
func (lb *lbBalancer) addLocked(a lbAddr) {
	ep := a.ep
	e := &scEntry{ep: ep, state: connectivity.Idle}
	sc, err := lb.cc.NewSubConn([]resolver.Address{a.addr}, gbalancer.NewSubConnOptions{
		StateListener: func(st gbalancer.SubConnState) { lb.onSubConnState(e, st) },
	})
	if err != nil {
		return // the ClientConn is closing
	}
	e.sc = sc
	p, release := sc.GetOrBuildProducer(healthProducerBuilder{})
	e.health, _ = p.(grpcConn)
	e.release = release
	lb.entries[ep.Addr] = e
	next := lb.probeMapLocked()
	next[ep.ID] = e
	lb.probeConns.Store(&next)
	sc.Connect()
}

// forgetLocked takes addr out of the maps; shutdownLocked then releases
// its SubConn.
func (lb *lbBalancer) forgetLocked(addr string) {
	next := lb.probeMapLocked()
	delete(next, addr)
	lb.probeConns.Store(&next)
}

func (lb *lbBalancer) shutdownLocked(addr string) {
	e := lb.entries[addr]
	if e == nil {
		return
	}
	delete(lb.entries, addr)
	if e.release != nil {
		e.release()
	}
	e.sc.Shutdown()
}

func (lb *lbBalancer) removeLocked(addr string) {
	lb.forgetLocked(addr)
	lb.shutdownLocked(addr)
}

// probeMapLocked returns a copy of probeConns to change and store.
func (lb *lbBalancer) probeMapLocked() map[string]*scEntry {
	old := *lb.probeConns.Load()
	next := make(map[string]*scEntry, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	return next
}

// onSubConnState records a SubConn's new state, reconnects it when idle,
// and publishes a picker for the new set of ready SubConns.
func (lb *lbBalancer) onSubConnState(e *scEntry, st gbalancer.SubConnState) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.closed || lb.entries[e.ep.Addr] != e || st.ConnectivityState == connectivity.Shutdown {
		return
	}
	e.state = st.ConnectivityState
	switch st.ConnectivityState {
	case connectivity.Idle:
		e.sc.Connect()
	case connectivity.TransientFailure:
		e.lastErr = st.ConnectionError
		lb.cc.ResolveNow(resolver.ResolveNowOptions{})
	}
	lb.regenerateLocked()
}
