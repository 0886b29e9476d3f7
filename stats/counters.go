package stats

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
)

const (
	// numKinds is the number of counters per slot: one per EventKind, with
	// index 0 for kinds this package does not know.
	numKinds = 16
	// ringSize is the number of one-second slots kept: enough for the
	// minute rate plus the second being filled.
	ringSize  = 64
	nsPerSec  = int64(time.Second)
	rateShort = 10 // seconds
	rateLong  = 60 // seconds
)

// kindIndex maps an EventKind to its counter.
func kindIndex(k resilience.EventKind) int {
	if k == 0 || int(k) >= numKinds {
		return 0
	}
	return int(k)
}

// slot counts the events of one second. A count fits in 32 bits: no
// instance sees four billion events of one kind in a second.
type slot struct {
	sec atomic.Int64 // the second counted; a slot behind is stale
	n   [numKinds]atomic.Uint32
}

// counters is a ring of per-second slots. Adding is one atomic add (plus
// a rare rotation under mu when a new second starts in a slot). Rotation
// moves a slot's counts into folded, so lifetime totals (folded plus every
// slot) never lose a count: an add that races with a rotation lands in
// the slot's new second, which misplaces it by at most a second in the
// rates but keeps it in the totals.
type counters struct {
	ring   [ringSize]slot
	mu     sync.Mutex
	folded [numKinds]uint64 // guarded by mu
}

func (c *counters) add(k int, now int64) {
	sec := now / nsPerSec
	s := &c.ring[sec&(ringSize-1)]
	if s.sec.Load() < sec {
		c.rotate(s, sec)
	}
	s.n[k].Add(1)
}

func (c *counters) rotate(s *slot, sec int64) {
	c.mu.Lock()
	if s.sec.Load() < sec {
		for i := range s.n {
			c.folded[i] += uint64(s.n[i].Swap(0))
		}
		s.sec.Store(sec)
	}
	c.mu.Unlock()
}

// read returns the lifetime totals and the counts of the last rateShort
// and rateLong seconds (plus the current second) at now.
func (c *counters) read(now int64) (total, short, long [numKinds]uint64) {
	sec := now / nsPerSec
	c.mu.Lock()
	defer c.mu.Unlock()
	total = c.folded
	for i := range c.ring {
		s := &c.ring[i]
		at := s.sec.Load()
		for k := range s.n {
			n := uint64(s.n[k].Load())
			if n == 0 {
				continue
			}
			total[k] += n
			if at <= sec && at >= sec-rateLong {
				long[k] += n
				if at >= sec-rateShort {
					short[k] += n
				}
			}
		}
	}
	return total, short, long
}

// span is the time, in seconds, that the counts of the last w seconds
// cover at now: w whole seconds plus the current one's elapsed part, but
// no more than the time since created (and at least one second).
func span(w int64, now, created int64) float64 {
	frac := now % nsPerSec
	d := w*nsPerSec + frac
	if age := now - created; age < d {
		d = max(age, nsPerSec)
	}
	return float64(d) / float64(nsPerSec)
}
