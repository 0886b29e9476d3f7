package bench

// Retry benchmarks: ours beside failsafe-go's retry policy, avast/retry-go
// v4 and cenkalti/backoff v5.
//
// Areas:
//   - RetrySuccess: a retry wrapper around a no-op that succeeds at once,
//     the cost every call pays. Every library allows 3 attempts. Ours runs
//     through a Pipeline (resilience) and through retry.Do
//     (resilience-do); failsafe-go through failsafe.With(policy).Get.
//   - RetryFailOnce: the first attempt fails with a retryable error and the
//     second succeeds, with no wait between them, so the figure is the
//     cost of one retry decision.
//
// RetrySuccess has a RetrySuccessParallel twin that runs under
// b.RunParallel.

import (
	"context"
	"errors"
	"testing"

	retrygo "github.com/avast/retry-go/v4"
	"github.com/cenkalti/backoff/v5"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/retrypolicy"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/retry"
)

// errRetryTransient is a failure every library retries: ours by a RetryIf that
// accepts it, the peers by default.
var errRetryTransient = errors.New("bench: transient")

// retryImpls returns, for each implementation, a function that runs call
// through a 3-attempt retry without waiting between attempts.
func retryImpls(b *testing.B) []struct {
	name string
	run  func(ctx context.Context, call func() error) error
} {
	cfg := retry.Config{
		MaxAttempts: 3,
		Backoff:     retry.BackoffConfig{Kind: retry.BackoffNone},
		RetryIf:     func(err error) bool { return err == errRetryTransient },
	}
	policy, err := retry.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	pipeline, err := resilience.NewPipeline[int](policy)
	if err != nil {
		b.Fatal(err)
	}
	fsExec := failsafe.With[int](retrypolicy.NewWithDefaults[int]())
	rgOpts := []retrygo.Option{retrygo.Attempts(3), retrygo.Delay(0), retrygo.DelayType(retrygo.FixedDelay), retrygo.LastErrorOnly(true)}
	boOpts := []backoff.RetryOption{backoff.WithMaxTries(3), backoff.WithBackOff(&backoff.ZeroBackOff{})}

	return []struct {
		name string
		run  func(ctx context.Context, call func() error) error
	}{
		{"resilience", func(ctx context.Context, call func() error) error {
			_, err := pipeline.Execute(ctx, func(context.Context) (int, error) { return 0, call() })
			return err
		}},
		{"resilience-do", func(ctx context.Context, call func() error) error {
			return retry.Do(ctx, policy, func(context.Context) error { return call() })
		}},
		{"failsafe", func(ctx context.Context, call func() error) error {
			_, err := fsExec.Get(func() (int, error) { return 0, call() })
			return err
		}},
		{"retrygo", func(ctx context.Context, call func() error) error {
			return retrygo.Do(call, rgOpts...) // its default context is context.Background()
		}},
		{"backoff", func(ctx context.Context, call func() error) error {
			_, err := backoff.Retry(ctx, func() (int, error) { return 0, call() }, boOpts...)
			return err
		}},
	}
}

func BenchmarkRetrySuccess(b *testing.B) {
	ctx := context.Background()
	for _, impl := range retryImpls(b) {
		b.Run(impl.name, func(b *testing.B) {
			call := func() error { return nil }
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.run(ctx, call); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRetrySuccessParallel(b *testing.B) {
	ctx := context.Background()
	for _, impl := range retryImpls(b) {
		b.Run(impl.name, func(b *testing.B) {
			call := func() error { return nil }
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := impl.run(ctx, call); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkRetryFailOnce(b *testing.B) {
	ctx := context.Background()
	for _, impl := range retryImpls(b) {
		b.Run(impl.name, func(b *testing.B) {
			failed := false
			call := func() error {
				if failed = !failed; failed {
					return errRetryTransient
				}
				return nil
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := impl.run(ctx, call); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
