package wheel

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/internal/leaktest"
)

// These tests use the process's wheel and real time. They wait for events
// (a timer firing, the goroutine stopping), bounded by bound, and assert
// only what the design guarantees whatever the scheduling: a timer never
// fires before its duration has passed.
const bound = 10 * time.Second

// chanExpirer closes a channel, recording the time, when it fires.
type chanExpirer struct {
	at time.Time
	ch chan struct{}
}

func (e *chanExpirer) Expire() {
	e.at = time.Now()
	close(e.ch)
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(bound):
		t.Fatalf("%s: not within %v", what, bound)
	}
}

func TestLiveFiresNeverEarly(t *testing.T) {
	durations := []time.Duration{0, time.Microsecond, time.Millisecond, 2500 * time.Microsecond, 20 * time.Millisecond}
	timers := make([]Timer, len(durations))
	exps := make([]*chanExpirer, len(durations))
	starts := make([]time.Time, len(durations))
	for i, d := range durations {
		exps[i] = &chanExpirer{ch: make(chan struct{})}
		starts[i] = time.Now()
		timers[i].Start(Deadline(d), d, exps[i])
	}
	for i, d := range durations {
		waitFor(t, exps[i].ch, "timer "+d.String())
		if got := exps[i].at.Sub(starts[i]); got < d {
			t.Errorf("timer of %v fired after %v", d, got)
		}
		if timers[i].Stop() {
			t.Errorf("Stop of the fired %v timer = true", d)
		}
	}
	waitIdle(t)
}

// TestLivePendingKeepsGoroutine: a timer three idle periods away fires,
// so the goroutine did not stop while it was pending, though nothing else
// used the wheel.
func TestLivePendingKeepsGoroutine(t *testing.T) {
	d := 3 * time.Duration(idlePeriod)
	e := &chanExpirer{ch: make(chan struct{})}
	start := time.Now()
	var tm Timer
	tm.Start(Deadline(d), d, e)
	if !Running() {
		t.Fatal("Running() = false after Start")
	}
	waitFor(t, e.ch, "timer of 3 idle periods")
	if got := e.at.Sub(start); got < d {
		t.Errorf("fired after %v want at least %v", got, d)
	}
	waitIdle(t)
}

// TestLiveIdleStopAndRestart: the goroutine stops once idle, Now restarts
// it, and a timer started then fires.
func TestLiveIdleStopAndRestart(t *testing.T) {
	_ = Now()
	waitIdle(t)
	if Running() || Pending() != 0 {
		t.Fatalf("Running() = %v, Pending() = %d once idle want false, 0", Running(), Pending())
	}
	leaktest.VerifyNone(t)
	n0 := Now()
	if !Running() {
		t.Fatal("Now did not restart the goroutine")
	}
	e := &chanExpirer{ch: make(chan struct{})}
	var tm Timer
	tm.Start(Deadline(time.Millisecond), time.Millisecond, e)
	waitFor(t, e.ch, "timer after a restart")
	if n1 := Now(); n1 < n0 {
		t.Errorf("Now went backwards across a restart: %d then %d", n0, n1)
	}
	waitIdle(t)
}

// TestLiveHammer starts and stops timers from many goroutines: each timer
// either is stopped (Stop true) or fires, exactly once, never both.
func TestLiveHammer(t *testing.T) {
	const workers, perWorker = 8, 2000
	var wg sync.WaitGroup
	var firedTotal, stoppedTotal atomic.Int64
	type counted struct {
		tm    Timer
		fired atomic.Int32
		done  chan struct{}
	}
	all := make([][]*counted, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range perWorker {
				c := &counted{done: make(chan struct{})}
				all[w] = append(all[w], c)
				d := time.Duration(r.IntN(3000)) * time.Microsecond
				c.tm.Start(Deadline(d), d, hammerExpirer{c.done, &c.fired, &firedTotal})
				switch r.IntN(3) {
				case 0: // at once
					if c.tm.Stop() {
						stoppedTotal.Add(1)
						close(c.done)
					}
				case 1: // a little later
					for range r.IntN(1000) {
						_ = Now()
					}
					if c.tm.Stop() {
						stoppedTotal.Add(1)
						close(c.done)
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, cs := range all {
		for _, c := range cs {
			waitFor(t, c.done, "a hammered timer")
			if n := c.fired.Load(); n > 1 {
				t.Fatalf("a timer fired %d times", n)
			}
		}
	}
	if got := firedTotal.Load() + stoppedTotal.Load(); got != workers*perWorker {
		t.Errorf("fired %d + stopped %d = %d want %d", firedTotal.Load(), stoppedTotal.Load(), got, workers*perWorker)
	}
	waitIdle(t)
}

type hammerExpirer struct {
	done  chan struct{}
	fired *atomic.Int32
	total *atomic.Int64
}

func (e hammerExpirer) Expire() {
	if e.fired.Add(1) == 1 {
		e.total.Add(1)
		close(e.done)
	}
}

func TestStartStopAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	var tm Timer
	e := &chanExpirer{}
	if n := testing.AllocsPerRun(100, func() {
		tm = Timer{}
		tm.Start(Deadline(time.Hour), time.Hour, e)
		tm.Stop()
	}); n != 0 {
		t.Errorf("Start and Stop allocate %v times want 0", n)
	}
	waitIdle(t)
}

// waitIdle waits for the goroutine to stop, as it must once nothing is
// pending, so that no test leaves it running.
func waitIdle(t *testing.T) {
	t.Helper()
	waitFor(t, Idle(), "the wheel's goroutine to stop")
}

func BenchmarkStartStop(b *testing.B) {
	var tm Timer
	e := &chanExpirer{}
	for b.Loop() {
		tm = Timer{}
		tm.Start(Deadline(time.Second), time.Second, e)
		tm.Stop()
	}
}

func BenchmarkStartStopParallel(b *testing.B) {
	e := &chanExpirer{}
	b.RunParallel(func(pb *testing.PB) {
		var tm Timer
		for pb.Next() {
			tm = Timer{}
			tm.Start(Deadline(time.Second), time.Second, e)
			tm.Stop()
		}
	})
}

func BenchmarkNow(b *testing.B) {
	for b.Loop() {
		_ = Now()
	}
}
