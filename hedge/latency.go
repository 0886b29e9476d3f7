package hedge

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// reservoir keeps the most recent latencies in a ring of atomics and
// periodically publishes their percentile and median. Recording is two
// atomic operations; the sort runs at most once per recompute period, in
// whichever goroutine crosses it, and is skipped if another is already
// sorting.
type reservoir struct {
	slots      []atomic.Int64
	n          atomic.Uint64
	pct        float64
	minSamples uint64
	every      uint64

	mu      sync.Mutex // guards scratch
	scratch []int64

	quantile atomic.Int64 // published percentile, 0 until minSamples
	median   atomic.Int64 // published median, 0 until minSamples
}

func newReservoir(window, minSamples int, pct float64) *reservoir {
	every := window / 8
	if every < 1 {
		every = 1
	}
	return &reservoir{
		slots:      make([]atomic.Int64, window),
		pct:        pct,
		minSamples: uint64(minSamples),
		every:      uint64(every),
		scratch:    make([]int64, window),
	}
}

// record adds one latency in nanoseconds. While the ring fills it
// republishes after every sample; then every window/8 samples.
func (r *reservoir) record(d int64) {
	if d < 0 {
		d = 0
	}
	i := r.n.Add(1)
	w := uint64(len(r.slots))
	r.slots[(i-1)%w].Store(d)
	if i >= r.minSamples && (i <= w || i%r.every == 0) {
		r.publish(i)
	}
}

func (r *reservoir) publish(n uint64) {
	if !r.mu.TryLock() {
		return // someone is publishing a view at least as recent
	}
	defer r.mu.Unlock()
	k := min(n, uint64(len(r.slots)))
	s := r.scratch[:k]
	for j := range s {
		s[j] = r.slots[j].Load()
	}
	slices.Sort(s)
	idx := int(math.Ceil(float64(k)*r.pct/100)) - 1 // nearest rank
	idx = max(0, min(idx, int(k)-1))
	r.quantile.Store(s[idx])
	r.median.Store(s[(k-1)/2])
}

// samples returns how many latencies have been recorded.
func (r *reservoir) samples() uint64 { return r.n.Load() }
