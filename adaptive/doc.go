// Package adaptive finds concurrency limits from observed latency and sheds
// load before it queues.
//
// A static bulkhead needs someone to know the right concurrency, and the
// right number moves as the dependency scales, slows down or shares its
// machines. The guards here measure it instead. Both are resilience.Guard
// values: Acquire, then Permit.Done with the call's error.
//
//   - Limiter (most callers want this one) admits a call while fewer calls
//     are in flight than its limit and refuses the rest with
//     ErrLimitExceeded. Once per sample window it moves the limit with one
//     of three algorithms (see Algorithm): gradient, after Netflix's
//     Gradient2, compares the window's mean round-trip time with the
//     no-load baseline; vegas, after TCP Vegas, keeps the estimated queue
//     limit × (1 − baseline/rtt) between two bounds; aimd, after TCP Reno,
//     grows the limit additively while calls succeed and cuts it
//     multiplicatively on timeouts and drops.
//   - Shedder applies Little's law: it measures the dependency's throughput
//     X and refuses calls with ErrShed while InFlight ≥ X × TargetLatency,
//     so that a newly admitted call never waits behind more work than can
//     be finished within TargetLatency.
//
// # Measurements
//
// Permits record the clock's Nanotime at Acquire; Done computes the
// round-trip time. The real clock's Nanotime is coarse (about 1ms), but a
// window's mean of quantized durations is unbiased, which is all the
// algorithms use. A successful call gives a sample; a failure matching
// context.DeadlineExceeded or resilience.ErrRejected is a drop, a sign of
// overload; other failures and cancelled calls give no sample (a fast
// error says nothing about queueing). Config.Classifier changes what counts
// as a success.
//
// The gradient and vegas algorithms need the no-load round-trip time. It is
// the lowest window mean seen, re-measured every ProbeInterval: the limit is
// halved for two windows so that any queue drains, and the mean of the
// calls started in the second becomes the new baseline. Unlike an average
// of recent round-trip times, which sustained queueing inflates until the
// limit creeps upward, the probe tells a slower dependency from a queue.
//
// On a server of capacity C whose latency grows in proportion to
// concurrency beyond C, the tests show (deterministically, on the manual
// clock) each algorithm's allowance settling within ±25% of C: gradient
// near Tolerance × C + QueueSize (with Tolerance 1.1; the default 1.5
// accepts 50% more latency), vegas near C plus 3 to 6 × log10(limit), aimd
// where latency crosses AIMD.Timeout. Without a guard the same overload
// grows latency without bound.
//
// # Priorities
//
// Each call may carry a Priority in its context (WithPriority; adapters
// use ParsePriority on a header or metadata value). A priority may only use
// its share of the limit (PriorityShares): by default sheddable calls are
// refused once half the limit is in use, low ones at 70%, normal ones at
// 90%, and high and critical calls may use all of it. Under overload the
// least important work is shed first, and critical traffic keeps its
// latency.
//
// # Configuration
//
// Config and ShedderConfig are plain structs with yaml and json tags; each
// field's zero value is a documented default, except the Shedder's
// TargetLatency, which is required. New and NewShedder return the error of
// Validate, which names the offending field.
//
// # Shadow mode
//
// With Shadow set, a guard measures and decides as usual but admits every
// call, reporting the ones it would have refused as EventShadowRejected.
//
// # Concurrency
//
// Limiter and Shedder are safe for simultaneous use by multiple
// goroutines. Admission is one atomic add and allocates nothing; so does
// Done, apart from the Done that closes a window, which updates the limit
// under a mutex once per window. Listeners are called without any lock
// held.
package adaptive
