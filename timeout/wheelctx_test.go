package timeout

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/internal/wheel"
)

// The real clock's default contexts (wheelCtx) run on the process's timer
// wheel and real time. Tests wait for events, bounded by bound, and assert
// only what holds whatever the scheduling: a context never expires before
// its limit has passed since Enter.
const bound = 10 * time.Second

func waitDone(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(bound):
		t.Fatalf("%s: Done not closed within %v", what, bound)
	}
}

// waitWheelIdle waits for the wheel's goroutine to stop, so that tests
// leave no goroutine behind.
func waitWheelIdle(t *testing.T) {
	t.Helper()
	select {
	case <-wheel.Idle():
	case <-time.After(bound):
		t.Fatalf("the wheel's goroutine did not stop within %v (pending %d)", bound, wheel.Pending())
	}
}

func mustNew(t testing.TB, cfg Config) *Timeout {
	t.Helper()
	to, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return to
}

func TestWheelCtxDeadline(t *testing.T) {
	to := mustNew(t, Config{Timeout: time.Minute})
	n0 := wheel.Now()
	inner, cancel, err := to.Enter(context.Background())
	n1 := wheel.Now()
	c, ok := inner.(*wheelCtx)
	if !ok || cancel != nil || err != nil {
		t.Fatalf("Enter() = %T, cancel %v, %v want a *wheelCtx, nil, nil", inner, cancel != nil, err)
	}
	dl, ok := c.Deadline()
	lo, hi := wheel.Time(n0+int64(time.Minute)), wheel.Time(n1+int64(time.Minute)+int64(wheel.Resolution))
	if !ok || dl.Before(lo) || dl.After(hi) {
		t.Errorf("Deadline() = %v, %v want between %v and %v", dl, ok, lo, hi)
	}
	if d := time.Until(dl); d <= 59*time.Second || d > time.Minute+time.Second {
		t.Errorf("time.Until(Deadline()) = %v want about 1m", d)
	}
	if c.Err() != nil || context.Cause(c) != nil {
		t.Errorf("before expiry: Err() = %v, Cause() = %v want nil, nil", c.Err(), context.Cause(c))
	}
	select {
	case <-c.Done():
		t.Fatal("Done closed before expiry")
	default:
	}
	if !strings.Contains(c.String(), "WithDeadline(") {
		t.Errorf("String() = %q want it to name the deadline", c.String())
	}
	if err := to.Exit(context.Background(), inner, nil); err != nil {
		t.Errorf("Exit() = %v want nil", err)
	}
	if c.Err() != context.Canceled || context.Cause(c) != context.Canceled {
		t.Errorf("after Exit: Err() = %v, Cause() = %v want Canceled, Canceled", c.Err(), context.Cause(c))
	}
	waitDone(t, c, "released context")
	if c.timer.Stop() {
		t.Error("Exit left the timer armed")
	}
	waitWheelIdle(t)
}

func TestCancelCtxKeyProbed(t *testing.T) {
	if cancelCtxKey == nil {
		t.Fatal("the context.Cause lookup key was not found: expired contexts report DeadlineExceeded as their cause")
	}
}

func TestWheelCtxExpiry(t *testing.T) {
	rec := &recorder{}
	const limit = 2 * time.Millisecond
	to := mustNew(t, Config{Name: "db", Timeout: limit, Listener: rec})
	var inner context.Context
	start := time.Now()
	err := to.Execute(context.Background(), func(ctx context.Context) error {
		inner = ctx
		waitDone(t, ctx, "expiring context")
		return ctx.Err()
	})
	if elapsed := time.Since(start); elapsed < limit {
		t.Errorf("expired after %v, before the limit %v", elapsed, limit)
	}
	if err != ErrTimeout {
		t.Errorf("Execute() = %v want ErrTimeout", err)
	}
	if inner.Err() != context.DeadlineExceeded {
		t.Errorf("Err() = %v want DeadlineExceeded", inner.Err())
	}
	cause := context.Cause(inner)
	if cause != to.cause || !errors.Is(cause, ErrTimeout) || !errors.Is(cause, context.DeadlineExceeded) {
		t.Errorf("Cause() = %v want the Timeout's cause, matching ErrTimeout", cause)
	}
	if ev := rec.Events(); len(ev) != 1 || ev[0].Kind != resilience.EventTimeout || ev[0].Name != "db" {
		t.Errorf("events = %+v want one EventTimeout from db", ev)
	}
	// Derived contexts see the expiry and its cause.
	child, cancel := context.WithCancel(inner)
	defer cancel()
	waitDone(t, child, "child of an expired context")
	if child.Err() != context.DeadlineExceeded || context.Cause(child) != to.cause {
		t.Errorf("child: Err() = %v, Cause() = %v want DeadlineExceeded, the Timeout's cause", child.Err(), context.Cause(child))
	}
	waitWheelIdle(t)
}

// TestWheelCtxDerivedExpiry: a context derived with package context
// before the expiry registers through AfterFunc and ends with it.
func TestWheelCtxDerivedExpiry(t *testing.T) {
	to := mustNew(t, Config{Timeout: 2 * time.Millisecond})
	inner, _, _ := to.Enter(context.Background())
	child, cancel := context.WithCancel(inner)
	defer cancel()
	ran := make(chan struct{})
	stop := context.AfterFunc(inner, func() { close(ran) })
	stopped := context.AfterFunc(inner, func() { t.Error("a stopped AfterFunc ran") })
	if !stopped() {
		t.Error("stop() before expiry = false")
	}
	waitDone(t, child, "child")
	if child.Err() != context.DeadlineExceeded || context.Cause(child) != to.cause {
		t.Errorf("child: Err() = %v, Cause() = %v want DeadlineExceeded, the cause", child.Err(), context.Cause(child))
	}
	select {
	case <-ran:
	case <-time.After(bound):
		t.Fatal("AfterFunc did not run after expiry")
	}
	if stop() {
		t.Error("stop() after the function ran = true")
	}
	late := make(chan struct{})
	context.AfterFunc(inner, func() { close(late) })
	<-late // registered after the end: runs at once
	if err := to.Exit(context.Background(), inner, nil); err != ErrTimeout {
		t.Errorf("Exit() = %v want ErrTimeout", err)
	}
	waitWheelIdle(t)
}

func TestWheelCtxValue(t *testing.T) {
	type key struct{}
	parent := context.WithValue(context.Background(), key{}, "v")
	to := mustNew(t, Config{Timeout: time.Millisecond})
	var inner context.Context
	_ = to.Execute(parent, func(ctx context.Context) error {
		inner = ctx
		if ctx.Value(key{}) != "v" || ctx.Value("other") != nil {
			t.Errorf("Value() = %v, %v want v, nil", ctx.Value(key{}), ctx.Value("other"))
		}
		waitDone(t, ctx, "expiry")
		return nil
	})
	if inner.Value(key{}) != "v" {
		t.Errorf("Value() after expiry = %v want v", inner.Value(key{}))
	}
	waitWheelIdle(t)
}

func TestWheelCtxConcurrentDone(t *testing.T) {
	to := mustNew(t, Config{Timeout: time.Hour})
	inner, _, _ := to.Enter(context.Background())
	const n = 16
	chans := make([]<-chan struct{}, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chans[i] = inner.Done()
		}()
	}
	wg.Wait()
	for i := range n {
		if chans[i] != chans[0] || chans[i] == nil {
			t.Fatalf("Done() #%d = %v want the same channel as #0 (%v)", i, chans[i], chans[0])
		}
	}
	go func() { _ = to.Exit(context.Background(), inner, nil) }()
	for i := range n {
		select {
		case <-chans[i]:
		case <-time.After(bound):
			t.Fatal("Done not closed after Exit")
		}
	}
	if inner.Done() != chans[0] {
		t.Error("Done() changed after the end")
	}
	waitWheelIdle(t)
}
