package ratelimit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	lim, _ := newLimiter(t, Config{Rate: 1e9, Burst: 1 << 30})
	deny, _ := newLimiter(t, Config{Rate: 1, Per: time.Hour, Burst: 1})
	deny.Allow()
	noop := resilience.ListenerFunc(func(resilience.Event) {})
	shadow, _ := newLimiter(t, Config{Rate: 1, Per: time.Hour, Burst: 1, Shadow: true, Listener: noop})
	win, _ := newWindow(t, WindowConfig{Limit: 1 << 30})
	keyed, _ := newKeyed(t, KeyedConfig{Rate: 1e9, Burst: 1 << 30})
	long := strings.Repeat("k", 300)
	keyed.Allow("user-1")
	keyed.Allow(long)
	shadow.Allow()
	tests := []struct {
		name string
		f    func()
	}{
		{"Limiter.Allow", func() { lim.Allow() }},
		{"Limiter.AllowN-deny", func() { deny.AllowN(1) }},
		{"Limiter.AllowInfo", func() { lim.AllowInfo() }},
		{"Limiter.Info", func() { lim.Info() }},
		{"Limiter.Reserve", func() { lim.Reserve().Cancel() }},
		{"Limiter.Wait-immediate", func() { _ = lim.Wait(ctx) }},
		{"Limiter.Acquire", func() { p, _ := lim.Acquire(ctx); p.Done(nil) }},
		{"Limiter.Acquire-deny", func() { _, _ = deny.Acquire(ctx) }},
		{"Limiter.Allow-shadow-refusal-event", func() { shadow.Allow() }},
		{"SlidingWindow.Allow", func() { win.Allow() }},
		{"SlidingWindow.AllowInfo", func() { win.AllowInfo() }},
		{"Keyed.Allow-existing", func() { keyed.Allow("user-1") }},
		{"Keyed.Allow-existing-long", func() { keyed.Allow(long) }},
		{"Keyed.AllowInfo-existing", func() { keyed.AllowInfo("user-1") }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s: %v allocs per run want 0", tt.name, got)
		}
	}
}
