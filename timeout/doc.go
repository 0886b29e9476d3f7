// Package timeout bounds how long a call may run.
//
// A Timeout derives, for each call, a context that ends when its time limit
// runs out, and turns that expiry into ErrTimeout, which also matches
// context.DeadlineExceeded. Only its own expiry becomes ErrTimeout: when
// the caller's context ends first, by cancellation or by its own deadline,
// that error passes through unchanged. When the caller's deadline comes no
// later than the limit, no timer is made at all and the context passes
// through as it is, at almost no cost.
//
// # Timers
//
// With the real clock, each call's context is armed in a timer wheel that
// the whole process shares (internal/wheel), instead of getting a runtime
// timer of its own as context.WithTimeout does. Arming and disarming take a
// sharded lock and no allocation; the context is the call's one allocation
// (its Done channel a second, made only if the function asks for it); no
// precise clock is read. A call costs several times less than
// context.WithTimeout, whose two clock readings, timer and closures
// dominate the cost of a fast call. The price is precision: the deadline
// comes from a coarse clock of 1 ms resolution, rounded up by one
// resolution, and the timer fires at the first tick of the wheel (every
// millisecond) at which that deadline has passed. A context never expires
// before its limit has passed since Enter, and usually expires within 2 ms
// after; Deadline reports the coarse deadline. Only the context's own
// expiry is coarse: the caller's deadline and cancellation reach it as
// promptly as with package context.
//
// The wheel's goroutine starts with the first timeout and stops by itself
// about 100 ms after the last one ended; goroutine leak checkers should
// ignore github.com/resilience-go/resilience/internal/wheel.run, as they
// do the real clock's coarse ticker. The wheel reads the process's real
// clock, so it does not follow the fake clock of a testing/synctest
// bubble: there, set Config.Precise, which gives each call a runtime timer
// (context.WithTimeoutCause), precise to the nanosecond, at its cost.
//
// With another clock, such as clock.NewManual in tests, the context is
// built from the clock's AfterFunc, so that its Deadline and its expiry
// follow that clock.
//
// On the real clock, Enter returns a nil CancelFunc and Exit releases the
// context: a Pipeline always calls Exit, except when the function panics;
// then the context stays armed until its deadline, when the timer fires
// into it and frees it. Execute and Do release it on a panic too.
//
// # Cooperation
//
// A timeout cannot stop a function that ignores its context. In the
// default, cooperative mode the function runs in the caller's goroutine and
// no goroutine is started; the call returns when the function does, with
// ErrTimeout if the limit passed meanwhile. Config.Abandon makes Execute
// and Do return at the limit instead, leaving the function to finish in a
// goroutine of its own, whose result is dropped. Prefer functions that
// honour their context: abandoned work still holds its resources.
//
// # Per attempt and overall
//
// In a pipeline, a Timeout placed outside a retry bounds the whole
// execution and one placed inside bounds each attempt:
//
//	resilience.NewPipeline[R](overall, retryPolicy, perAttempt)
//
// The retry package retries a per-attempt ErrTimeout and never the overall
// one.
//
// # Cheap deadline contexts
//
// WithDeadline and WithTimeout are context.WithDeadline and
// context.WithTimeout on the same wheel, for code that derives a deadline
// per call without a Timeout, such as a client's per-hop or
// per-attempt deadline. They share the wheel's precision: the context
// ends 0 to 2 ms after its deadline, never before. Their CancelFunc
// disarms the timer at once, so call it as with package context; under a
// parent whose deadline comes first no timer is armed at all. Contexts
// that package context derives from them cost more than under
// context.WithDeadline's (see WithDeadline), so they pay where the context
// is waited on or passed down as it is, not where a library wraps and
// derives from it.
//
// # Use
//
// Most callers want New once per dependency, then the Timeout in a
// resilience.Pipeline, or Execute and Do to use it alone. A Timeout is safe
// for concurrent use. With a Listener it reports EventTimeout for each call
// that ran out of time (Latency is the limit, Err the call's own error).
package timeout
