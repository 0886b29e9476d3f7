package balancer

import (
	"context"
	"math"
)

// picker chooses among one group's endpoints. It is immutable once
// published; the counters it points to are shared with the pickers that
// replace it, so round-robin positions and in-flight totals survive
// updates.
type picker struct {
	b      *Balancer
	algo   algo
	track  track // copied into every Pick
	conns  []*conn
	n      uint32
	nmod   uint64      // fastmod multiplier for n
	next   *padded     // round-robin position
	alias  *aliasTable // weighted random; nil when the weights are equal
	equal  bool        // every weight is the same
	sched  []uint32    // precomputed smooth weighted round robin period
	smod   uint64      // fastmod multiplier for len(sched)
	live   *swrr       // live smooth weighted round robin when the period is too long
	ring   *ring
	total  *padded // in-flight calls over the group, for bounded loads
	factor float64 // bounded-load factor; 0 when unbounded
	panic  bool    // built from unavailable endpoints in panic mode
}

// newPicker builds the picker for conns, which is not empty.
func (b *Balancer) newPicker(group int, conns []*conn) *picker {
	p := &picker{
		b: b, algo: b.algo, track: b.track, conns: conns, n: uint32(len(conns)), nmod: fastmodM(uint32(len(conns))),
		next: b.counters[group], total: b.totals[group], equal: true,
	}
	for _, c := range conns[1:] {
		if c.weight != conns[0].weight {
			p.equal = false
			break
		}
	}
	switch p.algo {
	case algoRandom:
		if !p.equal {
			p.alias = newAliasTable(conns)
		}
	case algoWeightedRoundRobin:
		p.sched, p.live = newSWRR(conns)
		p.smod = fastmodM(uint32(len(p.sched)))
	case algoRingHash:
		p.ring = newRing(conns, b.cfg.RingHash.virtualNodes())
		if !b.cfg.RingHash.Unbounded {
			p.factor = b.cfg.RingHash.loadFactor()
		}
	}
	return p
}

// pick chooses one endpoint and, when the balancer counts them, counts the
// call in flight on it.
func (p *picker) pick(ctx context.Context, key string) (Pick, error) {
	var c *conn
	switch p.algo {
	case algoRoundRobin:
		c = p.conns[fastmod(uint32(p.next.n.Add(1)-1), p.nmod, p.n)]
	case algoRandom:
		c = p.random()
	case algoWeightedRoundRobin:
		if p.live != nil {
			c = p.conns[p.live.next()]
		} else {
			c = p.conns[p.sched[fastmod(uint32(p.next.n.Add(1)-1), p.smod, uint32(len(p.sched)))]]
		}
	case algoLeastRequest:
		c = p.leastRequest()
	case algoPeakEWMA:
		now := p.b.clk.Nanotime()
		c = p.peakEWMA(now)
		c.inflight.Add(1)
		return Pick{c: c, start: now, track: p.track}, nil
	default:
		return p.ringHash(ctx, key), nil
	}
	if p.track&trackInflight != 0 {
		c.inflight.Add(1)
	}
	return Pick{c: c, track: p.track}, nil
}

func (p *picker) random() *conn {
	r := p.b.rand64()
	i := fastrange(uint32(r), p.n)
	if p.alias != nil {
		i = p.alias.pick(i, uint32(r>>32))
	}
	return p.conns[i]
}

// two returns two distinct endpoints chosen at random (the same one twice
// when there is only one).
func (p *picker) two() (*conn, *conn) {
	if p.n == 1 {
		return p.conns[0], p.conns[0]
	}
	r := p.b.rand64()
	i := fastrange(uint32(r), p.n)
	j := fastrange(uint32(r>>32), p.n-1)
	if j >= i {
		j++
	}
	return p.conns[i], p.conns[j]
}

// leastRequest is the power of two choices on in-flight calls per unit of
// weight: of two random endpoints, the one with fewer.
func (p *picker) leastRequest() *conn {
	a, c := p.two()
	la, lc := a.inflight.Load(), c.inflight.Load()
	if p.equal {
		if lc < la {
			return c
		}
		return a
	}
	if (lc+1)*a.weight < (la+1)*c.weight {
		return c
	}
	return a
}

// penalty is the cost of an endpoint with calls in flight but no latency
// sample yet: it should wait for its first answer before taking more.
const penalty = 1e15

// peakEWMA is the power of two choices on cost = latency estimate, decayed
// to now, times (in-flight + 1), divided by the weight.
//
// Both estimates decay by the same exp(-(now-stamp)/τ) law, so the
// comparison needs a single exponential of the difference of their
// stamps, and none when the stamps are equal:
// Kc·exp(-(now-sc)/τ) < Ka·exp(-(now-sa)/τ) ⇔ Kc·exp((sc-sa)/τ) < Ka.
func (p *picker) peakEWMA(now int64) *conn {
	a, c := p.two()
	la, lc := a.latency(), c.latency()
	if la == 0 || lc == 0 {
		if p.b.cost(c, now) < p.b.cost(a, now) {
			return c
		}
		return a
	}
	ka := la * float64(a.inflight.Load()+1) / float64(a.weight)
	kc := lc * float64(c.inflight.Load()+1) / float64(c.weight)
	if d := c.stamp.Load() - a.stamp.Load(); d != 0 {
		kc *= math.Exp(float64(d) / p.b.tau)
	}
	if kc < ka {
		return c
	}
	return a
}

func (b *Balancer) cost(c *conn, now int64) float64 {
	lat := c.latency()
	inflight := float64(c.inflight.Load())
	if lat == 0 {
		if inflight == 0 {
			return 0
		}
		return penalty + inflight
	}
	if dt := now - c.stamp.Load(); dt > 0 {
		lat *= math.Exp(-float64(dt) / b.tau)
	}
	return lat * (inflight + 1) / float64(c.weight)
}
