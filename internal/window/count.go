package window

import "sync/atomic"

// Count is a window over the last N calls. The zero value is not usable;
// use NewCount. It is safe for concurrent use and never locks.
type Count struct {
	state atomic.Pointer[countState]
	cap   uint64   // calls per bucket
	n     uint64   // buckets in the ring
	life  lifetime // calls of cleared generations
}

// countState is one generation of a Count window; Clear replaces it, so a
// straggling writer can only touch a generation nobody reads any more.
type countState struct {
	// cur holds a current bucket per stripe: the only words written on the
	// common path.
	cur stripes
	// Written at each rotation, and kept on one cache line with the first
	// ring slots.
	pushes atomic.Uint64 // rotations so far: picks the ring slot
	life   lifetime      // buckets evicted from the ring
	ring   [MaxBuckets]atomic.Uint64
}

// NewCount returns a window over the last n calls in b buckets of
// ceil(n/b) calls: n is rounded up to a multiple of the bucket size. n is
// clamped to [1, MaxCount] and b to [1, min(n, MaxBuckets)]; b grows when
// a bucket would exceed 65536 calls.
func NewCount(n, b int) *Count {
	n = max(1, min(n, MaxCount))
	b = max(1, min(b, n, MaxBuckets), (n+maxBucketCalls-1)/maxBucketCalls)
	c := (n + b - 1) / b
	b = (n + c - 1) / c
	w := &Count{cap: uint64(c), n: uint64(b)}
	w.state.Store(new(countState))
	return w
}

// Size returns how many calls the ring holds: the requested size rounded
// up to a multiple of the bucket size.
func (w *Count) Size() int { return int(w.cap * w.n) }

// BucketSize returns how many calls a bucket holds.
func (w *Count) BucketSize() int { return int(w.cap) }

// Add records delta, a combination of Call, Failure and Slow. It reports
// whether a bucket filled and rotated, which may have evicted calls and so
// raised the window's rates.
func (w *Count) Add(delta uint64) (rotated bool) {
	s := w.state.Load()
	cur := &s.cur[stripe()].n
	if cur.Add(delta)&fieldMask != w.cap {
		return false
	}
	w.rotate(s, cur)
	return true
}

// rotate moves the full bucket cur into the next ring slot and adds the
// bucket it evicts to the lifetime totals. Exactly one caller rotates each
// bucket, the one whose add filled it, because a bucket's count only
// returns to zero through the swap here. Slots are taken in rotation order
// across all stripes, so the ring always holds the last n buckets,
// whichever stripes filled them.
func (w *Count) rotate(s *countState, cur *atomic.Uint64) {
	v := cur.Swap(0)
	old := s.ring[(s.pushes.Add(1)-1)%w.n].Swap(v)
	s.life.add(old)
}

// Counts returns the calls the window holds and the lifetime totals. A
// reader racing with a rotation may miss the bucket being rotated; it
// never counts one twice.
func (w *Count) Counts() (win, life Counts) {
	s := w.state.Load()
	for i := range w.n {
		win.add(s.ring[i].Load())
	}
	for k := range s.cur {
		win.add(s.cur[k].n.Load())
	}
	life = w.life.load()
	life.addCounts(s.life.load())
	life.Calls += win.Calls
	life.Failures += win.Failures
	return win, life
}

// RingCounts returns the calls of the completed buckets only: exactly the
// last Size calls once the window has filled. Unlike Counts it does not
// read the stripes' current buckets, whose cache lines the goroutines
// filling them keep to themselves.
func (w *Count) RingCounts() (win Counts) {
	s := w.state.Load()
	for i := range w.n {
		win.add(s.ring[i].Load())
	}
	return win
}

// Clear empties the window; the lifetime totals keep what it held.
func (w *Count) Clear() {
	old := w.state.Swap(new(countState))
	for i := range w.n {
		w.life.add(old.ring[i].Swap(0))
	}
	for k := range old.cur {
		w.life.add(old.cur[k].n.Swap(0))
	}
	w.life.calls.Add(old.life.calls.Swap(0))
	w.life.failures.Add(old.life.failures.Swap(0))
}
