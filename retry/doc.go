// Package retry runs a failed call again, with backoff, within limits.
//
// # Algorithm
//
// A Policy runs attempts until one succeeds or a limit stops it. After a
// failed attempt it retries only if, in this order:
//
//  1. the Policy's own context is alive: the caller's cancellation or
//     deadline is never retried;
//  2. the error is not Permanent and RetryIf (DefaultRetryIf when nil)
//     accepts it;
//  3. attempts remain (MaxAttempts, 3 by default, counts the first);
//  4. a Retry-After hint on the error (RetryAfterer), if any, is within the
//     backoff cap; the wait is then the larger of the hint and the backoff;
//  5. the wait would end before MaxElapsed, if set;
//  6. the context's deadline leaves room for the wait plus a typical
//     attempt (an EWMA of the attempt latencies the Policy observed);
//  7. the Budget, if any, grants a retry.
//
// The waits follow a BackoffConfig: full jitter (the default), exponential,
// decorrelated jitter, constant or none. Cancelling the context ends a wait
// at once.
//
// # Errors
//
// A success returns nil. A failure that is not retried (steps 1 and 2)
// returns the attempt's error unchanged. Running out of attempts or of
// MaxElapsed (steps 3 and 5) returns an *ExhaustedError, which matches both
// ErrExhausted and the last error with errors.Is. A retry skipped by steps
// 4, 6 or 7 returns the last error unchanged. A context ending during a
// wait returns an error matching both the context's cause and the last
// error. When the last attempt succeeded but its result asked for a retry
// (OnResult) and no retry is left, the execution ends with that result and
// an *ExhaustedError whose Err is nil.
//
// # Events
//
// With a Listener, a Policy reports EventRetry before each wait (Attempt is
// the attempt about to start, Delay the wait, Err the failure, Latency the
// failed attempt's duration), EventRetrySkipped when step 4, 6 or 7 stops it
// (Detail "retry_after", "deadline" or "budget"; Attempt is the attempt that
// did not start) and EventExhausted (Detail "max_attempts" or "max_elapsed";
// Attempt is the number of attempts made).
//
// # Timeouts per attempt and overall
//
// A Policy bounds no attempt by itself. Order a pipeline as
//
//	resilience.NewPipeline[R](overall, retryPolicy, perAttempt)
//
// with two timeout.Timeout values: the overall timeout bounds the whole
// execution, waits included, and the per-attempt timeout bounds each try. A
// per-attempt expiry (context.DeadlineExceeded or timeout.ErrTimeout while
// the Policy's context is alive) is retried; the overall expiry is not, and
// the deadline check (step 6) avoids starting a retry that the overall
// timeout would cut short.
//
// # Attempt numbers downstream
//
// Pipelines, Do and DoValue put the attempt number in the context of every
// retry (resilience.AttemptFromContext). SetAttemptHeader copies it into an
// HTTP request's AttemptHeader and AttemptFromHeader reads it back on the
// server; GRPCPreviousAttemptsKey names the gRPC metadata key.
//
// # Use
//
// Most callers want New once per dependency, then the Policy in a
// resilience.Pipeline, or Do and DoValue to use it alone. Share a Budget
// between the Policies (and hedges) calling one dependency. A Policy and a
// Budget are safe for concurrent use. The zero Config is valid: three
// attempts, full jitter from 100ms doubling to at most 10s, DefaultRetryIf,
// no MaxElapsed and no Budget. Running a Policy whose first attempt
// succeeds allocates nothing and reads no clock unless MaxElapsed, a
// Listener or a deadline on the context needs it.
package retry
