package hedge_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// TestInlineFirstAttempt drives calls whose first attempt runs in Do's
// goroutine. Every case also checks that Do returned after its first
// attempt, that hedges ran elsewhere, the attempts' context causes, the
// events, the stats and that no timer is left.
func TestInlineFirstAttempt(t *testing.T) {
	tests := []struct {
		name      string
		maxHedges int
		budget    int64 // hedges the Budget grants; -1: no Budget
		drive     func(e *env)
		v         string
		err       error
		panicVal  any
		started   int
		causes    map[int]error // attempts cancelled, and their cause
		events    string
		wins      uint64
	}{
		{
			name: "first-succeeds-before-delay", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.clk.WaitForTimers(1)
				e.clk.Advance(inlineDelay - 1)
				e.reply(1, act{v: "one"})
			},
			v: "one", started: 1,
		},
		{
			name: "hedge-wins-while-first-blocks", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(2, act{v: "two"})
			},
			v: "two", started: 2, causes: map[int]error{1: hedge.ErrLost}, events: "hedge:2", wins: 1,
		},
		{
			name: "first-fails-before-delay", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.clk.WaitForTimers(1)
				e.reply(1, act{v: "bad-1", err: errA})
			},
			v: "bad-1", err: errA, started: 1,
		},
		{
			name: "first-fails-after-hedge-started-hedge-wins", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(1, act{err: errA})
				e.pending("after the first attempt failed")
				e.reply(2, act{v: "two"})
			},
			v: "two", started: 2, events: "hedge:2", wins: 1,
		},
		{
			name: "first-fails-after-hedge-started-hedge-fails", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(1, act{v: "bad-1", err: errA})
				e.pending("after the first attempt failed")
				e.reply(2, act{v: "bad-2", err: errB})
			},
			v: "bad-2", err: errB, started: 2, events: "hedge:2",
		},
		{
			name: "hedge-fails-then-first-fails", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(2, act{v: "bad-2", err: errB})
				e.pending("after the hedge failed")
				e.reply(1, act{v: "bad-1", err: errA})
			},
			v: "bad-1", err: errA, started: 2, events: "hedge:2",
		},
		{
			name: "first-succeeds-after-hedge-started", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(1, act{v: "one"})
			},
			v: "one", started: 2, causes: map[int]error{2: hedge.ErrLost}, events: "hedge:2",
		},
		{
			name: "first-panics-before-delay", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.clk.WaitForTimers(1)
				e.reply(1, act{panicVal: "boom-1"})
			},
			panicVal: "boom-1", started: 1, events: "panic:1",
		},
		{
			name: "first-panics-after-hedge-started", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(1, act{panicVal: "boom-1"})
			},
			panicVal: "boom-1", started: 2, causes: map[int]error{2: hedge.ErrLost}, events: "hedge:2 panic:1",
		},
		{
			name: "hedge-panics-while-first-runs", budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.reply(2, act{panicVal: "boom-2"})
			},
			panicVal: "boom-2", started: 2, causes: map[int]error{1: hedge.ErrLost}, events: "hedge:2 panic:2",
		},
		{
			name: "max-hedges-1", maxHedges: 1, budget: -1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.noTimers()
				e.reply(2, act{v: "two"})
			},
			v: "two", started: 2, causes: map[int]error{1: hedge.ErrLost}, events: "hedge:2", wins: 1,
		},
		{
			name: "max-hedges-3", maxHedges: 3, budget: -1,
			drive: func(e *env) {
				e.expect(1)
				for n := 2; n <= 4; n++ {
					e.fire()
					e.expect(n)
				}
				e.noTimers()
				e.reply(3, act{v: "three"})
			},
			v: "three", started: 4, causes: map[int]error{1: hedge.ErrLost, 2: hedge.ErrLost, 4: hedge.ErrLost},
			events: "hedge:2 hedge:3 hedge:4", wins: 1,
		},
		{
			name: "budget-refuses-first-hedge", maxHedges: 2, budget: 0,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.noTimers()
				e.reply(1, act{v: "one"})
			},
			v: "one", started: 1, events: "retry_skipped:2:budget",
		},
		{
			name: "budget-refuses-second-hedge", maxHedges: 3, budget: 1,
			drive: func(e *env) {
				e.expect(1)
				e.fire()
				e.expect(2)
				e.fire()
				e.noTimers()
				e.reply(1, act{err: errA})
				e.pending("after the first attempt failed")
				e.reply(2, act{v: "two"})
			},
			v: "two", started: 2, events: "hedge:2 retry_skipped:3:budget", wins: 1,
		},
	}
	for _, tt := range tests {
		for _, keep := range []bool{false, true} {
			name := tt.name + "/Do"
			if keep {
				name = tt.name + "/Keep"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					clk := clock.NewManual(t0)
					rec := &recorder{}
					cfg := hedge.Config{Delay: inlineDelay, MaxHedges: tt.maxHedges, Clock: clk, Listener: rec}
					if tt.budget >= 0 {
						b := &fakeBudget{}
						b.allow.Store(tt.budget)
						cfg.Budget = b
					}
					h := mustNew(t, cfg)
					d := newDriver()
					d.keep = keep
					e := &env{t: t, clk: clk, d: d, out: d.do(context.Background(), h)}
					tt.drive(e)
					r := <-e.out
					if r.v != tt.v || !errors.Is(r.err, tt.err) || (tt.err == nil) != (r.err == nil) || r.panicVal != tt.panicVal {
						t.Errorf("Do() = %q, %v, panic %v want %q, %v, panic %v", r.v, r.err, r.panicVal, tt.v, tt.err, tt.panicVal)
					}
					d.mu.Lock()
					if !d.returned[1] {
						t.Errorf("Do() returned before its first attempt")
					}
					d.mu.Unlock()
					for range tt.started {
						<-d.done
					}
					synctest.Wait()
					d.mu.Lock()
					defer d.mu.Unlock()
					if d.calls != tt.started {
						t.Errorf("%d attempts started want %d", d.calls, tt.started)
					}
					if d.goids[1] != r.goid {
						t.Errorf("the first attempt ran in goroutine %d want Do's, %d", d.goids[1], r.goid)
					}
					for n := 2; n <= tt.started; n++ {
						if d.goids[n] == r.goid {
							t.Errorf("hedge %d ran in Do's goroutine want its own", n)
						}
					}
					for n := 1; n <= tt.started; n++ {
						if want := tt.causes[n]; d.causes[n] != want {
							t.Errorf("attempt %d was cancelled with cause %v want %v", n, d.causes[n], want)
						}
					}
					if got := rec.summary(); got != tt.events {
						t.Errorf("events = %q want %q", got, tt.events)
					}
					if st := h.Stats(); st.Hedges != uint64(tt.started-1) || st.HedgeWins != tt.wins {
						t.Errorf("Stats() = %+v want %d hedges, %d wins", st, tt.started-1, tt.wins)
					}
					if n := clk.Timers(); n != 0 {
						t.Errorf("%d timers pending after Do returned want 0", n)
					}
					checkContexts(t, d, r, keep)
				})
			})
		}
	}
}

// checkContexts checks the attempts' contexts once the call has returned:
// Do leaves none live; Keep leaves only the winner's, until its release.
func checkContexts(t *testing.T, d *driver, r result, keep bool) {
	t.Helper()
	winner := 0
	if keep && r.err == nil && r.panicVal == nil {
		for n := 1; n <= d.calls; n++ {
			if d.won[n] {
				winner = n
			}
		}
	}
	for n := 1; n <= d.calls; n++ {
		ctx := d.ctxs[n]
		switch {
		case n == winner && ctx.Err() != nil:
			t.Errorf("Keep: the winner's context (attempt %d) is done (%v) before its release", n, context.Cause(ctx))
		case n != winner && ctx.Err() == nil:
			t.Errorf("attempt %d's context is live after the call returned", n)
		case n != winner && r.err == nil && r.panicVal == nil && !errors.Is(context.Cause(ctx), hedge.ErrLost):
			t.Errorf("attempt %d's context ended with cause %v want ErrLost", n, context.Cause(ctx))
		}
	}
	if !keep || r.panicVal != nil {
		return // a panic returns nothing
	}
	if r.release == nil {
		t.Fatal("Keep returned a nil release")
	}
	r.release(nil)
	r.release(nil) // harmless
	if winner > 0 && d.ctxs[winner].Err() == nil {
		t.Errorf("Keep: the winner's context (attempt %d) is live after release", winner)
	}
}

// TestFirstAttemptAllocs: a call answered before the delay costs a
// cancellable context (the context and its cancel function) and one timer
// on the real clock, nothing more: no goroutine, no channel, no per-call
// state (that is pooled).
func TestFirstAttemptAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not measured under -race")
	}
	h := mustNew(t, hedge.Config{Delay: time.Hour})
	fn := func(context.Context) (int, error) { return 1, nil }
	req, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{{"background", context.Background()}, {"cancellable", req}} {
		const want = 3
		if n := testing.AllocsPerRun(200, func() { hedge.Do(tc.ctx, h, fn) }); n > want {
			t.Errorf("%s: hedged Do answered before the delay allocates %v times want <= %d", tc.name, n, want)
		}
		keep := func() {
			_, release, _ := hedge.Keep(tc.ctx, h, fn)
			release(nil)
		}
		if n := testing.AllocsPerRun(200, keep); n > want {
			t.Errorf("%s: Keep answered before the delay allocates %v times want <= %d", tc.name, n, want)
		}
	}
}
