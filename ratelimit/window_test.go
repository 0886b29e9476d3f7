package ratelimit

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

func newWindow(t *testing.T, cfg WindowConfig) (*SlidingWindow, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	cfg.Clock = clk
	w, err := NewSlidingWindow(cfg)
	if err != nil {
		t.Fatalf("NewSlidingWindow(%+v) = %v", cfg, err)
	}
	return w, clk
}

func TestSlidingWindowAllowTable(t *testing.T) {
	w, clk := newWindow(t, WindowConfig{Limit: 10, Window: time.Second})
	runAllow(t, w, clk, []allowStep{
		{0, 10, true},
		{0, 1, false},
		{500 * ms, 1, false},
		{1000 * ms, 1, false}, // previous window weighs fully: 10
		{1100 * ms, 1, true},  // 10·0.9 = 9 (+1)
		{1100 * ms, 1, false},
		{1500 * ms, 4, true}, // 10·0.5 = 5, +1, +4
		{1500 * ms, 1, false},
		{2500 * ms, 7, true}, // 5·0.5 = 2.5 → 3, +7
		{2500 * ms, 1, false},
		{5 * time.Second, 10, true}, // windows skipped: previous is empty
		{5 * time.Second, 0, true},
		{6 * time.Second, 11, false}, // above the limit: never
		{6 * time.Second, -1, false},
	})
}

func TestSlidingWindowInfo(t *testing.T) {
	w, clk := newWindow(t, WindowConfig{Limit: 10, Window: time.Second})
	steps := []struct {
		name string
		at   time.Duration
		n    int
		want Info
	}{
		{"fresh", 0, 4, Info{Allowed: true, Limit: 10, Remaining: 6, Reset: 2 * time.Second, Window: time.Second}},
		{"fill", 0, 6, Info{Allowed: true, Limit: 10, Remaining: 0, Reset: 2 * time.Second, Window: time.Second}},
		// Next window, then 10·(1 − share) ≤ 9: 1s + 100ms.
		{"full", 0, 1, Info{Limit: 10, Reset: 2 * time.Second, RetryAfter: 1100 * ms, Window: time.Second}},
		{"faded", 1100 * ms, 1, Info{Allowed: true, Limit: 10, Remaining: 0, Reset: 1900 * ms, Window: time.Second}},
		// 10·0.9 + 1 + 1 > 10; at 1200ms 10·0.8 + 1 + 1 = 10.
		{"fading", 1100 * ms, 1, Info{Limit: 10, Reset: 1900 * ms, RetryAfter: 100 * ms, Window: time.Second}},
		{"too-many", 1100 * ms, 11, Info{Limit: 10, Reset: 1900 * ms, RetryAfter: gcra.Never, Window: time.Second}},
		// The previous window admitted 1: ceil(1·0.8) = 1.
		{"only-prev", 2200 * ms, 0, Info{Allowed: true, Limit: 10, Remaining: 9, Reset: 800 * ms, Window: time.Second}},
	}
	for _, s := range steps {
		clk.Set(t0.Add(s.at))
		if got := w.AllowInfoN(s.n); got != s.want {
			t.Errorf("%s: w.AllowInfoN(%v, %v) = %+v want %+v", s.name, s.at, s.n, got, s.want)
		}
	}
	if got, want := w.Info(), (Info{Allowed: true, Limit: 10, Remaining: 9, Reset: 800 * ms, Window: time.Second}); got != want {
		t.Errorf("w.Info() = %+v want %+v", got, want)
	}
}

// TestSlidingWindowRetryAfterIsExact: after waiting RetryAfter the request
// is admitted, and not a nanosecond before.
func TestSlidingWindowRetryAfterIsExact(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []allowStep
		n     int
	}{
		{"same-window", []allowStep{{0, 10, true}, {1300 * ms, 3, true}}, 1},
		{"next-window", []allowStep{{0, 5, true}, {1200 * ms, 6, true}}, 5},
		{"odd", []allowStep{{0, 9, true}, {1777 * ms, 7, true}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, clk := newWindow(t, WindowConfig{Limit: 10, Window: time.Second})
			runAllow(t, w, clk, tc.setup)
			info := w.AllowInfoN(tc.n)
			wait := info.RetryAfter
			if info.Allowed || wait <= 0 {
				t.Fatalf("setup admits %d at once: %+v", tc.n, info)
			}
			clk.Advance(wait - 1)
			if w.AllowN(tc.n) {
				t.Errorf("w.AllowN(%v) admitted 1ns before RetryAfter %v", tc.n, wait)
			}
			clk.Advance(1)
			if !w.AllowN(tc.n) {
				t.Errorf("w.AllowN(%v) refused after RetryAfter %v", tc.n, wait)
			}
		})
	}
}

// TestSlidingWindowAccuracy drives evenly spread traffic at 10× the limit
// and checks that every sliding window admits about Limit events.
func TestSlidingWindowAccuracy(t *testing.T) {
	const limit = 100
	w, clk := newWindow(t, WindowConfig{Limit: limit, Window: time.Second})
	var admitted []time.Duration
	for i := range 10_000 { // one request per ms for 10s
		at := time.Duration(i) * ms
		clk.Set(t0.Add(at))
		if w.Allow() {
			admitted = append(admitted, at)
		}
	}
	if n := len(admitted); n < 10*limit*95/100 || n > 10*limit+limit/10 {
		t.Errorf("admitted %d in 10s want about %d", n, 10*limit)
	}
	worst := 0
	for start := time.Duration(0); start <= 9*time.Second; start += 10 * ms {
		i, _ := slices.BinarySearch(admitted, start)
		j, _ := slices.BinarySearch(admitted, start+time.Second)
		worst = max(worst, j-i)
	}
	if worst > limit*105/100 {
		t.Errorf("a sliding second admitted %d want at most %d", worst, limit*105/100)
	}
}

func TestSlidingWindowAcquireShadowEvents(t *testing.T) {
	for _, shadow := range []bool{false, true} {
		rec := &recorder{}
		w, _ := newWindow(t, WindowConfig{Name: "w", Limit: 1, Shadow: shadow, Listener: rec})
		if _, err := w.Acquire(context.Background()); err != nil {
			t.Fatalf("shadow=%v: first w.Acquire() = %v", shadow, err)
		}
		_, err := w.Acquire(context.Background())
		if shadow && err != nil || !shadow && !errors.Is(err, ErrLimited) {
			t.Errorf("shadow=%v: second w.Acquire() = %v", shadow, err)
		}
		if got := w.Allow(); got != shadow {
			t.Errorf("shadow=%v: w.Allow() = %v", shadow, got)
		}
		if got := w.AllowInfo(); got.Allowed != shadow || got.RetryAfter <= 0 {
			t.Errorf("shadow=%v: w.AllowInfo() = %+v", shadow, got)
		}
		want := resilience.EventRejected
		if shadow {
			want = resilience.EventShadowRejected
		}
		if got := rec.kinds(); !slices.Equal(got, []resilience.EventKind{want, want, want}) {
			t.Errorf("shadow=%v: events %v want three %v", shadow, got, want)
		}
	}
}

func TestSlidingWindowDefaultWindow(t *testing.T) {
	w, _ := newWindow(t, WindowConfig{Limit: 5})
	if got := w.Info().Window; got != time.Second {
		t.Errorf("default Window = %v want 1s", got)
	}
}
