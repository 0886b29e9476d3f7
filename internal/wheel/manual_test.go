package wheel

import (
	"math"
	"testing"
	"time"
)

const ms = int64(time.Millisecond)

// manualWheel is a wheel without a goroutine, on a fake clock that the
// test moves: step publishes the reading and advances, as a tick does.
type manualWheel struct {
	*timerWheel
	clock int64
}

func newManualWheel(t0 int64) *manualWheel {
	m := &manualWheel{clock: t0}
	m.timerWheel = &timerWheel{manual: true, clock: func() int64 { return m.clock }}
	m.begin()
	return m
}

// tick moves the clock to now, publishes it and advances the wheel.
func (m *manualWheel) tick(now int64) {
	m.clock = now
	m.now.Store(now)
	m.advance(now)
}

// recorder is an Expirer that records when, on the fake clock, it fired.
type recorder struct {
	m     *manualWheel
	fired []int64
}

func (r *recorder) Expire() { r.fired = append(r.fired, r.m.clock) }

func TestManualFiresNeverEarly(t *testing.T) {
	tests := []struct {
		name string
		t0   int64 // the clock when the timer starts
		d    time.Duration
	}{
		{"1ns", 10 * ms, 1},
		{"1ms", 10 * ms, time.Millisecond},
		{"1.5ms-off-tick", 10*ms + 300_000, 1500 * time.Microsecond},
		{"999ms", 3 * ms, 999 * time.Millisecond},
		{"one-rotation", 7 * ms, numSlots * time.Millisecond},
		{"several-rotations", 7*ms + 1, 3500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newManualWheel(tt.t0)
			r := &recorder{m: m}
			var tm Timer
			when := m.deadline(tt.d)
			m.startTimer(&tm, when, tt.d, r)
			if want := tt.t0 + int64(tt.d) + res; when != want {
				t.Fatalf("deadline(%v) = %d want %d", tt.d, when, want)
			}
			// Ticks every 0.25 ms, so that lateness is measured finely.
			for now := tt.t0 + res/4; len(r.fired) == 0 && now < tt.t0+int64(tt.d)+10*res; now += res / 4 {
				m.tick(now)
			}
			if len(r.fired) != 1 {
				t.Fatalf("fired %d times want 1", len(r.fired))
			}
			at := r.fired[0]
			if at < when || at < tt.t0+int64(tt.d) {
				t.Errorf("fired at %d, before the deadline %d or start+d %d", at, when, tt.t0+int64(tt.d))
			}
			// Settled at the first tick (t0+res/4), so due by
			// max(when, t0+res/4+d), fired at the next whole-tick step.
			if latest := max(when, tt.t0+res/4+int64(tt.d)) + res; at > latest {
				t.Errorf("fired at %d, later than %d", at, latest)
			}
			if n := m.pending(); n != 0 {
				t.Errorf("pending() = %d after firing want 0", n)
			}
			for range 3 * numSlots {
				m.tick(m.clock + res)
			}
			if len(r.fired) != 1 {
				t.Errorf("fired %d times after more rotations want 1", len(r.fired))
			}
		})
	}
}

// TestManualStaleNow: the goroutine was starved, so Now trails the real
// time by 20 ms when the timer starts. The timer must still run its full
// duration from the start, not from the stale reading.
func TestManualStaleNow(t *testing.T) {
	m := newManualWheel(100 * ms)
	m.clock = 120 * ms // real time moved on; Now still says 100 ms
	r := &recorder{m: m}
	var tm Timer
	d := 5 * time.Millisecond
	when := m.deadline(d)
	m.startTimer(&tm, when, d, r)
	if when != 106*ms {
		t.Fatalf("deadline = %d want %d (from the stale reading)", when, 106*ms)
	}
	for now := 120 * ms; now <= 130*ms; now += res / 2 {
		m.tick(now)
	}
	if len(r.fired) != 1 || r.fired[0] < 125*ms || r.fired[0] > 126*ms {
		t.Errorf("fired at %v want once between %d and %d: never before start+d", r.fired, 125*ms, 126*ms)
	}
}

func TestManualStop(t *testing.T) {
	m := newManualWheel(5 * ms)
	r := &recorder{m: m}
	var fresh, slotted, fired, never Timer
	m.startTimer(&fresh, m.deadline(time.Millisecond), time.Millisecond, r)
	m.startTimer(&slotted, m.deadline(3*time.Millisecond), 3*time.Millisecond, r)
	m.startTimer(&fired, m.deadline(time.Millisecond), time.Millisecond, r)
	if !m.stopTimer(&fresh) {
		t.Error("Stop of a fresh timer = false")
	}
	m.tick(6 * ms) // settles slotted and fired into slots
	if !m.stopTimer(&slotted) {
		t.Error("Stop of a settled timer = false")
	}
	for now := 7 * ms; now <= 12*ms; now += res {
		m.tick(now)
	}
	if len(r.fired) != 1 {
		t.Fatalf("fired %d times want 1 (only the timer never stopped)", len(r.fired))
	}
	if m.stopTimer(&fired) || m.stopTimer(&fresh) || m.stopTimer(&slotted) {
		t.Error("Stop of a fired or stopped timer = true")
	}
	if m.stopTimer(&never) {
		t.Error("Stop of a timer never started = true")
	}
	if n := m.pending(); n != 0 {
		t.Errorf("pending() = %d want 0", n)
	}
}

// TestManualCatchUp: the goroutine missed several seconds of ticks; the
// next one fires every timer due meanwhile, exactly once, and keeps the
// others.
func TestManualCatchUp(t *testing.T) {
	m := newManualWheel(1 * ms)
	r := &recorder{m: m}
	durations := []time.Duration{time.Millisecond, 700 * time.Millisecond, 1100 * time.Millisecond, 2500 * time.Millisecond, 9 * time.Second}
	timers := make([]Timer, len(durations))
	for i, d := range durations {
		m.startTimer(&timers[i], m.deadline(d), d, r)
	}
	m.tick(2 * ms)
	m.tick(5000 * ms)
	if len(r.fired) != 4 {
		t.Fatalf("fired %d timers after 5 s want 4", len(r.fired))
	}
	if n := m.pending(); n != 1 {
		t.Fatalf("pending() = %d want 1 (the 9 s timer)", n)
	}
	for now := 5001 * ms; now < 9010*ms; now += res {
		m.tick(now)
	}
	if len(r.fired) != 5 || r.fired[4] < 9002*ms {
		t.Errorf("fired at %v want the last at or after %d", r.fired, 9002*ms)
	}
}

func TestManualSaturation(t *testing.T) {
	m := newManualWheel(3 * ms)
	if got := m.deadline(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("deadline(MaxInt64) = %d want MaxInt64", got)
	}
	r := &recorder{m: m}
	var tm Timer
	m.startTimer(&tm, m.deadline(math.MaxInt64-1), math.MaxInt64-1, r)
	m.tick(4 * ms)
	m.tick(math.MaxInt64 / 2)
	if len(r.fired) != 0 {
		t.Errorf("a timer of MaxInt64 fired at %v", r.fired)
	}
	if !m.stopTimer(&tm) {
		t.Error("Stop = false for a pending timer")
	}
	if got := Time(5 * ms).Sub(Time(2 * ms)); got != 3*time.Millisecond {
		t.Errorf("Time(5ms)-Time(2ms) = %v want 3ms", got)
	}
}

// TestManualSlotCollisions puts many timers in one slot list and stops
// them in every position: head, middle, tail.
func TestManualSlotCollisions(t *testing.T) {
	m := newManualWheel(1 * ms)
	r := &recorder{m: m}
	timers := make([]Timer, 9)
	for i := range timers {
		m.startTimer(&timers[i], m.deadline(5*time.Millisecond), 5*time.Millisecond, r)
	}
	m.tick(1*ms + 1) // settle: all in one slot
	for _, i := range []int{8, 4, 0} {
		if !m.stopTimer(&timers[i]) {
			t.Errorf("Stop(timer %d) = false", i)
		}
	}
	for now := 2 * ms; now <= 10*ms; now += res {
		m.tick(now)
	}
	if len(r.fired) != 6 {
		t.Errorf("fired %d want 6", len(r.fired))
	}
}
