package timeout

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// TestHammer shares one Timeout between goroutines whose calls succeed,
// fail, run out of time or are cancelled by their caller, while the clock
// moves.
func TestHammer(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	to, err := New(Config{Timeout: time.Second, Clock: clk, Listener: rec})
	if err != nil {
		t.Fatal(err)
	}
	errBusiness := errors.New("bad input")
	const workers, perWorker = 8, 300
	var wg sync.WaitGroup
	var mu sync.Mutex
	timeouts := 0
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				ctx, cancel := context.WithCancel(context.Background())
				kind := (w + i) % 4
				err := to.Execute(ctx, func(ctx context.Context) error {
					switch kind {
					case 0:
						return nil
					case 1:
						return errBusiness
					case 2:
						cancel()
						return ctx.Err()
					}
					// Overrun. Another goroutine's Advance may be the one
					// firing this timer, so wait for it to have fired.
					clk.Advance(2 * time.Second)
					<-ctx.Done()
					return ctx.Err()
				})
				cancel()
				switch {
				case err == ErrTimeout:
					mu.Lock()
					timeouts++
					mu.Unlock()
				case kind == 3:
					t.Errorf("overrunning call returned %v want ErrTimeout", err)
				case kind == 2 && err != context.Canceled:
					t.Errorf("cancelled call returned %v want context.Canceled", err)
				case kind == 1 && err != errBusiness:
					t.Errorf("failed call returned %v want its error", err)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(rec.Events()); n != timeouts || timeouts < workers*perWorker/4 {
		t.Errorf("%d events for %d timeouts want equal and at least %d", n, timeouts, workers*perWorker/4)
	}
	if clk.Timers() != 0 {
		t.Errorf("Timers() = %d after every call returned want 0", clk.Timers())
	}
}
