package adaptive

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
)

// gate is the admission core shared by Limiter and Shedder: an in-flight
// count and, per priority, how many calls may be in flight. Admission is one
// atomic load and one atomic add; the allowances change only when the
// limit does, once per sample window.
type gate struct {
	inflight atomic.Int64
	allowed  [NumPriorities]atomic.Int64
	limit    atomic.Int64

	shares   [NumPriorities]float64
	shadow   bool
	err      error
	policy   string
	name     string
	listener resilience.Listener

	rejected       [NumPriorities]atomic.Uint64
	shadowRejected atomic.Uint64
	windowRejected atomic.Int64 // refusals (shadow ones too) in the current window
}

func (g *gate) init(policy, name string, shares PriorityShares, shadow bool, l resilience.Listener, err error, limit int64) {
	g.policy, g.name, g.shares, g.shadow, g.listener, g.err = policy, name, shares.array(), shadow, l, err
	g.setLimit(limit)
}

// setLimit publishes a new limit and the allowance of each priority: at
// least one call, so that even the least important work trickles through
// an idle system.
func (g *gate) setLimit(limit int64) {
	g.limit.Store(limit)
	for i, share := range g.shares {
		g.allowed[i].Store(max(1, int64(float64(limit)*share)))
	}
}

// admit takes a slot for a call of priority p, or reports why not. In
// shadow mode it always takes one.
func (g *gate) admit(p Priority) error {
	i := p.Index()
	n := g.inflight.Add(1)
	if n <= g.allowed[i].Load() {
		return nil
	}
	g.windowRejected.Add(1)
	if g.shadow {
		g.shadowRejected.Add(1)
		g.report(resilience.EventShadowRejected, g.err, p)
		return nil
	}
	g.inflight.Add(-1)
	g.rejected[i].Add(1)
	g.report(resilience.EventRejected, g.err, p)
	return g.err
}

// done gives back a slot and returns the number in flight before it. A
// Permit done twice would drive the count below zero; that is undone.
func (g *gate) done() int64 {
	n := g.inflight.Add(-1)
	if n < 0 {
		g.inflight.Add(1)
	}
	return n + 1
}

func (g *gate) report(kind resilience.EventKind, err error, p Priority) {
	if g.listener == nil {
		return
	}
	g.listener.OnEvent(resilience.Event{Kind: kind, Policy: g.policy, Name: g.name, Err: err, Detail: p.String()})
}

func (g *gate) reportOutcome(o resilience.Outcome, err error, latency time.Duration) {
	if g.listener == nil {
		return
	}
	switch o {
	case resilience.OutcomeSuccess:
		g.listener.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: g.policy, Name: g.name, Latency: latency})
	case resilience.OutcomeFailure:
		g.listener.OnEvent(resilience.Event{Kind: resilience.EventFailure, Policy: g.policy, Name: g.name, Latency: latency, Err: err})
	}
}

// reportLimit reports a change of limit as EventStateChange, with the old
// and new limits as From and To.
func (g *gate) reportLimit(from, to int64, detail string) {
	if g.listener == nil || from == to {
		return
	}
	g.listener.OnEvent(resilience.Event{Kind: resilience.EventStateChange, Policy: g.policy, Name: g.name,
		From: strconv.FormatInt(from, 10), To: strconv.FormatInt(to, 10), Detail: detail})
}

// PriorityCounts holds one counter per priority; Get reads one.
type PriorityCounts [NumPriorities]uint64

// Get returns the count of priority p.
func (c PriorityCounts) Get(p Priority) uint64 { return c[p.Index()] }

// Total returns the sum over every priority.
func (c PriorityCounts) Total() uint64 {
	var t uint64
	for _, v := range c {
		t += v
	}
	return t
}

func (g *gate) rejectedCounts() PriorityCounts {
	var c PriorityCounts
	for i := range c {
		c[i] = g.rejected[i].Load()
	}
	return c
}
