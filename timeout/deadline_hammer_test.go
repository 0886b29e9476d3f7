package timeout

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/internal/wheel"
)

// TestWithDeadlineHammer creates, cancels and lets expire contexts from
// many goroutines, with shared parents ending meanwhile: each context ends
// exactly once with a consistent error, and no timer stays armed.
func TestWithDeadlineHammer(t *testing.T) {
	const workers, perWorker = 8, 300
	before := wheel.Pending()
	parent, pcancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for i := range perWorker {
				if w == 0 && i == perWorker/2 {
					pcancel()
				}
				if !hammerOne(t, parent, r) {
					return
				}
			}
		}()
	}
	wg.Wait()
	pcancel()
	if n := wheel.Pending(); n != before {
		t.Errorf("wheel.Pending() = %d after every cancel want %d", n, before)
	}
	waitWheelIdle(t)
}

// hammerOne makes one context under parent, perhaps waits for its end,
// cancels it and checks it; it reports whether the checks passed.
func hammerOne(t *testing.T, parent context.Context, r *rand.Rand) bool {
	d := time.Duration(r.IntN(2000)) * time.Microsecond
	ctx, cancel := WithTimeout(parent, d)
	defer cancel()
	if r.IntN(2) == 0 {
		_ = ctx.Done()
	}
	child, ccancel := context.WithCancel(ctx)
	defer ccancel()
	if r.IntN(3) == 0 {
		select {
		case <-ctx.Done():
		case <-time.After(bound):
			t.Errorf("a %v context did not end within %v", d, bound)
			return false
		}
	}
	cancel()
	switch err := ctx.Err(); err {
	case context.Canceled, context.DeadlineExceeded:
	default:
		t.Errorf("Err() after cancel = %v", err)
		return false
	}
	select { // package context hears of the end in a goroutine
	case <-child.Done():
	case <-time.After(bound):
		t.Error("a child outlived its parent's cancel")
		return false
	}
	return true
}

func TestWithTimeoutAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	base := testing.AllocsPerRun(100, func() {
		_, cancel := context.WithTimeout(context.Background(), time.Hour)
		cancel()
	})
	// The context and the cancel function.
	if n := testing.AllocsPerRun(100, func() {
		_, cancel := WithTimeout(context.Background(), time.Hour)
		cancel()
	}); n > 2 || n > base {
		t.Errorf("WithTimeout and cancel allocate %v times want at most 2 and context.WithTimeout's %v", n, base)
	}
	waitWheelIdle(t)
}

func BenchmarkWithTimeout(b *testing.B) {
	parent, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.Run("wheel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := WithTimeout(parent, time.Minute)
			cancel()
		}
	})
	b.Run("context", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, cancel := context.WithTimeout(parent, time.Minute)
			cancel()
		}
	})
}
