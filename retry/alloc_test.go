package retry

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

func TestSuccessPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	budget, err := NewBudget(BudgetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	deadlineCtx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	tests := []struct {
		name string
		cfg  Config
		ctx  context.Context
	}{
		{"plain", Config{}, context.Background()},
		{"deadline", Config{}, deadlineCtx},
		{"listener", Config{Listener: &recorder{}}, context.Background()},
		{"max-elapsed", Config{MaxElapsed: time.Minute}, context.Background()},
		{"budget", Config{Budget: budget}, context.Background()},
		{"manual-clock", Config{Clock: clock.NewManual(t0), MaxElapsed: time.Minute}, deadlineCtx},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := resilience.NewPipeline[int](p)
			if err != nil {
				t.Fatal(err)
			}
			fn := func(context.Context) (int, error) { return 1, nil }
			if n := testing.AllocsPerRun(100, func() { _, _ = pl.Execute(tt.ctx, fn) }); n != 0 {
				t.Errorf("Pipeline.Execute allocates %v times per success want 0", n)
			}
			run := func(context.Context) error { return nil }
			if n := testing.AllocsPerRun(100, func() { _ = Do(tt.ctx, p, run) }); n != 0 {
				t.Errorf("Do allocates %v times per success want 0", n)
			}
			if n := testing.AllocsPerRun(100, func() { _, _ = DoValue(tt.ctx, p, fn) }); n != 0 {
				t.Errorf("DoValue allocates %v times per success want 0", n)
			}
		})
	}
}

func BenchmarkPipelineSuccess(b *testing.B) {
	p, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	pl, err := resilience.NewPipeline[int](p)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		_, _ = pl.Execute(ctx, fn)
	}
}

func BenchmarkDoSuccess(b *testing.B) {
	p, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = Do(ctx, p, fn)
	}
}

func BenchmarkPipelineSuccessDeadline(b *testing.B) {
	p, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	pl, err := resilience.NewPipeline[int](p)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	fn := func(context.Context) (int, error) { return 1, nil }
	b.ReportAllocs()
	for b.Loop() {
		_, _ = pl.Execute(ctx, fn)
	}
}

func BenchmarkBackoffDelay(b *testing.B) {
	cfg := DefaultBackoffConfig()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		_ = cfg.Delay(n%20+1, 0, 0.5)
	}
}
