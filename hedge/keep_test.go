package hedge_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// TestKeepLateSuccessSparesWinner: with Keep, an attempt that succeeds
// after the call was decided (its answer was on its way when it lost, so
// it did not see its cancellation) must not cancel the winner's context,
// which the caller is still using. The attempts here ignore their
// contexts and return when the test says, so the order is exact.
func TestKeepLateSuccessSparesWinner(t *testing.T) {
	tests := []struct {
		name string
		// order is the order in which attempts 1..3 succeed; the first
		// one wins.
		order  []int
		winner int
	}{
		{"hedge-wins-then-another-hedge", []int{2, 3, 1}, 2},
		{"hedge-wins-then-first", []int{3, 1, 2}, 3},
		{"first-wins-then-hedges", []int{1, 2, 3}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := clock.NewManual(t0)
				h := mustNew(t, hedge.Config{Delay: inlineDelay, MaxHedges: 2, Clock: clk})
				var mu sync.Mutex
				ctxs := map[int]context.Context{}
				gates := map[int]chan struct{}{1: make(chan struct{}), 2: make(chan struct{}), 3: make(chan struct{})}
				fn := func(ctx context.Context) (int, error) {
					n := hedge.AttemptFromContext(ctx)
					mu.Lock()
					ctxs[n] = ctx
					mu.Unlock()
					<-gates[n]
					return n, nil
				}
				type out struct {
					v       int
					release context.CancelCauseFunc
					err     error
				}
				done := make(chan out, 1)
				go func() {
					v, release, err := hedge.Keep(context.Background(), h, fn)
					done <- out{v, release, err}
				}()
				for range 2 { // both hedges start
					clk.WaitForTimers(1)
					clk.Advance(inlineDelay)
				}
				synctest.Wait()
				var res out
				for _, n := range tt.order {
					close(gates[n])
					synctest.Wait() // the attempt has posted its result, and cancelled what it cancels
					if n == 1 {
						res = <-done
					}
				}
				if res.err != nil || res.v != tt.winner {
					t.Fatalf("Keep() = %d, %v want %d", res.v, res.err, tt.winner)
				}
				mu.Lock()
				defer mu.Unlock()
				for n := 1; n <= 3; n++ {
					cause := context.Cause(ctxs[n])
					switch {
					case n == tt.winner && cause != nil:
						t.Errorf("the winner's context (attempt %d) ended with %v before its release", n, cause)
					case n != tt.winner && !errors.Is(cause, hedge.ErrLost):
						t.Errorf("attempt %d's context: cause %v want ErrLost", n, cause)
					}
				}
				res.release(nil)
				if ctxs[tt.winner].Err() == nil {
					t.Errorf("the winner's context is live after release")
				}
			})
		})
	}
}
