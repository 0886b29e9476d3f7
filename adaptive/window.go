package adaptive

import (
	"sync/atomic"
	"time"
)

// window accumulates the completions of one sample window with atomic
// adds, so that recording a call takes no lock. The owner closes it with
// take, under its mutex, once per window.
type window struct {
	start       atomic.Int64 // clock reading when the window opened
	samples     atomic.Int64 // calls with a usable round-trip time
	sumRTT      atomic.Int64 // their round-trip times, nanoseconds
	drops       atomic.Int64 // calls that timed out or were refused downstream
	completions atomic.Int64 // every call that finished
	maxInflight atomic.Int64 // most calls in flight at a completion
}

// sample is what one closed window says.
type sample struct {
	elapsed     time.Duration
	samples     int64
	rtt         float64 // mean round-trip time, nanoseconds; 0 without samples
	drops       int64
	completions int64
	inflight    int64
	rejected    int64
}

// add records a completed call. rtt < 0 means it gave no usable
// round-trip time (a failure unrelated to load, or a cancelled call).
func (w *window) add(rtt int64, drop bool, inflight int64) {
	w.completions.Add(1)
	if rtt >= 0 {
		w.samples.Add(1)
		w.sumRTT.Add(rtt)
	}
	if drop {
		w.drops.Add(1)
	}
	for {
		m := w.maxInflight.Load()
		if inflight <= m || w.maxInflight.CompareAndSwap(m, inflight) {
			return
		}
	}
}

// take closes the window at now and opens the next. Calls recorded while it
// runs land in one window or the other.
func (w *window) take(now int64) sample {
	s := sample{
		elapsed:     time.Duration(now - w.start.Swap(now)),
		samples:     w.samples.Swap(0),
		drops:       w.drops.Swap(0),
		completions: w.completions.Swap(0),
		inflight:    w.maxInflight.Swap(0),
	}
	if sum := w.sumRTT.Swap(0); s.samples > 0 {
		s.rtt = float64(sum) / float64(s.samples)
	}
	return s
}
