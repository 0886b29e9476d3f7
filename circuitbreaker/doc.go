// Package circuitbreaker stops calls to a dependency that keeps failing, so
// that callers fail fast and the dependency gets room to recover.
//
// # Standard mode: a state machine
//
// A Breaker starts closed and admits every call, counting outcomes in a
// sliding window: the last WindowSize calls (WindowCount) or the calls of
// the last WindowDuration (WindowTime), rolled in WindowBuckets buckets.
// It trips open when any of these conditions holds:
//
//   - ConsecutiveFailures failures in a row;
//   - the failure rate over the window is at least FailureRateThreshold
//     percent, once the window holds MinimumCalls calls;
//   - the rate of calls slower than SlowCallDuration is at least
//     SlowCallRateThreshold percent, under the same minimum. With
//     RequireAll, the enabled rate conditions must all hold ("error rate and
//     latency"); otherwise any one trips;
//   - ReadyToTrip, a custom condition, returns true.
//
// Conditions are evaluated after each failure or slow call and whenever a
// bucket rotates; a plain success can only lower the rates, so it costs one
// atomic add and no evaluation. ResetInterval clears the counts
// periodically in the closed state, like gobreaker's Interval.
//
// An open breaker rejects calls with ErrOpen for OpenDuration, then the next
// Acquire moves it to half-open (lazily: there are no timers or
// goroutines). A half-open breaker admits HalfOpenProbes probe calls and
// rejects the rest with ErrHalfOpenFull. It closes once that many probes
// succeeded and re-opens at the first probe that fails (or, with
// SlowCallRateThreshold set, is slow), like gobreaker's MaxRequests; it also
// re-opens if HalfOpenMaxWait passes first. A probe whose outcome is
// ignored frees its slot for another. Each re-open straight from half-open
// multiplies the open wait by OpenBackoffMultiplier, up to
// MaxOpenDuration, plus up to OpenJitter of random extra; closing resets it.
//
// Every state change, and every ResetInterval clear, starts a new
// generation. A Permit carries the generation it was granted in, and
// outcomes reported for an older generation are ignored, as in gobreaker:
// a slow call admitted before a trip cannot close or re-trip the breaker.
//
// The operator can ForceOpen (reject everything), Disable (admit
// everything, record nothing), switch to MetricsOnly (record and report,
// never reject or trip) and Reset (closed, counts and backoff cleared).
//
// # Adaptive mode: client-side throttling
//
// ModeAdaptive implements the client-side throttling of Google's SRE book.
// Over AdaptiveWindow the breaker counts requests (calls attempted,
// throttled ones included) and accepts (calls the dependency served), and
// rejects each call with probability
//
//	max(0, (requests − AdaptiveK·accepts) / (requests + 1))
//
// once the window holds MinimumCalls requests. It sheds load smoothly
// instead of all at once. State reports StateClosed while throttling; the
// operator states apply as in standard mode, and Metrics reports the
// current RejectProbability.
//
// # Outcomes, latency and events
//
// Config.Classify decides whether an error is a success, a failure or
// ignored (neither; context.Canceled by default). Latency is measured with
// the Clock's Nanotime, which is read only when something needs it: a
// time window, the slow-call condition, ResetInterval, or a Listener.
// With a Listener, the breaker reports EventStateChange (From and To are
// State strings), EventRejected, EventSuccess and EventFailure, never while
// holding a lock.
//
// # Using it
//
// The zero Config is valid but enables no trip condition; start from
// DefaultConfig. Most callers want Execute or Do. Acquire and Permit.Done
// are the same thing in two steps, for streaming calls and proxies, and
// let a resilience.Pipeline compose the breaker with other policies.
// Errors from a refusing breaker match resilience.ErrRejected.
//
// A Breaker is safe for simultaneous use by multiple goroutines. In the
// closed state, admitting and recording a successful call takes no lock and
// allocates nothing; rejecting a call in the open state neither.
package circuitbreaker
