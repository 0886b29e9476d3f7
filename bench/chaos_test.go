package bench

// Fault-injection and error-code benchmarks. None of the peer libraries
// injects faults or maps business error codes, so these areas have only
// our implementation; they track the cost chaos and errcode add to a call.
//
// Areas:
//   - ChaosAcquire: an enabled injector with a 1% error fault and a
//     scheduled 1% abort fault decides a call (Acquire + Done); 98% pass,
//     so this is the per-call overhead of leaving chaos on (latency faults
//     are left out: they would measure the sleep).
//   - ChaosDisabled: the same injector switched off, the production
//     setting: one atomic load.
//   - ErrcodeClassify: resilience.Classify of a business *errcode.Error
//     wrapped by fmt.Errorf, as every guard does on each failed call.
//   - ErrcodeProblemRoundTrip: WriteProblem into a recorder, then
//     DecodeProblem of the body.
//
// ChaosAcquire has a ChaosAcquireParallel twin under b.RunParallel.

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/errcode"
)

func newBenchInjector(b *testing.B, enabled bool) *chaos.Injector {
	inj, err := chaos.New(chaos.Config{Enabled: enabled, Seed: 1, Faults: []chaos.Fault{
		{Name: "err", Kind: chaos.KindError, Probability: 0.01},
		{Name: "gone", Kind: chaos.KindAbort, HTTPStatus: 503, Probability: 0.01,
			Schedule: chaos.Schedule{Every: time.Minute, For: 30 * time.Second}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return inj
}

func BenchmarkChaosAcquire(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		inj := newBenchInjector(b, true)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			p, err := inj.Acquire(ctx)
			p.Done(err)
		}
	})
}

func BenchmarkChaosAcquireParallel(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		inj := newBenchInjector(b, true)
		ctx := context.Background()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p, err := inj.Acquire(ctx)
				p.Done(err)
			}
		})
	})
}

func BenchmarkChaosDisabled(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		inj := newBenchInjector(b, false)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			p, err := inj.Acquire(ctx)
			p.Done(err)
		}
	})
}

func benchRegistry(b *testing.B) *errcode.Registry {
	reg := &errcode.Registry{}
	if err := reg.Register(errcode.Definition{Code: 10001, Name: "USER_NOT_FOUND", Message: "user %s not found", GRPC: errcode.GRPCNotFound}); err != nil {
		b.Fatal(err)
	}
	return reg
}

func BenchmarkErrcodeClassify(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		err := fmt.Errorf("loading profile: %w", benchRegistry(b).New(10001, "u-1"))
		b.ReportAllocs()
		for b.Loop() {
			if resilience.Classify(err) != resilience.OutcomeSuccess {
				b.Fatal("business error classified as a failure")
			}
		}
	})
}

func BenchmarkErrcodeProblemRoundTrip(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		reg := benchRegistry(b)
		e := reg.New(10001, "u-1").WithDetail("id", "u-1")
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			errcode.WriteProblem(rec, e)
			if _, err := reg.DecodeProblem(rec.Body, rec.Code); err != nil {
				b.Fatal(err)
			}
		}
	})
}
