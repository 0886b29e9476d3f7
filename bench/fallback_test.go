package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/failsafe-go/failsafe-go"
	fsfallback "github.com/failsafe-go/failsafe-go/fallback"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/fallback"
)

// errFallbackDown is a transient failure every fallback handles.
var errFallbackDown = fmt.Errorf("bench: dependency down: %w", resilience.ErrRejected)

func failingCall(context.Context) (string, error) { return "", errFallbackDown }

// BenchmarkFallback measures a failed call served by a stub fallback.
func BenchmarkFallback(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		chain, err := fallback.New(fallback.Config{}, fallback.Stub("stub", "stub"))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if v, err := chain.Execute(ctx, failingCall); v != "stub" || err != nil {
				b.Fatal(v, err)
			}
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafe.With[string](fsfallback.NewWithResult("stub"))
		fn := func() (string, error) { return "", errFallbackDown }
		b.ReportAllocs()
		for b.Loop() {
			if v, err := ex.Get(fn); v != "stub" || err != nil {
				b.Fatal(v, err)
			}
		}
	})
}

// BenchmarkFallbackParallel is BenchmarkFallback from every P.
func BenchmarkFallbackParallel(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		chain, _ := fallback.New(fallback.Config{}, fallback.Stub("stub", "stub"))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, _ := chain.Execute(ctx, failingCall); v != "stub" {
					b.Fatal(v)
				}
			}
		})
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafe.With[string](fsfallback.NewWithResult("stub"))
		fn := func() (string, error) { return "", errFallbackDown }
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if v, _ := ex.Get(fn); v != "stub" {
					b.Fatal(v)
				}
			}
		})
	})
}

// BenchmarkStaleCache measures a keyed call that succeeds (and is stored)
// or fails (and is served stale), alternately. No peer offers a stale
// cache with the same semantics.
func BenchmarkStaleCache(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		cache, err := fallback.NewStaleCache[int, string](fallback.CacheConfig{MaxEntries: 1024})
		if err != nil {
			b.Fatal(err)
		}
		ok := func(context.Context) (string, error) { return "v", nil }
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			fn := ok
			if i&1 == 1 {
				fn = failingCall
			}
			if v, err := cache.Execute(ctx, i&511, fn); v != "v" || err != nil {
				if !errors.Is(err, errFallbackDown) {
					b.Fatal(v, err)
				}
			}
			i++
		}
	})
}
