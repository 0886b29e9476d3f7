package timeout

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/internal/leaktest"
)

// TestWheelHammer runs thousands of real-clock calls from many goroutines
// at once: some expire, some succeed, some are cancelled by their caller,
// some hand their context to a goroutine that outlives the call. Every
// call must end with its own error, and nothing may be left running.
func TestWheelHammer(t *testing.T) {
	rec := &recorder{}
	short := mustNew(t, Config{Name: "short", Timeout: time.Millisecond, Listener: rec})
	long := mustNew(t, Config{Name: "long", Timeout: time.Hour, Listener: rec})
	errBusiness := errors.New("bad input")
	const workers, perWorker = 8, 400
	var wg, outliving sync.WaitGroup
	var expired atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				kind := (w + i) % 7
				parent, cancel := context.WithCancel(context.Background())
				to := long
				if kind == 1 || kind == 5 {
					to = short
				}
				err := to.Execute(parent, func(ctx context.Context) error {
					switch kind {
					case 1: // overruns and honours ctx
						<-ctx.Done()
						return ctx.Err()
					case 2: // the caller cancels
						go cancel()
						<-ctx.Done()
						return ctx.Err()
					case 3: // a goroutine keeps ctx after the call
						outliving.Add(1)
						go func() {
							defer outliving.Done()
							<-ctx.Done()
							if ctx.Err() != context.Canceled {
								t.Errorf("after the call: Err() = %v want Canceled", ctx.Err())
							}
						}()
						return nil
					case 4:
						_ = ctx.Done()
						return errBusiness
					case 5, 6: // derives a context, as net/http does
						child, childCancel := context.WithCancelCause(ctx)
						defer childCancel(nil)
						if kind == 6 {
							go cancel()
						}
						<-child.Done()
						want := context.DeadlineExceeded
						if kind == 6 {
							want = context.Canceled
						}
						if child.Err() != want {
							t.Errorf("derived context: Err() = %v want %v", child.Err(), want)
						}
						return child.Err()
					}
					return nil
				})
				cancel()
				var want error
				switch kind {
				case 1, 5:
					want = ErrTimeout
					expired.Add(1)
				case 2, 6:
					want = context.Canceled
				case 4:
					want = errBusiness
				}
				if err != want {
					t.Errorf("call of kind %d returned %v want %v", kind, err, want)
				}
			}
		}()
	}
	wg.Wait()
	outliving.Wait()
	if n := int64(len(rec.Events())); n != expired.Load() {
		t.Errorf("%d events want %d, one per expired call", n, expired.Load())
	}
	for _, e := range rec.Events() {
		if e.Name != "short" {
			t.Errorf("event from %q want only from short", e.Name)
		}
	}
	waitWheelIdle(t)
	leaktest.VerifyNone(t)
}
