package bench

import (
	"context"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/hedgepolicy"

	"github.com/resilience-go/resilience/hedge"
)

// BenchmarkHedge measures the overhead of hedging a call that answers at
// once, before the hedge delay: the price every hedged call pays.
func BenchmarkHedge(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		h, err := hedge.New(hedge.Config{Delay: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		call := hedge.Wrap(h, func(context.Context) (string, error) { return "v", nil })
		b.ReportAllocs()
		for b.Loop() {
			if v, err := call(ctx); v != "v" || err != nil {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafe.With[string](hedgepolicy.NewWithDelay[string](time.Second))
		fn := func() (string, error) { return "v", nil }
		b.ReportAllocs()
		for b.Loop() {
			if v, err := ex.Get(fn); v != "v" || err != nil {
				b.Fatal(v, err)
			}
		}
	})
}

// BenchmarkHedgeParallel is BenchmarkHedge from every P.
func BenchmarkHedgeParallel(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		h, _ := hedge.New(hedge.Config{Delay: time.Second})
		call := hedge.Wrap(h, func(context.Context) (string, error) { return "v", nil })
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, _ := call(ctx); v != "v" {
					b.Fatal(v)
				}
			}
		})
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafe.With[string](hedgepolicy.NewWithDelay[string](time.Second))
		fn := func() (string, error) { return "v", nil }
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, _ := ex.Get(fn); v != "v" {
					b.Fatal(v)
				}
			}
		})
	})
}
