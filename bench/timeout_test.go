package bench

// Timeout benchmarks: ours beside failsafe-go's timeout and a bare
// context.WithTimeout baseline.
//
// Areas:
//   - TimeoutSuccess: a 1s timeout around a no-op that succeeds at once.
//     Ours runs through a Pipeline (resilience) and through
//     Timeout.Execute (resilience-exec); failsafe-go through
//     failsafe.With(timeout).Get; context is context.WithTimeout plus its
//     cancel, the floor for any timeout that hands the call a context.
//   - TimeoutSuccessDone: the same, but the function polls ctx.Done()
//     without blocking, as every net/http or gRPC call does: the context's
//     Done channel has to be made, so an implementation cannot skip it.
//   - TimeoutCancellableParentDone: TimeoutSuccessDone under a caller's
//     context that can be cancelled (context.WithCancel), as a server's
//     request context can: the timeout's context must register with it.
//   - TimeoutDerivedChild: the function derives a context of its own with
//     context.WithCancelCause and polls it, as net/http's Transport and
//     gRPC's client streams do on every call, then cancels it.
//   - TimeoutCallerSooner: the same, but the caller's context already has
//     a deadline sooner than the timeout. Ours skips its timer entirely;
//     context.WithTimeout still derives a cancellable context.
//
// TimeoutSuccess and TimeoutSuccessDone have Parallel twins that run under
// b.RunParallel.

import (
	"context"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	fstimeout "github.com/failsafe-go/failsafe-go/timeout"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/timeout"
)

// timeoutImpls returns, for each implementation, a function that runs a
// no-op under a timeout of d; with done, the no-op polls ctx.Done().
func timeoutImpls(b *testing.B, d time.Duration, done bool) []struct {
	name string
	run  func(ctx context.Context) error
} {
	if done {
		return timeoutImplsFn(b, d, timeoutPollErr)
	}
	return timeoutImplsFn(b, d, timeoutNoopErr)
}

// timeoutImplsFn returns, for each implementation, a function that runs fn
// under a timeout of d.
func timeoutImplsFn(b *testing.B, d time.Duration, fn func(context.Context) error) []struct {
	name string
	run  func(ctx context.Context) error
} {
	to, err := timeout.New(timeout.Config{Timeout: d})
	if err != nil {
		b.Fatal(err)
	}
	pipeline, err := resilience.NewPipeline[int](to)
	if err != nil {
		b.Fatal(err)
	}
	fsExec := failsafe.With[int](fstimeout.New[int](d))
	noopErr := fn
	noopInt := func(ctx context.Context) (int, error) { return 0, fn(ctx) }
	fsNoop := func(exec failsafe.Execution[int]) (int, error) { return 0, fn(exec.Context()) }
	return []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"resilience", func(ctx context.Context) error {
			_, err := pipeline.Execute(ctx, noopInt)
			return err
		}},
		{"resilience-exec", func(ctx context.Context) error {
			return to.Execute(ctx, noopErr)
		}},
		{"failsafe", func(ctx context.Context) error {
			_, err := fsExec.WithContext(ctx).GetWithExecution(fsNoop)
			return err
		}},
		{"context", func(ctx context.Context) error {
			c, cancel := context.WithTimeout(ctx, d)
			err := noopErr(c)
			cancel()
			return err
		}},
	}
}

func timeoutNoopErr(context.Context) error { return nil }

// timeoutPollErr checks ctx.Done() without blocking.
func timeoutPollErr(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}

func benchTimeout(b *testing.B, ctx context.Context, d time.Duration, done bool) {
	for _, impl := range timeoutImpls(b, d, done) {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchTimeoutParallel(b *testing.B, done bool) {
	ctx := context.Background()
	for _, impl := range timeoutImpls(b, time.Second, done) {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := impl.run(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkTimeoutSuccess(b *testing.B) {
	benchTimeout(b, context.Background(), time.Second, false)
}

func BenchmarkTimeoutSuccessDone(b *testing.B) {
	benchTimeout(b, context.Background(), time.Second, true)
}

func BenchmarkTimeoutCancellableParentDone(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	benchTimeout(b, ctx, time.Second, true)
}

func BenchmarkTimeoutDerivedChild(b *testing.B) {
	ctx := context.Background()
	for _, impl := range timeoutImplsFn(b, time.Second, timeoutChildErr) {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.run(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// timeoutChildErr derives a cancellable context, polls it, cancels it.
func timeoutChildErr(ctx context.Context) error {
	c, cancel := context.WithCancelCause(ctx)
	err := timeoutPollErr(c)
	cancel(nil)
	return err
}

func BenchmarkTimeoutSuccessParallel(b *testing.B)     { benchTimeoutParallel(b, false) }
func BenchmarkTimeoutSuccessDoneParallel(b *testing.B) { benchTimeoutParallel(b, true) }

func BenchmarkTimeoutCallerSooner(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	benchTimeout(b, ctx, 2*time.Hour, false)
}
