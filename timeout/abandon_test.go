package timeout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/internal/leaktest"
)

// TestAbandonReturnsAtLimit runs a function that ignores its context: the
// caller gets ErrTimeout at the limit, and the function's goroutine ends
// when the function returns.
func TestAbandonReturnsAtLimit(t *testing.T) {
	clk := clock.NewManual(t0)
	to, err := New(Config{Timeout: time.Second, Clock: clk, Abandon: true})
	if err != nil {
		t.Fatal(err)
	}
	started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := Do(context.Background(), to, func(ctx context.Context) (int, error) {
			defer close(finished)
			close(started)
			<-release // ignores ctx
			return 1, nil
		})
		done <- err
	}()
	<-started
	clk.Advance(time.Second)
	if err := <-done; err != ErrTimeout {
		t.Fatalf("Do() = %v want ErrTimeout", err)
	}
	select {
	case <-finished:
		t.Fatal("fn finished before it was released")
	default:
	}
	close(release)
	<-finished
	leaktest.VerifyNone(t) // fn's goroutine is gone once fn returned
}

func TestAbandonOutcomes(t *testing.T) {
	errBusiness := errors.New("bad input")
	tests := []struct {
		name   string
		fn     func(ctx context.Context, clk *clock.Manual) (int, error)
		cancel bool
		wantV  int
		want   error
	}{
		{"success", func(context.Context, *clock.Manual) (int, error) { return 3, nil }, false, 3, nil},
		{"error", func(context.Context, *clock.Manual) (int, error) { return 0, errBusiness }, false, 0, errBusiness},
		{"honours-ctx", func(ctx context.Context, clk *clock.Manual) (int, error) {
			clk.Advance(time.Second)
			<-ctx.Done()
			return 5, ctx.Err()
		}, false, 0, ErrTimeout}, // the value may be dropped: zero or 5
		{"caller-canceled", func(ctx context.Context, _ *clock.Manual) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}, true, 0, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			to, err := New(Config{Timeout: time.Second, Clock: clk, Abandon: true})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			v, err := Do(ctx, to, func(ctx context.Context) (int, error) { return tt.fn(ctx, clk) })
			if err != tt.want || (tt.want != ErrTimeout && v != tt.wantV) {
				t.Errorf("Do() = %d, %v want %d, %v", v, err, tt.wantV, tt.want)
			}
			err = to.Execute(ctx, func(ctx context.Context) error { _, err := tt.fn(ctx, clk); return err })
			if err != tt.want {
				t.Errorf("Execute() = %v want %v", err, tt.want)
			}
		})
	}
}

func TestAbandonPanicReachesWaitingCaller(t *testing.T) {
	to, err := New(Config{Timeout: time.Hour, Clock: clock.NewManual(t0), Abandon: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recover() = %v want boom", r)
		}
	}()
	_ = to.Execute(context.Background(), func(context.Context) error { panic("boom") })
}
