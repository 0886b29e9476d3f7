package bench

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience/timeout"
)

type deadlineImpl struct {
	name string
	with func(context.Context, time.Duration) (context.Context, context.CancelFunc)
}

var deadlineImpls = []deadlineImpl{
	{"resilience", timeout.WithTimeout},
	{"context", context.WithTimeout},
}

// BenchmarkContextDeadline derives a deadline context under a caller's
// cancellable one and cancels it, as a call that finishes in time does.
func BenchmarkContextDeadline(b *testing.B) {
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, impl := range deadlineImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, cancel := impl.with(parent, time.Minute)
				cancel()
			}
		})
	}
}

// BenchmarkContextDeadlineDone also waits on Done, as a select would.
func BenchmarkContextDeadlineDone(b *testing.B) {
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, impl := range deadlineImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := impl.with(parent, time.Minute)
				_ = ctx.Done()
				cancel()
			}
		})
	}
}

// BenchmarkContextDeadlineChild derives a context.WithCancel from the
// deadline context, as grpc-go does for every call: package context joins
// a child to a parent of its own through a map entry, and to the wheel's
// context through its AfterFunc.
func BenchmarkContextDeadlineChild(b *testing.B) {
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, impl := range deadlineImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := impl.with(parent, time.Minute)
				child, ccancel := context.WithCancel(ctx)
				_ = child.Done()
				ccancel()
				cancel()
			}
		})
	}
}

type benchKey struct{}

// BenchmarkContextDeadlineWrappedChild is ...Child with a context.WithValue
// between the deadline context and the child, as interceptors add: package
// context still finds its own parent's canceller through it, but not the
// wheel context's AfterFunc, and starts a goroutine per child.
func BenchmarkContextDeadlineWrappedChild(b *testing.B) {
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, impl := range deadlineImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := impl.with(parent, time.Minute)
				child, ccancel := context.WithCancel(context.WithValue(ctx, benchKey{}, 1))
				_ = child.Done()
				ccancel()
				cancel()
			}
		})
	}
}
