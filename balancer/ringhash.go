package balancer

import (
	"context"
	"math"
	"math/bits"
	"slices"
)

// ring is a consistent-hash ring: points sorted by hash, each owned by an
// endpoint, with a lookup table on the top bits of the hash so that a
// search scans about one point instead of binary-searching them all.
type ring struct {
	hashes []uint64
	owner  []uint32 // index into the picker's conns
	lut    []uint32 // lut[k]: first point whose hash's top bits are >= k
	shift  uint
}

// newRing places vnodes points per endpoint of average weight (weighted,
// at least one each) at hashes derived from the endpoint's ID, so a point
// stays put as long as its endpoint does.
func newRing(conns []*conn, vnodes int) *ring {
	var sum int64
	for _, c := range conns {
		sum += c.weight
	}
	avg := float64(sum) / float64(len(conns))
	type point struct {
		h uint64
		i uint32
	}
	var pts []point
	for i, c := range conns {
		k := max(1, int(math.Round(float64(vnodes)*float64(c.weight)/avg)))
		base := hashString(c.ep.ID)
		for v := range k {
			pts = append(pts, point{mix64(base + uint64(v+1)*golden), uint32(i)})
		}
	}
	slices.SortFunc(pts, func(a, b point) int {
		switch {
		case a.h < b.h:
			return -1
		case a.h > b.h:
			return 1
		}
		return int(a.i) - int(b.i)
	})
	r := &ring{hashes: make([]uint64, len(pts)), owner: make([]uint32, len(pts))}
	for k, pt := range pts {
		r.hashes[k], r.owner[k] = pt.h, pt.i
	}
	b := min(max(bits.Len(uint(len(pts))), 1), 24)
	r.shift = uint(64 - b)
	r.lut = make([]uint32, 1<<b+1)
	k := 0
	for top := range r.lut {
		for k < len(pts) && r.hashes[k]>>r.shift < uint64(top) {
			k++
		}
		r.lut[top] = uint32(k)
	}
	return r
}

// search returns the first point clockwise of h: the first with a hash >=
// h, wrapping to the first point.
func (r *ring) search(h uint64) int {
	top := h >> r.shift
	i, end := int(r.lut[top]), int(r.lut[top+1])
	for i < end && r.hashes[i] < h {
		i++
	}
	if i == len(r.hashes) {
		return 0
	}
	return i
}

// ringHash picks the owner of the first point clockwise of the key's hash
// that has room: under ceil(factor × in-flight total / endpoints) calls
// (Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing with Bounded
// Loads"). Without a key it picks a random point.
func (p *picker) ringHash(ctx context.Context, key string) Pick {
	if key == "" {
		key = KeyFromContext(ctx)
	}
	var h uint64
	if key == "" {
		h = p.b.rand64()
	} else {
		h = hashString(key)
	}
	r := p.ring
	i := r.search(h)
	if p.factor == 0 {
		c := p.conns[r.owner[i]]
		if p.track&trackInflight != 0 {
			c.inflight.Add(1)
		}
		return Pick{c: c, track: p.track}
	}
	total := p.total.n.Add(1)
	capacity := int64(math.Ceil(p.factor * float64(total) / float64(p.n)))
	c := p.conns[r.owner[i]]
	for range r.hashes {
		if c.inflight.Load() < capacity {
			break
		}
		if i++; i == len(r.hashes) {
			i = 0
		}
		c = p.conns[r.owner[i]]
	}
	c.inflight.Add(1)
	return Pick{c: c, total: &p.total.n, track: p.track}
}
