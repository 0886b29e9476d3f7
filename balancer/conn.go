package balancer

import (
	"math"
	"sync/atomic"

	"github.com/resilience-go/resilience/clock"
)

// conn is the balancer's state for one endpoint. The atomic fields are
// read and written on the request path; the rest is guarded by
// Balancer.mu and read only when a snapshot is built.
type conn struct {
	ep     Endpoint // immutable once the conn is published
	weight int64
	b      *Balancer

	inflight atomic.Int64
	consec   atomic.Int64  // consecutive failures reported to Done
	counts   atomic.Uint64 // this interval: calls (low 32 bits), failures (high 32)
	ewma     atomic.Uint64 // float64 bits: latency estimate in nanoseconds
	stamp    atomic.Int64  // Nanotime of the last estimate update

	// Guarded by Balancer.mu.
	removed     bool
	ejected     bool
	ejections   int   // ejection multiplier: grows per ejection, decays per clean interval
	ejectedTill int64 // Nanotime when an ejection ends
	unhealthy   bool  // set by active health checking
	probeOK     int   // consecutive successful probes
	probeFail   int   // consecutive failed probes
	probeTimer  clock.Timer

	_ [32]byte // keep neighbouring conns' hot counters off this cache line
}

// available reports whether c may be picked. Callers hold Balancer.mu.
func (c *conn) available() bool { return !c.ejected && !c.unhealthy }

// state names c's availability for events.
func (c *conn) state() string {
	switch {
	case c.ejected:
		return "ejected"
	case c.unhealthy:
		return "unhealthy"
	}
	return "available"
}

// latency returns the current estimate in nanoseconds, undecayed.
func (c *conn) latency() float64 { return math.Float64frombits(c.ewma.Load()) }

// inherit copies the runtime state of old, which c replaces because the
// endpoint's description changed.
func (c *conn) inherit(old *conn) {
	c.ewma.Store(old.ewma.Load())
	c.stamp.Store(old.stamp.Load())
	c.consec.Store(old.consec.Load())
	c.ejected, c.ejections, c.ejectedTill = old.ejected, old.ejections, old.ejectedTill
	c.unhealthy, c.probeOK, c.probeFail = old.unhealthy, old.probeOK, old.probeFail
}
