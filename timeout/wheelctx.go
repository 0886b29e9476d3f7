package timeout

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/resilience-go/resilience/internal/wheel"
)

// wheelCtx is the context a real-clock Timeout gives each call: one
// allocation, armed in the shared coarse timer wheel (internal/wheel)
// instead of a runtime timer of its own. It behaves as a context from
// context.WithDeadlineCause(parent, deadline, t.cause) whose cancel Exit
// calls (context.WithDeadline's, t nil, for WithDeadline and WithTimeout),
// with these differences, all invisible through the Context interface:
//
//   - The deadline is read from the wheel's coarse clock; see Config.
//   - Its Done channel is made on the first call to Done, as package
//     context does.
//   - Its parent's end is noticed lazily: Err and Value look at the parent
//     (its Done channel, polled without blocking), and the first Done or
//     AfterFunc registers with the parent (context.AfterFunc, or directly
//     when the parent is a wheelCtx too), so that the channel is closed
//     when the parent ends. A call that never asks for Done never
//     registers, which is where most of the saving is for cancellable
//     parents.
//   - It implements AfterFunc, so contexts derived from it with package
//     context register with it instead of starting a goroutine each.
//
// wheelCtx values are not pooled: a goroutine started by the call may keep
// the context after the call returns, and would see a recycled context
// belonging to another call.
type wheelCtx struct {
	parent context.Context
	pdone  <-chan struct{} // parent.Done(), when the parent is no wheelCtx
	t      *Timeout        // nil for the contexts of WithDeadline and WithTimeout
	// done points to ch once Done made it, or to closedChan when Done was
	// first called after the end; nil before.
	done atomic.Pointer[<-chan struct{}]
	ch   <-chan struct{}
	// ccancel cancels the context from package context whose Done channel
	// ch is, when the parent can be cancelled (see makeDone).
	ccancel context.CancelCauseFunc
	ext     *reg // registrations (see reg), guarded by flagLocked
	timer   wheel.Timer
	state   atomic.Uint32
	flags   atomic.Uint32
}

// The flags of a wheelCtx.
const (
	// flagWatching is set once the context has registered, or is
	// registering, with its parent for cancellation.
	flagWatching = 1 << iota
	// flagExt is set before ext may first be set, so that finish, which
	// reads it after ending the context, knows whether to look at ext.
	flagExt
	// flagClosed is set by whoever closes ch.
	flagClosed
	// flagLocked is a spin lock over making ch, and ext: a mutex would
	// not fit in the context's 128 bytes, and the lock is rarely taken
	// twice at once (by concurrent first calls to Done).
	flagLocked
	// flagParentAF is set when the parent, of a type other than wheelCtx,
	// has an AfterFunc method (see closeDone).
	flagParentAF
	// flagNoTimer is set, once and for good, on a context of WithDeadline
	// whose parent's deadline comes first: it has no timer of its own, and
	// its Deadline is the parent's.
	flagNoTimer
)

func (c *wheelCtx) lock() {
	for {
		if f := c.flags.Load(); f&flagLocked == 0 && c.flags.CompareAndSwap(f, f|flagLocked) {
			return
		}
		runtime.Gosched()
	}
}

func (c *wheelCtx) unlock() { c.flags.And(^uint32(flagLocked)) }

// The states of a wheelCtx. Only the first transition from ctxActive
// happens; it decides Err.
const (
	ctxActive     uint32 = iota
	ctxExpired           // its deadline came: DeadlineExceeded
	ctxReleased          // Exit or a panic released it first: Canceled
	ctxParentDone        // its parent ended first: the parent's error
)

var closedChan = func() <-chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

var _ context.Context = (*wheelCtx)(nil)

// newWheelCtx arms a context ending at when (a wheel.Deadline).
func newWheelCtx(parent context.Context, t *Timeout, when int64) *wheelCtx {
	c := &wheelCtx{parent: parent, t: t}
	if _, ok := parent.(*wheelCtx); !ok {
		c.pdone = parent.Done()
	}
	c.timer.Start(when, t.d, (*expirer)(c))
	return c
}

// expirer is the wheel.Expirer of a wheelCtx: a type of its own, so that
// the context has no Expire method for its users to find.
type expirer wheelCtx

// Expire runs on the wheel's goroutine when the deadline has come. A parent
// that ended first, but unnoticed, wins, as it would have with a context
// from package context.
func (e *expirer) Expire() {
	c := (*wheelCtx)(e)
	s := ctxExpired
	if c.parentEnded() {
		s = ctxParentDone
	}
	c.finish(s, finOnWheel|finTimerFired)
}

// parentEnded reports whether c's parent has ended, without running code
// of a foreign context type: a Done channel is polled.
func (c *wheelCtx) parentEnded() bool {
	if p, ok := c.parent.(*wheelCtx); ok {
		return p.state.Load() != ctxActive || p.parentEnded()
	}
	if c.pdone != nil {
		select {
		case <-c.pdone:
			return true
		default:
		}
	}
	return false
}

// Deadline returns the deadline the wheel fires at, or the parent's when
// the context has no timer of its own.
func (c *wheelCtx) Deadline() (time.Time, bool) {
	if c.flags.Load()&flagNoTimer != 0 {
		return c.parent.Deadline()
	}
	return wheel.Time(c.timer.When()), true
}

// Done returns a channel closed when the context ends.
func (c *wheelCtx) Done() <-chan struct{} {
	if p := c.done.Load(); p != nil {
		return *p
	}
	return c.makeDone()
}

// makeDone makes the Done channel. Under a parent that can be cancelled
// it is the channel of a context from context.WithCancelCause(parent),
// so that the parent's end closes it the way package context closes its
// own, without a goroutine or a context.AfterFunc registration (three
// allocations more); under a wheelCtx parent it is registered with it;
// otherwise nothing can end c but its own finish.
func (c *wheelCtx) makeDone() <-chan struct{} {
	if _, ok := c.parent.(*wheelCtx); ok {
		c.watchParent()
	}
	c.lock()
	if c.done.Load() == nil {
		if c.state.Load() != ctxActive {
			c.done.Store(&closedChan)
		} else {
			if c.pdone != nil {
				cc, cancel := context.WithCancelCause(c.parent)
				c.ch, c.ccancel = cc.Done(), cancel
				if _, ok := c.parent.(interface{ AfterFunc(func()) func() bool }); ok {
					c.flags.Or(flagParentAF)
				}
			} else {
				c.ch = make(chan struct{})
			}
			c.done.Store(&c.ch)
			if c.state.Load() != ctxActive {
				c.closeDone(false) // finish may have read done before the store
			}
		}
	}
	c.unlock()
	return *c.done.Load()
}

// closeDone closes ch once, whoever of finish and makeDone calls it first.
// Canceling the context behind ch runs code of package context only,
// unless the parent has an AfterFunc method of its own (flagParentAF): its
// stop function then runs too, which the wheel's goroutine leaves to a
// goroutine of its own, as a runtime timer would.
func (c *wheelCtx) closeDone(onWheel bool) {
	if c.flags.Or(flagClosed)&flagClosed != 0 {
		return
	}
	switch {
	case c.ccancel == nil:
		// makeDone made ch with make(chan struct{}): a channel's
		// direction is only its static type, so the conversion is sound.
		close(*(*chan struct{})(unsafe.Pointer(&c.ch)))
	case onWheel && c.flags.Load()&flagParentAF != 0:
		go c.ccancel(nil)
	default:
		c.ccancel(nil)
	}
}

// Err returns nil while the context is active, then why it ended.
func (c *wheelCtx) Err() error {
	s := c.state.Load()
	if s == ctxActive {
		if !c.parentEnded() {
			return nil
		}
		c.finish(ctxParentDone, 0)
		s = c.state.Load()
	}
	switch s {
	case ctxExpired:
		return context.DeadlineExceeded
	case ctxReleased:
		return context.Canceled
	}
	return c.parent.Err()
}

// Value answers context.Cause's lookup itself once the context ended by
// its own deadline (the Timeout's cause; none, so DeadlineExceeded, for a
// context of WithDeadline) or release (no cause, so Canceled); it
// delegates everything else to the parent.
func (c *wheelCtx) Value(key any) any {
	if key == cancelCtxKey && key != nil {
		switch c.state.Load() {
		case ctxExpired:
			if c.t == nil {
				return nil
			}
			return c.t.causeValue
		case ctxReleased:
			return nil
		}
	}
	return c.parent.Value(key)
}

// String describes the context as package context does.
func (c *wheelCtx) String() string {
	name := "context"
	if s, ok := c.parent.(interface{ String() string }); ok {
		name = s.String()
	}
	dl, _ := c.Deadline()
	return name + ".WithDeadline(" + dl.String() + " [" + time.Until(dl).String() + "])"
}

// release ends c before its deadline, if it is still active, and reports
// whether its deadline had come.
func (c *wheelCtx) release() (expired bool) {
	c.finish(ctxReleased, 0)
	return c.state.Load() == ctxExpired
}

// How finish is called.
const (
	// finOnWheel: on the wheel's goroutine, which must run no code of
	// other context types, since it would delay every timer.
	finOnWheel = 1 << iota
	// finTimerFired: by c's own timer, which the wheel has unlinked.
	finTimerFired
)

// finish makes s the state of an active c, and reports whether it did.
func (c *wheelCtx) finish(s uint32, how int) bool {
	if c.state.Load() != ctxActive || !c.state.CompareAndSwap(ctxActive, s) {
		return false
	}
	if how&finTimerFired == 0 {
		c.timer.Stop()
	}
	// makeDone stores done, then reads state; this stored state, and now
	// reads done: one of the two sees the other's store, and closes ch.
	if c.done.Load() == &c.ch {
		c.closeDone(how&finOnWheel != 0)
	}
	if c.flags.Load()&flagExt != 0 {
		c.finishExt(how&finOnWheel != 0)
	}
	return true
}
