package balancer

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
)

// Pick is the endpoint chosen for one call. Call Done exactly once when the
// call has finished. The zero Pick has no endpoint and its Done does
// nothing. Pick is a small value: returning and copying it does not
// allocate.
type Pick struct {
	c     *conn
	total *atomic.Int64 // the group's in-flight total, for bounded loads
	start int64         // Nanotime at the pick, for PolicyPeakEWMA
	track track         // what Done records; zero: nothing
}

// Endpoint returns the chosen endpoint. Its Metadata map is shared with the
// balancer: do not modify it.
func (p Pick) Endpoint() Endpoint {
	if p.c == nil {
		return Endpoint{}
	}
	return p.c.ep
}

// Addr returns the chosen endpoint's address, or "" for the zero Pick.
func (p Pick) Addr() string {
	if p.c == nil {
		return ""
	}
	return p.c.ep.Addr
}

// ID returns the chosen endpoint's ID, or "" for the zero Pick.
func (p Pick) ID() string {
	if p.c == nil {
		return ""
	}
	return p.c.ep.ID
}

// Done reports how the call went: err is its error (nil on success),
// classified by Config.Classifier for outlier detection; latency is how
// long it took, which PolicyPeakEWMA averages (zero or less means measure
// it on the balancer's clock since Pick). Done records only what the
// balancer uses (see Config.TrackInFlight): with round robin, random or
// weighted round robin and no outlier detection it does nothing, but call
// it anyway, so that turning those on later needs no change. Done does not
// allocate; an ejection it triggers takes the balancer's lock once.
func (p Pick) Done(err error, latency time.Duration) {
	if p.track != 0 {
		p.done(err, latency)
	}
}

// Cancel gives back a pick whose call was never made, for example when a
// retry picks again to avoid an endpoint that just failed: it releases the
// in-flight count and records no outcome and no latency. Call either Done
// or Cancel, once.
func (p Pick) Cancel() {
	if p.track&trackInflight != 0 {
		p.c.inflight.Add(-1)
		if p.total != nil {
			p.total.Add(-1)
		}
	}
}

// done is Done's slow path, kept apart so that Done inlines and costs a
// single comparison when there is nothing to record.
func (p Pick) done(err error, latency time.Duration) {
	c := p.c
	if p.track&trackInflight != 0 {
		c.inflight.Add(-1)
		if p.total != nil {
			p.total.Add(-1)
		}
	}
	b := c.b
	if p.track&trackLatency != 0 {
		b.observe(c, p.start, latency)
	}
	if p.track&trackOutcome == 0 {
		return
	}
	switch b.classify(err) {
	case resilience.OutcomeSuccess:
		c.counts.Add(1)
		if c.consec.Load() != 0 {
			c.consec.Store(0)
		}
	case resilience.OutcomeFailure:
		c.counts.Add(1 | 1<<32)
		if n := c.consec.Add(1); n == b.consecLimit {
			b.consecutiveFailures(c)
		}
	}
}

// observe folds one latency sample into c's peak-sensitive moving average:
// a sample above the estimate replaces it (the peak); one below pulls it
// down with weight 1-exp(-Δt/τ), Δt being the clock time since the last
// update. The estimate changes by compare-and-swap, so no sample is lost;
// the stamp is stored after it, so a concurrent update may decay from a
// stamp a moment old, which shifts its weight negligibly.
func (b *Balancer) observe(c *conn, start int64, latency time.Duration) {
	now := b.clk.Nanotime()
	rtt := float64(latency)
	if latency <= 0 {
		rtt = float64(now - start)
		if start == 0 || rtt < 0 {
			return
		}
	}
	for {
		old := c.ewma.Load()
		prev := math.Float64frombits(old)
		next := rtt
		if rtt < prev {
			dt := float64(now - c.stamp.Load())
			w := math.Exp(-max(dt, 0) / b.tau)
			next = prev*w + rtt*(1-w)
		}
		if c.ewma.CompareAndSwap(old, math.Float64bits(next)) {
			break
		}
	}
	if now > c.stamp.Load() {
		c.stamp.Store(now)
	}
}
