package timeout

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestCallerSoonerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	to, err := New(Config{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := resilience.NewPipeline[int](to)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fn := func(context.Context) (int, error) { return 1, nil }
	if n := testing.AllocsPerRun(100, func() { _, _ = pl.Execute(ctx, fn) }); n != 0 {
		t.Errorf("Pipeline.Execute allocates %v times when the caller's deadline is sooner want 0", n)
	}
	run := func(context.Context) error { return nil }
	if n := testing.AllocsPerRun(100, func() { _ = to.Execute(ctx, run) }); n != 0 {
		t.Errorf("Execute allocates %v times when the caller's deadline is sooner want 0", n)
	}
}

func TestTimerPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	to, err := New(Config{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	run := func(context.Context) error { return nil }
	base := testing.AllocsPerRun(100, func() {
		_, cancel := context.WithTimeout(context.Background(), time.Hour)
		cancel()
	})
	if n := testing.AllocsPerRun(100, func() { _ = to.Execute(context.Background(), run) }); n > base {
		t.Errorf("Execute allocates %v times want at most context.WithTimeout's %v", n, base)
	}
}

func BenchmarkExecute(b *testing.B) {
	to, err := New(Config{Timeout: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	pl, err := resilience.NewPipeline[int](to)
	if err != nil {
		b.Fatal(err)
	}
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = pl.Execute(ctx, fn)
	}
}

func BenchmarkContextBaseline(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c, cancel := context.WithTimeout(ctx, time.Hour)
		_ = c
		cancel()
	}
}

func TestWheelPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	to := mustNew(t, Config{Timeout: time.Hour})
	pl, err := resilience.NewPipeline[int](to)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	noop := func(context.Context) (int, error) { return 1, nil }
	poll := func(ctx context.Context) (int, error) {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		default:
			return 1, nil
		}
	}
	tests := []struct {
		name string
		run  func()
		want float64
	}{
		{"pipeline", func() { _, _ = pl.Execute(ctx, noop) }, 1},
		{"execute", func() { _ = to.Execute(ctx, func(context.Context) error { return nil }) }, 1},
		{"do", func() { _, _ = Do(ctx, to, noop) }, 1},
		{"pipeline-done", func() { _, _ = pl.Execute(ctx, poll) }, 2}, // the Done channel
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.run); n != tt.want {
			t.Errorf("%s allocates %v times want %v", tt.name, n, tt.want)
		}
	}
	waitWheelIdle(t)
}
