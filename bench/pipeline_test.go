package bench

// PipelineFull: the whole composition of DESIGN.md around a no-op, ours
// beside the same composition in failsafe-go.
//
// Ours, outermost first: fallback → rate limiter → bulkhead → circuit
// breaker → retry → timeout. failsafe-go composes the same policies with
// failsafe.With(fallback, ratelimiter, bulkhead, circuitbreaker, retry,
// timeout), also outermost first. Every policy is configured so that it
// admits every call; the no-op succeeds at once, so this measures the cost
// of passing through the composition, timer included.
//
// PipelineGuards is the same without the timeout: the composition our
// design promises to run without allocating.

import (
	"context"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	fsbulkhead "github.com/failsafe-go/failsafe-go/bulkhead"
	fscb "github.com/failsafe-go/failsafe-go/circuitbreaker"
	fsfallback "github.com/failsafe-go/failsafe-go/fallback"
	fsratelimiter "github.com/failsafe-go/failsafe-go/ratelimiter"
	fsretry "github.com/failsafe-go/failsafe-go/retrypolicy"
	fstimeout "github.com/failsafe-go/failsafe-go/timeout"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

func pipelineNoop(context.Context) (int, error) { return 1, nil }

// ourPipeline builds the full composition; withTimeout adds the innermost
// timeout.
func ourPipeline(b *testing.B, withTimeout bool) *resilience.Pipeline[int] {
	b.Helper()
	chain, err := fallback.New(fallback.Config{}, fallback.Stub("stub", -1))
	must(b, err)
	lim, err := ratelimit.New(ratelimit.Config{Rate: 1e9, Burst: 1e6})
	must(b, err)
	bh, err := bulkhead.New(bulkhead.Config{MaxConcurrent: 1024})
	must(b, err)
	cb, err := circuitbreaker.New(circuitbreaker.Config{FailureRateThreshold: 50, WindowSize: 100})
	must(b, err)
	rp, err := retry.New(retry.Config{MaxAttempts: 3})
	must(b, err)
	policies := []resilience.Policy{chain, lim, bh, cb, rp}
	if withTimeout {
		to, err := timeout.New(timeout.Config{Timeout: time.Second})
		must(b, err)
		policies = append(policies, to)
	}
	p, err := resilience.NewPipeline[int](policies...)
	must(b, err)
	return p
}

func failsafePipeline(withTimeout bool) failsafe.Executor[int] {
	policies := []failsafe.Policy[int]{
		fsfallback.NewWithResult(-1),
		fsratelimiter.NewBursty[int](1e9, time.Second),
		fsbulkhead.New[int](1024),
		fscb.NewBuilder[int]().WithFailureThresholdRatio(50, 100).Build(),
		fsretry.NewBuilder[int]().WithMaxAttempts(3).Build(),
	}
	if withTimeout {
		policies = append(policies, fstimeout.New[int](time.Second))
	}
	return failsafe.With[int](policies...)
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func benchPipeline(b *testing.B, withTimeout bool) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		p := ourPipeline(b, withTimeout)
		b.ReportAllocs()
		for b.Loop() {
			if v, err := p.Execute(ctx, pipelineNoop); v != 1 || err != nil {
				b.Fatalf("Execute = %d, %v", v, err)
			}
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafePipeline(withTimeout).WithContext(ctx)
		b.ReportAllocs()
		for b.Loop() {
			if v, err := ex.Get(func() (int, error) { return 1, nil }); v != 1 || err != nil {
				b.Fatalf("Get = %d, %v", v, err)
			}
		}
	})
}

func BenchmarkPipelineFull(b *testing.B)   { benchPipeline(b, true) }
func BenchmarkPipelineGuards(b *testing.B) { benchPipeline(b, false) }

func BenchmarkPipelineFullParallel(b *testing.B) {
	ctx := context.Background()
	b.Run("resilience", func(b *testing.B) {
		p := ourPipeline(b, true)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = p.Execute(ctx, pipelineNoop)
			}
		})
	})
	b.Run("failsafe", func(b *testing.B) {
		ex := failsafePipeline(true).WithContext(ctx)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = ex.Get(func() (int, error) { return 1, nil })
			}
		})
	})
}
