package stats

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram is log-linear, as in HdrHistogram: values below 2^subBits
// nanoseconds have a bin each, and every power of two above is split into
// 2^subBits bins of equal width. A bin [lo, lo+w) therefore has w <= lo/64,
// and reporting its midpoint is off by at most w/2 <= lo/128: a relative
// error of at most 1/128 (0.79%).
const (
	subBits  = 6
	subCount = 1 << subBits
	// maxExp bounds the recorded range: values of 2^maxExp ns (about 18
	// minutes) and above share the last bin; Max stays exact.
	maxExp  = 40
	numBins = (maxExp - subBits + 1) * subCount

	// RelativeError bounds the relative error of every quantile the
	// histogram reports, against the exact quantile of the recorded
	// values (nearest rank): 1/128. Values of 2^40 ns and above are clamped
	// to the largest recorded value.
	RelativeError = 1.0 / (2 * subCount)
)

// Histogram records latencies in bounded memory (numBins atomic counters,
// about 18 KiB) and reports quantiles within RelativeError. Recording is
// one atomic add, plus a compare-and-swap on a new maximum. The zero value
// is an empty histogram, ready to use; it is safe for concurrent use.
type Histogram struct {
	max  atomic.Int64
	bins [numBins]atomic.Uint64
}

// binOf returns the bin of v nanoseconds; negative values count as zero.
func binOf(v int64) int {
	if v < subCount {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 1
	if e >= maxExp {
		return numBins - 1
	}
	return (e-subBits+1)<<subBits | int(uint64(v)>>(e-subBits)&(subCount-1))
}

// binBounds returns the bin's lowest value and width in nanoseconds.
func binBounds(i int) (lo, width int64) {
	if i < subCount {
		return int64(i), 1
	}
	e := i>>subBits + subBits - 1
	width = int64(1) << (e - subBits)
	return int64(1)<<e + int64(i&(subCount-1))*width, width
}

// binValue is the value reported for bin i: its midpoint.
func binValue(i int) int64 {
	lo, w := binBounds(i)
	return lo + w/2
}

// Record adds one latency.
func (h *Histogram) Record(d time.Duration) {
	v := int64(d)
	h.bins[binOf(v)].Add(1)
	if v > h.max.Load() {
		h.raiseMax(v)
	}
}

// raiseMax makes the maximum at least v.
func (h *Histogram) raiseMax(v int64) {
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// HistogramSnapshot is a copy of a Histogram's bins, taken with
// Histogram.Snapshot: an immutable view to compute quantiles and bucket
// counts from. The zero value is an empty histogram.
type HistogramSnapshot struct {
	bins  []uint64
	total uint64
	max   int64
}

// Snapshot copies the bins. Concurrent recording may land on either side
// of the copy; every count is read once.
func (h *Histogram) Snapshot() HistogramSnapshot {
	c := HistogramSnapshot{bins: make([]uint64, numBins), max: h.max.Load()}
	for i := range h.bins {
		n := h.bins[i].Load()
		c.bins[i] = n
		c.total += n
	}
	return c
}

// Sub returns the counts recorded in c but not in base, an earlier copy of
// the same histogram: the histogram of an interval. Max stays c's.
func (c HistogramSnapshot) Sub(base HistogramSnapshot) HistogramSnapshot {
	if base.bins == nil {
		return c
	}
	d := HistogramSnapshot{bins: make([]uint64, len(c.bins)), max: c.max}
	for i, n := range c.bins {
		if b := base.bins[i]; b < n {
			d.bins[i] = n - b
			d.total += n - b
		}
	}
	return d
}

// Total returns how many latencies were recorded.
func (c HistogramSnapshot) Total() uint64 { return c.total }

// Max returns the largest latency recorded (exact).
func (c HistogramSnapshot) Max() time.Duration { return time.Duration(c.max) }

// Quantile returns the q-quantile (0 <= q <= 1) by nearest rank: the
// smallest recorded value v such that at least q of the values are <= v,
// within RelativeError. It returns 0 for an empty histogram.
func (c HistogramSnapshot) Quantile(q float64) time.Duration {
	if c.total == 0 || !(q >= 0) {
		return 0
	}
	rank := uint64(q * float64(c.total))
	if float64(rank) < q*float64(c.total) {
		rank++
	}
	rank = max(1, min(rank, c.total))
	var seen uint64
	for i, n := range c.bins {
		seen += n
		if seen >= rank {
			if i == numBins-1 {
				return time.Duration(c.max) // the open-ended last bin
			}
			return time.Duration(min(binValue(i), c.max))
		}
	}
	return time.Duration(c.max)
}

// Sum returns the sum of the recorded latencies, each counted at its
// bin's midpoint: within RelativeError of the exact sum (clamped values
// aside).
func (c HistogramSnapshot) Sum() time.Duration {
	var s float64
	for i, n := range c.bins {
		if n != 0 {
			s += float64(n) * float64(min(binValue(i), c.max))
		}
	}
	return time.Duration(s)
}

// CountAtOrBelow returns how many recorded latencies are at most d: the
// cumulative count of a Prometheus or OpenTelemetry bucket with upper
// bound d. Latencies in d's own bin count as at most d, so it may include
// some up to RelativeError*2 above d, never miss one below.
func (c HistogramSnapshot) CountAtOrBelow(d time.Duration) uint64 {
	last := binOf(int64(d))
	var n uint64
	for i := 0; i <= last && i < len(c.bins); i++ {
		n += c.bins[i]
	}
	return n
}

// Cumulative returns, for each bound in ascending order, how many
// latencies are at most that bound (see CountAtOrBelow), in one pass.
func (c HistogramSnapshot) Cumulative(bounds []time.Duration) []uint64 {
	out := make([]uint64, len(bounds))
	var n uint64
	i := 0
	for j, b := range bounds {
		last := binOf(int64(b))
		for ; i <= last && i < len(c.bins); i++ {
			n += c.bins[i]
		}
		out[j] = n
	}
	return out
}
