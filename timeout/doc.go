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
// With the real clock the context comes from context.WithTimeoutCause, the
// cheapest timer Go offers. With another clock, such as clock.NewManual in
// tests, it is built from the clock's AfterFunc, so that its Deadline and
// its expiry follow that clock.
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
// # Use
//
// Most callers want New once per dependency, then the Timeout in a
// resilience.Pipeline, or Execute and Do to use it alone. A Timeout is safe
// for concurrent use. With a Listener it reports EventTimeout for each call
// that ran out of time (Latency is the limit, Err the call's own error).
package timeout
