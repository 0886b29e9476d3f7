// Package redisrate is a rate limiter per key shared by many processes
// through Redis: the GCRA token bucket of package ratelimit, with each
// key's state in Redis, so that every instance of a service enforces one
// limit together.
//
// # Algorithm: GCRA in one round trip
//
// Each key's bucket is one Redis string, the theoretical arrival time
// (TAT) of package ratelimit's Limiter: the instant the bucket is full
// again. A Lua script, loaded once and run with EVALSHA (re-sent as EVAL,
// which reloads it, when the server answers NOSCRIPT after a restart or
// SCRIPT FLUSH), reads it, admits n events if max(TAT, now) + n·Per/Rate
// stays within Burst·Per/Rate of now, writes the new TAT with an expiry at
// the instant the bucket is full again (an expired key is a full bucket,
// so idle keys cost no memory), and answers with one integer: how far the
// TAT now runs ahead (admitted) or how long to wait (refused). That is one
// round trip per decision, and the Info returned is the one package
// ratelimit's GCRA arithmetic gives for the same sequence of calls and
// instants (the tests check it call by call).
//
// Time is the Redis server's (TIME, in microseconds), so the clocks of the
// clients neither need to agree nor matter; with ClientClock the script
// takes the caller's Clock instead, for tests with a manual clock or
// servers that refuse TIME in scripts. The script computes in
// floating-point microseconds since 2025 (exact to a few nanoseconds),
// and the tolerance is one microsecond wider than Burst·Per/Rate so that
// rounding never refuses an event on the bucket's edge.
//
// Keys of any length or bytes are safe: the Redis key is Prefix followed
// by the hex of 128 bits of the key's SHA-256, 35 bytes with the default
// prefix. Rate, Per and Burst are the same for every key of a Limiter;
// limiters with different limits need different prefixes.
//
// # When Redis is slow or down
//
// Each round trip is bounded by Timeout (50ms by default), through the
// context, and passes a circuit breaker (package circuitbreaker; by
// default it opens after 5 consecutive failures, for 1s, then lets one
// probe through). While Redis cannot decide (error, timeout, or open
// breaker), OnFailure does:
//
//   - FailLocal (the default) limits each process on its own to
//     Rate/ExpectedInstances per key, with a ratelimit.Keyed, so that the
//     instances together keep close to the shared limit;
//   - FailOpen admits everything;
//   - FailClosed refuses everything with ErrUnavailable.
//
// The first decision made without Redis reports EventStateChange from
// StateRedis to StateFallback, with the cause in Err and a Detail such as
// DetailLocal ("redis unavailable: local fallback"); each such decision
// reports EventFallback; the first decision Redis makes again (the breaker's
// half-open probe succeeded) reports EventStateChange back to StateRedis.
// Refusals report EventRejected. Decisions never panic, never start a
// goroutine and never wait beyond Timeout (the client must honour context
// deadlines; see New).
//
// # Leases
//
// With Lease set above 1, a process that needs events for a key takes up
// to Lease of them in one round trip (at least the n it needs, at most
// what the bucket holds), spends the rest locally for LeaseTTL, and drops
// what is left then. Round trips fall by up to Lease times for a busy key.
// Nothing is ever admitted beyond what Redis handed out, so the limit over
// any long window holds; but events taken in one instant may be spent up to
// LeaseTTL later, so a short window can see a burst of up to Rate·LeaseTTL
// beyond Burst, and leftovers dropped at expiry are lost to everyone. A
// refusal is remembered too: Redis said when the next event could fit, and
// since only admissions move that instant (later), the process refuses
// locally until then, so a key over its limit costs no round trips either.
// Four instances sharing a key at 200/s with Lease 5 admit within 1% of
// the limit over 5s (TestAccuracyAcrossInstances). Info.Remaining of a
// decision served from a lease is what the process still holds.
//
// # Using it
//
// Most callers want Allow or AllowN: they return a ratelimit.Info, with
// Allowed and what the Retry-After and RateLimit headers need. Acquire
// (key from the context, ratelimit.WithKey) and Guard (one key) make the
// limiter a resilience.Guard for pipelines and the HTTP and gRPC adapters,
// refusing with ratelimit.ErrLimited. Create a Limiter with New (your
// go-redis client) or NewFromURL. A Limiter is safe for simultaneous use
// by multiple goroutines.
package redisrate
