package wheel

import (
	"math"
	"math/bits"
	"runtime"

	"github.com/resilience-go/resilience/internal/tick"
)

// closed is returned by Idle when the goroutine is not running.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Running reports whether the wheel's goroutine is running. For tests.
func Running() bool { return w.running.Load() }

// Pending returns how many timers are armed. For tests.
func Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pending()
}

// Idle returns a channel that is closed once the wheel's goroutine has
// stopped: at once when it is not running. For tests, which wait on it
// (with a bound) before checking for leaked goroutines.
func Idle() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.running.Load() {
		return closed
	}
	return w.idle
}

// begin starts the goroutine unless it is running, and returns a fresh
// reading.
func (w *timerWheel) begin() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.used.Store(true)
	if w.running.Load() {
		return w.now.Load()
	}
	now := w.clock()
	if w.shards == nil {
		n := 2 * runtime.GOMAXPROCS(0)
		n = min(1<<bits.Len(uint(n-1)), maxShards)
		w.shards = make([]shard, n)
		w.mask = uint64(n - 1)
		w.cursor = now / res
	}
	// A restart keeps the cursor: the new goroutine first fires the slots
	// passed while none ran (at most one rotation).
	w.now.Store(now)
	w.running.Store(true)
	if !w.manual {
		w.idle = make(chan struct{})
		go run(w, w.idle)
	}
	return now
}

// run is the wheel's goroutine: it ticks every Resolution, publishes Now,
// fires due timers, and returns when the wheel has been idle for an
// idlePeriod.
//
// It sleeps in tick.Sleep rather than on a time.Ticker: see package tick
// for why the runtime's timers are avoided.
func run(w *timerWheel, idle chan struct{}) {
	lastCheck := w.now.Load()
	for {
		tick.Sleep(Resolution)
		now := w.clock()
		w.now.Store(now)
		w.advance(now)
		if now-lastCheck < idlePeriod {
			continue
		}
		lastCheck = now
		if w.used.Swap(false) {
			continue
		}
		if w.stop(idle) {
			return
		}
	}
}

// stop stops the goroutine if no timer is pending and nobody has used the
// wheel since the last check; it reports whether it did.
func (w *timerWheel) stop(idle chan struct{}) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.running.Store(false)
	if w.used.Load() || w.pending() > 0 {
		w.running.Store(true)
		return false
	}
	close(idle)
	return true
}

func (w *timerWheel) pending() int {
	n := 0
	for i := range w.shards {
		s := &w.shards[i]
		s.mu.Lock()
		n += s.count
		s.mu.Unlock()
	}
	return n
}

// advance settles the fresh timers, then fires the slots from the cursor
// up to now's tick, at most one rotation of them.
func (w *timerWheel) advance(now int64) {
	for i := range w.shards {
		w.settle(&w.shards[i])
	}
	target := now / res
	c := w.cursor
	if target <= c {
		return
	}
	k := c + 1
	if target-c > numSlots {
		k = target - numSlots + 1
	}
	for ; k <= target; k++ {
		for i := range w.shards {
			fire(&w.shards[i], k, now)
		}
	}
	w.cursor = target
}

// settle moves the fresh timers of s into the slots of the ticks they fire
// at: the first at which the time has reached their deadline and their
// duration has passed since a reading taken now, after they started. Those
// already due fire at once.
func (w *timerWheel) settle(s *shard) {
	s.mu.Lock()
	if s.fresh == nil {
		s.mu.Unlock()
		return
	}
	n := w.clock()
	var due *Timer
	for t := s.fresh; t != nil; {
		next := t.next
		at := t.when
		if t.due > at-n { // n+d is later than when; it may overflow
			at = math.MaxInt64
			if t.due <= math.MaxInt64-n {
				at = n + t.due
			}
		}
		t.due = at
		if at <= n {
			t.next, t.prev, t.linked = due, nil, false
			s.count--
			due = t
		} else {
			tick := at / res
			if at%res != 0 {
				tick++
			}
			t.link(s, uint16(tick&slotMask))
		}
		t = next
	}
	s.fresh = nil
	s.mu.Unlock()
	expire(due)
}

// fire calls the functions of the timers of slot k in s that are due at
// now; the others belong to a later rotation.
func fire(s *shard, k, now int64) {
	head := &s.slots[k&slotMask]
	s.mu.Lock()
	var due *Timer
	for t := *head; t != nil; {
		next := t.next
		if t.due <= now {
			t.unlink(s)
			s.count--
			t.next = due // unlinked: next is free to chain the due timers
			due = t
		}
		t = next
	}
	s.mu.Unlock()
	expire(due)
}

// expire calls the Expirers of a chain of unlinked timers.
func expire(due *Timer) {
	for due != nil {
		t := due
		due, t.next = t.next, nil
		t.e.Expire()
	}
}
