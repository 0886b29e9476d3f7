package timeout

import (
	"context"
	"sync/atomic"
)

// Execute runs fn with a context bounded by the time limit and returns its
// error, or ErrTimeout when the limit ran out (see Exit).
//
// In the default, cooperative mode fn runs in the caller's goroutine, no
// goroutine is started, and Execute returns when fn does: a fn that ignores
// its context runs to its end, and Execute then returns ErrTimeout if the
// limit passed meanwhile. In Abandon mode Execute returns at the limit, and
// fn goes on in a goroutine of its own until it returns; a panic in fn is
// re-raised in the caller if it is still waiting, and crashes the program
// otherwise, as in any goroutine.
func (t *Timeout) Execute(ctx context.Context, fn func(context.Context) error) error {
	if t.abandon {
		_, err := abandon(ctx, t, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
		return err
	}
	inner, c, cancel := t.enter(ctx)
	defer release(c, cancel)
	err := fn(inner)
	if c != nil {
		return t.exitWheel(c, err)
	}
	return t.Exit(ctx, inner, err)
}

// Do is Execute for a function that returns a value. When the limit ran
// out, the value is fn's in cooperative mode and the zero R in Abandon
// mode.
func Do[R any](ctx context.Context, t *Timeout, fn func(context.Context) (R, error)) (R, error) {
	if t.abandon {
		return abandon(ctx, t, fn)
	}
	inner, c, cancel := t.enter(ctx)
	defer release(c, cancel)
	r, err := fn(inner)
	if c != nil {
		return r, t.exitWheel(c, err)
	}
	return r, t.Exit(ctx, inner, err)
}

// Abandon-mode states, shared by the caller and fn's goroutine.
const (
	running   = iota
	abandoned // the caller returned without fn's result
	finished  // fn's result is in the channel
)

type outcome[R any] struct {
	r        R
	err      error
	panicked bool
	value    any
}

func abandon[R any](ctx context.Context, t *Timeout, fn func(context.Context) (R, error)) (R, error) {
	inner, c, cancel := t.enter(ctx)
	defer release(c, cancel)
	var state atomic.Int32
	done := make(chan outcome[R], 1)
	go func() {
		out := outcome[R]{panicked: true}
		defer func() {
			if out.panicked {
				out.value = recover()
			}
			if state.CompareAndSwap(running, finished) {
				done <- out
				return
			}
			if out.panicked {
				panic(out.value) // nobody is waiting: crash as a goroutine would
			}
		}()
		out.r, out.err = fn(inner)
		out.panicked = false
	}()

	var out outcome[R]
	select {
	case out = <-done:
	case <-inner.Done():
		if state.CompareAndSwap(running, abandoned) {
			var zero R
			return zero, t.Exit(ctx, inner, ctx.Err())
		}
		out = <-done // fn finished at the same moment: use its result
	}
	if out.panicked {
		panic(out.value)
	}
	return out.r, t.Exit(ctx, inner, out.err)
}
