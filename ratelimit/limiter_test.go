package ratelimit

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

const ms = time.Millisecond

func TestLimiterAllowTable(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		steps []allowStep
	}{
		{"burst1", Config{Rate: 10, Burst: 1}, []allowStep{
			{0, 1, true},
			{0, 1, false},
			{0, 1, false},
			{100 * ms, 1, true},
			{100 * ms, 1, false},
			{150 * ms, 1, false},
			{200 * ms, 2, false}, // burst is 1, so n=2 always fails
			{200 * ms, 1, true},
			{200 * ms, 0, true}, // n=0 always succeeds
			{200 * ms, -1, false},
		}},
		{"burst3", Config{Rate: 10, Burst: 3}, []allowStep{
			{0, 2, true},
			{0, 2, false},
			{0, 1, true},
			{0, 1, false},
			{100 * ms, 1, true},
			{100 * ms, 1, false},
			{300 * ms, 2, true},
			{300 * ms, 1, false},
			{time.Second, 3, true}, // refilled, never above the burst
			{time.Second, 1, false},
			{time.Second, 4, false},
		}},
		{"per-minute", Config{Rate: 6, Per: time.Minute, Burst: 2}, []allowStep{
			{0, 2, true},
			{9 * time.Second, 1, false},
			{10 * time.Second, 1, true},
			{19 * time.Second, 1, false},
			{20 * time.Second, 1, true},
		}},
		{"fractional", Config{Rate: 0.5, Burst: 1}, []allowStep{
			{0, 1, true},
			{1999 * ms, 1, false},
			{2 * time.Second, 1, true},
		}},
		{"default-burst", Config{Rate: 2.5}, []allowStep{ // burst ceil(2.5) = 3
			{0, 3, true},
			{0, 1, false},
			{400 * ms, 1, true},
		}},
		{"long-idle-caps-at-burst", Config{Rate: 1000, Burst: 5}, []allowStep{
			{0, 5, true},
			{time.Hour, 5, true},
			{time.Hour, 1, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim, clk := newLimiter(t, tt.cfg)
			runAllow(t, lim, clk, tt.steps)
		})
	}
}

func TestLimiterZeroValueRejects(t *testing.T) {
	var lim Limiter
	if lim.Allow() {
		t.Errorf("zero lim.Allow() = true want false")
	}
	if _, err := lim.Acquire(context.Background()); !errors.Is(err, ErrLimited) {
		t.Errorf("zero lim.Acquire() = %v want ErrLimited", err)
	}
	if err := lim.Wait(context.Background()); !errors.Is(err, ErrLimited) {
		t.Errorf("zero lim.Wait() = %v want ErrLimited", err)
	}
	if r := lim.Reserve(); r.OK() {
		t.Errorf("zero lim.Reserve().OK() = true want false")
	}
	if err := lim.SetRate(1); err == nil {
		t.Errorf("zero lim.SetRate(1) = nil want error")
	}
}

func TestLimiterUnlimited(t *testing.T) {
	lim, _ := newLimiter(t, Config{Unlimited: true})
	for i := range 1000 {
		if !lim.AllowN(1 << 40) {
			t.Fatalf("unlimited lim.AllowN(%d) = false want true", i)
		}
	}
	if info := lim.AllowInfo(); info.Limit != math.MaxInt || info.Remaining != math.MaxInt || !info.Allowed {
		t.Errorf("unlimited AllowInfo() = %+v", info)
	}
	if err := lim.Wait(context.Background()); err != nil {
		t.Errorf("unlimited Wait() = %v", err)
	}
	if lim.tat.Load() != 0 {
		t.Errorf("unlimited limiter wrote its state: %d", lim.tat.Load())
	}
}

func TestLimiterAcquire(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 1, Burst: 1})
	p, err := lim.Acquire(context.Background())
	if err != nil || p != (resilience.Permit{}) {
		t.Fatalf("lim.Acquire() = %v, %v want zero Permit, nil", p, err)
	}
	p.Done(nil)
	_, err = lim.Acquire(context.Background())
	if !errors.Is(err, ErrLimited) || !errors.Is(err, resilience.ErrRejected) {
		t.Fatalf("lim.Acquire() = %v want ErrLimited matching ErrRejected", err)
	}
	if err != ErrLimited {
		t.Errorf("lim.Acquire() returned a wrapped error %v; the hot path must return the sentinel", err)
	}
	clk.Advance(time.Second)
	if _, err := lim.Acquire(context.Background()); err != nil {
		t.Errorf("after refill lim.Acquire() = %v want nil", err)
	}
}

func TestLimiterEventsAndShadow(t *testing.T) {
	for _, shadow := range []bool{false, true} {
		rec := &recorder{}
		lim, _ := newLimiter(t, Config{Name: "api", Rate: 10, Burst: 1, Shadow: shadow, Listener: rec})
		if !lim.Allow() {
			t.Fatalf("shadow=%v: first Allow() = false", shadow)
		}
		if got := lim.Allow(); got != shadow {
			t.Errorf("shadow=%v: second lim.Allow() = %v want %v", shadow, got, shadow)
		}
		_, err := lim.Acquire(context.Background())
		if (err == nil) != shadow {
			t.Errorf("shadow=%v: lim.Acquire() = %v", shadow, err)
		}
		want := resilience.EventRejected
		if shadow {
			want = resilience.EventShadowRejected
		}
		if got := rec.kinds(); !slices.Equal(got, []resilience.EventKind{want, want}) {
			t.Errorf("shadow=%v: events %v want two %v", shadow, got, want)
		}
		e := rec.events[0]
		if e.Policy != "ratelimit" || e.Name != "api" || e.Delay != 100*ms || !errors.Is(e.Err, ErrLimited) {
			t.Errorf("shadow=%v: event %+v want policy ratelimit, name api, delay 100ms, ErrLimited", shadow, e)
		}
	}
}

func TestLimiterShadowDoesNotConsumeRefused(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1, Shadow: true})
	for range 5 {
		if !lim.Allow() {
			t.Fatal("shadow Allow() = false")
		}
	}
	// Refusals did not consume: after 100ms the limit admits again.
	clk.Advance(100 * ms)
	if info := lim.AllowInfo(); info.RetryAfter != 0 {
		t.Errorf("shadow AllowInfo() after refill = %+v want RetryAfter 0", info)
	}
}

// TestLimiterCoarseClockSlack: with the real clock's 1ms steps, a limit of
// 100 000/s with Burst 1 must still admit 100 per millisecond.
func TestLimiterCoarseClockSlack(t *testing.T) {
	if got := slackFor(nil); got != int64(clock.CoarseResolution) {
		t.Errorf("slackFor(nil) = %d want %d", got, clock.CoarseResolution)
	}
	if got := slackFor(clock.Real()); got != int64(clock.CoarseResolution) {
		t.Errorf("slackFor(Real) = %d want %d", got, clock.CoarseResolution)
	}
	if got := slackFor(clock.NewManual(t0)); got != 0 {
		t.Errorf("slackFor(Manual) = %d want 0", got)
	}
	lim, clk := newLimiter(t, Config{Rate: 100_000, Burst: 1})
	lim.slack = int64(time.Millisecond) // as with the real clock
	p, _ := newParams(100_000, 0, 1, false, lim.slack)
	lim.p.Store(p)
	total := 0
	for range 10 {
		for lim.Allow() {
			total++
		}
		clk.Advance(time.Millisecond)
	}
	if total < 1000 || total > 1001 {
		t.Errorf("admitted %d in 10 coarse ticks want 1000 or 1001", total)
	}
	if lim.AllowN(2) {
		t.Errorf("lim.AllowN(2) = true want false: the slack does not raise the burst")
	}
}

func TestLimiterAccessors(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 5, Per: time.Minute, Burst: 7})
	if r, per := lim.Rate(); r != 5 || per != time.Minute {
		t.Errorf("lim.Rate() = %v, %v want 5, 1m", r, per)
	}
	if b := lim.Burst(); b != 7 {
		t.Errorf("lim.Burst() = %d want 7", b)
	}
	if w := lim.Warmth(); w != 1 {
		t.Errorf("lim.Warmth() = %v want 1 without WarmUp", w)
	}
}

func TestZeroValuesReject(t *testing.T) {
	var w SlidingWindow
	if w.Allow() || w.AllowInfo().Allowed || w.Info().Allowed {
		t.Errorf("zero SlidingWindow admitted an event")
	}
	if _, err := w.Acquire(context.Background()); !errors.Is(err, ErrLimited) {
		t.Errorf("zero SlidingWindow Acquire() = %v want ErrLimited", err)
	}
	var k Keyed
	if k.Allow("a") || k.AllowInfo("a").Allowed || k.Len() != 0 {
		t.Errorf("zero Keyed admitted an event")
	}
	if _, err := k.Acquire(context.Background()); !errors.Is(err, ErrLimited) {
		t.Errorf("zero Keyed Acquire() = %v want ErrLimited", err)
	}
	k.Sweep()
}
