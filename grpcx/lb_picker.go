package grpcx

import (
	"errors"
	"fmt"
	"sync"
	"time"

	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
)

// errAllOut fails a pick when every connected endpoint is ejected or
// unhealthy. It is not a status, so grpc-go fails the call with
// Unavailable, or makes a wait-for-ready call wait for the next picker.
var errAllOut = fmt.Errorf("grpcx: every connected endpoint is ejected or unhealthy: %w", balancer.ErrNoEndpoint)

// errNotUsed is the outcome of a pick that grpc-go gave back unused (its
// SubConn was no longer ready): it says nothing of the endpoint.
var errNotUsed = resilience.MarkIgnored(errors.New("grpcx: picked endpoint not used"))

// regenerateLocked gives the picking balancer the ready SubConns'
// endpoints and publishes a picker over them with the aggregate state:
//
//   - READY when a SubConn is ready and an endpoint available (or
//     PanicMode is on); TRANSIENT_FAILURE when outlier detection or health
//     checks took out every ready one;
//   - CONNECTING, with picks that wait (ErrNoSubConnAvailable), while
//     none is ready and some connect, unless the state was
//     TRANSIENT_FAILURE, which sticks until one is ready (gRPC's A62);
//   - TRANSIENT_FAILURE, with picks that fail, when every SubConn failed,
//     or there is no address.
func (lb *lbBalancer) regenerateLocked() {
	var ready []balancer.Endpoint
	conns := make(map[string]gbalancer.SubConn, len(lb.order))
	connecting := false
	var lastErr error
	for _, addr := range lb.order {
		e := lb.entries[addr]
		if e == nil {
			continue
		}
		switch e.state {
		case connectivity.Ready:
			ready = append(ready, e.ep)
			conns[addr] = e.sc
		case connectivity.Idle, connectivity.Connecting:
			connecting = true
		case connectivity.TransientFailure:
			if e.lastErr != nil {
				lastErr = e.lastErr
			}
		}
	}
	if lb.bal != nil {
		_ = lb.bal.Update(ready) // endpoints with an address and a valid weight never fail
	}
	var st connectivity.State
	var p gbalancer.Picker
	switch {
	case len(ready) > 0:
		st = connectivity.Ready
		if lb.bal.Available() == 0 && !lb.cfg.cfg.PanicMode {
			st = connectivity.TransientFailure
		}
		p = &picker{bal: lb.bal, conns: conns, clk: lb.b.clk, timed: lb.cfg.cfg.Policy == balancer.PolicyPeakEWMA}
	case len(lb.order) == 0:
		err := lb.resolverErr
		if err == nil {
			err = errors.New("grpcx: no addresses resolved yet")
		}
		st, p = connectivity.TransientFailure, errPicker{err}
	case connecting && lb.state != connectivity.TransientFailure:
		st, p = connectivity.Connecting, errPicker{gbalancer.ErrNoSubConnAvailable}
	default:
		st = connectivity.TransientFailure
		p = errPicker{fmt.Errorf("grpcx: no endpoint of %d is connected; last connection error: %v", len(lb.order), lastErr)}
	}
	lb.state = st
	lb.cc.UpdateState(gbalancer.State{ConnectivityState: st, Picker: p})
}

// errPicker fails every pick with err.
type errPicker struct{ err error }

func (p errPicker) Pick(gbalancer.PickInfo) (gbalancer.PickResult, error) {
	return gbalancer.PickResult{}, p.err
}

// picker picks with the balancer package among the SubConns that were
// ready when it was made. It is immutable; the balancer it calls reflects
// ejections and health changes at once, without a new picker.
type picker struct {
	bal   *balancer.Balancer
	conns map[string]gbalancer.SubConn // by endpoint ID, the address
	clk   clock.Clock
	timed bool // measure each call's latency precisely (peak_ewma)
}

// Pick asks the balancer for an endpoint (routing by the call's context:
// balancer.WithKey, balancer.WithHeaders) and returns its SubConn, with a
// Done that reports the call's outcome and latency to the balancer. It
// allocates nothing: Done functions are pooled.
func (p *picker) Pick(info gbalancer.PickInfo) (gbalancer.PickResult, error) {
	pk, err := p.bal.Pick(info.Ctx, "")
	if err != nil {
		return gbalancer.PickResult{}, errAllOut
	}
	sc := p.conns[pk.ID()]
	if sc == nil {
		// The balancer already serves a newer set of endpoints than this
		// picker: the picker made with it is on its way.
		pk.Done(errNotUsed, 0)
		return gbalancer.PickResult{}, gbalancer.ErrNoSubConnAvailable
	}
	d := donePool.Get().(*pickDone)
	d.pick = pk
	if p.timed {
		d.clk, d.start = p.clk, p.clk.Now()
	}
	return gbalancer.PickResult{SubConn: sc, Done: d.fn}, nil
}

// pickDone carries one pick to its Done. grpc-go calls Done exactly once
// per pick result, after which the pickDone goes back to the pool.
type pickDone struct {
	pick  balancer.Pick
	clk   clock.Clock // nil unless timed
	start time.Time
	fn    func(gbalancer.DoneInfo) // done, bound once per pickDone
}

var donePool sync.Pool

func init() {
	donePool.New = func() any { // set here: done refers to donePool
		d := new(pickDone)
		d.fn = d.done
		return d
	}
}

func (d *pickDone) done(info gbalancer.DoneInfo) {
	err := info.Err
	if err == nil && !info.BytesSent && !info.BytesReceived {
		err = errNotUsed // handed back by grpc-go: the SubConn was not ready
	}
	var latency time.Duration
	if d.clk != nil {
		latency = d.clk.Now().Sub(d.start)
	}
	pk := d.pick
	*d = pickDone{fn: d.fn}
	donePool.Put(d)
	pk.Done(err, latency)
}

// classifyDone is the default Classifier of the balancer's outcomes: a
// status counts as OutcomeFor says, as in the client interceptors; other
// errors as resilience.Classify does.
func classifyDone(err error) resilience.Outcome {
	if err == nil {
		return resilience.OutcomeSuccess
	}
	if s, ok := err.(interface{ GRPCStatus() *status.Status }); ok {
		if st := s.GRPCStatus(); st != nil {
			return OutcomeFor(st.Code())
		}
	}
	return resilience.Classify(err)
}
