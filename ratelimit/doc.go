// Package ratelimit limits how often calls may happen: a token bucket
// (Limiter), a sliding-window counter (SlidingWindow) and a token bucket
// per key with bounded memory (Keyed). All three are resilience.Guards, so
// a pipeline or the HTTP and gRPC adapters can use them through Acquire,
// which refuses with ErrLimited (matching resilience.ErrRejected).
//
// # Limiter: GCRA
//
// Limiter is a token bucket of Burst events refilled at Rate events per
// Per, computed as GCRA (the generic cell rate algorithm): the whole state
// is the theoretical arrival time TAT, the instant the bucket is full
// again, kept as an offset on the clock's Nanotime timeline in one atomic
// int64. Admitting n events at now moves it to max(TAT, now) + n·Per/Rate,
// allowed while that is at most Burst·Per/Rate ahead of now. Allow is a
// load, some arithmetic and one compare-and-swap; a refusal writes
// nothing; an Unlimited limiter reads nothing. The arithmetic lives in
// ratelimit/internal/gcra as pure functions of (state, now, parameters),
// shared with the distributed limiter, and saturates instead of
// overflowing for extreme rates, bursts and instants.
//
// Rate is a float64 count per Per (zero Per means a second), so "100 per
// minute" is Rate 100, Per time.Minute, and one event every 2s is Rate
// 0.5. The interval Per/Rate is rounded to whole nanoseconds and must lie
// between 1ns and the longest time.Duration; an unlimited limiter says so
// with Unlimited instead of an infinite Rate. Burst zero means one Per's
// worth.
//
// The real clock's Nanotime is coarse (it advances every millisecond), so
// a GCRA that trusted it alone would admit at most Burst events per
// millisecond. With the real clock the tolerance is therefore at least one
// millisecond's worth of events: a limit of 100 000/s with Burst 1 still
// admits 100 000/s, in groups of up to 100 per millisecond. Other clocks
// (clock.NewManual in tests) are taken as exact.
//
// Methods follow golang.org/x/time/rate: Allow/AllowN drop excess events,
// Wait/WaitN delay them (and fail at once with a *DelayError, matching
// both ErrLimited and context.DeadlineExceeded, when the wait would
// outlast the context's deadline), Reserve/ReserveN return a Reservation
// value that says how long to wait. AllowInfo returns an Info with what a
// server needs for Retry-After and the IETF RateLimit headers. SetRate,
// SetBurst and SetLimit change the limit live, keeping the events
// available (no reset, no windfall).
//
// With WarmUp set, a Limiter starts cold, at Rate/ColdFactor, and climbs
// linearly to Rate over WarmUp of saturated traffic, cooling down again
// when idle (Sentinel's cold start, for dependencies with cold caches or
// connection pools). That variant takes a mutex; without WarmUp the
// limiter stays lock-free.
//
// # SlidingWindow
//
// SlidingWindow admits Limit events per Window with the two-counter
// weighted estimate, in O(1) time and memory. It fits quotas stated as "N
// per window"; the Limiter fits smooth rates.
//
// # Keyed
//
// Keyed keeps one GCRA word per key in 64 shards, with MaxKeys bounding
// memory against endless distinct keys, idle keys dropped once their
// bucket is full again, and a documented policy when the table is full.
// A remembered key's decision allocates nothing.
//
// # Shadow mode and events
//
// With Shadow set, every limiter here decides as usual and reports
// EventShadowRejected where it would have refused, but lets the call
// through, so a new limit can be rolled out safely. Refusals report
// EventRejected. Events go to the Listener only when one is set.
//
// # Concurrency
//
// Every type here is safe for simultaneous use by multiple goroutines.
// The zero Limiter rejects everything; use the constructors.
package ratelimit
