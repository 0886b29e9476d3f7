package timeout

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// With Config.Precise the real clock's contexts come from package context;
// synctest gives them a fake clock, so these tests never wait for real
// time. The default, wheel-based contexts do not follow a bubble's clock:
// wheelctx_test.go tests them.

func TestPreciseExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		to, err := New(Config{Timeout: time.Second, Listener: rec, Precise: true})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err = to.Execute(context.Background(), func(ctx context.Context) error {
			if dl, ok := ctx.Deadline(); !ok || !dl.Equal(start.Add(time.Second)) {
				t.Errorf("Deadline() = %v, %v want %v", dl, ok, start.Add(time.Second))
			}
			<-ctx.Done()
			return ctx.Err()
		})
		if err != ErrTimeout || len(rec.Events()) != 1 {
			t.Errorf("Execute() = %v with %d events want ErrTimeout with 1", err, len(rec.Events()))
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("Execute returned after %v want 1s", got)
		}
	})
}

func TestPrecisePassThrough(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration // the caller's; 0 means none
		cancelAt time.Duration // when the caller cancels; 0 means never
		want     error
		sameCtx  bool
	}{
		{"caller-deadline-sooner", 500 * time.Millisecond, 0, context.DeadlineExceeded, true},
		{"caller-deadline-later", 5 * time.Second, 0, ErrTimeout, false},
		{"caller-cancels", 0, 300 * time.Millisecond, context.Canceled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				to, err := New(Config{Timeout: time.Second, Precise: true})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.deadline > 0 {
					var dcancel context.CancelFunc
					ctx, dcancel = context.WithTimeout(ctx, tt.deadline)
					defer dcancel()
				}
				if tt.cancelAt > 0 {
					time.AfterFunc(tt.cancelAt, cancel)
				}
				var same bool
				err = to.Execute(ctx, func(inner context.Context) error {
					same = inner == ctx
					<-inner.Done()
					return inner.Err()
				})
				if err != tt.want || same != tt.sameCtx {
					t.Errorf("Execute() = %v, same ctx %v want %v, %v", err, same, tt.want, tt.sameCtx)
				}
			})
		})
	}
}

func TestEnterSkipsTimerForSoonerDeadline(t *testing.T) {
	to, err := New(Config{Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	inner, innerCancel, err := to.Enter(ctx)
	if inner != ctx || innerCancel != nil || err != nil {
		t.Errorf("Enter() = %v, %v, %v want the caller's ctx, nil, nil", inner, innerCancel != nil, err)
	}
}
