package timeout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/internal/wheel"
)

// These tests run WithDeadline and WithTimeout on the process's wheel and
// real time; like wheelctx_test.go they wait for events, bounded, and
// assert only that a context never ends before its deadline.

func TestWithDeadlineExpiry(t *testing.T) {
	tests := []struct {
		name string
		make func(parent context.Context, d time.Duration) (context.Context, context.CancelFunc)
	}{
		{"WithTimeout", WithTimeout},
		{"WithDeadline", func(parent context.Context, d time.Duration) (context.Context, context.CancelFunc) {
			return WithDeadline(parent, time.Now().Add(d))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const limit = 3 * time.Millisecond
			start := time.Now()
			ctx, cancel := tt.make(context.Background(), limit)
			defer cancel()
			if _, ok := ctx.(*wheelCtx); !ok {
				t.Fatalf("%s() = %T want a *wheelCtx", tt.name, ctx)
			}
			if dl, ok := ctx.Deadline(); !ok || dl.Before(start.Add(limit)) || dl.After(start.Add(limit+time.Second)) {
				t.Errorf("Deadline() = %v, %v want about %v", dl, ok, start.Add(limit))
			}
			if ctx.Err() != nil {
				t.Errorf("Err() before expiry = %v want nil", ctx.Err())
			}
			waitDone(t, ctx, tt.name)
			if elapsed := time.Since(start); elapsed < limit {
				t.Errorf("ended after %v, before its limit %v", elapsed, limit)
			}
			if ctx.Err() != context.DeadlineExceeded || context.Cause(ctx) != context.DeadlineExceeded {
				t.Errorf("Err() = %v, Cause() = %v want DeadlineExceeded twice", ctx.Err(), context.Cause(ctx))
			}
			child, ccancel := context.WithCancel(ctx)
			defer ccancel()
			if child.Err() != context.DeadlineExceeded || context.Cause(child) != context.DeadlineExceeded {
				t.Errorf("child: Err() = %v, Cause() = %v want DeadlineExceeded twice", child.Err(), context.Cause(child))
			}
			cancel() // after the expiry: nothing changes
			if ctx.Err() != context.DeadlineExceeded {
				t.Errorf("Err() after a late cancel = %v want DeadlineExceeded", ctx.Err())
			}
			waitWheelIdle(t)
		})
	}
}

func TestWithDeadlineExactDeadline(t *testing.T) {
	d := time.Now().Add(time.Hour)
	ctx, cancel := WithDeadline(context.Background(), d)
	defer cancel()
	if dl, ok := ctx.Deadline(); !ok || !dl.Equal(d) {
		t.Errorf("Deadline() = %v, %v want %v", dl, ok, d)
	}
	wall := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC) // no monotonic reading
	ctx2, cancel2 := WithDeadline(context.Background(), wall)
	defer cancel2()
	if dl, _ := ctx2.Deadline(); !dl.Equal(wall) {
		t.Errorf("Deadline() of a wall-clock deadline = %v want %v", dl, wall)
	}
	if !strings.Contains(ctx.(*wheelCtx).String(), "WithDeadline(") {
		t.Errorf("String() = %q want it to name the deadline", ctx.(*wheelCtx).String())
	}
}

func TestWithDeadlineAlreadyPast(t *testing.T) {
	before := wheel.Pending()
	for _, tt := range []struct {
		name string
		make func() (context.Context, context.CancelFunc)
	}{
		{"past-deadline", func() (context.Context, context.CancelFunc) {
			return WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}},
		{"zero-timeout", func() (context.Context, context.CancelFunc) { return WithTimeout(context.Background(), 0) }},
		{"negative-timeout", func() (context.Context, context.CancelFunc) { return WithTimeout(context.Background(), -time.Hour) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.make()
			if ctx.Err() != context.DeadlineExceeded || context.Cause(ctx) != context.DeadlineExceeded {
				t.Errorf("Err() = %v, Cause() = %v want DeadlineExceeded at once", ctx.Err(), context.Cause(ctx))
			}
			select {
			case <-ctx.Done():
			default:
				t.Error("Done() not closed at once")
			}
			if _, ok := ctx.Deadline(); !ok {
				t.Error("Deadline() reports none")
			}
			cancel()
			if ctx.Err() != context.DeadlineExceeded {
				t.Errorf("Err() after cancel = %v want DeadlineExceeded", ctx.Err())
			}
		})
	}
	if n := wheel.Pending(); n != before {
		t.Errorf("wheel.Pending() = %d want %d: an expired context left a timer armed", n, before)
	}
	waitWheelIdle(t)
}

// TestWithDeadlineCancelReleases: cancel ends the context and disarms its
// timer at once, whether or not Done was asked for.
func TestWithDeadlineCancelReleases(t *testing.T) {
	for _, askDone := range []bool{false, true} {
		before := wheel.Pending()
		ctx, cancel := WithTimeout(context.Background(), time.Hour)
		if n := wheel.Pending(); n != before+1 {
			t.Fatalf("wheel.Pending() = %d after WithTimeout want %d", n, before+1)
		}
		var done <-chan struct{}
		if askDone {
			done = ctx.Done()
		}
		child, ccancel := context.WithCancel(ctx)
		cancel()
		if n := wheel.Pending(); n != before {
			t.Errorf("askDone %v: wheel.Pending() = %d after cancel want %d", askDone, n, before)
		}
		if ctx.Err() != context.Canceled || context.Cause(ctx) != context.Canceled {
			t.Errorf("askDone %v: Err() = %v, Cause() = %v want Canceled twice", askDone, ctx.Err(), context.Cause(ctx))
		}
		if done != nil {
			<-done
		}
		waitDone(t, child, "a child after cancel")
		if child.Err() != context.Canceled {
			t.Errorf("child.Err() = %v want Canceled", child.Err())
		}
		ccancel()
		cancel() // twice: nothing happens
	}
	waitWheelIdle(t)
}

func TestWithDeadlineParentEnds(t *testing.T) {
	cause := errors.New("client went away")
	for _, tt := range []struct {
		name    string
		askDone bool // ask for Done before the parent ends
	}{
		{"lazy", false},
		{"done-first", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parent, pcancel := context.WithCancelCause(context.Background())
			ctx, cancel := WithDeadline(parent, time.Now().Add(time.Hour))
			defer cancel()
			ran := make(chan struct{})
			context.AfterFunc(ctx, func() { close(ran) })
			if tt.askDone {
				_ = ctx.Done()
			}
			pcancel(cause)
			waitDone(t, ctx, "a child of a cancelled parent")
			if ctx.Err() != context.Canceled || context.Cause(ctx) != cause {
				t.Errorf("Err() = %v, Cause() = %v want Canceled, %v", ctx.Err(), context.Cause(ctx), cause)
			}
			select {
			case <-ran:
			case <-time.After(bound):
				t.Fatal("AfterFunc did not run after the parent ended")
			}
		})
	}
	waitWheelIdle(t)
}

// TestWithDeadlineNested: a wheel context under another ends with its
// parent's expiry, and the child's cancel leaves the parent alone.
func TestWithDeadlineNested(t *testing.T) {
	parent, pcancel := WithTimeout(context.Background(), 2*time.Millisecond)
	defer pcancel()
	child, cancel := WithTimeout(parent, time.Hour)
	defer cancel()
	other, ocancel := WithTimeout(parent, time.Hour)
	if dl, _ := child.Deadline(); !dl.Equal(mustDeadline(t, parent)) {
		t.Errorf("child Deadline() = %v want the parent's sooner %v", dl, mustDeadline(t, parent))
	}
	ocancel()
	if other.Err() != context.Canceled || parent.Err() != nil {
		t.Errorf("after the sibling's cancel: sibling %v, parent %v want Canceled, nil", other.Err(), parent.Err())
	}
	waitDone(t, child, "the child of an expiring wheel context")
	if child.Err() != context.DeadlineExceeded {
		t.Errorf("child.Err() = %v want DeadlineExceeded", child.Err())
	}
	waitWheelIdle(t)
}

// TestWithDeadlineWrappedChild: a context derived by package context
// behind a context.WithValue ends with the wheel context, with its error.
func TestWithDeadlineWrappedChild(t *testing.T) {
	type key struct{}
	for _, expire := range []bool{false, true} {
		d := time.Hour
		want := context.Canceled
		if expire {
			d, want = 2*time.Millisecond, context.DeadlineExceeded
		}
		ctx, cancel := WithTimeout(context.Background(), d)
		child, ccancel := context.WithCancel(context.WithValue(ctx, key{}, 1))
		if !expire {
			cancel()
		}
		waitDone(t, child, "a child behind a WithValue")
		if child.Err() != want || child.Value(key{}) != 1 {
			t.Errorf("expire %v: child.Err() = %v want %v", expire, child.Err(), want)
		}
		ccancel()
		cancel()
	}
	waitWheelIdle(t)
}

func mustDeadline(t *testing.T, ctx context.Context) time.Time {
	t.Helper()
	dl, ok := ctx.Deadline()
	if !ok {
		t.Fatal("no deadline")
	}
	return dl
}

// TestWithDeadlineParentSooner: no timer is armed; the context reports the
// parent's deadline, and its cancel ends it alone.
func TestWithDeadlineParentSooner(t *testing.T) {
	parent, pcancel := context.WithTimeout(context.Background(), time.Minute)
	defer pcancel()
	pdl, _ := parent.Deadline()
	before := wheel.Pending()
	ctx, cancel := WithDeadline(parent, time.Now().Add(time.Hour))
	if n := wheel.Pending(); n != before {
		t.Errorf("wheel.Pending() = %d want %d: a timer was armed", n, before)
	}
	if dl, ok := ctx.Deadline(); !ok || !dl.Equal(pdl) {
		t.Errorf("Deadline() = %v, %v want the parent's %v", dl, ok, pdl)
	}
	if ctx == parent {
		t.Fatal("WithDeadline returned the parent itself: its cancel could not end it")
	}
	done := ctx.Done()
	cancel()
	<-done
	if ctx.Err() != context.Canceled || parent.Err() != nil {
		t.Errorf("after cancel: Err() = %v, parent.Err() = %v want Canceled, nil", ctx.Err(), parent.Err())
	}

	// The parent's end reaches it too.
	ctx2, cancel2 := WithTimeout(parent, time.Hour)
	defer cancel2()
	pcancel()
	waitDone(t, ctx2, "a timerless context whose parent ended")
	if ctx2.Err() != context.Canceled {
		t.Errorf("Err() = %v want the parent's Canceled", ctx2.Err())
	}
	waitWheelIdle(t)
}

func TestWithDeadlineNilParentPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("WithTimeout(nil, 1s) did not panic")
		}
	}()
	_, _ = WithTimeout(nil, time.Second)
}
