package timeout

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestWheelCtxParentEnds(t *testing.T) {
	cause := errors.New("client went away")
	tests := []struct {
		name string
		// run cancels parent (with cause) and checks inner at some point.
		run func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc)
	}{
		{"while-waiting-on-done", func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			err := to.Execute(parent, func(ctx context.Context) error {
				go cancel(cause)
				waitDone(t, ctx, "parent cancelled")
				return ctx.Err()
			})
			if err != context.Canceled {
				t.Errorf("Execute() = %v want context.Canceled, passed through", err)
			}
		}},
		{"unobserved", func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			inner, _, _ := to.Enter(parent)
			cancel(cause)
			if inner.Err() != context.Canceled || context.Cause(inner) != cause {
				t.Errorf("Err() = %v, Cause() = %v want Canceled, %v", inner.Err(), context.Cause(inner), cause)
			}
			select {
			case <-inner.Done():
			default:
				t.Error("Done not closed after the parent's end was seen")
			}
			if err := to.Exit(parent, inner, inner.Err()); err != context.Canceled {
				t.Errorf("Exit() = %v want Canceled", err)
			}
		}},
		{"before-enter", func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			cancel(cause)
			inner, _, _ := to.Enter(parent)
			select {
			case <-inner.Done():
			default:
				t.Error("Done not closed for an ended parent")
			}
			if context.Cause(inner) != cause {
				t.Errorf("Cause() = %v want %v", context.Cause(inner), cause)
			}
			_ = to.Exit(parent, inner, nil)
		}},
		{"derived-child", func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			inner, _, _ := to.Enter(parent)
			child, childCancel := context.WithCancel(inner)
			defer childCancel()
			cancel(cause)
			waitDone(t, child, "child of a cancelled context")
			if child.Err() != context.Canceled || context.Cause(child) != cause {
				t.Errorf("child: Err() = %v, Cause() = %v want Canceled, %v", child.Err(), context.Cause(child), cause)
			}
			_ = to.Exit(parent, inner, nil)
		}},
		{"custom-parent-type", func(t *testing.T, to *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			custom := &ownDone{Context: context.Background(), ch: make(chan struct{})}
			inner, _, _ := to.Enter(custom)
			done := inner.Done()
			close(custom.ch)
			waitDone(t, inner, "custom parent closed")
			if inner.Done() != done || inner.Err() != context.Canceled {
				t.Errorf("Err() = %v want the parent's Canceled, Done stable", inner.Err())
			}
			_ = to.Exit(custom, inner, nil)
		}},
		{"parent-with-afterfunc-expires", func(t *testing.T, _ *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			af := &afterFuncParent{Context: parent, stopped: make(chan struct{})}
			short := mustNew(t, Config{Timeout: time.Millisecond})
			err := short.Execute(af, func(ctx context.Context) error {
				waitDone(t, ctx, "expiry under a parent with AfterFunc")
				return ctx.Err()
			})
			if err != ErrTimeout {
				t.Errorf("Execute() = %v want ErrTimeout", err)
			}
			// The registration made for the Done channel is stopped, on a
			// goroutine of its own after an expiry.
			select {
			case <-af.stopped:
			case <-time.After(bound):
				t.Fatal("the registration with the parent was not stopped")
			}
			if n := af.registered.Load(); n != 0 {
				t.Errorf("%d registrations left with the parent want 0", n)
			}
		}},
		{"expires-before-parent", func(t *testing.T, _ *Timeout, parent context.Context, cancel context.CancelCauseFunc) {
			short := mustNew(t, Config{Timeout: time.Millisecond})
			err := short.Execute(parent, func(ctx context.Context) error {
				waitDone(t, ctx, "short timeout")
				cancel(cause)
				return ctx.Err()
			})
			if err != ErrTimeout {
				t.Errorf("Execute() = %v want ErrTimeout: the limit came first", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := mustNew(t, Config{Timeout: time.Hour})
			parent, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			tt.run(t, to, parent, cancel)
		})
	}
	waitWheelIdle(t)
}

// ownDone is a context of a foreign type whose Done channel the test
// closes.
type ownDone struct {
	context.Context
	ch chan struct{}
}

func (c *ownDone) Done() <-chan struct{} { return c.ch }

func (c *ownDone) Err() error {
	select {
	case <-c.ch:
		return context.Canceled
	default:
		return nil
	}
}

// TestWheelCtxNested: an inner Timeout's context under an outer one's
// watches it directly, and forgets it when it ends first.
func TestWheelCtxNested(t *testing.T) {
	outerTo := mustNew(t, Config{Timeout: time.Hour})
	innerTo := mustNew(t, Config{Timeout: time.Minute})
	outer, _, _ := outerTo.Enter(context.Background())
	first, _, _ := innerTo.Enter(outer)
	if first == outer {
		t.Fatal("the sooner inner limit was skipped")
	}
	_ = first.Done()
	if err := innerTo.Exit(outer, first, nil); err != nil {
		t.Errorf("inner Exit() = %v want nil", err)
	}
	oc := outer.(*wheelCtx)
	oc.lock()
	children := 0
	for r := oc.ext; r != nil; r = r.next {
		if r.child != nil {
			children++
		}
	}
	oc.unlock()
	if children != 0 || outer.Err() != nil {
		t.Errorf("after the inner Exit: %d children, outer Err() = %v want 0, nil", children, outer.Err())
	}
	second, _, _ := innerTo.Enter(outer)
	lazy, _, _ := innerTo.Enter(outer)
	grandchild, cancel := context.WithCancel(second)
	defer cancel()
	_ = outerTo.Exit(context.Background(), outer, nil)
	waitDone(t, second, "inner context of a released outer")
	waitDone(t, grandchild, "grandchild")
	if second.(*wheelCtx).timer.Stop() {
		t.Error("the outer's release left the inner's timer armed")
	}
	if second.Err() != context.Canceled || lazy.Err() != context.Canceled || grandchild.Err() != context.Canceled {
		t.Errorf("Err() = %v, lazy %v, grandchild %v want Canceled", second.Err(), lazy.Err(), grandchild.Err())
	}
	if err := innerTo.Exit(outer, second, second.Err()); err != context.Canceled {
		t.Errorf("inner Exit() = %v want Canceled, passed through", err)
	}
	waitWheelIdle(t)
}

// TestWheelCtxSkipsSameTimeout: a Timeout used again inside its own call
// passes the context through, and its Exit must not release it.
func TestWheelCtxSkipsSameTimeout(t *testing.T) {
	to := mustNew(t, Config{Timeout: time.Hour})
	err := to.Execute(context.Background(), func(ctx context.Context) error {
		var nested context.Context
		if err := to.Execute(ctx, func(c context.Context) error { nested = c; return nil }); err != nil {
			t.Errorf("nested Execute() = %v", err)
		}
		if nested != ctx || ctx.Err() != nil {
			t.Errorf("nested got its own context %v, or released the caller's: Err() = %v", nested != ctx, ctx.Err())
		}
		inner, cancel, _ := to.Enter(ctx)
		if inner != ctx || cancel != nil || to.Exit(ctx, inner, nil) != nil || ctx.Err() != nil {
			t.Error("Enter/Exit of a sooner caller deadline must pass the context through untouched")
		}
		return nil
	})
	if err != nil {
		t.Errorf("Execute() = %v", err)
	}
	waitWheelIdle(t)
}

// TestWheelCtxPanic: Execute releases the context when fn panics; a
// Pipeline skips Exit then, and the timer fires later into the unused
// context, which frees it.
func TestWheelCtxPanic(t *testing.T) {
	to := mustNew(t, Config{Timeout: 2 * time.Millisecond})
	var viaExecute, viaPipeline context.Context
	func() {
		defer func() { _ = recover() }()
		_ = to.Execute(context.Background(), func(ctx context.Context) error { viaExecute = ctx; panic("boom") })
	}()
	if viaExecute.Err() != context.Canceled {
		t.Errorf("after a panic in Execute: Err() = %v want Canceled", viaExecute.Err())
	}
	pl, err := resilience.NewPipeline[int](to)
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recover() = %v want boom", r)
			}
		}()
		_, _ = pl.Execute(context.Background(), func(ctx context.Context) (int, error) { viaPipeline = ctx; panic("boom") })
	}()
	waitDone(t, viaPipeline, "the context a panic left armed")
	if viaPipeline.Err() != context.DeadlineExceeded {
		t.Errorf("Err() = %v want DeadlineExceeded", viaPipeline.Err())
	}
	waitWheelIdle(t)
}

func TestWheelCtxAbandon(t *testing.T) {
	to := mustNew(t, Config{Timeout: 2 * time.Millisecond, Abandon: true})
	release, finished := make(chan struct{}), make(chan struct{})
	var inner context.Context
	started := make(chan struct{})
	v, err := Do(context.Background(), to, func(ctx context.Context) (int, error) {
		defer close(finished)
		inner = ctx
		close(started)
		<-release // ignores ctx
		return 1, nil
	})
	if v != 0 || err != ErrTimeout {
		t.Errorf("Do() = %d, %v want 0, ErrTimeout", v, err)
	}
	<-started
	if inner.Err() != context.DeadlineExceeded {
		t.Errorf("abandoned fn's Err() = %v want DeadlineExceeded", inner.Err())
	}
	close(release)
	<-finished
	waitWheelIdle(t)
}

// afterFuncParent is a context of a foreign type with an AfterFunc method,
// which counts the registrations not yet stopped, and closes stopped at
// the first stop.
type afterFuncParent struct {
	context.Context
	registered atomic.Int32
	stopped    chan struct{}
	once       sync.Once
}

// Value hides the parent's *cancelCtx, so that package context registers
// through AfterFunc.
func (p *afterFuncParent) Value(any) any { return nil }

func (p *afterFuncParent) AfterFunc(f func()) func() bool {
	p.registered.Add(1)
	stop := context.AfterFunc(p.Context, f)
	return func() bool {
		stopped := stop()
		if stopped {
			p.registered.Add(-1)
			p.once.Do(func() { close(p.stopped) })
		}
		return stopped
	}
}
