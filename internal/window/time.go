package window

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Time is a window over the last T nanoseconds. The zero value is not
// usable; use NewTime. It is safe for concurrent use: Add locks only when
// it starts a new bucket.
type Time struct {
	// cur is the current bucket, striped: the only words written on the
	// common path.
	cur stripes

	end   atomic.Int64 // nanotime at which the current bucket ends
	width int64        // span of a bucket

	// seq guards the published totals: odd while they change.
	seq                         atomic.Uint64
	winCalls, winFails, winSlow atomic.Uint64
	life                        lifetime

	mu      sync.Mutex
	buckets []bucket // slot per bucket index mod len
	curIdx  int64    // index (nanotime/width) of the current bucket
}

type bucket struct {
	idx int64 // the bucket's index; noIndex when empty
	Counts
}

const noIndex = -1 << 62

// NewTime returns a window over the last d nanoseconds in b buckets of d/b
// each (at least 1ns). The current bucket is striped; see the package
// documentation.
func NewTime(d int64, b int) *Time {
	b = max(1, b)
	w := &Time{width: max(1, d/int64(b)), buckets: make([]bucket, b), curIdx: noIndex}
	for i := range w.buckets {
		w.buckets[i].idx = noIndex
	}
	return w
}

// Add records delta, a combination of Call, Failure and Slow, at nanotime
// now. It reports whether a new bucket started, which may have evicted
// calls and so raised the window's rates.
func (w *Time) Add(delta uint64, now int64) (rotated bool) {
	if now >= w.end.Load() {
		rotated = w.Advance(now)
	}
	if w.cur[stripe()].n.Add(delta)&fieldMask >= maxBucketCalls {
		w.flush()
	}
	return rotated
}

// Advance moves the window to nanotime now, evicting the buckets that fell
// out of it, and reports whether it did. Readers call it before Counts so
// that an idle window does not report stale calls.
func (w *Time) Advance(now int64) bool {
	if now < w.end.Load() {
		return false
	}
	idx := now / w.width
	w.mu.Lock()
	defer w.mu.Unlock()
	if idx <= w.curIdx {
		return false
	}
	w.seq.Add(1)
	w.foldLocked()
	w.curIdx = idx
	n := int64(len(w.buckets))
	w.buckets[idx%n] = bucket{idx: idx}
	w.publishLocked()
	w.end.Store((idx + 1) * w.width)
	w.seq.Add(1)
	return true
}

// flush moves the nearly full bucket words into the bucket's totals.
func (w *Time) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq.Add(1)
	w.foldLocked()
	w.publishLocked()
	w.seq.Add(1)
}

// foldLocked empties the current words into the current bucket and the
// lifetime totals.
func (w *Time) foldLocked() {
	for i := range w.cur {
		v := w.cur[i].n.Swap(0)
		if w.curIdx != noIndex {
			w.buckets[w.curIdx%int64(len(w.buckets))].add(v)
		}
		w.life.add(v)
	}
}

// publishLocked sums the buckets still in the window into the published
// totals; the caller holds mu and has made seq odd.
func (w *Time) publishLocked() {
	var t Counts
	n := int64(len(w.buckets))
	for i := range w.buckets {
		if bk := &w.buckets[i]; bk.idx != noIndex && bk.idx > w.curIdx-n {
			t.addCounts(bk.Counts)
		}
	}
	w.winCalls.Store(t.Calls)
	w.winFails.Store(t.Failures)
	w.winSlow.Store(t.Slow)
}

// Clear empties the window; the lifetime totals keep what it held.
func (w *Time) Clear() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq.Add(1)
	for i := range w.cur {
		w.life.add(w.cur[i].n.Swap(0))
	}
	for i := range w.buckets {
		w.buckets[i] = bucket{idx: noIndex}
	}
	if w.curIdx != noIndex {
		w.buckets[w.curIdx%int64(len(w.buckets))].idx = w.curIdx
	}
	w.publishLocked()
	w.seq.Add(1)
}

// Counts returns what the window held at the last Add or Advance, and the
// lifetime totals. It never blocks.
func (w *Time) Counts() (win, life Counts) {
	for spins := 0; ; spins++ {
		s := w.seq.Load()
		if s&1 == 0 {
			win = Counts{w.winCalls.Load(), w.winFails.Load(), w.winSlow.Load()}
			life = w.life.load()
			var cur Counts
			for i := range w.cur {
				cur.add(w.cur[i].n.Load())
			}
			if w.seq.Load() == s {
				win.addCounts(cur)
				life.Calls += cur.Calls
				life.Failures += cur.Failures
				return win, life
			}
		}
		if spins > 8 {
			runtime.Gosched()
		}
	}
}
