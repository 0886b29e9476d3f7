package wheel

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Resolution is the wheel's tick: how often Now is refreshed and due
// timers fire.
const Resolution = time.Millisecond

const (
	res      = int64(Resolution)
	slotBits = 10
	numSlots = 1 << slotBits // one rotation: 1.024 s
	slotMask = numSlots - 1
	// freshSlot marks a timer in its shard's fresh list.
	freshSlot = numSlots
	// idlePeriod is how often the goroutine checks whether it may stop: it
	// stops at a check when no timer is pending and nothing used the wheel
	// since the previous check.
	idlePeriod = 100 * int64(time.Millisecond)
	maxShards  = 64
)

// epoch anchors Now: readings are time.Since(epoch), monotonic.
var epoch = time.Now()

func preciseNow() int64 { return int64(time.Since(epoch)) }

// w is the process's wheel.
var w = timerWheel{clock: preciseNow}

// A Timer calls its Expirer once, on the wheel's goroutine, when its time
// has come (see Start). Embed it in the structure it times, so that arming
// allocates nothing. The zero Timer is ready to Start; a Timer is started
// at most once.
type Timer struct {
	next, prev *Timer
	when       int64
	due        int64 // d until the goroutine settles t, then when it fires
	e          Expirer
	shard      uint16 // set by Start, read by Stop before it locks
	slot       uint16 // the list it is linked into, if linked
	linked     bool
}

// An Expirer is what a Timer calls when it fires. Expire runs on the
// wheel's goroutine, so it must be quick and must not block: it delays
// every other timer.
type Expirer interface {
	Expire()
}

// Now returns the wheel's coarse monotonic reading in nanoseconds since an
// arbitrary epoch fixed for the process, starting the goroutine if it is
// not running. It trails real time by up to one Resolution, more when the
// goroutine is short of CPU.
func Now() int64 { return w.coarse() }

// Deadline returns the deadline to Start a timer of duration d with: Now
// plus d plus one Resolution, which makes up for Now trailing real time. It
// saturates at math.MaxInt64 (never).
func Deadline(d time.Duration) int64 { return w.deadline(d) }

// Time converts a reading of Now, or a Deadline, to a time.Time that has
// a monotonic reading.
func Time(n int64) time.Time { return epoch.Add(time.Duration(n)) }

// Start arms t to call e.Expire at the first tick at which the time has
// reached when (usually Deadline(d)) and d has passed since Start was
// called. The second condition holds even when the goroutine was late
// publishing Now, so that the timer never fires early; it costs nothing
// otherwise. The goroutine measures d from a precise reading it takes at
// its first tick after Start, so a timer usually fires between 0 and 2
// Resolutions after when.
func (t *Timer) Start(when int64, d time.Duration, e Expirer) { w.startTimer(t, when, d, e) }

// Stop disarms t. It reports whether it did so: false when t has fired
// (its Expire may still be running) or was never started or already
// stopped.
func (t *Timer) Stop() bool { return w.stopTimer(t) }

// When returns the deadline t was started with.
func (t *Timer) When() int64 { return t.when }

// timerWheel is a wheel; the process has one, w. Tests make others, with
// a fake clock and no goroutine (manual), and advance them by hand.
type timerWheel struct {
	// now is written by the goroutine each tick and read on every Start;
	// used is written by users once per idle period, so it has a cache
	// line of its own.
	now     atomic.Int64
	running atomic.Bool
	_       [52]byte
	used    atomic.Bool
	_       [60]byte
	mu      sync.Mutex // starts and stops the goroutine
	shards  []shard    // set once, before running is first true
	mask    uint64
	cursor  int64         // the last tick whose slots were fired; the goroutine's
	idle    chan struct{} // closed when the current goroutine stops
	clock   func() int64  // the precise reading
	manual  bool          // no goroutine: a test calls advance
}

// shard is a mutex over a fresh list, of timers started since the last
// tick, and numSlots slot lists.
type shard struct {
	mu    sync.Mutex
	count int // timers linked
	fresh *Timer
	slots [numSlots]*Timer
	_     [64]byte
}

func (w *timerWheel) coarse() int64 {
	if !w.running.Load() {
		return w.begin()
	}
	if !w.used.Load() {
		w.used.Store(true)
	}
	return w.now.Load()
}

func (w *timerWheel) deadline(d time.Duration) int64 {
	now := w.coarse()
	if d > time.Duration(math.MaxInt64-res-now) {
		return math.MaxInt64
	}
	return now + int64(d) + res
}

func (w *timerWheel) startTimer(t *Timer, when int64, d time.Duration, e Expirer) {
	if !w.running.Load() {
		w.begin() // also makes the shards
	}
	t.when, t.due, t.e = when, int64(max(d, 0)), e
	i := stackHash() & w.mask
	s := &w.shards[i]
	t.shard = uint16(i)
	s.mu.Lock()
	t.link(s, freshSlot)
	s.count++
	s.mu.Unlock()
	// The goroutine may have stopped after the first check, having seen no
	// pending timer: it stores running false before it counts the timers,
	// and this reads running after counting t in, so one of the two sees
	// the other.
	if !w.running.Load() {
		w.begin()
	}
}

func (w *timerWheel) stopTimer(t *Timer) bool {
	if t.e == nil {
		return false // never started
	}
	s := &w.shards[t.shard]
	s.mu.Lock()
	if !t.linked {
		s.mu.Unlock()
		return false
	}
	t.unlink(s)
	s.count--
	s.mu.Unlock()
	return true
}

// head returns the list a timer in slot is linked into.
func (s *shard) head(slot uint16) **Timer {
	if slot == freshSlot {
		return &s.fresh
	}
	return &s.slots[slot]
}

// link puts t at the head of the list slot of s, which is locked.
func (t *Timer) link(s *shard, slot uint16) {
	h := s.head(slot)
	t.slot, t.linked = slot, true
	t.prev, t.next = nil, *h
	if t.next != nil {
		t.next.prev = t
	}
	*h = t
}

// unlink takes t out of its list in s, which is locked.
func (t *Timer) unlink(s *shard) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		*s.head(t.slot) = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	}
	t.next, t.prev, t.linked = nil, nil, false
}

// stackHash picks a shard from the caller's stack address in 2 KiB units
// (the smallest goroutine stack), as internal/window's stripes do: a
// goroutine keeps its shard, and goroutines running at the same time
// usually get different ones.
func stackHash() uint64 {
	var x byte
	return uint64(uintptr(unsafe.Pointer(&x))) >> 11
}
