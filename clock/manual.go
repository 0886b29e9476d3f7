package clock

import (
	"sort"
	"sync"
	"time"
)

// Manual is a Clock that moves only when told to, for deterministic tests.
// Timers fire inside Advance and Set, in deadline order; AfterFunc functions
// run synchronously there, after the clock's lock is released. It is safe
// for concurrent use.
type Manual struct {
	mu     sync.Mutex
	cond   *sync.Cond
	start  time.Time
	now    time.Time
	timers []*manualTimer
	seq    uint64
}

// NewManual returns a Manual clock reading t0. Its Nanotime is the time
// elapsed since t0 plus one hour, so readings are positive and distinct
// from zero values.
func NewManual(t0 time.Time) *Manual {
	m := &Manual{start: t0, now: t0}
	m.cond = sync.NewCond(&m.mu)
	return m
}

// nanotimeBase keeps Manual readings away from zero, which policies may use
// as "never".
const nanotimeBase = int64(time.Hour)

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Nanotime returns the time elapsed since t0, plus a fixed base, in
// nanoseconds.
func (m *Manual) Nanotime() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return nanotimeBase + int64(m.now.Sub(m.start))
}

// Advance moves the clock forward by d and fires the timers that come due,
// in order. A negative d is ignored: the clock never goes backwards.
func (m *Manual) Advance(d time.Duration) {
	if d < 0 {
		d = 0
	}
	m.mu.Lock()
	target := m.now.Add(d)
	m.mu.Unlock()
	m.Set(target)
}

// Set moves the clock to t, firing due timers in order. A t before the
// current time is ignored.
func (m *Manual) Set(t time.Time) {
	for {
		m.mu.Lock()
		if t.Before(m.now) {
			m.mu.Unlock()
			return
		}
		next := m.nextDueLocked(t)
		if next == nil {
			m.now = t
			m.mu.Unlock()
			return
		}
		m.now = next.when
		m.removeLocked(next)
		f, c, when := next.f, next.c, next.when
		m.mu.Unlock()
		if f != nil {
			f()
		} else {
			select {
			case c <- when:
			default:
			}
		}
	}
}

// Timers returns how many timers are waiting to fire.
func (m *Manual) Timers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// WaitForTimers blocks until at least n timers are waiting to fire: a test
// calls it to know that the code under test has started waiting before it
// advances the clock.
func (m *Manual) WaitForTimers(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.timers) < n {
		m.cond.Wait()
	}
}

// NewTimer returns a timer that fires when the clock reaches now+d.
func (m *Manual) NewTimer(d time.Duration) Timer {
	t := &manualTimer{m: m, c: make(chan time.Time, 1)}
	t.Reset(d)
	return t
}

// AfterFunc calls f, synchronously inside Advance or Set, when the clock
// reaches now+d.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	t := &manualTimer{m: m, f: f}
	t.Reset(d)
	return t
}

func (m *Manual) nextDueLocked(t time.Time) *manualTimer {
	if len(m.timers) == 0 || m.timers[0].when.After(t) {
		return nil
	}
	return m.timers[0]
}

func (m *Manual) removeLocked(t *manualTimer) bool {
	for i, x := range m.timers {
		if x == t {
			m.timers = append(m.timers[:i], m.timers[i+1:]...)
			return true
		}
	}
	return false
}

func (m *Manual) addLocked(t *manualTimer) {
	m.seq++
	t.seq = m.seq
	m.timers = append(m.timers, t)
	sort.Slice(m.timers, func(i, j int) bool {
		a, b := m.timers[i], m.timers[j]
		if a.when.Equal(b.when) {
			return a.seq < b.seq
		}
		return a.when.Before(b.when)
	})
	m.cond.Broadcast()
}

type manualTimer struct {
	m    *Manual
	c    chan time.Time
	f    func()
	when time.Time
	seq  uint64
}

func (t *manualTimer) C() <-chan time.Time { return t.c }

func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	return t.m.removeLocked(t)
}

func (t *manualTimer) Reset(d time.Duration) bool {
	m := t.m
	m.mu.Lock()
	pending := m.removeLocked(t)
	if d <= 0 {
		// Due now: fire without waiting for the next Advance.
		when := m.now
		m.mu.Unlock()
		if t.f != nil {
			go t.f()
		} else {
			select {
			case t.c <- when:
			default:
			}
		}
		return pending
	}
	t.when = m.now.Add(d)
	m.addLocked(t)
	m.mu.Unlock()
	return pending
}
