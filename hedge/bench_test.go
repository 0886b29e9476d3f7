package hedge_test

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/hedge"
)

// BenchmarkDo measures what a hedged call pays when its first attempt
// answers before the delay, the common case, on the real clock: under a
// background context, and under a cancellable one as a server request's.
func BenchmarkDo(b *testing.B) {
	h := mustNew(b, hedge.Config{Delay: time.Hour})
	fn := func(context.Context) (int, error) { return 1, nil }
	req, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, bc := range []struct {
		name string
		ctx  context.Context
	}{
		{"background", context.Background()},
		{"cancellable", req},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v, err := hedge.Do(bc.ctx, h, fn); v != 1 || err != nil {
					b.Fatal(v, err)
				}
			}
		})
	}
}

// BenchmarkDoParallel is BenchmarkDo/background from every P.
func BenchmarkDoParallel(b *testing.B) {
	h := mustNew(b, hedge.Config{Delay: time.Hour})
	fn := func(context.Context) (int, error) { return 1, nil }
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if v, err := hedge.Do(ctx, h, fn); v != 1 || err != nil {
				b.Error(v, err)
				return
			}
		}
	})
}
