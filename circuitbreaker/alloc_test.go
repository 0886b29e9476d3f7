package circuitbreaker

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

func TestHotPathsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	noop := func(context.Context) error { return nil }
	tests := []struct {
		name  string
		cfg   Config
		setup func(*Breaker, *clock.Manual)
		op    func(*Breaker)
	}{
		{
			name: "closed-acquire-done",
			cfg:  Config{FailureRateThreshold: 50, WindowSize: 100},
			op: func(b *Breaker) {
				p, _ := b.Acquire(ctx)
				p.Done(nil)
			},
		},
		{
			name: "closed-failure",
			cfg:  Config{FailureRateThreshold: 50, WindowSize: 100, MinimumCalls: 1 << 20},
			op: func(b *Breaker) {
				p, _ := b.Acquire(ctx)
				p.Done(errBoom)
			},
		},
		{
			name: "closed-execute",
			cfg:  Config{FailureRateThreshold: 50, WindowSize: 100},
			op:   func(b *Breaker) { _ = b.Execute(ctx, noop) },
		},
		{
			name: "closed-do",
			cfg:  Config{FailureRateThreshold: 50},
			op: func(b *Breaker) {
				_, _ = Do(ctx, b, func(context.Context) (int, error) { return 1, nil })
			},
		},
		{
			name: "closed-time-window-slow",
			cfg:  Config{WindowType: WindowTime, SlowCallRateThreshold: 50, SlowCallDuration: time.Second, Listener: &recorder{}},
			setup: func(b *Breaker, _ *clock.Manual) {
				b.listener = nil // keep the clock reads, drop the recording
			},
			op: func(b *Breaker) {
				p, _ := b.Acquire(ctx)
				p.Done(nil)
			},
		},
		{
			name:  "open-reject",
			cfg:   Config{ConsecutiveFailures: 1},
			setup: func(b *Breaker, _ *clock.Manual) { call(t, b, errBoom) },
			op:    func(b *Breaker) { _, _ = b.Acquire(ctx) },
		},
		{
			name:  "forced-open-reject",
			cfg:   Config{},
			setup: func(b *Breaker, _ *clock.Manual) { b.ForceOpen() },
			op:    func(b *Breaker) { _ = b.Execute(ctx, noop) },
		},
		{
			name: "half-open-full-reject",
			cfg:  Config{ConsecutiveFailures: 1, OpenDuration: time.Second},
			setup: func(b *Breaker, clk *clock.Manual) {
				call(t, b, errBoom)
				clk.Advance(time.Second)
				_, _ = b.Acquire(ctx)
			},
			op: func(b *Breaker) { _, _ = b.Acquire(ctx) },
		},
		{
			name: "adaptive",
			cfg:  Config{Mode: ModeAdaptive},
			op: func(b *Breaker) {
				p, _ := b.Acquire(ctx)
				p.Done(errBoom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := newTest(t, tt.cfg)
			if tt.setup != nil {
				tt.setup(b, clk)
			}
			if n := testing.AllocsPerRun(1000, func() { tt.op(b) }); n != 0 {
				t.Errorf("%s allocates %v times per call want 0", tt.name, n)
			}
		})
	}
}
