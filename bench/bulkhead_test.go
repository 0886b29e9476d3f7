package bench

import (
	"context"
	"testing"

	"github.com/failsafe-go/failsafe-go/bulkhead"
	"golang.org/x/sync/semaphore"

	ourbulkhead "github.com/resilience-go/resilience/bulkhead"
)

// bulkheadLimit is large enough that parallel benchmarks on a few cores
// never find the bulkhead full: the areas measure admission and release.
const bulkheadLimit = 1 << 20

// chanSemaphore is the buffered-channel baseline every Go programmer writes.
type chanSemaphore chan struct{}

func (c chanSemaphore) tryAcquire() bool {
	select {
	case c <- struct{}{}:
		return true
	default:
		return false
	}
}

func (c chanSemaphore) release() { <-c }

func newOurBulkhead(b *testing.B) *ourbulkhead.Semaphore {
	s, err := ourbulkhead.New(ourbulkhead.Config{MaxConcurrent: bulkheadLimit})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkBulkhead measures one uncontended acquire and release of a free
// slot, without waiting.
func BenchmarkBulkhead(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		s := newOurBulkhead(b)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			p, err := s.Acquire(ctx)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(nil)
		}
	})
	b.Run("xsync", func(b *testing.B) {
		s := semaphore.NewWeighted(bulkheadLimit)
		b.ReportAllocs()
		for b.Loop() {
			if !s.TryAcquire(1) {
				b.Fatal("full")
			}
			s.Release(1)
		}
	})
	b.Run("chan", func(b *testing.B) {
		s := make(chanSemaphore, bulkheadLimit)
		b.ReportAllocs()
		for b.Loop() {
			if !s.tryAcquire() {
				b.Fatal("full")
			}
			s.release()
		}
	})
	b.Run("failsafe", func(b *testing.B) {
		s := bulkhead.New[any](bulkheadLimit)
		b.ReportAllocs()
		for b.Loop() {
			if !s.TryAcquirePermit() {
				b.Fatal("full")
			}
			s.ReleasePermit()
		}
	})
}

// BenchmarkBulkheadParallel is BenchmarkBulkhead from every P at once.
func BenchmarkBulkheadParallel(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		s := newOurBulkhead(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				p, err := s.Acquire(ctx)
				if err != nil {
					b.Error(err)
					return
				}
				p.Done(nil)
			}
		})
	})
	b.Run("xsync", func(b *testing.B) {
		s := semaphore.NewWeighted(bulkheadLimit)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !s.TryAcquire(1) {
					b.Error("full")
					return
				}
				s.Release(1)
			}
		})
	})
	b.Run("chan", func(b *testing.B) {
		s := make(chanSemaphore, bulkheadLimit)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !s.tryAcquire() {
					b.Error("full")
					return
				}
				s.release()
			}
		})
	})
	b.Run("failsafe", func(b *testing.B) {
		s := bulkhead.New[any](bulkheadLimit)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if !s.TryAcquirePermit() {
					b.Error("full")
					return
				}
				s.ReleasePermit()
			}
		})
	})
}
