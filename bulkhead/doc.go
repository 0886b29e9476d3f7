// Package bulkhead isolates dependencies by bounding how much concurrent
// work each may take, so that one slow dependency cannot tie up every
// goroutine, connection or thread of its caller.
//
// Three shapes are offered:
//
//   - Semaphore, a resilience.Guard: at most MaxConcurrent calls hold a
//     permit at once; the rest wait up to MaxWait, first come first served,
//     and are then refused with ErrFull. Most callers want this one:
//     Acquire, then Permit.Done, or Execute around a function.
//   - Keyed: one Semaphore per key (per downstream service, per tenant),
//     created on first use from a shared Config, with a bound on the number
//     of keys; idle keys are evicted to make room.
//   - Pool: a fixed set of worker goroutines fed by a bounded queue, for
//     fire-and-forget tasks. Submit refuses at once when the queue is full;
//     SubmitWait waits for room. Close drains the queue and waits for the
//     workers. A panicking task is recovered and reported; its worker lives
//     on.
//
// # Algorithm
//
// A Semaphore keeps the in-flight count and the number of waiters in one
// atomic word. Admission, when a slot is free and nobody waits, is a single
// atomic add; so is release when nobody waits. Neither takes a lock or
// allocates, and an add, unlike a compare-and-swap loop, does not retry
// under contention.
// When the semaphore is full, a caller that may wait (MaxWait > 0) joins a
// FIFO queue under a mutex; a release then hands its slot directly to the
// oldest waiter, so newcomers never overtake the queue. SetMaxConcurrent
// changes the limit live and wakes waiters when it grows.
//
// # Configuration
//
// Configs are plain structs with yaml and json tags. MaxConcurrent (and a
// Pool's Workers) are required; every other field's zero value is a
// documented default: MaxWait 0 rejects at once, QueueSize 0 hands tasks
// only to idle workers, a nil Clock is the real clock, a nil Listener costs
// nothing. New, NewKeyed and NewPool return the error of Validate, which
// names the offending field.
//
// # Shadow mode
//
// With Shadow set, a Semaphore decides as usual but lets every call
// through, reporting EventShadowRejected for the calls it would have made
// wait or refused. Use it to try a limit on live traffic.
//
// # Errors
//
// ErrFull, ErrClosed and ErrTooManyKeys all match resilience.ErrRejected
// with errors.Is: the call did not run.
//
// # Concurrency
//
// Semaphore, Keyed and Pool are safe for simultaneous use by multiple
// goroutines. Listeners are called synchronously, never under a lock.
package bulkhead
