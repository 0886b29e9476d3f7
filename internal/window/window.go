// Package window counts calls, failures and slow calls over a rolling window
// of the last N calls (Count) or the last T of time (Time), for circuit
// breakers and adaptive throttling.
//
// Both windows keep the current bucket in atomic words that pack three
// 18-bit counters (calls, failures, slow calls), so recording an outcome is
// one atomic add, and stripe it over 8 cache lines chosen by the caller's
// stack address, so that goroutines running in parallel rarely contend.
// Completed buckets sit in a ring; readers never block.
//
// A Count window of N calls in B buckets of C = ceil(N/B) calls keeps a
// ring of B completed buckets plus the buckets being filled, one per
// stripe. When a stripe's bucket is full, the caller whose add filled it
// swaps it into the next ring slot, in rotation order across all stripes,
// and adds the bucket it evicts to the lifetime totals: rotation is
// lock-free and mostly touches one shared cache line. The ring therefore
// always holds the last B completed buckets, and each stripe in use adds a
// partial bucket of fewer than C calls. A lone goroutine calling from one
// place uses one stripe, so it sees exactly the last B·C calls plus fewer
// than C. Readers sum the ring (at most MaxBuckets words) and the stripes.
//
// A Time window of T in B buckets holds the current bucket plus the B-1
// before it: between T-T/B and T of history. Rotation happens once per T/B
// under a mutex; totals are published through a seqlock.
package window

import "sync/atomic"

// Layout of a packed bucket word: three 18-bit counters.
const (
	fieldBits = 18
	fieldMask = 1<<fieldBits - 1

	failShift = fieldBits
	slowShift = 2 * fieldBits
)

// Deltas to pass to Add. Combine them: a failed slow call is
// Call|Failure|Slow.
const (
	// Call counts one call.
	Call uint64 = 1
	// Failure counts one failure; always combine it with Call.
	Failure uint64 = 1 << failShift
	// Slow counts one slow call; always combine it with Call.
	Slow uint64 = 1 << slowShift
)

// MaxCount is the largest number of calls a Count window may hold.
const MaxCount = 1 << 20

// MaxBuckets is the largest number of buckets a Count window uses: readers
// sum them.
const MaxBuckets = 64

// maxBucketCalls bounds the calls of a Count bucket, and is how many calls
// a Time bucket word takes before it is flushed into the bucket's totals,
// so that the 18-bit counters never overflow even when many adds land
// between a bucket filling and its rotation.
const maxBucketCalls = 1 << 16

// Counts are the calls, failures and slow calls of a window.
type Counts struct {
	Calls    uint64
	Failures uint64
	Slow     uint64
}

func (c *Counts) add(w uint64) {
	c.Calls += w & fieldMask
	c.Failures += w >> failShift & fieldMask
	c.Slow += w >> slowShift & fieldMask
}

func (c *Counts) addCounts(o Counts) {
	c.Calls += o.Calls
	c.Failures += o.Failures
	c.Slow += o.Slow
}

func unpack(w uint64) Counts {
	var c Counts
	c.add(w)
	return c
}

// lifetime accumulates the counts a window moved out of its buckets (a
// Count window's evicted and cleared buckets, every folded Time bucket
// word). Slow calls are not kept.
type lifetime struct {
	calls, failures atomic.Uint64
}

func (l *lifetime) add(w uint64) {
	if c := w & fieldMask; c != 0 {
		l.calls.Add(c)
	}
	if f := w >> failShift & fieldMask; f != 0 {
		l.failures.Add(f)
	}
}

func (l *lifetime) load() Counts {
	return Counts{Calls: l.calls.Load(), Failures: l.failures.Load()}
}
