package hedge_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

var (
	errA = errors.New("attempt 1 failed")
	errB = errors.New("attempt 2 failed")
)

func TestHedgeWins(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk, Listener: rec, Name: "users"})
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(50 * time.Millisecond)
	s.expectEntered(t, 2)
	s.replies[2] <- reply{v: "from-hedge"}
	if o := wait(t, out); o.v != "from-hedge" || o.err != nil {
		t.Fatalf("Do() = %q, %v want from-hedge, nil", o.v, o.err)
	}
	s.waitDone(t, 2)
	if !errors.Is(s.causes[1], hedge.ErrLost) {
		t.Errorf("the losing attempt was cancelled with %v want ErrLost", s.causes[1])
	}
	if got := rec.summary(); got != "hedge:2" {
		t.Errorf("events = %q want hedge:2", got)
	}
	if e := rec.events[0]; e.Policy != "hedge" || e.Name != "users" || e.Delay != 50*time.Millisecond {
		t.Errorf("event = %+v want policy hedge, name users, delay 50ms", e)
	}
	st := h.Stats()
	if st.Calls != 1 || st.Hedges != 1 || st.HedgeWins != 1 || st.Samples != 1 {
		t.Errorf("Stats() = %+v want 1 call, 1 hedge, 1 win, 1 sample", st)
	}
	if n := clk.Timers(); n != 0 {
		t.Errorf("%d timers left pending after Do returned", n)
	}
}

func TestPrimaryWinsBeforeDelay(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk, Listener: rec})
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(49 * time.Millisecond)
	s.replies[1] <- reply{v: "primary"}
	if o := wait(t, out); o.v != "primary" || o.err != nil {
		t.Fatalf("Do() = %q, %v want primary", o.v, o.err)
	}
	s.waitDone(t, 1)
	if n := clk.Timers(); n != 0 || rec.summary() != "" {
		t.Errorf("after an early answer: %d timers, events %q want none", n, rec.summary())
	}
}

func TestPrimaryWinsAfterHedgeStarted(t *testing.T) {
	clk := clock.NewManual(t0)
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk})
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(50 * time.Millisecond)
	s.expectEntered(t, 2)
	clk.Advance(30 * time.Millisecond)
	s.replies[1] <- reply{v: "primary"}
	if o := wait(t, out); o.v != "primary" || o.err != nil {
		t.Fatalf("Do() = %q, %v want primary", o.v, o.err)
	}
	s.waitDone(t, 2)
	if !errors.Is(s.causes[2], hedge.ErrLost) {
		t.Errorf("the hedge was cancelled with %v want ErrLost", s.causes[2])
	}
	st := h.Stats()
	if st.HedgeWins != 0 || st.Hedges != 1 || st.ExpectedLatency != 0 {
		t.Errorf("Stats() = %+v want 1 hedge, no win", st)
	}
}

// TestFailureBeforeDelayReturnsAtOnce: hedging is not retrying.
func TestFailureBeforeDelayReturnsAtOnce(t *testing.T) {
	clk := clock.NewManual(t0)
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk})
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	s.replies[1] <- reply{err: errA}
	if o := wait(t, out); !errors.Is(o.err, errA) {
		t.Fatalf("Do() = %q, %v want errA", o.v, o.err)
	}
	s.waitDone(t, 1)
	if st := h.Stats(); st.Hedges != 0 || st.Samples != 0 {
		t.Errorf("Stats() = %+v want no hedge and no latency sample from a failure", st)
	}
}

// TestFailureWaitsForOthers runs in a synctest bubble so that "Do has not
// returned yet" can be asserted deterministically.
func TestFailureWaitsForOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewManual(t0)
		h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk})
		s := newScript()
		out := goDo(context.Background(), h, s.fn)
		<-s.entered
		clk.WaitForTimers(1)
		clk.Advance(50 * time.Millisecond)
		<-s.entered
		s.replies[1] <- reply{v: "bad-1", err: errA}
		synctest.Wait()
		select {
		case o := <-out:
			t.Fatalf("Do() returned %v after one of two attempts failed", o)
		default:
		}
		s.replies[2] <- reply{v: "bad-2", err: errB}
		o := <-out
		if o.v != "bad-2" || !errors.Is(o.err, errB) {
			t.Fatalf("Do() = %q, %v want the last failure bad-2, errB", o.v, o.err)
		}
		<-s.done
		<-s.done
	})
}

func TestMaxHedges(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	h := mustNew(t, hedge.Config{Delay: 10 * time.Millisecond, MaxHedges: 2, Clock: clk, Listener: rec})
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	for n := 2; n <= 3; n++ {
		clk.WaitForTimers(1)
		clk.Advance(10 * time.Millisecond)
		s.expectEntered(t, n)
	}
	if n := clk.Timers(); n != 0 {
		t.Errorf("%d timers pending after MaxHedges hedges want 0", n)
	}
	s.replies[3] <- reply{v: "third"}
	if o := wait(t, out); o.v != "third" {
		t.Fatalf("Do() = %q, %v want third", o.v, o.err)
	}
	s.waitDone(t, 3)
	if got := rec.summary(); got != "hedge:2 hedge:3" {
		t.Errorf("events = %q want hedge:2 hedge:3", got)
	}
}

func TestBudget(t *testing.T) {
	for _, allow := range []int64{0, 1} {
		clk := clock.NewManual(t0)
		rec := newRecorder()
		b := &fakeBudget{}
		b.allow.Store(allow)
		h := mustNew(t, hedge.Config{Delay: 10 * time.Millisecond, MaxHedges: 2, Budget: b, Clock: clk, Listener: rec})
		s := newScript()
		out := goDo(context.Background(), h, s.fn)
		s.expectEntered(t, 1)
		clk.WaitForTimers(1)
		clk.Advance(10 * time.Millisecond)
		started := 1
		if allow == 1 {
			rec.waitFor(t, resilience.EventHedge)
			s.expectEntered(t, 2)
			started = 2
			clk.WaitForTimers(1)
			clk.Advance(10 * time.Millisecond)
		}
		rec.waitFor(t, resilience.EventRetrySkipped)
		if n := clk.Timers(); n != 0 {
			t.Errorf("allow %d: %d timers pending after a refused hedge want 0", allow, n)
		}
		s.replies[1] <- reply{v: "primary"}
		if o := wait(t, out); o.v != "primary" {
			t.Fatalf("allow %d: Do() = %q, %v want primary", allow, o.v, o.err)
		}
		s.waitDone(t, started)
		want := map[int64]string{0: "retry_skipped:2:budget", 1: "hedge:2 retry_skipped:3:budget"}[allow]
		if got := rec.summary(); got != want {
			t.Errorf("allow %d: events = %q want %q", allow, got, want)
		}
		if b.requests.Load() != 1 || b.tries.Load() != allow+1 {
			t.Errorf("allow %d: budget saw %d requests, %d tries want 1, %d", allow, b.requests.Load(), b.tries.Load(), allow+1)
		}
		if st := h.Stats(); st.SkippedBudget != 1 || st.Hedges != uint64(allow) {
			t.Errorf("allow %d: Stats() = %+v", allow, st)
		}
	}
}

// TestDeadlineTooShort learns a 200ms latency, then calls with 100ms left:
// the hedge is skipped. The manual clock reads an hour ahead of real time
// so that the context's (wall-clock) deadline stays far in the real future.
func TestDeadlineTooShort(t *testing.T) {
	clk := clock.NewManual(time.Now().Add(time.Hour))
	rec := newRecorder()
	b := &fakeBudget{}
	b.allow.Store(100)
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, MinSamples: 1, Window: 4, Budget: b, Clock: clk, Listener: rec})

	// Learn: the primary answers after 200ms (a hedge starts at 50ms).
	s := newScript()
	out := goDo(context.Background(), h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(50 * time.Millisecond)
	rec.waitFor(t, resilience.EventHedge)
	s.expectEntered(t, 2)
	clk.Advance(150 * time.Millisecond)
	s.replies[1] <- reply{v: "slow"}
	wait(t, out)
	s.waitDone(t, 2)
	if got := h.ExpectedLatency(); got != 200*time.Millisecond {
		t.Fatalf("ExpectedLatency() = %v want 200ms", got)
	}

	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(100*time.Millisecond))
	defer cancel()
	s = newScript()
	out = goDo(ctx, h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(50 * time.Millisecond)
	rec.waitFor(t, resilience.EventRetrySkipped)
	s.replies[1] <- reply{v: "primary"}
	if o := wait(t, out); o.v != "primary" {
		t.Fatalf("Do() = %q, %v want primary", o.v, o.err)
	}
	s.waitDone(t, 1)
	if got := rec.summary(); got != "hedge:2 retry_skipped:2:deadline" {
		t.Errorf("events = %q want hedge:2 retry_skipped:2:deadline", got)
	}
	if b.tries.Load() != 1 {
		t.Errorf("budget tried %d times want 1: a hedge skipped for the deadline must not spend budget", b.tries.Load())
	}
}

func TestCancelledContextStopsHedging(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	h := mustNew(t, hedge.Config{Delay: 10 * time.Millisecond, Clock: clk, Listener: rec})
	ctx, cancel := context.WithCancel(context.Background())
	s := newScript()
	out := goDo(ctx, h, s.fn)
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	cancel()
	s.waitDone(t, 1) // the attempt saw the cancellation
	o := wait(t, out)
	if !errors.Is(o.err, context.Canceled) {
		t.Fatalf("Do() = %q, %v want context.Canceled", o.v, o.err)
	}
	if got := rec.summary(); got != "" {
		t.Errorf("events = %q want none: the delay never passed", got)
	}
}

func TestPanicPropagates(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	h := mustNew(t, hedge.Config{Delay: time.Second, Clock: clk, Listener: rec})
	got := func() (v any) {
		defer func() { v = recover() }()
		hedge.Do(context.Background(), h, func(context.Context) (int, error) { panic("boom") })
		return nil
	}()
	if got != "boom" {
		t.Fatalf("Do() panicked with %v want boom", got)
	}
	if e := rec.events; len(e) != 1 || e[0].Kind != resilience.EventPanic || !errors.Is(e[0].Err, resilience.ErrPanicked) {
		t.Errorf("events = %+v want one EventPanic", e)
	}
}

func TestWrapInPipeline(t *testing.T) {
	clk := clock.NewManual(t0)
	h := mustNew(t, hedge.Config{Delay: 50 * time.Millisecond, Clock: clk})
	p, err := resilience.NewPipeline[string]()
	if err != nil {
		t.Fatal(err)
	}
	s := newScript()
	call := hedge.Wrap(h, s.fn)
	out := make(chan outcome, 1)
	go func() {
		v, err := p.Execute(context.Background(), call)
		out <- outcome{v, err}
	}()
	s.expectEntered(t, 1)
	clk.WaitForTimers(1)
	clk.Advance(50 * time.Millisecond)
	s.expectEntered(t, 2)
	s.replies[2] <- reply{v: "hedged"}
	if o := wait(t, out); o.v != "hedged" {
		t.Fatalf("Execute(Wrap) = %q, %v want hedged", o.v, o.err)
	}
	s.waitDone(t, 2)
	if hedge.Wrap[string](nil, s.fn) == nil {
		t.Errorf("Wrap(nil, fn) = nil want fn")
	}
}
