package bulkhead_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/bulkhead"
)

// TestSemaphoreHammer has many goroutines acquire and release, with and
// without waiting, while the limit changes, and checks that the limit is
// never exceeded and that everything is given back.
func TestSemaphoreHammer(t *testing.T) {
	tests := []struct {
		name    string
		maxWait time.Duration
	}{{"no-wait", 0}, {"wait", time.Hour}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const limit, goroutines, iterations = 4, 16, 2000
			s := mustNew(t, bulkhead.Config{MaxConcurrent: limit, MaxWait: tt.maxWait})
			var current, peak, admitted atomic.Int64
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := context.Background()
					for i := range iterations {
						var p interface{ Done(error) }
						var err error
						if (g+i)%3 == 0 {
							pp, ok := s.TryAcquire()
							p = pp
							if !ok {
								err = bulkhead.ErrFull
							}
						} else {
							pp, e := s.Acquire(ctx)
							p, err = pp, e
						}
						if err != nil {
							if !errors.Is(err, bulkhead.ErrFull) {
								t.Errorf("Acquire = %v", err)
							}
							continue
						}
						n := current.Add(1)
						for {
							old := peak.Load()
							if n <= old || peak.CompareAndSwap(old, n) {
								break
							}
						}
						admitted.Add(1)
						current.Add(-1)
						p.Done(nil)
					}
				}()
			}
			wg.Wait()
			if got := peak.Load(); got > limit {
				t.Errorf("peak concurrency = %d want <= %d", got, limit)
			}
			if st := s.Stats(); st.InFlight != 0 || st.Waiting != 0 {
				t.Errorf("Stats() after the hammer = %+v want nothing in flight or waiting", st)
			}
			if tt.maxWait > 0 && admitted.Load() != goroutines*iterations {
				t.Errorf("admitted %d of %d calls; with a long MaxWait every call must get in", admitted.Load(), goroutines*iterations)
			}
		})
	}
}

// TestSemaphoreHammerResize changes the limit while callers wait, and checks
// that no waiter is stranded.
func TestSemaphoreHammerResize(t *testing.T) {
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 2, MaxWait: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var calls atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				p, err := s.Acquire(ctx)
				if err != nil {
					t.Errorf("Acquire = %v", err)
					return
				}
				calls.Add(1)
				p.Done(nil)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for i := 0; ; i++ {
		select {
		case <-done:
			cancel()
			if got := calls.Load(); got != 8*500 {
				t.Errorf("calls = %d want %d", got, 8*500)
			}
			if st := s.Stats(); st.InFlight != 0 || st.Waiting != 0 {
				t.Errorf("Stats() = %+v want idle", st)
			}
			return
		default:
			if err := s.SetMaxConcurrent(1 + i%5); err != nil {
				t.Fatal(err)
			}
		}
	}
}
