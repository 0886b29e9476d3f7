package circuitbreaker

import (
	"context"
	"testing"
	"time"
)

// In-package micro-benchmarks of the hot paths; the comparison with peer
// libraries lives in the bench module.

func benchBreaker(b *testing.B, cfg Config) *Breaker {
	br, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return br
}

func benchAcquireDone(b *testing.B, br *Breaker, err error) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			p, aerr := br.Acquire(ctx)
			if aerr != nil {
				b.Fatal(aerr)
			}
			p.Done(err)
		}
	})
}

func BenchmarkAcquireDone(b *testing.B) {
	b.Run("count-window", func(b *testing.B) {
		benchAcquireDone(b, benchBreaker(b, Config{FailureRateThreshold: 50, WindowSize: 100}), nil)
	})
	b.Run("time-window", func(b *testing.B) {
		benchAcquireDone(b, benchBreaker(b, Config{FailureRateThreshold: 50, WindowType: WindowTime}), nil)
	})
	b.Run("slow-call", func(b *testing.B) {
		benchAcquireDone(b, benchBreaker(b, Config{SlowCallRateThreshold: 50, SlowCallDuration: time.Second}), nil)
	})
	b.Run("failure", func(b *testing.B) {
		benchAcquireDone(b, benchBreaker(b, Config{FailureRateThreshold: 50, MinimumCalls: 1 << 20}), errBoom)
	})
	b.Run("adaptive", func(b *testing.B) {
		benchAcquireDone(b, benchBreaker(b, Config{Mode: ModeAdaptive}), nil)
	})
}

func BenchmarkReject(b *testing.B) {
	run := func(b *testing.B, br *Breaker) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if _, err := br.Acquire(ctx); err == nil {
					b.Fatal("admitted")
				}
			}
		})
	}
	b.Run("open", func(b *testing.B) {
		br := benchBreaker(b, Config{ConsecutiveFailures: 1, OpenDuration: time.Hour})
		p, _ := br.Acquire(context.Background())
		p.Done(errBoom)
		run(b, br)
	})
	b.Run("forced-open", func(b *testing.B) {
		br := benchBreaker(b, Config{})
		br.ForceOpen()
		run(b, br)
	})
}
